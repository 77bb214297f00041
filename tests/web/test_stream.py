"""The live event stream (/events/): only the signed-in person's own events."""

from __future__ import annotations

import itertools
import re

import pytest

from tidings.core import pubsub
from tidings.timelines.selectors import live_channels

from .helpers import anonymous

pytestmark = pytest.mark.django_db


def first_chunks(response, n: int = 2) -> bytes:
    try:
        return b"".join(itertools.islice(response.streaming_content, n))
    finally:
        response.close()


def open_stream(client, account):
    """The stream from now on (Last-Event-ID = the newest event so far), so a read returns as
    soon as the next event for the account is published."""
    return client.get("/events/", HTTP_LAST_EVENT_ID=pubsub.position(live_channels(account.id)))


def test_a_logged_out_visitor_is_refused_the_stream(db):
    response = anonymous().get("/events/")

    assert response.status_code == 401
    assert not response.streaming


def test_the_stream_delivers_an_event_published_after_it_opened(make_account, client_for):
    account = make_account("小雨")
    pubsub.publish(account.id, "post", {"id": "0"})  # before opening: not sent again
    response = open_stream(client_for(account), account)

    pubsub.publish(account.id, "post", {"id": "1"})
    chunks = first_chunks(response)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    assert chunks.startswith(b"retry: ")
    assert b"event: post\n" in chunks
    assert b'data: {"id": "1"}\n' in chunks
    assert b'"id": "0"' not in chunks


def test_another_accounts_events_are_never_delivered(make_account, client_for):
    account = make_account("小雨")
    other = make_account("阿傑")
    response = open_stream(client_for(account), account)

    pubsub.publish(other.id, "message", {"id": "secret-for-other"})
    pubsub.publish(account.id, "notification", {"id": "mine"})
    chunks = first_chunks(response)

    assert b"event: notification\n" in chunks
    assert b'"mine"' in chunks
    assert b"secret-for-other" not in chunks
    assert b"event: message" not in chunks


def test_a_forged_last_event_id_does_not_reach_other_accounts_events(make_account, client_for):
    """Rewinding the stream to the very start still reads only one's own events."""
    account = make_account("小雨")
    other = make_account("阿傑")
    pubsub.publish(other.id, "message", {"id": "secret-for-other"})
    pubsub.publish(account.id, "post", {"id": "mine"})

    response = client_for(account).get("/events/", HTTP_LAST_EVENT_ID="0")
    chunks = first_chunks(response)

    assert b'"mine"' in chunks
    assert b"secret-for-other" not in chunks


def test_a_stream_opened_after_the_page_gets_what_happened_while_the_page_loaded(
    db, make_account, client_for
):

    account = make_account("載入中")
    client = client_for(account)
    page = client.get("/public/").content.decode()
    after = re.search(r'data-live="/events/\?after=([^"]*)"', page).group(1)
    pubsub.publish(account.id, "notification", {"id": "42", "kind": "like"})  # while the page loads
    response = client.get(f"/events/?after={after}")
    chunks = b"".join(itertools.islice(response.streaming_content, 2)).decode()
    assert "event: notification" in chunks and '"42"' in chunks


def test_a_made_up_stream_position_starts_from_now(db, make_account, client_for):

    account = make_account("亂填")
    pubsub.publish(account.id, "notification", {"id": "old"})
    response = client_for(account).get("/events/?after=not-a-position", HTTP_LAST_EVENT_ID="")
    pubsub.publish(account.id, "notification", {"id": "new"})
    chunks = b"".join(itertools.islice(response.streaming_content, 2)).decode()
    assert '"new"' in chunks and '"old"' not in chunks


def test_a_big_accounts_post_reaches_its_followers_pages_and_no_one_elses(
    make_account, client_for, run_hooks, settings
):
    from tidings.posts import services as posts
    from tidings.social import services as social

    settings.FANOUT_FOLLOWER_THRESHOLD = 0  # every followed account is big
    star, fan, stranger = make_account("大品牌"), make_account("粉絲"), make_account("路人")
    with run_hooks():
        social.follow(fan, account_id=star.id)
    fan_stream = open_stream(client_for(fan), fan)
    stranger_stream = open_stream(client_for(stranger), stranger)
    with run_hooks():
        post = posts.publish(star, text="新品發布")
    pubsub.publish(stranger.id, "notification", {"id": "own"})  # so the stranger's read returns

    # Closed after the other is read: closing a response closes the database connection.
    fan_chunks = b"".join(itertools.islice(fan_stream.streaming_content, 2))
    stranger_chunks = first_chunks(stranger_stream)
    fan_stream.close()
    assert f'event: post\ndata: {{"id": "{post.id}"}}'.encode() in fan_chunks
    assert b'"own"' in stranger_chunks and str(post.id).encode() not in stranger_chunks
