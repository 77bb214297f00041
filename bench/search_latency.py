"""Search latency at a given size: generate posts, index them, time `find_posts` as the web page
and the APIs call it (the audience filter inside the query), and report p50/p95/p99.

    .venv/bin/python bench/search_latency.py --size small    # 10 000 people, 100 000 posts
    .venv/bin/python bench/search_latency.py --size medium   # 100 000 people, 1 000 000 posts
    TIDINGS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tidings_bench ... --size medium

The data is bench/generate.py's (deterministic for --seed), in its own data directory (or the
database named by TIDINGS_DATABASE_URL, emptied first); writes
bench/results/search-<date>-<size>-<db>.json. The full benchmark (bench/run.py) times search over
HTTP too; this one times the search itself, in process. Measured, never asserted.
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

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

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
    parser.add_argument("--size", choices=generate.SIZES, default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=60, help="timed searches per query and order")
    parser.add_argument("--reuse", action="store_true", help="measure the data a run already made")
    parser.add_argument(
        "--data-dir", default="", help="where SQLite's data goes (default: a new folder in /tmp)"
    )
    args = parser.parse_args()
    people, posts = generate.SIZES[args.size]
    data_dir = Path(args.data_dir or f"/tmp/tidings-bench-search-{args.size}-{os.getpid()}")
    data_dir.mkdir(parents=True, exist_ok=True)
    generate.setup(data_dir)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    generated = 0.0
    if not args.reuse:
        if connection.vendor == "postgresql":
            call_command("flush", interactive=False, verbosity=0)
        generated = generate.generate(args.size, args.seed).seconds
        print(f"Generated and indexed in {generated:.0f} s")
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
        "people": people,
        "posts": posts,
        "generate_and_index_seconds": round(generated),
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
