"""Mastodon's streaming API over server-sent events: what each stream carries, and that an
event is sent only to those who may see it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tidings.api.mastodon import streaming
from tidings.groups import services as groups
from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.social import services as social

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def short_streams(monkeypatch):
    monkeypatch.setattr(streaming, "WAIT_SECONDS", 0.0)
    monkeypatch.setattr(streaming, "STREAM_SECONDS", 0.5)


class Stream:
    """An open stream: its position is taken when it is answered, before anything happens."""

    def __init__(self, response: Any) -> None:
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "text/event-stream"
        self.chunks = iter(response.streaming_content)
        assert next(self.chunks) == b":)\n\n"

    def events(self) -> list[tuple[str, Any]]:
        out = []
        for chunk in self.chunks:
            text = chunk.decode()
            if text.startswith("event: "):
                name, data = text.split("\n")[:2]
                out.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
        return out


def test_the_user_stream_carries_new_posts_of_home_and_notifications(make_account, api_for, run_hooks):
    reader, author = make_account("reader"), make_account("author")
    with run_hooks():
        social.follow(reader, account_id=author.id)
    api = api_for(reader)
    api.get("/api/v1/timelines/home")
    stream = Stream(api.get("/api/v1/streaming/user"))
    with run_hooks():
        post = posts.publish(author, text="新消息 @reader")

    events = stream.events()

    assert ("update", str(post.id)) in [(n, d["id"]) for n, d in events if n == "update"]
    assert [d["type"] for n, d in events if n == "notification"] == ["mention"]


def test_the_public_stream_carries_public_posts_only(make_account, api_for, run_hooks):
    author = make_account("author")
    stream = Stream(api_for(None).get("/api/v1/streaming/public"))
    with run_hooks():
        public = posts.publish(author, text="大家好")
        posts.publish(author, text="只給粉絲", audience="followers")

    assert [d["id"] for n, d in stream.events()] == [str(public.id)]


def test_the_hashtag_stream_carries_that_topic_folded(make_account, api_for, run_hooks):
    author = make_account("author")
    stream = Stream(api_for(None).get("/api/v1/streaming/hashtag", {"tag": "戴尔"}))
    with run_hooks():
        tagged = posts.publish(author, text="#戴爾# 新品")
        posts.publish(author, text="#別的# 消息")

    assert [d["id"] for n, d in stream.events()] == [str(tagged.id)]


def test_a_list_stream_carries_the_spaces_posts_to_its_members_only(make_account, api_for, run_hooks):
    owner, member, outsider = make_account("owner"), make_account("member"), make_account("outsider")
    acme = orgs.create_organisation(slug="acme", name="Acme", owner=owner)
    orgs.add_member(acme, member, actor=owner)
    team = groups.create_group(acme, actor=member, name="研發部")
    api = api_for(member)
    api.get("/api/v1/timelines/home")  # active today, so live events reach them
    org_stream = Stream(api.get("/api/v1/streaming/list", {"list": f"org-{acme.id}"}))
    with run_hooks():
        inside = posts.publish(owner, text="內部公告", audience="org", organisation_id=acme.id)
        posts.publish(member, text="組內", audience="group", group_id=team.id)

    assert [d["id"] for n, d in org_stream.events()] == [str(inside.id)]
    refused = api_for(outsider).get("/api/v1/streaming/list", {"list": f"org-{acme.id}"})
    missing = api_for(outsider).get("/api/v1/streaming/list", {"list": "org-1"})
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content


def test_a_direct_message_arrives_as_a_conversation(make_account, api_for, run_hooks):
    from tidings.notifications import services as messages

    alice, bob = make_account("alice"), make_account("bob")
    stream = Stream(api_for(bob).get("/api/v1/streaming/direct"))
    with run_hooks():
        sent = messages.send_message(alice, recipient_id=bob.id, text="私下說")

    [(name, conversation)] = stream.events()
    assert name == "conversation" and conversation["last_status"]["id"] == str(sent.id)


def test_the_user_stream_needs_a_persons_token(api_for):
    response = api_for(None).get("/api/v1/streaming/user")

    assert response.status_code == 401
    assert api_for(None).get("/api/v1/streaming/health").content == b"OK"


def test_an_empty_tag_is_a_clear_error(api_for):
    response = api_for(None).get("/api/v1/streaming/hashtag")

    assert response.status_code == 400 and "tag" in response.json()["error"]


def test_what_a_status_shows_is_kept_once_and_each_listener_still_gets_their_own(
    make_account, run_hooks, django_assert_max_num_queries
):
    """What a status shows of its post is rendered once per process and kept; each listener
    still gets exactly what a fresh render would give them: their own likes, reposts, bookmarks,
    pins and poll votes, and nothing at all of a post they may not see."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from tidings.api.mastodon import serializers
    from tidings.posts import polls

    author, voter, fan, reposter, quoter, stranger = (
        make_account(h) for h in ("author", "voter", "fan", "reposter", "quoter", "stranger")
    )
    with run_hooks():
        for follower in (voter, fan, reposter, quoter):
            social.follow(follower, account_id=author.id)
        asked = posts.publish(author, text="選哪個?", poll=polls.PollSpec(["紅", "藍"], expires_in=3600))
        polls.vote_on_post(voter, post_id=asked.id, choices=[1])
        posts.pin_to_profile(author, post_id=asked.id)
        posts.like(fan, post_id=asked.id)
        posts.favourite(fan, post_id=asked.id)
        plain = posts.repost(reposter, post_id=asked.id)
        quote = posts.repost(quoter, post_id=asked.id, comment="大家來投")
        followers_only = posts.publish(author, text="只給粉絲", audience="followers")
        social.block(author, account_id=stranger.id)  # the original is hidden from them, reposts not
    viewers = [author, voter, fan, reposter, quoter, stranger, AnonymousUser()]
    shown = [asked, plain, quote, followers_only]

    def request_of(viewer):
        request = RequestFactory().get("/api/v1/streaming")
        request.user = viewer
        return request

    def fresh(viewer, post_id):
        serializers.forget_rendered()
        return streaming._status(request_of(viewer), post_id)

    expected = {(post.id, i): fresh(viewer, post.id) for post in shown for i, viewer in enumerate(viewers)}
    assert expected[(asked.id, 1)]["poll"]["own_votes"] == [1]
    assert expected[(asked.id, 0)]["pinned"] and not expected[(asked.id, 1)]["pinned"]
    assert expected[(plain.id, 2)]["reblog"]["favourited"] and expected[(plain.id, 2)]["reblog"]["bookmarked"]
    assert expected[(plain.id, 5)]["reblog"] is None  # the original is hidden from the stranger

    serializers.forget_rendered()
    for post in shown:
        for i, viewer in enumerate(viewers):
            assert streaming._status(request_of(viewer), post.id) == expected[(post.id, i)], (
                post.text,
                viewer,
            )
    assert streaming._status(request_of(stranger), followers_only.id) is None

    # Rendered already: another listener pays the audience check, the row, the poll and the marks.
    text_only = posts.publish(author, text="沒有投票的貼文")
    streaming._status(request_of(fan), text_only.id)
    with django_assert_max_num_queries(4):
        assert streaming._status(request_of(voter), text_only.id)["content"] == "<p>沒有投票的貼文</p>"


