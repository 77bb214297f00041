"""The visibility matrix over the client API, generated from its URL patterns: every route is
classified and declares its scope; every route that takes the id of a post, list, notification,
conversation or picture answers those outside its audience exactly as it answers an id nobody
has, and changes nothing; every list the API serves keeps internal, group, followers-only and
direct posts from those outside their audience."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest
from django.urls import URLPattern

from tests.worlds import account, hooks, world_fixtures
from tidings.accounts.models import Account
from tidings.accounts.tokens import create_token
from tidings.api import urls as api_urls
from tidings.groups import services as groups
from tidings.notifications import services as messages
from tidings.notifications.models import Conversation, Notification
from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.posts.models import Favourite, Like, Media, Poll, PollVote, Post, ProfilePin
from tidings.posts.polls import PollSpec
from tidings.social import services as social
from tidings.social.models import Block, Follow, Mute

from ..web.helpers import missing_post_id, png_bytes
from .conftest import Api

pytestmark = pytest.mark.django_db

SECRETS = {"org": "機密甲", "group": "機密乙", "followers": "機密丙", "direct": "機密丁"}
OUTSIDERS = ["anonymous", "stranger", "outsider", "guest", "removed", "blocked"]


@dataclass
class World:
    people: dict[str, Account]
    hidden: dict[str, Post]  # by audience: seen by the author and colleague (followers: follower)
    public: Post
    org_id: int
    group_id: int
    notification: Notification
    conversation: Conversation
    media: Media
    tokens: dict[str, str]

    @cached_property
    def apis(self) -> dict[str, Api]:
        """A client for each person, and one with no token."""
        return {"anonymous": Api(), **{n: Api(token) for n, token in self.tokens.items()}}


def build() -> World:
    names = [
        "author",
        "colleague",
        "owner",
        "follower",
        "stranger",
        "outsider",
        "guest",
        "removed",
        "blocked",
    ]
    people = {n: account(n) for n in names}
    acme = orgs.create_organisation(slug="acme", name="Acme", owner=people["owner"])
    other = orgs.create_organisation(slug="other", name="Other", owner=people["outsider"])
    for n in ("author", "colleague", "removed"):
        orgs.add_member(acme, people[n], actor=people["owner"])
    orgs.add_member(acme, people["guest"], role="guest", actor=people["owner"])
    team = groups.create_group(acme, actor=people["author"], name="研發部")
    groups.join(team, people["colleague"])
    groups.join(team, people["removed"])
    with hooks():
        social.follow(people["follower"], account_id=people["author"].id)
        social.follow(people["blocked"], account_id=people["author"].id)
        social.block(people["author"], account_id=people["blocked"].id)
        picture = posts.upload_media(people["author"], data=png_bytes())
        hidden = {
            "org": posts.publish(
                people["author"],
                text=f"{SECRETS['org']} #機密#",
                audience="org",
                organisation_id=acme.id,
                poll=PollSpec(["同意", "反對"], expires_in=3600),
            ),
            "group": posts.publish(
                people["author"], text=f"{SECRETS['group']} #機密#", audience="group", group_id=team.id
            ),
            "followers": posts.publish(
                people["author"],
                text=f"{SECRETS['followers']} #機密#",
                audience="followers",
                media_ids=[picture.id],
            ),
            "direct": messages.send_message(
                people["author"], recipient_id=people["colleague"].id, text=SECRETS["direct"]
            ),
        }
        public = posts.publish(people["author"], text="公開的消息 #新聞#")
        posts.comment(people["colleague"], post_id=hidden["org"].id, text=f"{SECRETS['org']}留言 @author")
        posts.like(people["colleague"], post_id=hidden["group"].id)
    orgs.remove_member(acme, people["removed"], actor=people["owner"])
    with hooks():
        other_org_post = posts.publish(
            people["outsider"], text="別家的機密", audience="org", organisation_id=other.id
        )
    assert other_org_post.id
    tokens = {n: create_token(person, scopes="read write follow push") for n, person in people.items()}
    return World(
        people,
        hidden,
        public,
        acme.id,
        team.id,
        Notification.objects.filter(recipient=people["author"]).first(),  # type: ignore[arg-type]
        Conversation.objects.get(),
        picture,
        tokens,
    )


_world_built, world = world_fixtures(build)


def api_routes() -> list[tuple[str, str, Any]]:
    """(name, path pattern, view) of every API route."""
    out = []
    for outer in api_urls.urlpatterns:
        prefix = str(outer.pattern) if hasattr(outer, "url_patterns") else ""
        for p in getattr(outer, "url_patterns", [outer]):
            if isinstance(p, URLPattern):
                # "v1/statuses/(?P<status_id>[^/]+)/?$" reads as "v1/statuses/<str:status_id>".
                route = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"<str:\1>", str(p.pattern))
                out.append((p.name or "", prefix + route.lstrip("^").removesuffix("/?$"), p.callback))
    return out


def methods_of(view: Any) -> list[str]:
    declared = getattr(view, "api_methods", ("GET",))
    return [m for m in declared if m != "HEAD"]


def views_of(view: Any) -> list[Any]:
    declared = getattr(view, "api_methods", None)
    return list(declared.values()) if isinstance(declared, dict) else [view]


# OAuth's own routes speak OAuth (tests/api/test_oauth.py), not the API's scopes.
OAUTH_ROUTES = {"authorize", "token", "revoke", "oauth_metadata", "apps"}
# Incoming webhooks: a bot's own token, no OAuth scope (tests/extensions/test_bots.py).
HOOK_ROUTES = {"hook", "hook_with_token"}
# Routes any caller may use, with no scope to hold: what the server is and offers.
OPEN_ROUTES = {
    "instance_v1",
    "instance_v2",
    "custom_emojis",
    "announcements",
    "filters",
    "filters_v1",
    "follow_requests",
    "trends",
    "trends_tags",
    "apps_verify",
    "streaming_health",
    "openapi",  # the OpenAPI document of these routes
    "api_missing",  # a JSON 404 for any other path under /api/
}


def test_every_native_operation_declares_its_token_and_scope():
    from tidings.accounts import scopes
    from tidings.api.native.auth import Token
    from tidings.api.native.routes import router

    for path, view in router.path_operations.items():
        for operation in view.operations:
            [auth] = operation.auth_callbacks
            assert isinstance(auth, Token), path
            assert auth.scope in scopes.ALL, path


def test_every_api_route_is_classified_and_declares_its_scope():
    unclassified = []
    for name, path, view in api_routes():
        if name in OAUTH_ROUTES | HOOK_ROUTES or path.startswith("api/tidings/v1/"):
            continue  # the native API declares its own: the test above
        for v in views_of(view):
            if not hasattr(v, "api_scope"):
                unclassified.append(name)
            elif v.api_scope is None and name not in OPEN_ROUTES:
                unclassified.append(name)
    assert unclassified == []


PARAMS = ("status_id", "list_id", "notification_id", "conversation_id", "media_id", "poll_id")


def fill(path: str, value: str) -> str:
    return re.sub(r"<str:\w+>", value, path)


def object_routes() -> list[tuple[str, str, str]]:
    """(name, method, path) for every route that takes an object id other than an account's."""
    out = []
    for name, path, view in api_routes():
        if any(f"<str:{p}>" in path for p in PARAMS):
            out += [(name, m, path) for m in methods_of(view)]
    return out


