"""The soak test: hours of mixed load (seconds in CI) against `tidings serve` and `tidings worker`,
watching what goes wrong slowly: errors, memory that keeps growing, a job queue that never
drains, and rate limits that slow everyone down instead of refusing the one who overdoes it.

    .venv/bin/python bench/soak.py --minutes 240                    # SQLite, four hours
    .venv/bin/python bench/soak.py --minutes 240 --mode postgres    # PostgreSQL + Redis
    .venv/bin/python bench/soak.py --seconds 40 --size tiny         # what CI runs

The load is twice the benchmark's: 16 closed-loop connections (the benchmark measures at 8) of
people reading their home timelines, profiles, topics, posts, searches and notifications and
writing posts (one request in ten), plus one script that asks as fast as it can with its own
token. Each round (10 s) records the answers, each process's resident memory and the queue's
depth. It passes (exit 0) when: no answer was a 5xx; no ordinary person was refused by a rate
limit; the script was refused with 429 and a Retry-After; each process's own memory in the last
quarter of the run is within 20 % (and 40 MB) of the second quarter's; the queue never held more
than the last round's writes could explain and drained within a minute of the load stopping.
The figures go to bench/results/soak-<date>-<mode>.json (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import load  # noqa: E402
import run as bench  # noqa: E402

ROUND_SECONDS = 10
CONNECTIONS = 16  # twice the benchmark's 8
# Ordinary people stay far below this; the script goes past it within its first seconds.
API_LIMIT = 300  # a request a second for five minutes: people read far slower
MEMORY_GROWTH = 0.20
MEMORY_SLACK_MB = 40


def prepare(args: argparse.Namespace) -> tuple[dict[str, str], generate.World, Path]:
    data_dir = Path(args.data_dir or f"/tmp/tidings-soak-{args.size}-{args.mode}")
    env = bench.environment(args.mode, data_dir, args.size)
    env["TIDINGS_API_REQUESTS_PER_5_MINUTES"] = str(API_LIMIT)
    env["TIDINGS_WRITES_PER_MINUTE"] = "1000"
    env["TIDINGS_LOG_LEVEL"] = "ERROR"  # not a line per refused request of the script
    if args.mode == "postgres":
        env["TIDINGS_DATABASE_URL"] = env["TIDINGS_DATABASE_URL"].replace("tidings_bench_", "tidings_soak_")
        env["TIDINGS_REDIS_PREFIX"] = f"tidings-soak-{args.size}:"
    world, _fresh = bench.open_world(
        args.mode, data_dir, env, size=args.size, seed=args.seed, reuse=args.reuse
    )
    return env, world, data_dir


def mixed_load(world: generate.World, host: str, tokens: dict[str, str]) -> list[bytes]:
    """Reads of every kind, and one post in ten, from many people in turn."""
    reads = bench.scenarios(world, host, tokens)
    kinds = [k for k in reads if not k.startswith("_")]
    out = []
    for i, reader in enumerate(world.readers):
        for n, kind in enumerate(kinds):
            out.append(reads[kind][(i + n) % len(reads[kind])])
        text = f"壓測第 {i} 則 #soak#"
        out.append(
            load.request("POST", "/api/v1/statuses", host=host, token=tokens[reader], form={"status": text})
        )
    return out


def queue_depth() -> int:
    """Committed events whose work the worker has not done (a message lost is still counted)."""
    from django.db import connection

    from tidings.core.jobs import backlog

    try:
        return backlog()
    finally:
        connection.close()  # not held open between rounds: SQLite's writers would wait on it


def retry_after(address: tuple[str, int], token: str) -> tuple[int, str | None]:
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        connection.request("GET", "/api/v1/timelines/home", headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Retry-After")
    finally:
        connection.close()


def own_memory(servers: bench.Servers) -> dict[str, float]:
    return {name: figures["own"] for name, figures in servers.memory().items()}


def _drive(
    servers: bench.Servers,
    results: dict[str, load.Result],
    name: str,
    batch: list[bytes],
    connections: int,
    seconds: float,
) -> None:
    results[name] = load.drive(servers.address, batch, connections=connections, seconds=seconds)


def soak(args: argparse.Namespace) -> dict[str, Any]:
    env, world, _data_dir = prepare(args)
    from django.db import connection

    host = "127.0.0.1"
    abuser = world.readers[0]
    readers = world.readers[1:]
    tokens = bench.tokens_for(world.readers)
    requests = mixed_load(generate.World(**{**world.__dict__, "readers": readers}), host, tokens)
    hammer = [load.request("GET", "/api/v1/accounts/verify_credentials", host=host, token=tokens[abuser])]
    connection.close()
    servers = bench.Servers(env, args.workers, args.threads)
    rounds: list[dict[str, Any]] = []
    try:
        until = time.monotonic() + args.seconds
        print(
            f"Soaking {args.size} on {args.mode} for {args.seconds} s ({CONNECTIONS} connections + a script)"
        )
        while time.monotonic() < until:
            length = min(ROUND_SECONDS, max(1.0, until - time.monotonic()))
            results: dict[str, load.Result] = {}
            script = threading.Thread(target=_drive, args=(servers, results, "script", hammer, 4, length))
            script.start()
            _drive(servers, results, "people", requests, CONNECTIONS, length)
            script.join()
            people = results["people"].figures()
            row = {
                "at_s": round(args.seconds - (until - time.monotonic())),
                "people": {"statuses": results["people"].statuses, **people},
                "script": {"statuses": results["script"].statuses},
                "queue": queue_depth(),
                "memory_own_mb": own_memory(servers),
            }
            rounds.append(row)
            print(
                f"  {row['at_s']:>5} s  people {people.get('rps', 0):>6} req/s p99 {people.get('p99_ms', 0):>7} ms "
                f"{row['people']['statuses']}  script {row['script']['statuses']}  queue {row['queue']}  "
                f"memory {row['memory_own_mb']}",
                flush=True,
            )
        refused = retry_after(servers.address, tokens[abuser])
        drained_in = None
        started = time.monotonic()
        while time.monotonic() - started < 60:
            if queue_depth() == 0:
                drained_in = round(time.monotonic() - started, 1)
                break
            time.sleep(0.5)
    finally:
        servers.stop()
        connection.close()
    return verdict(args, rounds, refused, drained_in)


def verdict(
    args: argparse.Namespace,
    rounds: list[dict[str, Any]],
    refused: tuple[int, str | None],
    drained_in: float | None,
) -> dict[str, Any]:
    def total(who: str) -> dict[int, int]:
        out: dict[int, int] = {}
        for row in rounds:
            for status, n in row[who]["statuses"].items():
                out[int(status)] = out.get(int(status), 0) + n
        return out

    people, script = total("people"), total("script")
    quarter = max(1, len(rounds) // 4)
    growth = {}
    for name in rounds[0]["memory_own_mb"]:
        early = statistics.mean(
            r["memory_own_mb"].get(name, 0) for r in rounds[quarter : 2 * quarter] or rounds
        )
        late = statistics.mean(r["memory_own_mb"].get(name, 0) for r in rounds[-quarter:])
        growth[name] = {"second_quarter_mb": round(early, 1), "last_quarter_mb": round(late, 1)}
    writes_per_round = max(r["people"].get("requests", 0) for r in rounds) // 9  # one request in ten
    checks = {
        "no 5xx": not any(s >= 500 for s in (*people, *script)),
        "no ordinary person rate-limited": 429 not in people,
        "the script refused with 429 and Retry-After": script.get(429, 0) > 0
        and refused[0] == 429
        and (refused[1] or "").isdigit(),
        "memory flat": all(
            g["last_quarter_mb"]
            <= max(g["second_quarter_mb"] * (1 + MEMORY_GROWTH), g["second_quarter_mb"] + MEMORY_SLACK_MB)
            for g in growth.values()
        ),
        "queue bounded": max(r["queue"] for r in rounds) <= max(100, 2 * writes_per_round),
        "queue drained": drained_in is not None,
    }
    return {
        "date": dt.date.today().isoformat(),
        "mode": args.mode,
        "size": args.size,
        "seconds": args.seconds,
        "connections": CONNECTIONS,
        "people_statuses": people,
        "script_statuses": script,
        "retry_after": refused[1],
        "memory_own_mb": growth,
        "queue_max": max(r["queue"] for r in rounds),
        "queue_drained_in_s": drained_in,
        "checks": checks,
        "passed": all(checks.values()),
        "rounds": rounds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=generate.SIZES, default="tiny")
    parser.add_argument("--mode", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float)
    length.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="web processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per web process")
    parser.add_argument("--reuse", action="store_true", help="soak the data the last run made")
    parser.add_argument("--data-dir")
    parser.add_argument("--out", help="where to write the figures (JSON)")
    args = parser.parse_args()
    if args.minutes:
        args.seconds = args.minutes * 60
    if args.seconds < 4 * ROUND_SECONDS:
        parser.error(f"a soak needs at least {4 * ROUND_SECONDS} seconds (four rounds) to compare memory")
    result = soak(args)
    out = Path(args.out or HERE / "results" / f"soak-{result['date']}-{args.mode}.json")
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    for name, ok in result["checks"].items():
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    print(f"Figures in {out}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
