"""The shared Redis client, when TIDINGS_REDIS_URL is set."""

from __future__ import annotations

import threading

import redis
from django.conf import settings

_lock = threading.Lock()
_client: redis.Redis | None = None


def enabled() -> bool:
    return bool(settings.REDIS_URL)


def client() -> redis.Redis:
    """One client per process, made once under a lock. A client made from a URL closes its pool
    when it is collected, and a pipeline holds the pool, not the client: two threads making one
    each (as `functools.cache` lets them) had the loser's pool closed under a pipeline that was
    still connecting on it, a 500 in a fresh process's first burst of requests."""
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    return _client


def key(*parts: object) -> str:
    return settings.REDIS_PREFIX + ":".join(str(p) for p in parts)
