"""Live broadcasts: the host's updates and the audience's comments under the broadcast's post,
streamed to open pages while it runs, highlights pinned by the host, and a replay after the end;
an internal broadcast stays inside."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.activities.test_activities_web import local, refused_alike
from tests.web.helpers import english
from tidings.activities import live
from tidings.activities.models import Highlight, Live
from tidings.core import pubsub
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.posts.models import Post

pytestmark = pytest.mark.django_db


def make_live(team, **fields) -> Live:
    values = {"person": team.manager, "title": "X15 發表會直播", "text": "發表會直播中!"}
    values.update(closes_at=timezone.now() + dt.timedelta(hours=2), **fields)
    return live.create(team.account, **values)


def test_updates_and_comments_are_told_apart_streamed_while_live_and_replayed_oldest_first(
    team, make_account, run_hooks
):
    show = make_live(team)
    fan = make_account("粉絲")
    after = pubsub.position([show.id])
    with run_hooks():
        first = live.update(show, person=team.editor, text="開場!")
        asked = live.comment(fan, show, text="什麼時候開賣?")
        second = live.update(show, person=team.manager, text="下週一開賣")

    streamed = pubsub.read(show.id, after, timeout=0)
    running = live.feed(fan, show)
    live.end(show, person=team.manager)
    replay = live.feed(None, Live.objects.get(id=show.id))

    assert [(e.kind, e.data["id"], e.data["host"]) for e in streamed] == [
        ("live-post", str(first.id), True),
        ("live-post", str(asked.id), False),
        ("live-post", str(second.id), True),
    ]
    assert [v.post.id for v in running["updates"]] == [second.id, first.id]
    assert [v.post.id for v in running["comments"]] == [asked.id]
    assert [v.post.id for v in replay["updates"]] == [first.id, second.id]
    assert Post.objects.get(id=first.id).author_id == team.account.id


def test_the_host_pins_highlights_and_only_the_accounts_people_may(team, make_account):
    show = make_live(team)
    asked = live.comment(make_account("粉絲"), show, text="好期待")

    live.highlight(show, person=team.editor, post_id=asked.id, pin=True)
    live.highlight(show, person=team.editor, post_id=asked.id, pin=True)  # twice: one highlight
    with pytest.raises(Forbidden):
        live.highlight(show, person=team.responder, post_id=asked.id, pin=False)
    with pytest.raises(NotFound):
        live.highlight(show, person=team.customer, post_id=asked.id, pin=False)
    with pytest.raises(NotFound):
        live.highlight(show, person=team.editor, post_id=show.post_id, pin=True)  # not a comment under it

    assert list(Highlight.objects.values_list("post_id", flat=True)) == [asked.id]
    assert [v.post.id for v in live.feed(None, show)["highlights"]] == [asked.id]


def test_after_the_end_nobody_adds_to_it_and_it_ends_once(team, make_account):
    show = make_live(team)
    live.end(show, person=team.manager)

    with pytest.raises(Invalid, match="has ended"):
        live.update(show, person=team.manager, text="還有一件事")
    with pytest.raises(Invalid, match="has ended"):
        live.comment(make_account("粉絲"), show, text="結束了嗎")
    with pytest.raises(Invalid, match="has ended"):
        live.end(show, person=team.manager)
    assert Post.objects.filter(root_id=show.post_id).count() == 0


def test_nobody_but_the_accounts_people_send_updates_or_end_it(team):
    show = make_live(team)

    for outsider in (team.customer, team.employee, team.rival):
        with pytest.raises(NotFound):
            live.update(show, person=outsider, text="冒充")
        with pytest.raises(NotFound):
            live.end(show, person=outsider)
    with pytest.raises(Forbidden):
        live.update(show, person=team.responder, text="回覆員")
    assert Live.objects.get().ended_at is None and not Post.objects.filter(root_id=show.post_id).exists()


# --- over HTTP -----------------------------------------------------------------------------------


def test_the_broadcast_in_the_browser_go_live_update_comment_pin_and_end(team, make_account, client_for):
    manager = english(client_for(team.manager))
    manager.post(
        f"/ops/@{team.account.handle}/activities/",
        {
            "kind": "live",
            "title": "X15 發表會直播",
            "text": "直播開始",
            "audience": "public",
            "closes_at": local(120),
        },
    )
    show = Live.objects.get()
    fan = english(client_for(make_account("粉絲")))

    manager.post(f"/activities/{show.id}/live/update/", {"text": "開場!"})
    fan.post(f"/activities/{show.id}/comment/", {"text": "好期待"})
    comment = Post.objects.get(root_id=show.post_id, author__handle="粉絲")
    manager.post(f"/activities/{show.id}/live/pin/", {"post": comment.id})
    watching = english(Client()).get(f"/activities/{show.id}/").content.decode()
    manager.post(f"/activities/{show.id}/live/end/")
    replay = english(Client()).get(f"/activities/{show.id}/").content.decode()
    stream = fan.get(f"/activities/{show.id}/events")

    assert (
        "data-live-src" in watching
        and "開場!" in watching
        and "好期待" in watching
        and "Highlights" in watching
    )
    assert "Replay" in replay and "data-live-src" not in replay and 'name="text"' not in replay
    assert stream.status_code == 200 and stream["Content-Type"] == "text/event-stream"
    stream.close()


@pytest.fixture
def internal_live(team):
    return live.create(
        team.employee,
        person=team.employee,
        title="內部直播",
        text="尾牙直播",
        closes_at=timezone.now() + dt.timedelta(hours=1),
        audience={"audience": "org", "organisation_id": team.org.id},
    )


PAGES = [
    ("get", "/activities/{id}/"),
    ("get", "/activities/{id}/events"),
    ("post", "/activities/{id}/comment/"),
    ("post", "/activities/{id}/live/update/"),
    ("post", "/activities/{id}/live/end/"),
]


@pytest.mark.parametrize("who", ["customer", "rival"])
@pytest.mark.parametrize("method, path", PAGES)
def test_an_internal_broadcast_is_missing_for_outsiders_and_nothing_changes(
    team, internal_live, client_for, who, method, path
):
    refused_alike(
        english(client_for(getattr(team, who))), method, path, internal_live.id, internal_live.id + 1
    )

    assert not Post.objects.filter(root_id=internal_live.post_id).exists()
    assert Live.objects.get().ended_at is None


@pytest.mark.parametrize("method, path", PAGES)
def test_a_logged_out_visitor_cannot_watch_or_act_on_an_internal_broadcast(team, internal_live, method, path):
    client = english(Client())

    response = getattr(client, method)(path.format(id=internal_live.id), {"text": "x"})

    if response.status_code == 302:
        assert response.url.startswith("/login/")
    else:
        refused_alike(client, method, path, internal_live.id, internal_live.id + 1)
    assert not Post.objects.filter(root_id=internal_live.post_id).exists()


def test_a_colleague_watches_and_comments_but_cannot_send_updates(team, internal_live, client_for):
    colleague = english(client_for(team.editor))

    page = colleague.get(f"/activities/{internal_live.id}/")
    colleague.post(f"/activities/{internal_live.id}/comment/", {"text": "加油"})
    refused_alike(colleague, "post", "/activities/{id}/live/update/", internal_live.id, internal_live.id + 1)

    assert page.status_code == 200
    assert list(Post.objects.filter(root_id=internal_live.post_id).values_list("text", flat=True)) == ["加油"]
