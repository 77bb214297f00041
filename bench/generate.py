"""Realistic data for the benchmark, deterministic for a seed, loaded through bulk inserts.

    .venv/bin/python bench/generate.py --size small --data-dir /tmp/tb     # or medium, large
    TIDINGS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tidings_bench ... --size medium

What it makes (for N people): N/1000 organisations (at least 10), each with three official accounts
(brand, support, outlet) and two groups; a tenth of the people are employees of one of them. Follows
have a heavy tail: the first brand is followed by everyone, the second by half, the third by a
fifth (100 000, 50 000 and 20 000 followers at medium), and each person follows tens of accounts
chosen by popularity (a Pareto law), so a few people have thousands of followers and most have
tens. Posts (Chinese first, some English) carry #topics# and @mentions; a tenth are reposts (half
with a comment of their own), a fifth are comments, 15% are inside an organisation and 3% in a
group. Likes follow the same tail, and each like and mention notifies its person.

The same seed gives the same people, follows, texts and order; times are counted back from now
(the newest post is a minute old), because timelines, trends and "active in the last weeks" are
about now. The search index and the name index are filled at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SIZES = {
    "tiny": (1_000, 10_000),
    "small": (10_000, 100_000),
    "medium": (100_000, 1_000_000),
    "large": (1_000_000, 10_000_000),
}
PASSWORD = "tidings-bench-2026"
BATCH = 5_000

SURNAMES = "王李張劉陳楊黃趙吳周徐孫馬朱胡郭何林高羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董潘袁蔡蔣余杜葉程"
GIVEN = "小明美玲志遠建國思涵雅婷家豪俊傑淑芬冠宇宜蓁承恩佳穎子軒詩涵宗翰欣怡柏宏心怡育誠"
BRANDS = ["示範", "戴爾", "聯想", "華碩", "宏碁", "小米", "Dell", "Lenovo", "ASUS", "Acer"]
PRODUCTS = ["筆電", "X14", "螢幕", "鍵盤", "電池", "充電器", "耳機", "手機", "平板", "路由器", "滑鼠", "主機"]
PLACES = ["台北", "上海", "香港", "深圳", "新竹", "北京", "台中", "杭州", "高雄", "廣州"]
OPENINGS = ["今天", "剛剛", "週末", "昨天晚上", "上班前", "午休時", "", "", "終於", "說真的,"]
SAYINGS = [
    "收到{b}{p},開箱心得:很輕,續航很好,螢幕也亮",
    "{b}的{p}用了三天就壞了,客服也不回,要求退款",
    "請問{b}{p}在{place}哪裡可以試用?",
    "{b}新品發布會在{place}舉行,{p}降價了",
    "跟同事比較了{b}和其他牌子的{p},各有優缺點",
    "去{place}門市看了{p},店員很熱心",
    "{p}的韌體更新修好了睡眠喚醒的問題,感謝{b}",
    "{b}{p}的售後服務比想像中快,兩天就修好寄回",
    "有人知道{b}{p}什麼時候到貨嗎?等好久了",
    "用{b}{p}寫了一整天報告,手腕不酸,推薦",
]
ENGLISH = [
    "{b} {p} review: fast, quiet, great screen",
    "My {b} {p} broke after a week, support is terrible",
    "Anyone tried the new {b} {p} in {place}? Thinking of buying one",
    "Shipping update for {b} {p} orders looks good this week",
]
INTERNAL = [
    "內部討論:{p}下一版的規格與供應商交期",
    "{place}倉庫本週{p}庫存偏低,請業務注意",
    "{p}專案週報:測試通過率九成,下週送樣",
    "提醒:{b}{p}客訴本週增加,請客服主管留意",
]
COMMENTS = [
    "同意",
    "我也遇到一樣的問題",
    "謝謝分享!",
    "請私訊客服,我們會盡快處理",
    "真的嗎?",
    "+1",
    "好用",
    "在哪買的?",
]
REPOSTS = ["推", "值得一看", "轉給需要的朋友", "這個不錯", "大家注意"]


def setup(data_dir: Path) -> None:
    os.environ.setdefault("TIDINGS_DATA_DIR", str(data_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tidings.settings"
    import django

    django.setup()


class Progress:
    """One line on the terminal per stage, rewritten as it goes."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.started = label, max(total, 1), time.monotonic()
        self.done = 0

    def add(self, n: int) -> None:
        self.done += n
        elapsed = max(time.monotonic() - self.started, 1e-6)
        width = 30
        filled = int(width * min(self.done / self.total, 1))
        bar = "█" * filled + "·" * (width - filled)
        print(
            f"\r  {self.label:<13} {bar} {self.done:>11,}/{self.total:,} ({self.done / elapsed:,.0f}/s)",
            end="",
            flush=True,
        )

    def end(self) -> None:
        print()


