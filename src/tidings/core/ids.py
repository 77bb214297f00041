"""64-bit, time-ordered ids (Snowflake-style): 41 bits of milliseconds since 2024-01-01,
10 bits of process, 12 bits of sequence. Sorting by id sorts by creation time, so pages are
cut by id and never by OFFSET. Clients get them as strings (JavaScript cannot hold 64 bits)."""

from __future__ import annotations

import os
import random
import threading
import time

EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
_lock = threading.Lock()
_last_ms = 0
_sequence = 0
# A random process number (re-drawn after fork) keeps ids from two processes apart.
_process = random.getrandbits(10)


def _reseed_after_fork() -> None:
    global _process, _last_ms, _sequence
    _process = random.getrandbits(10)
    _last_ms = 0
    _sequence = 0


os.register_at_fork(after_in_child=_reseed_after_fork)


def next_id() -> int:
    global _last_ms, _sequence
    with _lock:
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


def time_of(id_: int) -> float:
    return ((id_ >> 22) + EPOCH_MS) / 1000
