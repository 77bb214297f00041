"""Tenancy, generated from the URL patterns: every web page and native API route that takes the id
of something an organisation keeps to itself (an internal post, a private group, a case, a draft,
an internal activity, a monitor, a task, a webhook, the ops pages of its official account...)
answers a member of another organisation and a logged-out visitor exactly as it answers an id
nobody has, and changes nothing. A new route with a parameter fails here until it is classified.

The Mastodon routes have the same proof in tests/api/test_api_access.py (six kinds of outsider,
every id kind, and a token without the route's scope); the native API's scopes are checked below.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.api.conftest import Api
from tests.ops.conftest import Team, team
from tests.web.helpers import comparable, png_bytes
from tidings.accounts.models import Account
from tidings.accounts.scopes import ALL as ALL_SCOPES
from tidings.accounts.tokens import create_token
from tidings.activities import quizzes
from tidings.extensions import bots
from tidings.extensions import services as apps
from tidings.extensions.projects import services as projects
from tidings.extensions.taskboard import services as tasks
from tidings.groups import services as groups
from tidings.notifications import services as messages
from tidings.ops import drafts
from tidings.ops.models import Case
from tidings.orgs import policy
from tidings.orgs.models import HeldPost
from tidings.posts import services as posts
from tidings.posts.polls import PollSpec
from tidings.search import monitors

__all__ = ["team"]

pytestmark = pytest.mark.django_db

SECRET = "機密X15"  # in every object's text: never in a refusal

# Routes whose parameter names something the public may see by design, with where their own
# refusals (blocks, followers-only posts, tampered tokens) are tested.
PUBLIC_BY_DESIGN = {
    "web:profile",  # accounts are public: tests/web/test_access.py (blocks)
    "web:followers",
    "web:following",
    "web:relation",
    "web:faq",  # an official account's public answers: tests/ops/test_ops_web.py
    "web:ideas",  # a brand's public idea board: tests/activities/test_ideas.py
    "web:idea",
    "web:idea_vote",
    "web:idea_answer",
    "web:brand",  # a company's public brand page: tests/web/test_spaces.py
    "web:ask_to_join",
    "web:topic",  # a topic lists what the viewer may see: tests/search/
    "web:conversation",  # a conversation with @handle holds only the viewer's own: test_access.py
    "native:organisation",  # what the brand page shows: name, official accounts
    "web:media",  # internal pictures: test_access.py, same body for a missing file
}
# The token in the address is itself the secret: a wrong one is tested in tests/web/test_joining.py.
TOKEN_ROUTES = {"web:confirm_email", "web:accept_invitation", "web:password_reset_confirm"}
MASTODON = "mastodon:"  # tests/api/test_api_access.py
# The action each route is tried with: one that does something for those allowed.
ACTIONS = {
    "web:toggle": "like",
    "web:ops_draft_action": "submit",
    "web:ops_case_action": "note",
    "web:activity_live": "end",
    "web:group_action": "join",
    "web:admin_action": "settings",
    "web:admin_apps_action": "install",
    "web:verify_domain": "a-token-nobody-has",
    "hook_with_token": "a-token-nobody-has",
}


@dataclass
class World:
    team: Team
    ids: dict[str, str]  # parameter -> the organisation's secret object
    missing: dict[str, str]  # parameter -> an id of that kind nobody has


@pytest.fixture
def world(team: Team, run_hooks: Any) -> World:
    org, admin, manager = team.org, team.admin, team.manager
    org.members_may_create_groups = True
    org.save(update_fields=["members_may_create_groups"])
    group = groups.create_group(org, actor=manager, name="產品組", kind="private")
    groups.invite(group, team.employee, actor=manager)
    for key in ("tasks", "projects"):
        apps.install(admin, key, organisation=org)
    with run_hooks():
        inside = posts.publish(
            team.employee,
            text=f"{SECRET} @經理 內部消息",
            audience="org",
            organisation_id=org.id,
            poll=PollSpec(["同意", "反對"], expires_in=3600),
        )
        posts.publish(manager, text=f"{SECRET} 群組消息", audience="group", group_id=group.id)
        posts.publish(team.customer, text="@示範客服 我的訂單還沒到")
        messages.send_message(team.employee, recipient_id=manager.id, text=f"{SECRET} 私訊")
    quiz = quizzes.create(
        team.employee,
        person=team.employee,
        title=f"{SECRET} 內部問答",
        text="猜猜新品代號",
        options=["X15", "X16"],
        answer=0,
        closes_at=timezone.now() + dt.timedelta(days=1),
        prizes=1,
        audience={"audience": "org", "organisation_id": org.id},
    )
    draft = drafts.write(team.account, person=team.editor, text=f"{SECRET} 草稿")
    monitor = monitors.create(manager, team.account, name=f"{SECRET} 監測", query="示範")
    task = tasks.create(manager, group_id=group.id, title=f"{SECRET} 任務", assignees=["員工"])
    project = projects.create(manager, group_id=group.id, name=f"{SECRET} 專案")
    problem = projects.post_update(manager, project.id, kind="problem", text=f"{SECRET} 問題")
    rule = policy.add_rule(org, actor=admin, pattern="外洩", is_regex=False, action="hold", reason="外洩")
    held = posts.publish(team.employee, text="外洩的價格表")
    webhook = apps.add_webhook(admin, org, url="https://93.184.216.34/hook", events=["post"])
    bot, _token = bots.create(admin, org, handle="shop-bot", audience="org")
    picture = posts.upload_media(team.employee, data=png_bytes())
    Client().force_login(team.employee)  # a session of the employee's
    create_token(team.employee, scopes="read")

    session_model = django_apps.get_model("accounts", "AccountSession")
    token_model = django_apps.get_model("oauth2_provider", "AccessToken")
    ids = {
        "post_id": inside.id,
        "status_id": inside.id,
        "group_id": group.id,
        "activity_id": quiz.id,
        "case_id": Case.objects.get(account=team.account).id,
        "draft_id": draft.id,
        "monitor_id": monitor.id,
        "task_id": task.id,
        "project_id": project.id,
        "problem_id": problem.id,
        "rule_id": rule.id,
        "webhook_id": webhook.id,
        "bot_id": bot.id,
        "session_id": session_model.objects.get(account=team.employee).id,
        "token_id": token_model.objects.get(user=team.employee).id,
        "media_id": picture.id,
    }
    assert HeldPost.objects.filter(post=held).exists()
    largest = max(ids.values())
    missing = {name: str(largest + 1000 + n) for n, name in enumerate(ids)}
    as_text = {name: str(value) for name, value in ids.items()}
    as_text |= {"slug": org.slug, "handle": team.account.handle, "key": "hours", "number": "0"}
    missing |= {"slug": "no-such-company", "handle": "查無此人", "key": "hours", "number": "0"}
    return World(team, as_text, missing)


def routes() -> list[tuple[str, str]]:
    """(namespace:name, path pattern with <param>) of every route that takes a parameter."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> list[tuple[str, str]]:
        out = []
        for p in patterns:
            if isinstance(p, URLResolver):
                out += walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
            elif isinstance(p, URLPattern):
                path = prefix + re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"<\1>", str(p.pattern))
                path = path.replace("^", "").removesuffix("/?$")
                if "<" in path:
                    out.append((f"{namespace}:{p.name}" if namespace else p.name, path))
        return out

    return walk(get_resolver().url_patterns, "/", "")