def insert(
    model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]], bar: Progress | None = None
) -> None:
    """INSERT many rows in one statement per batch; columns not given take the model's default."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField

    fields = [
        f
        for f in model._meta.concrete_fields
        if f.column not in columns and not isinstance(f, (AutoField, BigAutoField))
    ]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in fields)
    names = [*columns, *(f.column for f in fields)]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(n) for n in names)}) VALUES ({', '.join(['%s'] * len(names))})"
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append((*row, *defaults))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                if bar:
                    bar.add(len(batch))
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            if bar:
                bar.add(len(batch))


@dataclass
class World:
    """What the load driver needs to know of the generated data."""

    size: str
    seed: int
    people: int
    posts: int
    organisations: int
    follows: int = 0
    likes: int = 0
    readers: list[str] = field(default_factory=list)  # handles of people whose pages are read
    brand: str = ""  # the account everyone follows
    brand_followers: int = 0
    org_slug: str = ""
    topic: str = ""
    commented_post: int = 0
    seconds: float = 0.0


def generate(size: str, seed: int = 1) -> World:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from tidings.accounts.models import Account
    from tidings.core.handles import handle_key, handle_skeleton
    from tidings.core.ids import id_for_time
    from tidings.core.text import fold
    from tidings.groups.models import Group, GroupMember
    from tidings.notifications.models import Notification
    from tidings.orgs.models import Membership, Organisation
    from tidings.posts.models import Like, Mention, Post, PostTopic, Topic
    from tidings.social.models import Follow

    started = time.monotonic()
    people, posts = SIZES[size]
    rng = random.Random(seed)
    now = time.time()
    ops = connection.ops

    def when(seconds: float) -> Any:
        return ops.adapt_datetimefield_value(dt.datetime.fromtimestamp(seconds, dt.UTC))

    n_orgs = max(10, people // 1000)
    world = World(size=size, seed=seed, people=people, posts=posts, organisations=n_orgs)
    password = make_password(PASSWORD)
    joined = now - 400 * 86400
    base_id = id_for_time(joined)

    # Accounts: official ones first (three per organisation), then people.
    handles: list[str] = []
    names: list[str] = []
    kinds: list[str] = []
    account_org: list[int | None] = []
    for o in range(n_orgs):
        for role, label in (("brand", "官方"), ("support", "客服"), ("outlet", "優選")):
            handles.append(f"{role}{o}")
            names.append(f"{BRANDS[o % len(BRANDS)]}{label}{o}")
            kinds.append(Account.Kind.OFFICIAL)
            account_org.append(o)
    officials = len(handles)
    for i in range(people):
        handles.append(f"u{i}")
        names.append(rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
        kinds.append(Account.Kind.PERSONAL)
        account_org.append(None)
    ids = [base_id + i for i in range(len(handles))]
    total = len(ids)

    # Follows, decided before the accounts are written so their counts go in with them.
    follow_pairs: list[tuple[int, int]] = []
    followers = [0] * total
    following = [0] * total
    big = [(0, 1.0), (3, 0.5), (6, 0.2)]  # brand0, brand1, brand2 and the share of people following
    for p in range(officials, total):
        chosen: set[int] = {b for b, share in big if rng.random() < share}
        k = min(10 + int(rng.paretovariate(1.5) * 8), 400)
        for _ in range(k):
            if rng.random() < 0.3:
                chosen.add(rng.randrange(officials))
            else:
                chosen.add(officials + int(rng.paretovariate(1.1) * 7 + rng.randrange(people)) % people)
        chosen.discard(p)
        for f in sorted(chosen):
            follow_pairs.append((p, f))
            followers[f] += 1
            following[p] += 1
    world.follows = len(follow_pairs)
    world.brand = handles[0]
    world.brand_followers = followers[0]

    # Posts: who writes what, and when (evenly over 90 days, the newest a minute ago).
    span = 90 * 86400
    employee_org = {p: (p // 10) % n_orgs for p in range(officials, total) if p % 10 == 0}
    topic_names = [*BRANDS, *PRODUCTS[:4]]
    post_rows: list[tuple[Any, ...]] = []
    topic_links: list[tuple[int, int]] = []
    mentions: list[tuple[int, int]] = []
    posts_count = [0] * total
    public_recent: list[int] = []  # indexes into post_rows of public posts that can be shared
    comments_on: dict[int, int] = {}
    plain_reposts: set[tuple[int, int]] = set()
    reposts_on: dict[int, int] = {}
    for i in range(posts):
        created = now - 60 - (posts - i) * (span / posts)
        post_id = id_for_time(created)
        if rng.random() < 0.2:
            author = rng.randrange(officials)  # official accounts write a fifth of everything
        else:
            author = (
                officials + int(rng.paretovariate(1.2) * 3 + rng.randrange(people) * rng.random()) % people
            )
        brand, product, place = rng.choice(BRANDS), rng.choice(PRODUCTS), rng.choice(PLACES)
        roll = rng.random()
        kind, audience, org, group, repost_of, root = "post", "public", None, None, None, None
        org_index = employee_org.get(author)  # official accounts speak in public
        if org_index is not None and roll < 0.18:
            audience, org = "org", org_index
            if roll < 0.03:
                audience, group = "group", org_index * 2 + (i % 2)
            text = rng.choice(INTERNAL).format(b=brand, p=product, place=place)
        elif public_recent and roll < 0.38:
            target = post_rows[
                public_recent[-1 - min(int(rng.paretovariate(1.3)) - 1, len(public_recent) - 1)]
            ]
            kind = "comment"
            root = target[0]
            text = rng.choice(COMMENTS)
            comments_on[root] = comments_on.get(root, 0) + 1
        elif public_recent and roll < 0.48:
            target = post_rows[
                public_recent[-1 - min(int(rng.paretovariate(1.3)) - 1, len(public_recent) - 1)]
            ]
            kind = "repost"
            repost_of = target[0]
            text = rng.choice(REPOSTS) if rng.random() < 0.5 else ""
            if not text and (author, repost_of) in plain_reposts:
                text = rng.choice(REPOSTS)  # one plain repost of a post per person
            plain_reposts.add((author, repost_of))
            reposts_on[repost_of] = reposts_on.get(repost_of, 0) + 1
        else:
            template = rng.choice(ENGLISH) if rng.random() < 0.15 else rng.choice(SAYINGS)
            text = rng.choice(OPENINGS) + template.format(b=brand, p=product, place=place)
            if rng.random() < 0.3:
                topic = rng.choice(topic_names)
                text += f" #{topic}#"
                topic_links.append((topic_names.index(topic), post_id))
            if rng.random() < 0.1:
                mentioned = rng.randrange(total)
                text += f" @{handles[mentioned]}"
                mentions.append((post_id, mentioned))
        posts_count[author] += 1
        post_rows.append((post_id, author, kind, text, audience, org, group, repost_of, root, created))
        if kind == "post" and audience == "public":
            public_recent.append(len(post_rows) - 1)
            if len(public_recent) > 5000:
                del public_recent[:1000]

    # Likes: mostly on recent popular posts, by anyone.
    like_rows: list[tuple[int, int, float]] = []
    liked: set[tuple[int, int]] = set()
    likes_on: dict[int, int] = {}
    public_ids = [r for r in post_rows if r[2] == "post" and r[4] == "public"]
    for _ in range(posts):
        row = public_ids[-1 - int(rng.paretovariate(1.05) * 5) % len(public_ids)]
        who = officials + rng.randrange(people)
        if (who, row[0]) in liked or who == row[1]:
            continue
        liked.add((who, row[0]))
        like_rows.append((who, row[0], row[9] + 30))
        likes_on[row[0]] = likes_on.get(row[0], 0) + 1
    world.likes = len(like_rows)
    author_of = {r[0]: r[1] for r in post_rows}

    print(
        f"Generating {size} (seed {seed}, {connection.vendor}): {total:,} accounts, {len(follow_pairs):,} follows, "
        f"{posts:,} posts, {len(like_rows):,} likes"
    )
    with transaction.atomic():
        orgs = [
            Organisation(id=base_id - 1000 + o, slug=f"org{o}", name=f"{BRANDS[o % len(BRANDS)]}公司{o}")
            for o in range(n_orgs)
        ]
        Organisation.objects.bulk_create(orgs)
        bar = Progress("accounts", total)
        active = when(now - 3600)
        insert(
            Account,
            [
                "id",
                "handle",
                "handle_key",
                "handle_skeleton",
                "display_name",
                "password",
                "kind",
                "organisation_id",
                "date_joined",
                "last_active_at",
                "followers_count",
                "following_count",
                "posts_count",
            ],
            (
                (
                    ids[a],
                    handles[a],
                    handle_key(handles[a]),
                    handle_skeleton(handles[a]),
                    names[a],
                    password,
                    kinds[a],
                    orgs[account_org[a]].id if account_org[a] is not None else None,
                    when(joined),
                    active,
                    followers[a],
                    following[a],
                    posts_count[a],
                )
                for a in range(total)
            ),
            bar,
        )
        bar.end()
        owner_of: dict[int, int] = {}
        for p, o in sorted(employee_org.items()):
            owner_of.setdefault(o, ids[p])
        insert(
            Membership,
            ["organisation_id", "account_id", "role"],
            [
                (orgs[o].id, ids[p], "owner" if owner_of[o] == ids[p] else "member")
                for p, o in employee_org.items()
            ],
        )
        group_ids = {g: base_id - 5000 + g for g in range(n_orgs * 2)}
        insert(
            Group,
            ["id", "organisation_id", "name", "kind", "created_by_id", "members_count"],
            [
                (
                    gid,
                    orgs[g // 2].id,
                    ("產品討論", "供應鏈")[g % 2] + str(g // 2),
                    "open",
                    owner_of[g // 2],
                    sum(1 for o in employee_org.values() if o == g // 2),
                )
                for g, gid in group_ids.items()
            ],
        )
        insert(
            GroupMember,
            ["group_id", "account_id"],
            [(group_ids[o * 2 + k], ids[p]) for p, o in employee_org.items() for k in (0, 1)],
        )
        topics = [Topic(key=fold(name), name=name) for name in topic_names]
        Topic.objects.bulk_create(topics)
        topic_id = dict(Topic.objects.values_list("name", "id"))
    bar = Progress("follows", len(follow_pairs))
    with transaction.atomic():
        insert(
            Follow,
            ["follower_id", "followee_id", "created_at"],
            ((ids[a], ids[b], when(joined)) for a, b in follow_pairs),
            bar,
        )
    bar.end()
    bar = Progress("posts", posts)
    for start in range(0, posts, 50_000):
        with transaction.atomic():
            insert(
                Post,
                [
                    "id",
                    "author_id",
                    "audience_owner_id",
                    "kind",
                    "text",
                    "audience",
                    "organisation_id",
                    "group_id",
                    "repost_of_id",
                    "repost_parent_id",
                    "root_id",
                    "reply_to_id",
                    "created_at",
                    "likes_count",
                    "reposts_count",
                    "comments_count",
                ],
                (
                    (
                        pid,
                        ids[author],
                        ids[author],
                        kind,
                        text,
                        audience,
                        orgs[org].id if org is not None else None,
                        group_ids[group] if group is not None else None,
                        repost_of,
                        repost_of,
                        root,
                        root,
                        when(created),
                        likes_on.get(pid, 0),
                        reposts_on.get(pid, 0),
                        comments_on.get(pid, 0),
                    )
                    for pid, author, kind, text, audience, org, group, repost_of, root, created in post_rows[
                        start : start + 50_000
                    ]
                ),
            )
        bar.add(min(50_000, posts - start))
    bar.end()
    bar = Progress("likes, links", len(like_rows) + len(topic_links) + len(mentions))
    with transaction.atomic():
        insert(PostTopic, ["topic_id", "post_id"], [(topic_id[topic_names[t]], p) for t, p in topic_links])
        insert(Mention, ["post_id", "account_id"], [(p, ids[a]) for p, a in mentions])
        insert(Like, ["account_id", "post_id", "created_at"], [(ids[a], p, when(t)) for a, p, t in like_rows])
        counts: dict[int, int] = {}
        for t, _p in topic_links:
            counts[t] = counts.get(t, 0) + 1
        for t, n in counts.items():
            Topic.objects.filter(id=topic_id[topic_names[t]]).update(posts_count=n)
        bar.add(len(like_rows) + len(topic_links) + len(mentions))
        notes = [
            (t + 1, ids[author_of[p]], "like", ids[a], p, f"like:{ids[a]}:{p}")
            for a, p, t in like_rows
            if a != author_of[p]
        ]
        notes += [
            (now - 30, ids[a], "mention", ids[author_of[p]], p, f"mention:{ids[author_of[p]]}:{p}")
            for p, a in mentions
            if a != author_of[p]
        ]
        notes.sort(key=lambda n: n[0])
        seen: set[tuple[int, str]] = set()
        rows, last = [], 0
        for at, recipient, kind, actor, post, key in notes:
            if (recipient, key) in seen:
                continue
            seen.add((recipient, key))
            last = max(id_for_time(at), last + 1)  # ids in time order, each its own
            rows.append((last, recipient, kind, actor, post, key, when(at)))
        insert(
            Notification,
            ["id", "recipient_id", "kind", "actor_id", "post_id", "dedupe_key", "created_at"],
            rows,
        )
    bar.end()
    index_search()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # Readers: people who follow the big brand and tens of others, spread over the population.
    readers = [handles[p] for p in range(officials, total, max(1, people // 500)) if following[p] >= 12][:200]
    world.readers = readers
    world.org_slug = "org0"
    world.topic = topic_names[0]
    world.commented_post = max(comments_on, key=lambda k: comments_on[k])
    world.seconds = round(time.monotonic() - started, 1)
    return world


def index_search() -> None:
    from tidings.search import index, names

    bar = Progress("search index", 1)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.add(done - bar.done)

    index.reindex(progress, batch=5000)
    bar.end()
    names.rebuild()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", default="", help="SQLite's data folder (default: a new one in /tmp)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or f"/tmp/tidings-bench-{args.size}-{os.getpid()}")
    data_dir.mkdir(parents=True, exist_ok=True)
    setup(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = generate(args.size, args.seed)
    print(f"Done in {world.seconds:.0f} s: {data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
