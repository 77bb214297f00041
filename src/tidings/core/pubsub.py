"""Live events for one account (new timeline post, notification, message), delivered to its
open event streams in any process. Embedded: rows in core_streamevent polled by the stream.
At scale: one Redis Stream per account, read with a blocking XREAD. Both keep a short history,
so a stream that reconnects with Last-Event-ID misses nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tidings.core import redis as tredis

HISTORY_SECONDS = 3600
# Not an account: the channel of every new public post, for the API's public and tag streams.
PUBLIC = 0
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    data: dict[str, Any]


def publish(account_id: int, kind: str, data: dict[str, Any]) -> None:
    if tredis.enabled():
        tredis.client().xadd(
            tredis.key("stream", account_id),
            {"kind": kind, "data": json.dumps(data)},
            maxlen=200,
            approximate=True,
        )
        return
    from tidings.core.models import StreamEvent

    StreamEvent.objects.create(account_id=account_id, kind=kind, data=data)


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
    while True:
        rows = list(
            StreamEvent.objects.filter(account_id=account_id, id__gt=after_id)
            .order_by("id")
            .values_list("id", "kind", "data")[:50]
        )
        if rows or time.monotonic() >= deadline:
            return [Event(str(i), k, d) for i, k, d in rows]
        time.sleep(poll)


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