def test_a_streamed_notification_of_a_post_the_listener_may_no_longer_see_is_not_sent(
    make_account, run_hooks
):
    """A notification is checked against its post's audience when it is sent, not only when it
    was made: here the author blocked the person they mentioned in between."""
    from django.test import RequestFactory

    from tidings.notifications.models import Notification

    author, reader = make_account("author"), make_account("reader")
    with run_hooks():
        post = posts.publish(author, text="@reader 你好")
    told = Notification.objects.get(recipient=reader, post=post)
    request = RequestFactory().get("/api/v1/streaming")
    request.user = reader

    assert streaming.payloads(request, "notification", {"id": told.id})[0][1]["status"]["id"] == str(post.id)
    social.block(author, account_id=reader.id)
    assert Notification.objects.filter(id=told.id).exists()  # kept: the check is at sending
    assert streaming.payloads(request, "notification", {"id": told.id}) == []


def test_the_user_stream_carries_a_big_accounts_posts_to_its_followers_only(
    make_account, api_for, run_hooks, settings
):
    # A big account's post is announced once on its own channel, not to each follower: the
    # followers' streams listen to it, less those who muted it; nobody else's does.
    settings.FANOUT_FOLLOWER_THRESHOLD = 1
    star = make_account("大品牌")
    fan, muter, stranger = make_account("粉絲"), make_account("靜音粉絲"), make_account("路人")
    with run_hooks():
        for who in (fan, muter):
            social.follow(who, account_id=star.id)
        social.mute(muter, account_id=star.id)
    streams = {who: Stream(api_for(who).get("/api/v1/streaming/user")) for who in (fan, muter, stranger)}
    with run_hooks():
        post = posts.publish(star, text="新品發布")

    assert [d["id"] for n, d in streams[fan].events() if n == "update"] == [str(post.id)]
    assert streams[muter].events() == []
    assert streams[stranger].events() == []


def test_an_author_muted_while_the_stream_is_open_is_not_sent_any_more(
    make_account, api_for, run_hooks, settings
):
    # The stream chose its channels when it opened; what it sends is checked event by event.
    settings.FANOUT_FOLLOWER_THRESHOLD = 0  # every followed account is big
    star, fan = make_account("大品牌"), make_account("粉絲")
    with run_hooks():
        social.follow(fan, account_id=star.id)
    stream = Stream(api_for(fan).get("/api/v1/streaming/user"))
    social.mute(fan, account_id=star.id)
    with run_hooks():
        posts.publish(star, text="靜音之後")

    assert stream.events() == []


@pytest.mark.django_db(transaction=True)  # the connection's work runs in threads, as it is served
def test_a_websocket_connection_hears_the_big_accounts_its_listener_follows_until_muted(
    make_account, settings
):
    import asyncio

    from tidings.accounts.tokens import create_token
    from tidings.api.mastodon import websocket

    settings.FANOUT_FOLLOWER_THRESHOLD = 0  # every followed account is big
    star, fan = make_account("大品牌"), make_account("粉絲")
    social.follow(fan, account_id=star.id)
    token = create_token(fan, scopes="read")
    scope = {"type": "websocket", "query_string": f"access_token={token}".encode(), "headers": []}

    async def heard(session: Any, text: str) -> bool:
        post = await asyncio.to_thread(posts.publish, star, text=text)  # its events run at commit
        frames = await asyncio.to_thread(session._poll)
        return [json.loads(f["payload"])["id"] for f in frames if f["event"] == "update"] == [str(post.id)]

    async def scenario() -> tuple[bool, bool]:
        _query, _headers, request, granted = await websocket._caller(scope)
        session = websocket.Session(request, granted, emit=None)
        assert await session.handle({"type": "subscribe", "stream": "user"})
        before = await heard(session, "第一則")
        await asyncio.to_thread(social.mute, fan, account_id=star.id)
        session.channels_read_at -= websocket.CHANNELS_SECONDS  # the connection looks again
        return before, await heard(session, "第二則")

    assert asyncio.run(scenario()) == (True, False)
