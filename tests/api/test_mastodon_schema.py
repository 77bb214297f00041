"""The Mastodon-compatible routes against their OpenAPI document (/api/v1/openapi.json): the
document describes every route and method there is; Schemathesis, signed in as an employee with
posts, follows, notifications and messages (so ids hit real objects), finds no 5xx, every answer
as documented, and no route that lets a request through without its token; and every route that
needs a token refuses a request without one or with a garbage one."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.worlds import account, hooks, world_fixtures
from tidings.accounts.tokens import create_token
from tidings.api.mastodon import streaming
from tidings.api.mastodon.openapi import document
from tidings.api.urls import mastodon_patterns
from tidings.groups import services as groups
from tidings.notifications import services as messages
from tidings.notifications.models import Notification
from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.posts.models import Poll
from tidings.posts.polls import PollSpec
from tidings.social import services as social

from ..web.helpers import png_bytes
from .conftest import Api

pytestmark = pytest.mark.django_db

# What the fixture made, by parameter name: generated ids are joined by these real ones.
REAL: dict[str, list[Any]] = {}


def build() -> dict[str, Any]:
    me, friend, fan = account("reader"), account("friend"), account("fan")
    acme = orgs.create_organisation(slug="acme", name="Acme", owner=friend)
    orgs.add_member(acme, me, actor=friend)
    team = groups.create_group(acme, actor=me, name="研發部")
    with hooks():
        social.follow(me, account_id=friend.id)
        social.follow(fan, account_id=me.id)
        picture = posts.upload_media(me, data=png_bytes())
        loose = posts.upload_media(me, data=png_bytes())
        mine = posts.publish(me, text="公開的消息 #新聞#", media_ids=[picture.id])
        asking = posts.publish(me, text="投票", poll=PollSpec(["好", "不好"], expires_in=3600))
        inside = posts.publish(me, text="內部消息", audience="org", organisation_id=acme.id)
        theirs = posts.publish(friend, text="朋友的消息 @reader")
        reply = posts.comment(friend, post_id=mine.id, text="留言 @reader")
        reposted = posts.repost(fan, post_id=mine.id, comment="轉發")
        posts.like(fan, post_id=mine.id)
        posts.like(me, post_id=theirs.id)
        posts.favourite(me, post_id=theirs.id)
        posts.pin_to_profile(me, post_id=mine.id)
        message = messages.send_message(friend, recipient_id=me.id, text="私信")
    statuses = [mine, asking, inside, theirs, reply, reposted, message]
    REAL.update(
        status_id=[str(p.id) for p in statuses],
        account_id=[str(a.id) for a in (me, friend, fan)],
        poll_id=[str(Poll.objects.get().id)],
        list_id=[f"org-{acme.id}", f"group-{team.id}"],
        list=[f"org-{acme.id}", f"group-{team.id}"],
        notification_id=[str(n.id) for n in Notification.objects.filter(recipient=me)],
        conversation_id=[str(message.conversation_id)],
        media_id=[str(picture.id), str(loose.id)],
        name=["新聞"],
        tag=["新聞"],
        acct=["friend", "reader"],
        q=["消息", "friend", "新聞"],
        in_reply_to_id=[str(mine.id), str(message.id)],
        quoted_status_id=[str(theirs.id)],
        media_ids=[[str(loose.id)]],
        file=[png_bytes()],
        avatar=[png_bytes()],
        **{"id[]": [str(friend.id)]},
    )
    assert REAL["notification_id"] and REAL["conversation_id"]
    return {"me": me, "token": create_token(me, scopes="read write follow push")}


_world_built, world = world_fixtures(build)


@pytest.fixture
def open_doors(settings, monkeypatch):
    """Rate limits high enough for a few hundred requests, and event streams that end at once."""
    settings.API_REQUESTS_PER_5_MINUTES = 100_000
    settings.WRITES_PER_MINUTE = 100_000
    monkeypatch.setattr(streaming, "WAIT_SECONDS", 0.0)
    monkeypatch.setattr(streaming, "STREAM_SECONDS", 0.05)


@pytest.fixture
def keep_connection():
    """The WSGI app is called in-process, as Django's test client does; like it, keep the test's
    database connection (and its transaction) open across requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def routes() -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every Mastodon route, read from the URL patterns."""
    out = set()
    for p in mastodon_patterns:
        path = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", str(p.pattern.regex.pattern))
        path = "/api/" + path.lstrip("^").removesuffix("/?$").replace("\\", "")
        declared = getattr(p.callback, "api_methods", ("GET",))
        out |= {(path, m.lower()) for m in declared if m != "HEAD"}
    return out


def test_the_document_describes_every_mastodon_route_and_method_and_nothing_else():
    described = {(path, method) for path, methods in document()["paths"].items() for method in methods}

    assert described == routes()


def test_the_document_is_served_to_anyone():
    response = Api().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json() == document()
    assert response.json()["openapi"] == "3.1.0"


def test_each_operation_asks_for_the_scope_its_route_declares():
    status = document()["paths"]["/api/v1/statuses/{status_id}"]

    assert status["get"]["security"] == [{"bearer": ["read:statuses"]}, {}]  # public, a token may say more
    assert status["delete"]["security"] == [{"bearer": ["write:statuses"]}]
    assert document()["paths"]["/api/v1/instance"]["get"]["security"] == []


def fill(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: REAL.get(m.group(1), ["1"])[0], path)


def needing_a_token() -> list[tuple[str, str]]:
    return sorted(
        (path, method)
        for path, methods in document()["paths"].items()
        for method, operation in methods.items()
        if operation["security"] and {} not in operation["security"]
    )


def test_every_route_that_needs_a_token_refuses_none_and_a_garbage_one(world, open_doors):
    nobody, garbage = Api(), Api("not-a-token-" + "x" * 30)
    refused = []
    for path, method in needing_a_token():
        url = fill(path)
        for api in (nobody, garbage):
            response = getattr(api.client, method)(url, headers=api._headers({}))
            refused.append((method, path, response.status_code, response.json()))

    assert len(needing_a_token()) > 40  # timelines, notifications, every write...
    assert {(status, str(body)) for _m, _p, status, body in refused} == {
        (401, "{'error': 'The access token is invalid'}")
    }


def test_options_says_what_a_route_takes_and_never_runs_it(world, open_doors):
    """Schemathesis's probes found OPTIONS ran the route: OPTIONS /api/v1/notifications/clear
    dismissed every notification."""
    api = Api(world["token"])
    before = Notification.objects.filter(recipient=world["me"]).count()

    response = api.client.options("/api/v1/notifications/clear", headers=api._headers({}))

    assert response.status_code == 204
    assert response["Allow"] == "POST, OPTIONS"
    assert Notification.objects.filter(recipient=world["me"]).count() == before > 0
    # A route of several views says all they take.
    response = api.client.options(f"/api/v1/statuses/{REAL['status_id'][0]}", headers=api._headers({}))
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, DELETE, PUT, OPTIONS"


@pytest.mark.parametrize("account_id", ["abc", "-1", "³"])
def test_notifications_from_an_account_nobody_has_are_an_empty_page(world, open_doors, account_id):
    """Schemathesis found `?account_id=abc` answered 404, a status the route does not have;
    Mastodon answers an empty list."""
    api = Api(world["token"])

    response = api.get("/api/v1/notifications", {"account_id": account_id})
    everything = api.get("/api/v1/notifications")

    assert response.status_code == 200 and response.json() == []
    assert everything.json()  # the filter, not an empty inbox, made it empty


# --- Schemathesis --------------------------------------------------------------------------------

schema = schemathesis.openapi.from_dict(document())
schema.app = get_wsgi_application()


def _with_real(values: Any, *, droppable: tuple[str, ...] = ()) -> Any:
    """The generated values, or with one of them swapped for a real one, or without the ids
    that would send a request elsewhere (a random reply target makes every new post a 404)."""
    if not isinstance(values, dict):
        return st.just(values)
    choices = [values]
    for name in values:
        choices += [{**values, name: real} for real in REAL.get(name, [])]
    if set(droppable) & set(values):
        choices.append({k: v for k, v in values.items() if k not in droppable})
    return st.sampled_from(choices)


@schema.hook("flatmap_path_parameters")
def real_path_ids(context: Any, parameters: Any) -> Any:
    return _with_real(parameters)


@schema.hook("flatmap_query")
def real_query_values(context: Any, query: Any) -> Any:
    return _with_real(query)


@schema.hook("flatmap_body")
def real_body_values(context: Any, body: Any) -> Any:
    return _with_real(body, droppable=("in_reply_to_id", "quoted_status_id", "poll"))


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_mastodon_api_never_fails_answers_as_documented_and_needs_its_token(
    case, world, open_doors, keep_connection
):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world['token']}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            ignored_auth,
        ],
    )
