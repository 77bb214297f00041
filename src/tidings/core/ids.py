"""64-bit, time-ordered ids (Snowflake-style): 41 bits of milliseconds since 2024-01-01,
10 bits of process, 12 bits of sequence. Sorting by id sorts by creation time, so pages are
cut by id and never by OFFSET. Clients get them as strings (JavaScript cannot hold 64 bits)."""

from __future__ import annotations

import os
import threading
import time

EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
_lock = threading.Lock()
_last_ms = 0
_sequence = 0
_process: int | None = None


def _process_number() -> int:
    """What keeps two processes' ids apart. With Redis (several machines) each process leases a
    number from a shared counter; on one machine the process id serves, as no two live processes
    share one (pids are taken mod 1024: clashing needs two live pids 1024 apart and the same ms
    and sequence, which the unique primary key would then refuse rather than corrupt)."""
    url = os.environ.get("TIDINGS_REDIS_URL")
    if url:
        try:
            import redis

            prefix = os.environ.get("TIDINGS_REDIS_PREFIX", "tidings:")
            with redis.Redis.from_url(url) as client:
                return int(client.incr(prefix + "id-process")) & 0x3FF
        except Exception:  # noqa: S110 - fall back to the pid, still apart on this machine
            pass
    return os.getpid() & 0x3FF


def _reseed_after_fork() -> None:
    global _process, _last_ms, _sequence
    _process = None
    _last_ms = 0
    _sequence = 0


os.register_at_fork(after_in_child=_reseed_after_fork)


def next_id() -> int:
    global _last_ms, _sequence, _process
    with _lock:
        if _process is None:
            _process = _process_number()
        now = int(time.time() * 1000) - EPOCH_MS
        if now < _last_ms:  # the clock stepped back: stay on the last millisecond
            now = _last_ms
        if now == _last_ms:
            _sequence = (_sequence + 1) & 0xFFF
            if _sequence == 0:  # 4096 ids in one millisecond: borrow the next one
                now = _last_ms + 1
        else:
            _sequence = 0
        _last_ms = now
        return (now << 22) | (_process << 12) | _sequence


def id_for_time(seconds: float) -> int:
    """The smallest id that could have been made at this Unix time (for 'since' queries)."""
    return max(0, int(seconds * 1000) - EPOCH_MS) << 22
