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
from array import array
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


BIG = ((0, 1.0), (3, 0.5), (6, 0.2))  # brand0, brand1, brand2 and the share of people following
CHUNK = 50_000  # posts generated, written and forgotten at a time


def follows_of(p: int, seed: int, officials: int, people: int) -> list[int]:
    """Whom account p follows: a few big brands, then tens of accounts chosen by popularity. Drawn
    from p's own generator, so the follows are counted in one pass and written in a second
    without being held in memory (34 million at the large size)."""
    rng = random.Random(seed * 1_000_003 + p)
    chosen: set[int] = {b for b, share in BIG if rng.random() < share}
    for _ in range(min(10 + int(rng.paretovariate(1.5) * 8), 400)):
        if rng.random() < 0.3:
            chosen.add(rng.randrange(officials))
        else:
            chosen.add(officials + int(rng.paretovariate(1.1) * 7 + rng.randrange(people)) % people)
    chosen.discard(p)
    return sorted(chosen)


def generate(size: str, seed: int = 1) -> World:
    """Writes as it goes: what is kept in memory is per account and per public post, in arrays,
    so the large size (10 million posts) needs about 2 GB."""
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
    officials = n_orgs * 3
    total = officials + people
    handles = [f"{role}{o}" for o in range(n_orgs) for role in ("brand", "support", "outlet")]
    handles += [f"u{i}" for i in range(people)]
    names = [
        f"{BRANDS[o % len(BRANDS)]}{label}{o}" for o in range(n_orgs) for label in ("官方", "客服", "優選")
    ]
    names += [rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in range(people)]
    ids = [base_id + i for i in range(total)]

    # Follows are counted first so the counts go in with the accounts, and drawn again to write.
    followers = array("l", bytes(8 * total))
    following = array("l", bytes(8 * total))
    bar = Progress("counting", people)
    for p in range(officials, total):
        chosen = follows_of(p, seed, officials, people)
        following[p] = len(chosen)
        for f in chosen:
            followers[f] += 1
        if p % BATCH == 0:
            bar.add(BATCH)
    bar.end()
    world.follows = sum(following)
    world.brand = handles[0]
    world.brand_followers = followers[0]
    print(
        f"Generating {size} (seed {seed}, {connection.vendor}): {total:,} accounts, "
        f"{world.follows:,} follows, {posts:,} posts"
    )

    employee_org = {p: (p // 10) % n_orgs for p in range(officials, total) if p % 10 == 0}
    topic_names = [*BRANDS, *PRODUCTS[:4]]
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
            ],
            (
                (
                    ids[a],
                    handles[a],
                    handle_key(handles[a]),
                    handle_skeleton(handles[a]),
                    names[a],
                    password,
                    Account.Kind.OFFICIAL if a < officials else Account.Kind.PERSONAL,
                    orgs[a // 3].id if a < officials else None,
                    when(joined),
                    active,
                    followers[a],
                    following[a],
                )
                for a in range(total)
            ),
            bar,
        )
        bar.end()
        del names
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

    bar = Progress("follows", world.follows)
    for start in range(officials, total, CHUNK // 10):
        with transaction.atomic():
            insert(
                Follow,
                ["follower_id", "followee_id", "created_at"],
                (
                    (ids[p], ids[f], when(joined))
                    for p in range(start, min(start + CHUNK // 10, total))
                    for f in follows_of(p, seed, officials, people)
                ),
                bar,
            )
    bar.end()

    # Posts, evenly over 90 days (the newest a minute ago), written a chunk at a time. Their
    # counts are known only once later posts and the likes exist, and are set at the end.
    span = 90 * 86400

    def created_of(i: int) -> float:
        return now - 60 - (posts - i) * (span / posts)

    posts_count = array("l", bytes(8 * total))
    public_recent: list[int] = []  # ids of recent public posts, which comments and reposts answer
    public_index = array("l")  # every public post: its index (its time), id and author
    public_ids = array("q")
    public_authors = array("l")
    comments_on: dict[int, int] = {}
    reposts_on: dict[int, int] = {}
    plain_reposts: set[tuple[int, int]] = set()
    topic_counts: dict[int, int] = {}
    mention_notes: list[tuple[int, int, int]] = []  # (post id, mentioned, author)
    bar = Progress("posts", posts)
    for chunk in range(0, posts, CHUNK):
        post_rows: list[tuple[Any, ...]] = []
        topic_links: list[tuple[int, int]] = []
        mentions: list[tuple[int, int]] = []
        for i in range(chunk, min(chunk + CHUNK, posts)):
            created = created_of(i)
            post_id = id_for_time(created)
            if rng.random() < 0.2:
                author = rng.randrange(officials)  # official accounts write a fifth of everything
            else:
                author = (
                    officials
                    + int(rng.paretovariate(1.2) * 3 + rng.randrange(people) * rng.random()) % people
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
                root = public_recent[-1 - min(int(rng.paretovariate(1.3)) - 1, len(public_recent) - 1)]
                kind = "comment"
                text = rng.choice(COMMENTS)
                comments_on[root] = comments_on.get(root, 0) + 1
            elif public_recent and roll < 0.48:
                repost_of = public_recent[-1 - min(int(rng.paretovariate(1.3)) - 1, len(public_recent) - 1)]
                kind = "repost"
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
                    topic_links.append((topic_id[topic], post_id))
                    topic_counts[topic_id[topic]] = topic_counts.get(topic_id[topic], 0) + 1
                if rng.random() < 0.1:
                    mentioned = rng.randrange(total)
                    text += f" @{handles[mentioned]}"
                    mentions.append((post_id, ids[mentioned]))
                    if mentioned != author:
                        mention_notes.append((post_id, mentioned, author))
            posts_count[author] += 1
            post_rows.append(
                (
                    post_id,
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
                )
            )
            if kind == "post" and audience == "public":
                public_recent.append(post_id)
                public_index.append(i)
                public_ids.append(post_id)
                public_authors.append(author)
                if len(public_recent) > 5000:
                    del public_recent[:1000]
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
                ],
                post_rows,
            )
            insert(PostTopic, ["topic_id", "post_id"], topic_links)
            insert(Mention, ["post_id", "account_id"], mentions)
        bar.add(len(post_rows))
    bar.end()
    del plain_reposts, public_recent

    # Likes: mostly on recent popular posts, by anyone; one per person and post. Kept as one
    # number each (public post index × people + person), which sorts them in time order.
    liked: set[int] = set()
    for _ in range(posts):
        j = len(public_ids) - 1 - int(rng.paretovariate(1.05) * 5) % len(public_ids)
        who = rng.randrange(people)
        if officials + who != public_authors[j]:
            liked.add(j * people + who)
    likes = sorted(liked)
    del liked
    world.likes = len(likes)
    likes_on: dict[int, int] = {}
    for key in likes:
        likes_on[public_ids[key // people]] = likes_on.get(public_ids[key // people], 0) + 1
    bar = Progress("likes", len(likes))
    for start in range(0, len(likes), CHUNK):
        with transaction.atomic():
            insert(
                Like,
                ["account_id", "post_id", "created_at"],
                (
                    (
                        ids[officials + key % people],
                        public_ids[key // people],
                        when(created_of(public_index[key // people]) + 30),
                    )
                    for key in likes[start : start + CHUNK]
                ),
                bar,
            )
    bar.end()

    # Counts, now that every post, like, comment and repost is known.
    with transaction.atomic(), connection.cursor() as cursor:
        counted = sorted({*likes_on, *reposts_on, *comments_on})
        bar = Progress("counts", len(counted) + total)
        table, column = ops.quote_name(Post._meta.db_table), ops.quote_name
        sql = (
            f"UPDATE {table} SET {column('likes_count')} = %s, {column('reposts_count')} = %s, "
            f"{column('comments_count')} = %s WHERE {column('id')} = %s"
        )
        for start in range(0, len(counted), BATCH):
            cursor.executemany(
                sql,
                [
                    (likes_on.get(p, 0), reposts_on.get(p, 0), comments_on.get(p, 0), p)
                    for p in counted[start : start + BATCH]
                ],
            )
            bar.add(len(counted[start : start + BATCH]))
        table = ops.quote_name(Account._meta.db_table)
        sql = f"UPDATE {table} SET {column('posts_count')} = %s WHERE {column('id')} = %s"
        for start in range(0, total, BATCH):
            rows = [
                (posts_count[a], ids[a]) for a in range(start, min(start + BATCH, total)) if posts_count[a]
            ]
            cursor.executemany(sql, rows)
            bar.add(min(BATCH, total - start))
        for t, n in topic_counts.items():
            Topic.objects.filter(id=t).update(posts_count=n)
    bar.end()
    world.commented_post = max(comments_on, key=lambda k: comments_on[k])

    # Notifications of each like and mention, their ids in time order.
    def notifications() -> Iterable[tuple[Any, ...]]:
        last = 0
        for key in likes:
            j, who = divmod(key, people)
            at = created_of(public_index[j]) + 31
            last = max(id_for_time(at), last + 1)
            actor, post = ids[officials + who], public_ids[j]
            yield (last, ids[public_authors[j]], "like", actor, post, f"like:{actor}:{post}", when(at))
        for post, mentioned, author in mention_notes:
            last = max(id_for_time(now - 30), last + 1)
            actor = ids[author]
            yield (last, ids[mentioned], "mention", actor, post, f"mention:{actor}:{post}", when(now - 30))

    bar = Progress("notifications", len(likes) + len(mention_notes))
    with transaction.atomic():
        insert(
            Notification,
            ["id", "recipient_id", "kind", "actor_id", "post_id", "dedupe_key", "created_at"],
            notifications(),
            bar,
        )
    bar.end()
    index_search()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Readers: people who follow the big brand and tens of others, spread over the population.
    readers = [handles[p] for p in range(officials, total, max(1, people // 500)) if following[p] >= 12][:200]
    world.readers = readers
    world.org_slug = "org0"
    world.topic = topic_names[0]
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
