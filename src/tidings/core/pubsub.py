"""Live events on channels, delivered to the open event streams in any process. A channel is
an account's own (new timeline post, notification, message), a big account's posts (one event
for all its followers, see `author_channel`), a monitor's or an activity's (their ids: every id
is a Snowflake, so they never meet), or the public square (PUBLIC). Embedded: rows in
core_streamevent. At scale: one Redis Stream per channel. A stream may read several channels
at once; both backends keep a short history, so one that reconnects with Last-Event-ID misses
nothing."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from tidings.core import redis as tredis

HISTORY_SECONDS = 3600
# Not an account: the channel of every new public post, for the API's public and tag streams.
PUBLIC = 0
POLL_SECONDS = 1.0
# How often a process's watcher looks for new embedded events (one query for all its streams;
# about 2% of a core when idle, bench/notes.md).
WATCH_SECONDS = 0.01
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    data: dict[str, Any]


def author_channel(account_id: int) -> int:
    """Where a big account's posts are announced: once, to its followers' open streams, which
    listen to it (as their home merges its posts at read time), instead of once per follower."""
    return -account_id


def publish(account_id: int, kind: str, data: dict[str, Any]) -> None:
    publish_many([account_id], kind, data)


def publish_many(account_ids: list[int], kind: str, data: dict[str, Any]) -> None:
    """The same event for many accounts (a fan-out): one round trip per thousand."""
    encoded = json.dumps(data)
    for start in range(0, len(account_ids), 1000):
        chunk = account_ids[start : start + 1000]
        if tredis.enabled():
            pipe = tredis.client().pipeline(transaction=False)
            for account_id in chunk:
                pipe.xadd(
                    tredis.key("stream", account_id),
                    {"kind": kind, "data": encoded},
                    maxlen=200,
                    approximate=True,
                )
                pipe.publish(tredis.key("wake"), account_id)
            pipe.execute()
            continue
        # Rows written as SQL: for a fan-out's thousand, the ORM's model objects and a JSON
        # encoding per row took most of the time.
        from django.db import connection, transaction

        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO core_streamevent (created_at, account_id, kind, data) VALUES (%s, %s, %s, %s)",
                [(now, account_id, kind, encoded) for account_id in chunk],
            )


def position(channels: list[int], *, more: tuple[str, list[Any]] | None = None) -> str:
    """Where a stream of these channels starts so that it gets only what comes later: the
    newest event's id among them. One position serves them all: embedded, event ids are one
    counter; in Redis, a stream's ids are the server's clock in milliseconds (and a sequence),
    so another channel's event of that same millisecond may sort below it and be skipped (rare).
    `more` is further channels as a query (its SQL and parameters), read in the same query
    where the events are in the database."""
    from django.db import connection

    if tredis.enabled():
        if more:
            with connection.cursor() as cursor:
                cursor.execute(*more)
                channels = [*channels, *(row[0] for row in cursor.fetchall())]
        pipe = tredis.client().pipeline(transaction=False)
        for channel in channels:
            pipe.xrevrange(tredis.key("stream", channel), count=1)
        newest = [entries[0][0] for entries in pipe.execute() if entries]
        return max(newest, key=_order, default="0-0")
    of_channels = "SELECT max(id) AS id FROM core_streamevent WHERE account_id IN ({})"
    sql = of_channels.format(", ".join(["%s"] * len(channels)))
    params = list(channels)
    if more:
        sql = f"SELECT max(id) FROM ({sql} UNION ALL {of_channels.format(more[0])}) AS newest"  # noqa: S608
        params += more[1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()[0]
    return str(found or 0)


def _order(event_id: str) -> tuple[int, ...]:
    """A Redis stream id ("<ms>-<seq>") as something that sorts."""
    return tuple(int(n) for n in event_id.split("-"))


def is_position(value: str) -> bool:
    """A stream position as a client may hand it back: an event id of this backend's form."""
    return bool(re.fullmatch(r"\d{1,20}(-\d{1,20})?" if tredis.enabled() else r"\d{1,20}", value))


def read(account_id: int, after: str, *, timeout: float, poll: float = POLL_SECONDS) -> list[Event]:
    """Events of one channel after `after`, waiting up to `timeout` seconds for the first one."""
    return [event for _channel, event in read_many({account_id: after}, timeout=timeout, poll=poll)]