def fill(name: str, path: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        param = match.group(2)
        if param in ("action", "token"):
            return ACTIONS[name]
        if param == "rest":
            return "board/"
        return values[param]

    return re.sub(r"<(\w+:)?(\w+)>", value, path)


def checked_routes() -> list[tuple[str, str]]:
    skipped = PUBLIC_BY_DESIGN | TOKEN_ROUTES
    return [(n, p) for n, p in routes() if n not in skipped and not n.startswith(MASTODON)]


def test_every_route_with_a_parameter_is_checked_here_or_named_with_its_reason(world):
    """A new route fails here until its parameter has a secret object in the world above, or it
    is named public by design (with the file that tests its own refusals)."""
    params = set(world.ids) | {"action", "token", "rest"}
    unknown = []
    for name, path in checked_routes():
        for param in re.findall(r"<(?:\w+:)?(\w+)>", path):
            if param not in params or (param in ("action", "token") and name not in ACTIONS):
                unknown.append((name, param))
    assert unknown == []


def snapshot() -> dict[str, int]:
    """Rows of every table a refused request could have added to or taken from."""
    noisy = {"ratecounter", "accountsession", "auditentry", "searchlog"}
    return {
        m._meta.label: m.objects.count()
        for m in django_apps.get_models()
        if m._meta.managed and m._meta.model_name not in noisy and not m._meta.proxy
    }


def texts() -> list[str]:
    from tidings.ops.models import Draft
    from tidings.posts.models import Post

    return sorted(Post.objects.values_list("text", flat=True)) + sorted(
        Draft.objects.values_list("text", "status")  # type: ignore[arg-type]
    )


# A body each write route accepts, so a refusal comes from the object, not from the form.
API_BODY = {
    "text": "改寫",
    "status": "done",
    "name": "改寫",
    "kind": "status",
    "pattern": "改寫",
    "is_regex": False,
    "action": "hold",
    "reason": "改寫",
    "approve": True,
    "proposal": "1",
}


def ask(client: Any, method: str, url: str) -> Any:
    if isinstance(client, Api):
        send = {"GET": client.get, "POST": client.post, "PUT": client.put}.get(method)
        if send is not None:
            return send(url) if method == "GET" else send(url, API_BODY)
        return getattr(client.client, method.lower())(
            url, json.dumps(API_BODY), content_type="application/json", headers=client._headers({})
        )
    data = {"text": "改寫", "name": "改寫", "handle": "對手", "choice": "0"}
    return client.get(url) if method == "GET" else client.post(url, data)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def blank(content: bytes, url: str, values: dict[str, str]) -> str:
    """The answer with its CSRF token, the address asked for and the ids in it blanked out."""
    variable = [url, quote(url), quote(url, safe="/@"), *(v for v in values.values() if len(v) > 2)]
    return comparable(content, *sorted(variable, key=len, reverse=True))


def refused_like_missing(client: Any, name: str, path: str, world: World) -> list[str]:
    """Problems with `client`'s answers on one route (empty when each method answers the
    organisation's object exactly as an id nobody has)."""
    problems = []
    api = isinstance(client, Api)
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] if api else ["GET", "POST"]
    hidden_url, missing_url = fill(name, path, world.ids), fill(name, path, world.missing)
    answered = 0
    for method in methods:
        refused, absent = ask(client, method, hidden_url), ask(client, method, missing_url)
        refused_body, absent_body = body(refused), body(absent)
        if refused.status_code == 405 and absent.status_code == 405:
            continue
        answered += 1
        same = (
            refused.status_code == absent.status_code
            and refused.get("Content-Type") == absent.get("Content-Type")
            and refused.get("Location", "").split("?")[0] == absent.get("Location", "").split("?")[0]
            and blank(refused_body, hidden_url, world.ids) == blank(absent_body, missing_url, world.missing)
        )
        if not same:
            problems.append(
                f"{method} {hidden_url}: {refused.status_code} but {absent.status_code} for a missing id"
            )
        login = refused.status_code == 302 and refused["Location"].startswith("/login/")
        if refused.status_code not in (401, 404) and not login:
            problems.append(f"{method} {hidden_url}: {refused.status_code} {refused_body[:200]!r}")
        if SECRET.encode() in refused_body:
            problems.append(f"{method} {hidden_url}: shows the secret")
    if not answered:
        problems.append(f"{name}: no method answered")
    return problems


