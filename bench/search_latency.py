"""Search latency at a given size: generate posts, index them, time `find_posts` as the web page
and the APIs call it (the audience filter inside the query), and report p50/p95/p99.

    .venv/bin/python bench/search_latency.py --size small    # 10 000 people, 100 000 posts
    .venv/bin/python bench/search_latency.py --size medium   # 100 000 people, 1 000 000 posts
    TIDINGS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tidings_bench ... --size medium

Deterministic (--seed). Loads through bulk paths into its own data directory (or the database
named by TIDINGS_DATABASE_URL, emptied first), then writes bench/results/search-<date>-<db>.json.
Issue 6 folds this into the full benchmark; the numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

SIZES = {"tiny": (1_000, 10_000), "small": (10_000, 100_000), "medium": (100_000, 1_000_000)}
HERE = Path(__file__).parent

BRANDS = ["示範", "戴爾", "聯想", "華碩", "宏碁", "蘋果", "小米", "Dell", "Lenovo", "ASUS"]
PRODUCTS = ["筆電", "X14", "螢幕", "鍵盤", "電池", "充電器", "耳機", "手機", "平板", "路由器"]
SAYINGS = [
    "今天收到{b}{p},開箱心得:很輕,續航很好",
    "{b}的{p}用了三天就壞了,客服也不回,要求退款",
    "請問{b}{p}在台北哪裡可以試用?",
    "{b}新品發布會在上海舉行,{p}降價了",
    "跟同事比較了{b}和其他牌子的{p},各有優缺點",
    "{b} {p} review: fast, quiet, great screen",
    "My {b} {p} broke after a week, support is terrible",
    "週末去門市看了{p},店員很熱心 #{b}#",
    "內部討論:{p}下一版的規格與供應商交期",
    "{p}的韌體更新修好了睡眠喚醒的問題",
]
QUERIES = [
    ("word", "筆電"),
    ("word-simplified", "笔电"),
    ("two words", "戴尔 电池"),
    ("one character", "鍵"),
    ("phrase", '"客服也不回"'),
    ("or", "退款 OR 投訴"),
    ("exclusion", "筆電 -開箱"),
    ("english", "support terrible"),
    ("topic", "#示範#"),
    ("rare", "路由器 韌體 睡眠"),
]


def setup(data_dir: Path) -> None:
    os.environ.setdefault("TIDINGS_DATA_DIR", str(data_dir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tidings.settings"
    import django

    django.setup()


def generate(people: int, posts: int, seed: int) -> dict[str, int]:
    from django.db import connection, transaction

    from tidings.accounts.models import Account
    from tidings.core.ids import id_for_time
    from tidings.core.text import fold
    from tidings.orgs.models import Membership, Organisation
    from tidings.posts.models import Post, PostTopic, Topic

    rng = random.Random(seed)
    now = time.time()
    with transaction.atomic():
        orgs = [Organisation(slug=f"org{i}", name=f"公司{i}") for i in range(10)]
        Organisation.objects.bulk_create(orgs)
        accounts = [
            Account(
                handle=f"user{i}",
                handle_key=f"user{i}",
                handle_skeleton=f"user{i}",
                display_name=f"用戶{i}",
                password="!",  # unusable
            )
            for i in range(people)
        ]
        for i, a in enumerate(accounts):
            a.id = id_for_time(now - 400 * 86400) + i
        Account.objects.bulk_create(accounts, batch_size=2000)
        members = [Membership(organisation=orgs[i % 10], account=accounts[i]) for i in range(0, people, 10)]
        Membership.objects.bulk_create(members, batch_size=2000)
        topics = {b: Topic(key=fold(b), name=b, posts_count=0) for b in BRANDS}
        Topic.objects.bulk_create(topics.values())
        topic_ids = {t.name: t.id for t in Topic.objects.all()}
    made, batch = 0, 10_000
    start = time.monotonic()
    while made < posts:
        rows, links = [], []
        for i in range(made, min(made + batch, posts)):
            brand, product = rng.choice(BRANDS), rng.choice(PRODUCTS)
            text = rng.choice(SAYINGS).format(b=brand, p=product)
            author = accounts[int(rng.paretovariate(1.2)) % people]
            internal = rng.random() < 0.15
            org = orgs[author.id % 10]
            post_id = id_for_time(now - (posts - i) * (90 * 86400 / posts)) + (i % 4096)
            rows.append(
                Post(
                    id=post_id,
                    author=author,
                    audience_owner=author,
                    text=text,
                    audience="org" if internal else "public",
                    organisation=org if internal else None,
                )
            )
            if f"#{brand}#" in text:
                links.append(PostTopic(topic_id=topic_ids[brand], post_id=post_id))
        with transaction.atomic():
            Post.objects.bulk_create(rows)
            PostTopic.objects.bulk_create(links)
        made += len(rows)
        rate = made / max(time.monotonic() - start, 1e-6)
        print(f"\r  posts {made:>9,}/{posts:,}  ({rate:,.0f}/s)", end="", flush=True)
    print()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"people": people, "posts": posts, "organisations": 10}


def measure(rounds: int, seed: int) -> list[dict[str, object]]:
    from django.contrib.auth.models import AnonymousUser

    from tidings.accounts.models import Account
    from tidings.orgs.models import Membership
    from tidings.search.selectors import find_posts

    insider = Account.objects.get(
        id=Membership.objects.order_by("id").values_list("account_id", flat=True)[0]
    )
    outsider = Account.objects.exclude(memberships__isnull=False).order_by("id").first()
    viewers = {"visitor": AnonymousUser(), "insider": insider, "outsider": outsider}
    rng = random.Random(seed)
    results = []
    for order in ("top", "latest"):
        for label, query in QUERIES:
            times: list[float] = []
            found = 0
            for _ in range(rounds):
                viewer_name = rng.choice(list(viewers))
                started = time.perf_counter()
                page = find_posts(viewers[viewer_name], query, order=order, limit=20)
                times.append((time.perf_counter() - started) * 1000)
                found = max(found, len(page.items))
            times.sort()
            row = {
                "order": order,
                "query": label,
                "text": query,
                "results": found,
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
                "p99_ms": round(times[max(int(len(times) * 0.99) - 1, 0)], 2),
            }
            results.append(row)
            figures = f"p50 {row['p50_ms']:8.2f} ms  p95 {row['p95_ms']:8.2f}  p99 {row['p99_ms']:8.2f}"
            print(f"  {order:6} {label:16} {figures}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=60, help="timed searches per query and order")
    parser.add_argument("--reuse", action="store_true", help="measure the data a run already made")
    parser.add_argument(
        "--data-dir", default="", help="where SQLite's data goes (default: a new folder in /tmp)"
    )
    args = parser.parse_args()
    people, posts = SIZES[args.size]
    data_dir = Path(args.data_dir or f"/tmp/tidings-bench-search-{args.size}-{os.getpid()}")
    data_dir.mkdir(parents=True, exist_ok=True)
    setup(data_dir)
    from django.core.management import call_command
    from django.db import connection

    from tidings.search import index

    call_command("migrate", verbosity=0)
    sizes = {"people": people, "posts": posts, "organisations": 10}
    generated = indexed = 0.0
    if not args.reuse:
        if connection.vendor == "postgresql":
            call_command("flush", interactive=False, verbosity=0)
        print(f"Generating {args.size}: {people:,} people, {posts:,} posts ({connection.vendor})")
        started = time.monotonic()
        sizes = generate(people, posts, args.seed)
        generated = time.monotonic() - started
        started = time.monotonic()
        index.reindex(
            lambda done, total: print(f"\r  indexed {done:>9,}/{total:,}", end="", flush=True), batch=5000
        )
        indexed = time.monotonic() - started
        print(
            f"\nGenerated in {generated:.0f} s, indexed in {indexed:.0f} s ({posts / indexed:,.0f} posts/s)"
        )
    print("Search latency (find_posts, 20 results, the audience filter inside the query):")
    rows = measure(args.rounds, args.seed)
    everything = sorted(float(r["p95_ms"]) for r in rows)  # type: ignore[arg-type]
    report = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
        },
        "database": connection.vendor,
        "size": args.size,
        **sizes,
        "generate_seconds": round(generated),
        "index_seconds": round(indexed),
        "index_posts_per_second": round(posts / indexed) if indexed else None,
        "worst_p95_ms": everything[-1],
        "queries": rows,
    }
    out = HERE / "results" / f"search-{report['date']}-{args.size}-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    print(f"Worst p95: {everything[-1]} ms. Written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