def read_many(
    positions: dict[int, str], *, timeout: float, poll: float = POLL_SECONDS
) -> list[tuple[int, Event]]:
    """Events of several channels, each after its own position, oldest first: at most 50 (per
    channel in Redis), every one up to some id. Waits up to `timeout` seconds for the first."""
    if not positions:
        return []
    if tredis.enabled():
        # XREAD's BLOCK 0 waits forever: no timeout means no BLOCK at all.
        block = max(1, int(timeout * 1000)) if timeout > 0 else None
        keys = {tredis.key("stream", c): c for c in positions}
        reply: Any = tredis.client().xread(
            {key: positions[c] for key, c in keys.items()}, block=block, count=50
        )
        found = [
            (keys[stream], Event(entry_id, fields["kind"], json.loads(fields["data"])))
            for stream, entries in reply or []
            for entry_id, fields in entries
        ]
        # A channel that gave all 50 may have more: the batch stops at the first such end, so it
        # is everything up to one id and a single Last-Event-ID resumes every channel right.
        ends = [_order(entries[-1][0]) for _stream, entries in reply or [] if len(entries) == 50]
        return sorted(
            (pair for pair in found if not ends or _order(pair[1].id) <= min(ends)),
            key=lambda pair: _order(pair[1].id),
        )

    from tidings.core.models import StreamEvent

    seen = {c: int(a) if a.isdigit() else 0 for c, a in positions.items()}
    deadline = time.monotonic() + timeout
    news = threading.Event()
    if timeout > 0:
        # The process's watcher wakes this wait when a channel has news; `poll` is the longest
        # it waits without (should a wake-up be missed, or the row not yet be visible to it).
        for channel in positions:
            _watcher.listen(channel, news.set)
    try:
        after = min(seen.values())  # ids are one counter: read on from the channel furthest behind
        while True:
            news.clear()
            newer = StreamEvent.objects.filter(account_id__in=list(seen), id__gt=after).order_by("id")
            rows = list(newer.values_list("id", "account_id", "kind", "data")[:50])
            fresh = [(c, Event(str(i), k, d)) for i, c, k, d in rows if i > seen[c]]
            if rows:
                after = rows[-1][0]  # read, if seen already on their own channels
            if not fresh and len(rows) == 50:
                continue  # maybe more past these: read on at once
            if fresh or time.monotonic() >= deadline:
                return fresh
            news.wait(min(poll, max(deadline - time.monotonic(), 0)))
    finally:
        if timeout > 0:
            _watcher.forget(news.set)


def follow(
    positions: dict[int, str], *, seconds: float, wait: float, poll: float = POLL_SECONDS
) -> Iterator[Event | None]:
    """The events of some channels as they come, for `seconds`; None after each `wait` without
    any (for a keep-alive). What an open event stream reads. Embedded, `poll` is how often the
    table is read: a monitor's column, watched by a few and wanting speed, reads more often."""
    positions = dict(positions)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        events = read_many(positions, timeout=wait, poll=poll)
        if not events:
            yield None
        for channel, event in events:
            positions[channel] = event.id
            yield event


def purge_old() -> int:
    """Drop embedded events older than the history window (Redis trims itself by length)."""
    if tredis.enabled():
        return 0
    from tidings.core.models import StreamEvent

    cutoff = timezone.now() - dt.timedelta(seconds=HISTORY_SECONDS)
    deleted, _ = StreamEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class Watcher:
    """Wakes this process's open streams when one of their channels has news, so they read at
    once instead of on a timer. One thread per process, whatever the number of streams: embedded,
    it reads the ids of new event rows every WATCH_SECONDS; at scale, it listens to the Redis
    channel that `publish` announces each event on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wakers: dict[int, set[Callable[[], object]]] = {}
        self.thread: threading.Thread | None = None
        self.stopped = threading.Event()

    def listen(self, channel: int, wake: Callable[[], object]) -> None:
        with self.lock:
            self.wakers.setdefault(channel, set()).add(wake)
            if self.thread is None and settings.STREAM_WATCHER:
                self.thread = threading.Thread(target=self._run, name="pubsub-watcher", daemon=True)
                self.thread.start()

    def forget(self, wake: Callable[[], object]) -> None:
        with self.lock:
            for channel in [c for c, w in self.wakers.items() if wake in w]:
                self.wakers[channel].discard(wake)
                if not self.wakers[channel]:
                    del self.wakers[channel]

    def _wake(self, channels: set[int]) -> None:
        with self.lock:
            wakes = [w for c in channels for w in self.wakers.get(c, ())]
        for wake in wakes:
            try:
                wake()
            except RuntimeError:  # its event loop has closed: the stream is ending
                pass

    def stop(self) -> None:
        """End the thread (within a second); for tests, processes simply exit."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(5)

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                self._watch_redis() if tredis.enabled() else self._watch_table()
            except Exception:  # a lost connection: note it, wake everyone (they read), go on
                logger.exception("pub/sub watcher failed")
                with self.lock:
                    channels = set(self.wakers)
                self._wake(channels)
                time.sleep(1)

    def _watch_redis(self) -> None:
        listener = tredis.client().pubsub(ignore_subscribe_messages=True)
        listener.subscribe(tredis.key("wake"))
        try:
            while not self.stopped.is_set():
                message = listener.get_message(timeout=1.0)
                if message is not None:
                    self._wake({int(message["data"])})
        finally:
            listener.close()

    def _watch_table(self) -> None:
        from django.db import connection

        # Written out on one cursor: at a hundred looks a second, the ORM's query building was
        # most of an idle stream server's time.
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT max(id) FROM core_streamevent")
                last = cursor.fetchone()[0] or 0
                while not self.stopped.wait(WATCH_SECONDS):
                    cursor.execute(
                        "SELECT id, account_id FROM core_streamevent WHERE id > %s ORDER BY id LIMIT 5000",
                        [last],
                    )
                    rows = cursor.fetchall()
                    if rows:
                        last = rows[-1][0]
                        self._wake({a for _i, a in rows})
        finally:
            connection.close()


_watcher = Watcher()


def watcher() -> Watcher:
    return _watcher