@pytest.mark.parametrize("who", ["rival", "anonymous"])
def test_another_companys_member_and_a_logged_out_visitor_get_the_answer_for_a_missing_id(
    world, who, settings
):
    settings.API_REQUESTS_PER_5_MINUTES = 100_000
    rival: Account = world.team.rival
    if who == "rival":
        web: Any = Client(HTTP_ACCEPT_LANGUAGE="en")
        web.force_login(rival)
        api = Api(create_token(rival, scopes=" ".join(sorted(ALL_SCOPES))))
    else:
        web, api = Client(HTTP_ACCEPT_LANGUAGE="en"), Api()
    before, before_texts = snapshot(), texts()

    problems = []
    for name, path in checked_routes():
        client = api if path.startswith(("/api/", "/hooks/")) else web
        problems += refused_like_missing(client, name, path, world)

    assert problems == [], "\n".join(problems)
    assert snapshot() == before and texts() == before_texts


def test_the_organisations_own_people_reach_each_object_the_outsiders_were_refused(world):
    """The check above would pass on ids nobody has: each id it used opens for those inside."""
    team = world.team
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(team.manager)
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(team.admin)
    employee = Client(HTTP_ACCEPT_LANGUAGE="en")
    employee.force_login(team.employee)
    pages = {
        employee: [
            "/p/{post_id}/",
            "/o/{slug}/",
            "/o/{slug}/g/{group_id}/",
            "/activities/{activity_id}/",
            "/settings/sessions/",
        ],
        staff: [
            "/ops/cases/{case_id}/",
            "/ops/drafts/{draft_id}/",
            "/monitors/{monitor_id}/",
            "/ops/@{handle}/",
        ],
        admin: ["/o/{slug}/admin/", "/o/{slug}/admin/webhooks/{webhook_id}/", "/o/{slug}/analytics/"],
    }
    for client, urls in pages.items():
        for url in urls:
            response = client.get(url.format(**world.ids))
            assert response.status_code == 200, url
    native = Api(create_token(team.manager, scopes="read"))
    for url in [
        "/api/tidings/v1/groups/{group_id}",
        "/api/tidings/v1/tasks/{task_id}",
        "/api/tidings/v1/projects/{project_id}",
        "/api/tidings/v1/monitors/{monitor_id}",
        "/api/tidings/v1/posts/{post_id}",
        "/api/tidings/v1/organisations/{slug}",
    ]:
        assert native.get(url.format(**world.ids)).status_code == 200, url