def snapshot() -> tuple[Any, ...]:
    return (
        sorted(Post.objects.values_list("id", "text", "likes_count", "reposts_count", "comments_count")),
        Like.objects.count(),
        Favourite.objects.count(),
        ProfilePin.objects.count(),
        Follow.objects.count(),
        Block.objects.count(),
        Mute.objects.count(),
        Notification.objects.count(),
        sorted(Media.objects.values_list("id", "description", "post_id")),
        sorted(Conversation.objects.values_list("id", "low_read_id", "high_read_id")),
        PollVote.objects.count(),
    )


def call(api: Api, method: str, url: str) -> Any:
    if method in ("GET", "DELETE"):
        return getattr(api, method.lower())(url)
    return getattr(api, method.lower())(url, {"status": "改寫", "description": "改寫", "choices": ["0"]})


def target_ids(world: World, path: str) -> list[tuple[str, str]]:
    """(hidden id, missing id) pairs for the kind of object the path takes."""
    if "<str:list_id>" in path:
        return [(f"org-{world.org_id}", "org-1"), (f"group-{world.group_id}", "group-1")]
    if "<str:notification_id>" in path:
        n = world.notification.id
        return [(str(n), str(n + 7))]
    if "<str:conversation_id>" in path:
        c = world.conversation.id
        return [(str(c), str(c + 7))]
    if "<str:poll_id>" in path:
        poll = Poll.objects.get()
        return [(str(poll.id), str(poll.id + 7))]
    if "<str:media_id>" in path:
        m = world.media.id
        return [(str(m), str(m + 7))]
    return [(str(p.id), str(missing_post_id(p.id))) for p in world.hidden.values()]


ROUTES = object_routes()


@pytest.mark.parametrize(("name", "method", "path"), ROUTES, ids=[f"{m}:{n}" for n, m, _p in ROUTES])
def test_an_outsider_gets_the_answer_for_a_missing_id_and_nothing_changes(world, name, method, path):
    before = snapshot()
    for who in OUTSIDERS:
        api = world.apis[who]
        for hidden, missing in target_ids(world, path):
            refused = call(api, method, "/" + fill(path, hidden))
            absent = call(api, method, "/" + fill(path, missing))

            assert refused.status_code in (401, 404), (
                who,
                name,
                hidden,
                refused.status_code,
                refused.content,
            )
            assert (refused.status_code, refused.content) == (absent.status_code, absent.content), (
                who,
                hidden,
            )
            assert not any(s.encode() in refused.content for s in SECRETS.values())
    assert snapshot() == before


