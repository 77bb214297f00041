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


@pytest.mark.django_db
def test_a_stream_of_several_channels_resumes_from_one_position_and_misses_nothing() -> None:
    # As a web page does: one Last-Event-ID for all its channels, however full one of them is.
    busy, quiet = 9201, -9202
    after = pubsub.position([busy, quiet])
    pubsub.publish_many([busy] * 60, "post", {"id": "busy"})
    pubsub.publish(quiet, "post", {"id": "quiet"})
    heard: list[str] = []
    while batch := pubsub.read_many(dict.fromkeys([busy, quiet], after), timeout=0):
        heard += [event.data["id"] for _channel, event in batch]
        after = batch[-1][1].id
    # Every event once (in Redis, two channels' events of one millisecond may come either way).
    assert sorted(heard) == ["busy"] * 60 + ["quiet"]


@pytest.mark.django_db
def test_a_channel_behind_the_others_still_gets_its_news() -> None:
    behind, ahead = 9301, 9302
    old = pubsub.position([behind, ahead])
    pubsub.publish_many([ahead] * 60, "post", {"id": "seen"})
    now = pubsub.position([ahead])
    pubsub.publish(behind, "post", {"id": "new"})
    batch = pubsub.read_many({behind: old, ahead: now}, timeout=0)
    assert [(channel, event.data["id"]) for channel, event in batch] == [(behind, "new")]


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
