"""Live events for one account (new timeline post, notification, message), delivered to its
open event streams in any process. Embedded: rows in core_streamevent polled by the stream.
At scale: one Redis Stream per account, read with a blocking XREAD. Both keep a short history,
so a stream that reconnects with Last-Event-ID misses nothing."""

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
# How often a process's watcher looks for new embedded events (one query for all its streams).
WATCH_SECONDS = 0.03
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    data: dict[str, Any]


def publish(account_id: int, kind: str, data: dict[str, Any]) -> None:
    publish_many([account_id], kind, data)


def publish_many(account_ids: list[int], kind: str, data: dict[str, Any]) -> None:
    """The same event for many accounts (a fan-out): one round trip per thousand."""
    for start in range(0, len(account_ids), 1000):
        chunk = account_ids[start : start + 1000]
        if tredis.enabled():
            pipe = tredis.client().pipeline(transaction=False)
            encoded = json.dumps(data)
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
        from tidings.core.models import StreamEvent

        StreamEvent.objects.bulk_create([StreamEvent(account_id=a, kind=kind, data=data) for a in chunk])


def latest_id(account_id: int) -> str:
    """The position to start a new stream from: only events after now."""
    if tredis.enabled():
        newest = tredis.client().xrevrange(tredis.key("stream", account_id), count=1)
        return str(newest[0][0]) if newest else "0-0"
    from tidings.core.models import StreamEvent

    last = StreamEvent.objects.filter(account_id=account_id).order_by("-id").values_list("id", flat=True)[:1]
    return str(last[0]) if last else "0"


def is_position(value: str) -> bool:
    """A stream position as a client may hand it back: an event id of this backend's form."""
    return bool(re.fullmatch(r"\d{1,20}(-\d{1,10})?" if tredis.enabled() else r"\d{1,20}", value))


def read(account_id: int, after: str, *, timeout: float, poll: float = POLL_SECONDS) -> list[Event]:
    """Events for the account after `after`, waiting up to `timeout` seconds for the first one."""
    if tredis.enabled():
        # XREAD's BLOCK 0 waits forever: no timeout means no BLOCK at all.
        block = max(1, int(timeout * 1000)) if timeout > 0 else None
        reply: Any = tredis.client().xread({tredis.key("stream", account_id): after}, block=block, count=50)
        events: list[Event] = []
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                events.append(Event(entry_id, fields["kind"], json.loads(fields["data"])))
        return events

    from tidings.core.models import StreamEvent

    try:
        after_id = int(after)
    except ValueError:
        after_id = 0
    deadline = time.monotonic() + timeout
    news = threading.Event()
    if timeout > 0:
        # The process's watcher wakes this wait when the channel has news; `poll` is the longest
        # it waits without (should a wake-up be missed, or the row not yet be visible to it).
        _watcher.listen(account_id, news.set)
    try:
        while True:
            news.clear()
            rows = list(
                StreamEvent.objects.filter(account_id=account_id, id__gt=after_id)
                .order_by("id")
                .values_list("id", "kind", "data")[:50]
            )
            if rows or time.monotonic() >= deadline:
                return [Event(str(i), k, d) for i, k, d in rows]
            news.wait(min(poll, max(deadline - time.monotonic(), 0)))
    finally:
        if timeout > 0:
            _watcher.forget(news.set)


def follow(
    account_id: int, after: str, *, seconds: float, wait: float, poll: float = POLL_SECONDS
) -> Iterator[Event | None]:
    """The events of a channel as they come, for `seconds`; None after each `wait` without any
    (for a keep-alive). What an open event stream reads. Embedded, `poll` is how often the table
    is read: a monitor's column, watched by a few and wanting speed, reads more often."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        events = read(account_id, after, timeout=wait, poll=poll)
        if not events:
            yield None
        for event in events:
            after = event.id
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
        from django.db import close_old_connections, connection

        from tidings.core.models import StreamEvent

        try:
            last = StreamEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            while not self.stopped.wait(WATCH_SECONDS):
                newer = StreamEvent.objects.filter(id__gt=last).order_by("id")
                rows = list(newer.values_list("id", "account_id")[:5000])
                close_old_connections()
                if rows:
                    last = rows[-1][0]
                    self._wake({a for _i, a in rows})
        finally:
            connection.close()


_watcher = Watcher()


def watcher() -> Watcher:
    return _watcher