def test_ids_of_the_wrong_kind_are_simply_not_found(world):
    api = world.apis["author"]
    for url in [
        f"/api/v1/statuses/{world.people['colleague'].id}",
        "/api/v1/statuses/abc",
        "/api/v1/statuses/-1",
        "/api/v1/statuses/99999999999999999999999",
        f"/api/v1/accounts/{world.public.id}",
        "/api/v1/lists/acme",
        f"/api/v1/notifications/{world.public.id}",
    ]:
        response = api.get(url)
        assert response.status_code == 404, url
        assert "error" in response.json()


def narrowest_token_without(scope: str, person: Account) -> Api:
    return Api(create_token(person, scopes="push"))


def scoped_routes() -> list[tuple[str, str, str, str]]:
    out = []
    for name, path, view in api_routes():
        if name in OAUTH_ROUTES:
            continue
        declared = getattr(view, "api_methods", ("GET",))
        pairs = declared.items() if isinstance(declared, dict) else [(m, view) for m in declared]
        for method, v in pairs:
            if method != "HEAD" and getattr(v, "api_scope", None):
                out.append((name, method, path, v.api_scope))
    return out


SCOPED = scoped_routes()


@pytest.mark.parametrize(
    ("name", "method", "path", "scope"), SCOPED, ids=[f"{m}:{n}" for n, m, _p, _s in SCOPED]
)
def test_a_token_without_the_routes_scope_gets_403_and_changes_nothing(world, name, method, path, scope):
    api = narrowest_token_without(scope, world.people["author"])
    before = snapshot()

    response = call(api, method, "/" + fill(path, str(world.public.id)))

    assert response.status_code == 403, (name, response.status_code, response.content)
    assert response.json() == {"error": "This action is outside the authorized scopes"}
    assert snapshot() == before


# --- lists: what each viewer's reads may hold -----------------------------------------------------

READERS = ["author", "colleague", "follower", *OUTSIDERS]
SEES = {
    "author": set(SECRETS),
    "colleague": {"org", "group", "direct"},
    "follower": {"followers"},
}


def list_urls(world: World) -> list[str]:
    author = world.people["author"].id
    return [
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        "/api/v1/timelines/public?local=true",
        "/api/v1/timelines/tag/機密",
        f"/api/v1/accounts/{author}/statuses",
        f"/api/v1/accounts/{author}/statuses?pinned=true",
        f"/api/v1/timelines/list/org-{world.org_id}",
        f"/api/v1/timelines/list/group-{world.group_id}",
        "/api/v1/lists",
        "/api/v1/bookmarks",
        "/api/v1/favourites",
        "/api/v1/notifications",
        "/api/v1/conversations",
        "/api/v2/search?q=機密",
        "/api/v1/trends/tags",
        f"/api/v1/statuses/{world.public.id}/context",
        f"/api/v1/statuses/{world.public.id}/reblogged_by",
        f"/api/v1/statuses/{world.public.id}/favourited_by",
    ]


@pytest.mark.parametrize("who", READERS)
def test_no_list_the_api_serves_shows_a_post_outside_its_audience(world, who):
    api = world.apis[who]
    seen: set[str] = set()
    for url in list_urls(world):
        response = api.get(url)
        if response.status_code != 200:
            assert response.status_code in (401, 404), (url, response.status_code)
            continue
        body = response.content.decode()
        for audience, secret in SECRETS.items():
            if secret in body:
                seen.add(audience)
                assert audience in SEES.get(who, set()), (who, url, audience)
    if who == "colleague":
        assert {"org", "group", "direct"} <= seen  # through the lists, the conversations and search
    if who == "follower":
        assert "followers" in seen


def test_the_lists_of_a_member_are_their_spaces_only(world):
    colleague = json.loads(world.apis["colleague"].get("/api/v1/lists").content)
    outsider = json.loads(world.apis["outsider"].get("/api/v1/lists").content)

    assert {item["id"] for item in colleague} == {f"org-{world.org_id}", f"group-{world.group_id}"}
    assert all(not item["id"].endswith(str(world.org_id)) for item in outsider)


@pytest.mark.parametrize(
    "path", ["/api/v1/push/subscription", "/api/v1/admin/accounts", "/api/tidings/v1/nothing"]
)
def test_a_route_the_api_does_not_have_is_a_json_404(world, path):
    response = world.apis["author"].post(path, {})

    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
