"""Rate limits shared by every process: Redis at scale, an upsert on the database embedded.
A window opens at a key's first try and lasts `window_seconds`; `hit` counts one try and refuses
past the limit. (A window fixed to the clock would let twice the limit through across its edge.)"""

from __future__ import annotations

import hashlib
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tidings.core import redis as tredis
from tidings.core.errors import RateLimited

# One row per key in core_ratecounter: the bucket column stays 0.
_UPSERT = (
    "INSERT INTO core_ratecounter (key, bucket, count, expires) VALUES (%s, 0, 1, %s) "
    "ON CONFLICT (key, bucket) DO UPDATE SET "
    "count = CASE WHEN core_ratecounter.expires > %s THEN core_ratecounter.count + 1 ELSE 1 END, "
    "expires = CASE WHEN core_ratecounter.expires > %s THEN core_ratecounter.expires ELSE %s END "
    "RETURNING count, expires"
)


# Seconds until the window of the last refusal in this request ends: the Retry-After of its 429
# (set here, sent by RetryAfterMiddleware, whichever face turned the refusal into a response).
retry_after: ContextVar[int | None] = ContextVar("retry_after", default=None)


# The backlog as last read by this process, and when: (count, monotonic time).
_backlog: tuple[int, float] = (0, -1.0)
BACKLOG_READ_SECONDS = 1.0
BUSY_RETRY_SECONDS = 10


def write(account_id: int) -> None:
    """Count one write (a post, a comment, a vote...) against the account's per-minute budget,
    and refuse it while the worker is far behind: past TASK_BACKLOG_LIMIT events waiting, a new
    write would only make everyone's posts reach timelines later, so its writer is asked to come
    back shortly. The backlog is read at most once a second per process."""
    global _backlog
    seen, at = _backlog
    if time.monotonic() - at > BACKLOG_READ_SECONDS:
        from tidings.core.jobs import backlog

        seen = backlog()
        _backlog = (seen, time.monotonic())
    if seen > settings.TASK_BACKLOG_LIMIT:
        retry_after.set(BUSY_RETRY_SECONDS)
        message = _("The server is busy. Please try again in %(seconds)d seconds.")
        raise RateLimited(message % {"seconds": BUSY_RETRY_SECONDS})
    hit(f"write:{account_id}", limit=settings.WRITES_PER_MINUTE, window_seconds=60)


def hit(key: str, *, limit: int, window_seconds: int) -> int:
    """Count one try under `key`; raise RateLimited once more than `limit` fall in the window."""
    return count(key, limit=limit, window_seconds=window_seconds)[0]


def count(key: str, *, limit: int, window_seconds: int) -> tuple[int, int]:
    """As `hit`, and also when the window ends (a Unix time), for the API's rate-limit headers."""
    now = int(time.time())
    key = _stored(key)
    if tredis.enabled():
        rkey = tredis.key("rl", key)
        pipe = tredis.client().pipeline()
        pipe.set(rkey, 0, ex=window_seconds, nx=True)  # opens the window at the first try only
        pipe.incr(rkey)
        pipe.ttl(rkey)
        _opened, tries, ttl = pipe.execute()
        tries, ends = int(tries), now + max(0, int(ttl))
    else:
        ends = now + window_seconds
        with connection.cursor() as cur:
            cur.execute(_UPSERT, [key, ends, now, now, ends])
            row = cur.fetchone()
            tries, ends = int(row[0]), int(row[1])
    if tries > limit:
        minutes = max(1, window_seconds // 60)
        message = ngettext(
            "Too many tries. Please wait %(minutes)d minute and try again.",
            "Too many tries. Please wait %(minutes)d minutes and try again.",
            minutes,
        )
        retry_after.set(max(1, ends - now))
        raise RateLimited(message % {"minutes": minutes})
    return tries, ends


def purge_old() -> int:
    """Drop embedded counters whose window has ended (Redis expires its own)."""
    if tredis.enabled():
        return 0
    from tidings.core.models import RateCounter

    return RateCounter.objects.filter(expires__lt=int(time.time())).delete()[0]


_FORGIVE = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"


def _stored(key: str) -> str:
    """The key as counted: a long one (a long name typed at the login form) as its hash, since the
    counters' column holds 200 characters."""
    if len(key) > 100:
        return key[:40] + ":" + hashlib.sha256(key.encode()).hexdigest()
    return key


def forgive(key: str) -> None:
    """Take back one try counted under `key`, in its window (a log-in that succeeded: people
    behind one office address must not use up the address's tries by logging in)."""
    key = _stored(key)
    if tredis.enabled():
        # Only while the window is open: DECR on a key gone with its window would make one that
        # never expires.
        tredis.client().eval(_FORGIVE, 1, tredis.key("rl", key))
    else:
        with connection.cursor() as cur:
            cur.execute("UPDATE core_ratecounter SET count = count - 1 WHERE key = %s AND count > 0", [key])


def reset(key: str, *, window_seconds: int) -> None:
    key = _stored(key)
    if tredis.enabled():
        tredis.client().delete(tredis.key("rl", key))
    else:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM core_ratecounter WHERE key = %s", [key])
