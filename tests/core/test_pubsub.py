"""Live events: a fan-out publishes to many accounts at once, and a process's watcher wakes the
open streams of exactly the accounts that got news (what keeps streamed updates prompt)."""

from __future__ import annotations

import threading
import time

import pytest

from tidings.core import pubsub


@pytest.mark.django_db
def test_publish_many_gives_each_account_the_event() -> None:
    accounts = [9001, 9002, 9003]
    before = {a: pubsub.position([a]) for a in accounts}
    pubsub.publish_many(accounts, "post", {"id": "42"})
    for account in accounts:
        events = pubsub.read(account, before[account], timeout=0)
        assert [(e.kind, e.data) for e in events] == [("post", {"id": "42"})]
    assert pubsub.read(9004, pubsub.position([9004]), timeout=0) == []


@pytest.mark.django_db(transaction=True)
def test_the_watcher_wakes_the_streams_of_the_account_that_got_news(settings) -> None:  # type: ignore[no-untyped-def]
    settings.STREAM_WATCHER = True
    watcher = pubsub.Watcher()
    woken = threading.Event()
    other = threading.Event()
    watcher.listen(9101, woken.set)
    watcher.listen(9102, other.set)
    try:
        deadline = time.monotonic() + 10
        # Published again until heard: the watcher's thread may still be starting.
        while not woken.is_set() and time.monotonic() < deadline:
            pubsub.publish(9101, "notification", {"id": "1"})
            woken.wait(0.3)
        assert woken.is_set()
        assert not other.is_set()
    finally:
        watcher.forget(woken.set)
        watcher.forget(other.set)
        watcher.stop()
    assert watcher.wakers == {}
    assert watcher.thread is not None and not watcher.thread.is_alive()
