"""The process's one Redis client. Making a client connects nothing, so no Redis is needed here;
tests/security/test_faults.py meets a fresh web process with a burst of requests on a real one."""

from __future__ import annotations

import threading
import time

import redis

from tidings.core import redis as tredis


def test_threads_asking_at_once_share_one_client_so_none_closes_the_pool_under_another(settings, monkeypatch):
    # A client made from a URL closes its pool when collected: a second client made by a racing
    # thread and dropped would close the pool a pipeline of the first is connecting on.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    monkeypatch.setattr(tredis, "_client", None)
    real = redis.Redis.from_url

    def slow_from_url(*args, **kwargs):
        time.sleep(0.05)  # widen the window in which a second thread can arrive
        return real(*args, **kwargs)

    monkeypatch.setattr(redis.Redis, "from_url", slow_from_url)
    start = threading.Barrier(8)
    got: list[redis.Redis] = []

    def ask() -> None:
        start.wait()
        got.append(tredis.client())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(got) == 8
        assert len({id(client) for client in got}) == 1
        assert tredis.client() is got[0]
    finally:
        # The real client back now: the suite's clean-up of Redis keys (tests/conftest.py) may
        # run before monkeypatch's own undo, and must not meet this unreachable one.
        monkeypatch.undo()
