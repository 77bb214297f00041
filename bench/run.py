"""The benchmark: generate data, start `tidings serve` and `tidings worker` as users run them, load
them over HTTP, and write bench/results/<date>.json and BENCHMARKS.md.

    make bench                                    # small, embedded SQLite (and PostgreSQL + Redis
                                                  # when they answer on 127.0.0.1)
    .venv/bin/python bench/run.py --size medium --mode sqlite
    .venv/bin/python bench/run.py --size medium --mode postgres --reuse

For every read it reports p50/p95/p99 and requests per second at 1 and 8 connections, and its
floor: the page's own SELECT queries, replayed on a raw cursor, plus encoding its JSON body. The
headline is the p50 at one connection divided by that floor: how much the web stack adds.
It also measures creating a post, how long a post of the most followed account takes to reach
its followers' timelines and open streams, the resident memory of each process and the size of
the database. Figures are measured, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import load  # noqa: E402

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/tidings_bench_{size}"  # one per size: --reuse keeps it
REDIS_URL = "redis://127.0.0.1:6379/7"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(mode: str, data_dir: Path, size: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TIDINGS_DATA_DIR": str(data_dir),
        # The load comes from a few accounts at a rate no person reaches: the limits stay out of it.
        "TIDINGS_API_REQUESTS_PER_5_MINUTES": "1000000000",
        "TIDINGS_WRITES_PER_MINUTE": "1000000000",
        "TIDINGS_LOG_LEVEL": "ERROR",
    }
    if mode == "postgres":
        env["TIDINGS_DATABASE_URL"] = os.environ.get(
            "TIDINGS_BENCH_DATABASE_URL", POSTGRES_URL.format(size=size)
        )
        env["TIDINGS_REDIS_URL"] = os.environ.get("TIDINGS_BENCH_REDIS_URL", REDIS_URL)
        env["TIDINGS_REDIS_PREFIX"] = f"tidings-bench-{size}:"
    else:
        env.pop("TIDINGS_DATABASE_URL", None)
        env.pop("TIDINGS_REDIS_URL", None)
    return env


def reset_storage(mode: str, data_dir: Path, env: dict[str, str]) -> None:
    """A fresh database (and Redis database) for a new run."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    if mode != "postgres":
        return
    import psycopg
    import redis

    url = env["TIDINGS_DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    client = redis.Redis.from_url(env["TIDINGS_REDIS_URL"])
    for key in client.scan_iter(match=env["TIDINGS_REDIS_PREFIX"] + "*", count=1000):
        client.delete(key)


def available(mode: str) -> bool:
    if mode == "sqlite":
        return True
    try:
        with (
            socket.create_connection(("127.0.0.1", 5432), timeout=1),
            socket.create_connection(("127.0.0.1", 6379), timeout=1),
        ):
            return True
    except OSError:
        return False


class Servers:
    """`tidings serve` (web and streaming) and `tidings worker`, as subprocesses."""

    def __init__(self, env: dict[str, str], workers: int, threads: int) -> None:
        self.port = free_port()
        self.stream_port = free_port()
        self.env = env
        self.web = subprocess.Popen(
            [
                str(BIN / "tidings"),
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--streaming-port",
                str(self.stream_port),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.worker = subprocess.Popen(
            [str(BIN / "tidings"), "worker"], env=env, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with (
                    socket.create_connection(("127.0.0.1", self.port), timeout=1),
                    socket.create_connection(("127.0.0.1", self.stream_port), timeout=1),
                ):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise SystemExit("the server did not start")
        time.sleep(3)  # the worker warms its segmenter before it takes jobs

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def memory(self) -> dict[str, dict[str, float]]:
        """Resident megabytes of every process of ours, by role."""
        out: dict[str, dict[str, float]] = {}
        for role, root in (("web", self.web.pid), ("worker", self.worker.pid)):
            for n, pid in enumerate(descendants(root)):
                out[f"{role} {n} ({command_of(pid)})"] = rss_mb(pid)
        return out

    def stop(self) -> None:
        for proc in (self.web, self.worker):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
        for proc in (self.web, self.worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop(0)
        out.append(current)
        todo.extend(sorted(children.get(current, [])))
    return out


def rss_mb(pid: int) -> dict[str, float]:
    """Resident megabytes: in all, and the process's own (anonymous) part. The rest is file pages,
    mostly the database file mapped into memory (SQLite's mmap), shared by every process and
    given back by the kernel when memory is short."""
    fields = {"VmRSS:": "rss", "RssAnon:": "own"}
    out = {"rss": 0.0, "own": 0.0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name = line.split(" ", 1)[0].split("\t", 1)[0]
            if name in fields:
                out[fields[name]] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return out


def command_of(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [a.decode(errors="replace") for a in args if a]
    named = [w for w in words if w in ("serve", "stream", "worker")]
    return named[0] if named else Path(words[0]).name if words else "?"


def tokens_for(handles: list[str]) -> dict[str, str]:
    from tidings.accounts.models import Account
    from tidings.accounts.tokens import create_token

    accounts = {a.handle: a for a in Account.objects.filter(handle__in=handles)}
    return {h: create_token(accounts[h], scopes="read write follow") for h in handles}


def keep_timelines(world: generate.World, share: float) -> int:
    """Make a share of the most followed account's followers active readers with kept timelines,
    as people who opened the app in the last weeks have."""
    from tidings.accounts.models import Account
    from tidings.social.models import Follow
    from tidings.timelines import services

    brand = Account.objects.get(handle=world.brand)
    follower_ids = list(
        Follow.objects.filter(followee=brand).order_by("id").values_list("follower_id", flat=True)
    )
    rng = random.Random(world.seed)
    chosen = rng.sample(follower_ids, int(len(follower_ids) * share))
    for account in Account.objects.filter(id__in=chosen).iterator():
        services.rebuild(account)
    return len(chosen)


def most_notified(count: int = 50) -> list[str]:
    from django.db.models import Count

    from tidings.accounts.models import Account
    from tidings.notifications.models import Notification

    top = (
        Notification.objects.values("recipient_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("recipient_id", flat=True)[:count]
    )
    return list(Account.objects.filter(id__in=list(top)).values_list("handle", flat=True))


def scenarios(world: generate.World, host: str, tokens: dict[str, str]) -> dict[str, list[bytes]]:
    """The reads, each a list of requests sent in turn (different readers, different pages)."""
    from tidings.accounts.models import Account
    from tidings.posts.models import Post

    readers = world.readers
    ids = dict(Account.objects.filter(handle__in=readers).values_list("handle", "id"))
    authors = list(
        Account.objects.filter(kind="personal", posts_count__gte=5)
        .order_by("-followers_count")
        .values_list("id", flat=True)[:50]
    )
    popular = list(
        Post.objects.filter(kind="post", audience="public", comments_count__gte=2)
        .order_by("-id")
        .values_list("id", flat=True)[:50]
    )
    words = ["筆電", "退款", "戴尔 电池", "X14", "support", "客服", "續航", "門市"]

    def get(path: str, reader: str) -> bytes:
        return load.request("GET", path, host=host, token=tokens[reader])

    return {
        "home": [get("/api/v1/timelines/home?limit=40", r) for r in readers],
        "profile": [
            get(f"/api/v1/accounts/{authors[i % len(authors)]}/statuses?limit=20", r)
            for i, r in enumerate(readers)
        ],
        "topic": [get(f"/api/v1/timelines/tag/{world.topic}?limit=20", r) for r in readers],
        "post": [
            get(f"/api/v1/statuses/{popular[i % len(popular)]}/context", r) for i, r in enumerate(readers)
        ],
        "search": [
            get(f"/api/v2/search?type=statuses&limit=20&q={quote(words[i % len(words)])}", r)
            for i, r in enumerate(readers)
        ],
        # Read by the people with the most notifications (most readers have few).
        "notifications": [
            load.request("GET", "/api/v1/notifications?limit=20", host=host, token=t)
            for t in tokens_for(most_notified()).values()
        ],
        "public page": [load.request("GET", "/public/", host=host)],
        "_ids": [str(ids[r]).encode() for r in readers],
    }


def floor_of(request_bytes: bytes, host: str, rounds: int = 100) -> dict[str, Any]:
    """The page's own SELECTs replayed on a raw cursor, plus encoding its JSON, in milliseconds."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    head = request_bytes.split(b"\r\n\r\n", 1)[0].decode()
    lines = head.split("\r\n")
    path = lines[0].split(" ")[1]
    extra = {"HTTP_HOST": host.split(":")[0]}
    for line in lines[1:]:
        name, _, value = line.partition(": ")
        if name == "Authorization":
            extra["HTTP_AUTHORIZATION"] = value
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)  # type: ignore[arg-type]
    statements = [q["sql"] for q in captured.captured_queries]
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    body = response.content
    is_json = response.get("Content-Type", "").startswith("application/json")
    parsed = json.loads(body) if is_json else None

    def replay() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()
        if parsed is not None:
            json.dumps(parsed, ensure_ascii=False).encode()
        return (time.perf_counter() - started) * 1000

    for _ in range(5):
        replay()
    times = sorted(replay() for _ in range(rounds))
    return {
        "floor_ms": round(statistics.median(times), 3),
        "queries": len(statements),
        "writes": len(statements) - len(selects),
        "status": response.status_code,
        "bytes": len(body),
    }


def measure_reads(
    servers: Servers, reads: dict[str, list[bytes]], seconds: float, host: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, requests in reads.items():
        if name.startswith("_"):
            continue
        # Warm up: every request once (timelines are built on a reader's first read), then a second.
        load.drive(servers.address, requests, connections=4, seconds=120, most=len(requests))
        load.drive(servers.address, requests, connections=4, seconds=1)
        floor = floor_of(requests[0], host) if not name.endswith("page") else {"floor_ms": None}
        one = load.drive(servers.address, requests, connections=1, seconds=seconds)
        eight = load.drive(servers.address, requests, connections=8, seconds=seconds)
        row = {**floor, "c1": one.figures(), "c8": eight.figures()}
        if floor.get("floor_ms"):
            row["ratio_p50_c1"] = round(row["c1"]["p50_ms"] / floor["floor_ms"], 2)
        out[name] = row
        print(f"  {name:14} {summary(row)}", flush=True)
    return out


def summary(row: dict[str, Any]) -> str:
    c1, c8 = row["c1"], row["c8"]
    floor = f"floor {row['floor_ms']:.2f} ms ×{row.get('ratio_p50_c1', 0):.1f}" if row.get("floor_ms") else ""
    return (
        f"1 conn p50 {c1['p50_ms']:6.2f} p99 {c1['p99_ms']:6.2f} | 8 conn {c8['rps']:7.1f}/s p99 {c8['p99_ms']:7.2f}"
        f" | {floor} errors {c1['errors'] + c8['errors']}"
    )


def measure_create(servers: Servers, tokens: dict[str, str], host: str, seconds: float) -> dict[str, Any]:
    readers = list(tokens)
    n = [0]

    def posts(count: int) -> list[bytes]:
        out = []
        for i in range(count):
            n[0] += 1
            text = f"壓測第{n[0]}則:今天試用了新的筆電,續航不錯 #{generate.BRANDS[i % 10]}#"
            out.append(
                load.request(
                    "POST",
                    "/api/v1/statuses",
                    host=host,
                    token=tokens[readers[i % len(readers)]],
                    form={"status": text},
                )
            )
        return out

    one = load.drive(servers.address, posts(400), connections=1, seconds=seconds)
    eight = load.drive(servers.address, posts(2000), connections=8, seconds=seconds)
    row = {"c1": one.figures(), "c8": eight.figures()}
    print(f"  {'create post':14} {summary({**row, 'floor_ms': None})}", flush=True)
    return row


def drain_queue(most: float = 600) -> float:
    """Seconds until the worker has done every queued job (what the load before left it)."""
    from huey.contrib.djhuey import HUEY

    started = time.monotonic()
    while HUEY.pending_count() and time.monotonic() - started < most:
        time.sleep(0.1)
    return round(time.monotonic() - started, 1)


def measure_counting(most: int = 500) -> dict[str, Any]:
    """How fast the analytics counting handles events, as the worker does, against how fast posts
    came in under load: the newest posts and likes counted again in a transaction rolled back."""
    from django.db import transaction

    from tidings.analytics import counting
    from tidings.analytics.models import Counted
    from tidings.posts.models import Like, Post

    post_ids = list(Post.objects.order_by("-id").values_list("id", flat=True)[:most])
    likes = list(Like.objects.order_by("-id").values_list("post_id", "account_id")[:most])
    with transaction.atomic():
        Counted.objects.filter(key__in=[f"post:{i}" for i in post_ids]).delete()
        Counted.objects.filter(key__in=[f"like:{p}:{a}" for p, a in likes]).delete()
        started = time.perf_counter()
        for post_id in post_ids:
            counting.on_post_published(post_id)
        posts_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for post_id, account_id in likes:
            counting.on_liked(post_id, account_id)
        likes_seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    row = {
        "posts": len(post_ids),
        "posts_per_second": round(len(post_ids) / max(posts_seconds, 1e-9)),
        "likes": len(likes),
        "likes_per_second": round(len(likes) / max(likes_seconds, 1e-9)),
    }
    print(f"  counting: {row['posts_per_second']:,} posts/s, {row['likes_per_second']:,} likes/s", flush=True)
    return row


def in_timelines(post_id: int, follower_ids: list[int]) -> int:
    """How many of these followers' home timelines show the post, read as the API reads them."""
    from tidings.accounts.models import Account
    from tidings.timelines.selectors import home_timeline

    seen = 0
    for account in Account.objects.filter(id__in=follower_ids):
        page = home_timeline(account, limit=5)
        seen += any(item.post.id == post_id for item in page.items)
    return seen


def in_stores(post_id: int, author: Any, owners: list[int]) -> int:
    """How many of these kept timelines hold the post (a big account's posts are merged in at
    read time: they are in every timeline once committed)."""
    from tidings.core import redis as tredis
    from tidings.timelines import services
    from tidings.timelines.models import TimelineEntry

    if not services.is_big(author):
        if tredis.enabled():
            pipe = tredis.client().pipeline(transaction=False)
            for owner in owners:
                pipe.zscore(tredis.key("tl", owner), f"{post_id:020d}:{author.id}")
            return sum(score is not None for score in pipe.execute())
        return TimelineEntry.objects.filter(owner_id__in=owners, post_id=post_id).count()
    return len(owners)


def post_one(servers: Servers, host: str, token: str, text: str) -> int:
    """Post over HTTP as a client does; the new post's id (a refused post has none: the run stops)."""
    reply = load.drive(
        servers.address,
        [load.request("POST", "/api/v1/statuses", host=host, token=token, form={"status": text})],
        connections=1,
        seconds=10,
        most=1,
        keep_bodies=True,
    )
    return int(json.loads(reply.bodies[0])["id"])


def measure_fanout(servers: Servers, world: generate.World, host: str, rounds: int = 5) -> dict[str, Any]:
    """A post by the most followed account: when is it in every kept follower's timeline, and
    when has every kept follower's open page been told (the fan-out job done)?"""
    from tidings.accounts.models import Account
    from tidings.social.models import Follow
    from tidings.timelines import services

    brand = Account.objects.get(handle=world.brand)
    token = tokens_for([world.brand])[world.brand]
    kept = list(
        Follow.objects.filter(followee=brand, follower__timeline_built_at__isnull=False).values_list(
            "follower_id", flat=True
        )
    )
    visible, told = [], []
    post_id = 0
    for i in range(rounds):
        started = time.perf_counter()
        post_id = post_one(servers, host, token, f"品牌公告第{i + 1}號:新品上市")
        while in_stores(post_id, brand, kept) < len(kept) and time.perf_counter() - started < 120:
            time.sleep(0.005)
        visible.append((time.perf_counter() - started) * 1000)
        while told_count(post_id, brand, kept) < len(kept) and time.perf_counter() - started < 120:
            time.sleep(0.005)
        told.append((time.perf_counter() - started) * 1000)
        time.sleep(0.5)
    checked = random.Random(world.seed).sample(kept, min(1000, len(kept)))
    missed = len(checked) - in_timelines(post_id, checked)
    row = {
        "account_followers": brand.followers_count,
        "fanned_out_on_write": not services.is_big(brand),
        "kept_followers": len(kept),
        "in_every_kept_timeline_ms": [round(t, 1) for t in visible],
        "every_open_page_told_ms": [round(t, 1) for t in told],
        "followers_checked": len(checked),
        "followers_missed": missed,
    }
    print(
        f"  fan-out: {brand.followers_count:,} followers ({len(kept):,} kept): in timelines after "
        f"{max(visible):.0f} ms, every page told after {max(told):.0f} ms (worst of {rounds}), missed {missed}",
        flush=True,
    )
    return row


def measure_monitor(servers: Servers, world: generate.World, host: str, rounds: int = 20) -> dict[str, Any]:
    """A customer's post that names the brand: how long until the brand's monitor caught it (its
    row written by the worker, which then tells the open monitor columns)?"""
    from tidings.accounts.models import Account
    from tidings.search.models import Monitor, MonitorHit

    brand = Account.objects.get(handle=world.brand)
    monitor, _new = Monitor.objects.get_or_create(
        account=brand, name="bench", defaults={"query": "電池爆炸", "notify": False}
    )
    writer = world.readers[0]
    token = tokens_for([writer])[writer]
    delays = []
    for i in range(rounds):
        started = time.perf_counter()
        post_id = post_one(servers, host, token, f"我的筆電電池爆炸了,第{i + 1}次投訴")
        while (
            not (caught := MonitorHit.objects.filter(monitor=monitor, post_id=post_id).exists())
            and time.perf_counter() - started < 60
        ):
            time.sleep(0.005)
        if caught:
            delays.append((time.perf_counter() - started) * 1000)
        time.sleep(0.2)
    delays.sort()
    row = {
        "posts": rounds,
        "caught": len(delays),
        "p50_ms": round(statistics.median(delays), 1) if delays else None,
        "max_ms": round(delays[-1], 1) if delays else None,
    }
    print(
        f"  monitor: {len(delays)} of {rounds} caught, after p50 {row['p50_ms']} ms, at most {row['max_ms']} ms",
        flush=True,
    )
    return row


def told_count(post_id: int, author: Any, follower_ids: list[int]) -> int:
    """How many followers' open streams have the post's event: on each follower's own channel,
    or, for a big account, once on the author's channel that all their streams listen to."""
    from tidings.core import pubsub
    from tidings.timelines import services

    if services.is_big(author):
        return len(follower_ids) if heard(post_id, [pubsub.author_channel(author.id)]) else 0
    return heard(post_id, follower_ids)


def heard(post_id: int, channels: list[int]) -> int:
    """How many of the channels carry the post's event."""
    from tidings.core import redis as tredis
    from tidings.core.models import StreamEvent

    if not tredis.enabled():
        return StreamEvent.objects.filter(account_id__in=channels, kind="post", data__id=str(post_id)).count()
    pipe = tredis.client().pipeline(transaction=False)
    for channel in channels:
        pipe.xrevrange(tredis.key("stream", channel), count=5)
    wanted = json.dumps({"id": str(post_id)})  # the fan-out's event data, as published
    return sum(any(fields["data"] == wanted for _id, fields in entries) for entries in pipe.execute())


async def _stream_delays(
    servers: Servers, host: str, tokens: dict[str, str], brand_token: str, rounds: int
) -> list[float]:
    import websockets

    listeners = list(tokens.values())[:20]
    sockets = [
        await websockets.connect(
            f"ws://127.0.0.1:{servers.stream_port}/api/v1/streaming?stream=user&access_token={t}"
        )
        for t in listeners
    ]
    delays: list[float] = []
    try:
        await asyncio.sleep(1)
        for i in range(rounds):
            reader, writer = await asyncio.open_connection(*servers.address)
            writer.write(
                load.request(
                    "POST", "/api/v1/statuses", host=host, token=brand_token, form={"status": f"直播更新 {i}"}
                )
            )
            await load._read_response(reader)
            answered = time.perf_counter()
            writer.close()

            async def wait(ws: Any, i: int = i, answered: float = answered) -> float:
                while True:
                    frame = json.loads(await ws.recv())
                    if frame.get("event") == "update" and f"直播更新 {i}" in json.loads(frame["payload"]).get(
                        "content", ""
                    ):
                        return (time.perf_counter() - answered) * 1000

            delays += await asyncio.wait_for(asyncio.gather(*(wait(ws) for ws in sockets)), 30)
            await asyncio.sleep(0.2)
    finally:
        for ws in sockets:
            await ws.close()
    return delays


def measure_stream(
    servers: Servers, world: generate.World, host: str, tokens: dict[str, str], rounds: int = 20
) -> dict[str, Any]:
    """From a post answered to its update arriving on followers' open WebSocket streams."""
    brand_token = tokens_for([world.brand])[world.brand]
    delays = sorted(asyncio.run(_stream_delays(servers, host, tokens, brand_token, rounds)))
    row = {
        "listeners": min(20, len(tokens)),
        "updates": len(delays),
        "p50_ms": round(statistics.median(delays), 1),
        "p95_ms": round(load.percentile(delays, 95), 1),
        "p99_ms": round(load.percentile(delays, 99), 1),
    }
    print(
        f"  stream delay: p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms over {row['updates']} updates",
        flush=True,
    )
    return row


def database_size(data_dir: Path) -> float:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return round(cursor.fetchone()[0] / 2**20, 1)
    return round(sum(p.stat().st_size for p in data_dir.glob("tidings.sqlite3*")) / 2**20, 1)


def machine() -> dict[str, Any]:
    memory = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory_mb": memory,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def open_world(
    mode: str, data_dir: Path, env: dict[str, str], *, size: str, seed: int, reuse: bool
) -> tuple[generate.World, bool]:
    """Django set up and migrated on the data set in data_dir, and its world: the one made last
    time when `reuse` finds it, else made afresh on emptied storage (then True)."""
    world_file = data_dir / "world.json"
    fresh = not (reuse and world_file.exists())
    if fresh:
        reset_storage(mode, data_dir, env)
    os.environ.update({k: v for k, v in env.items() if k.startswith("TIDINGS_")})
    for key in ("TIDINGS_DATABASE_URL", "TIDINGS_REDIS_URL"):
        if key not in env:
            os.environ.pop(key, None)
    generate.setup(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not fresh:
        return generate.World(**json.loads(world_file.read_text())), False
    world = generate.generate(size, seed)
    world.seconds = round(world.seconds)
    world_file.write_text(json.dumps(world.__dict__, ensure_ascii=False))
    return world, True


def run(args: argparse.Namespace, mode: str) -> dict[str, Any]:
    data_dir = Path(args.data_dir or f"/tmp/tidings-bench-{args.size}-{mode}")
    env = environment(mode, data_dir, args.size)
    world, fresh = open_world(mode, data_dir, env, size=args.size, seed=args.seed, reuse=args.reuse)
    from django.db import connection

    if fresh:
        kept = keep_timelines(world, args.kept)
        print(f"  {kept:,} followers of @{world.brand} have kept timelines")
        if args.prepare:
            print(f"Prepared in {data_dir}: measure it with --reuse")
            return {}
    host = "127.0.0.1"
    tokens = tokens_for(world.readers)
    connection.close()
    servers = Servers(env, args.workers, args.threads)
    try:
        print(f"Measuring {args.size} on {mode} ({args.workers} web processes, {args.threads} threads each):")
        reads = scenarios(world, host, tokens)
        if args.only:
            # A quick look at some reads (say, to choose --workers and --threads): not recorded.
            wanted = args.only.split(",")
            measure_reads(servers, {k: v for k, v in reads.items() if k in wanted}, args.seconds, host)
            return {}
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        result: dict[str, Any] = {
            "commit": commit.stdout.strip() or None,
            "mode": mode,
            "size": args.size,
            "world": {k: v for k, v in world.__dict__.items() if k != "readers"},
            "server": {"workers": args.workers, "threads": args.threads},
            "reads": measure_reads(servers, reads, args.seconds, host),
            "create": measure_create(servers, tokens, host, args.seconds),
            "backlog_seconds": drain_queue(),
            "counting": measure_counting(),
            "fanout": measure_fanout(servers, world, host),
            "monitor": measure_monitor(servers, world, host),
            "stream": measure_stream(servers, world, host, tokens),
            "memory_mb": servers.memory(),
            "database_mb": database_size(data_dir),
        }
        print(f"  memory: {result['memory_mb']}; database {result['database_mb']} MB", flush=True)
        return result
    finally:
        servers.stop()
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=generate.SIZES, default="small")
    parser.add_argument("--mode", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0, help="load time of each measurement")
    parser.add_argument("--workers", type=int, default=2, help="web processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per web process")
    parser.add_argument("--kept", type=float, default=0.05, help="share of followers with kept timelines")
    parser.add_argument("--reuse", action="store_true", help="measure the data the last run made")
    parser.add_argument("--data-dir", default="")
    parser.add_argument(
        "--prepare", action="store_true", help="make the data and stop (measure it later with --reuse)"
    )
    parser.add_argument(
        "--only", default="", help="measure only these reads (comma-separated), record nothing"
    )
    args = parser.parse_args()
    modes = ["sqlite", "postgres"] if args.mode == "both" else [args.mode]
    if args.mode == "both" and not available("postgres"):
        print("PostgreSQL or Redis does not answer on 127.0.0.1: measuring SQLite only.")
        modes = ["sqlite"]
    date = dt.datetime.now(dt.UTC).date().isoformat()
    out = HERE / "results" / f"{date}.json"
    report: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {"date": date, "runs": []}
    report["machine"] = machine()
    for mode in modes:
        if len(modes) > 1:
            # Each mode in its own process: Django is set up once per process.
            code = subprocess.call(
                [sys.executable, __file__, *sys.argv[1:], "--mode", mode],
                env={**os.environ, "TIDINGS_BENCH_CHILD": "1"},
            )
            if code:
                return code
            continue
        result = run(args, mode)
        if not result:
            continue
        report = json.loads(out.read_text()) if out.exists() else report
        report["runs"] = [r for r in report["runs"] if (r["size"], r["mode"]) != (args.size, mode)] + [result]
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
        print(f"Written to {out}")
    if not os.environ.get("TIDINGS_BENCH_CHILD"):
        import report as writer

        writer.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
