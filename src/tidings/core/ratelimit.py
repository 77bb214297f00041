"""Fixed-window rate limits, shared by every process: Redis INCR at scale, an upsert on the
database embedded. `hit` counts one try and refuses past the limit."""

from __future__ import annotations

import time

from django.db import connection
from django.utils.translation import ngettext

from tidings.core import redis as tredis
from tidings.core.errors import RateLimited


def hit(key: str, *, limit: int, window_seconds: int) -> int:
    """Count one try under `key`; raise RateLimited once more than `limit` fall in the window."""
    window = int(time.time()) // window_seconds
    if tredis.enabled():
        rkey = tredis.key("rl", key, window)
        pipe = tredis.client().pipeline()
        pipe.incr(rkey)
        pipe.expire(rkey, window_seconds + 5)
        count = int(pipe.execute()[0])
    else:
        with connection.cursor() as cur:
            cur.execute(
                "INSERT INTO core_ratecounter (key, bucket, count, expires) VALUES (%s, %s, 1, %s) "
                "ON CONFLICT (key, bucket) DO UPDATE SET count = core_ratecounter.count + 1 "
                "RETURNING count",
                [key, window, (window + 1) * window_seconds],
            )
            count = int(cur.fetchone()[0])
    if count > limit:
        minutes = max(1, window_seconds // 60)
        message = ngettext(
            "Too many tries. Please wait %(minutes)d minute and try again.",
            "Too many tries. Please wait %(minutes)d minutes and try again.",
            minutes,
        )
        raise RateLimited(message % {"minutes": minutes})
    return count


def purge_old() -> int:
    """Drop embedded counters whose window has ended (Redis expires its own)."""
    if tredis.enabled():
        return 0
    from tidings.core.models import RateCounter

    return RateCounter.objects.filter(expires__lt=int(time.time())).delete()[0]


def reset(key: str, *, window_seconds: int) -> None:
    window = int(time.time()) // window_seconds
    if tredis.enabled():
        tredis.client().delete(tredis.key("rl", key, window))
    else:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM core_ratecounter WHERE key = %s AND bucket = %s", [key, window])