def native_operations() -> list[tuple[str, str, Any]]:
    """(method, path, auth) of every operation of every router of the native API."""
    from tidings.api.native.api import api as native

    out = []
    for _prefix, router in native._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                out += [(m, path, operation.auth_callbacks) for m in operation.methods]
    return out


NATIVE = native_operations()


def test_every_native_operation_of_every_router_declares_its_token_and_scope():
    from tidings.api.native.auth import Token

    assert len({p for _m, p, _a in NATIVE}) > 20  # all the routers, not just the first
    for method, path, auth in NATIVE:
        assert len(auth) == 1 and isinstance(auth[0], Token), (method, path)
        assert auth[0].scope in ALL_SCOPES, (method, path)


@pytest.mark.parametrize(("method", "path", "auth"), NATIVE, ids=[f"{m}:{p}" for m, p, _a in NATIVE])
def test_a_token_with_every_scope_but_the_operations_gets_403_and_changes_nothing(world, method, path, auth):
    from tidings.accounts import scopes

    needed = auth[0].scope
    others = [s for s in ALL_SCOPES if not scopes.allows(scopes.parse(s), needed)]
    api = Api(create_token(world.team.admin, scopes=" ".join(others)))
    url = "/api/tidings/v1" + re.sub(r"\{(\w+)\}", lambda m: world.ids[m.group(1)], path)
    before = snapshot()

    response = ask(api, method, url)

    assert response.status_code == 403, (url, response.status_code, response.content)
    assert response.json() == {"error": "This action is outside the authorized scopes"}
    assert snapshot() == before
