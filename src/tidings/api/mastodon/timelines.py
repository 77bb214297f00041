"""/api/v1/timelines and lists. An organisation's internal timeline and each of the person's
groups are offered as lists (`org-<id>`, `group-<id>`), so a stock client reads the inside too."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tidings.accounts.models import Account
from tidings.api.mastodon.common import Paged, api, window_of
from tidings.api.mastodon.serializers import Serializer
from tidings.core.audience import groups_of, insider_of
from tidings.core.errors import NotFound
from tidings.core.text import is_id
from tidings.groups.models import Group
from tidings.orgs.models import Organisation
from tidings.posts import selectors as posts
from tidings.posts.selectors import Page
from tidings.timelines.selectors import home_timeline


def paged(request: HttpRequest, page: Page) -> Paged:
    ids = page.ids
    data = Serializer(request).statuses_of(ids)
    return Paged(data, ids[0] if ids else None, ids[-1] if ids else None, more=page.next_max_id is not None)


def _window(request: HttpRequest) -> dict[str, Any]:
    w = window_of(request)
    return {"max_id": w.max_id, "limit": w.limit, "since_id": w.since_id, "min_id": w.min_id}


@api(scope="read:statuses", user=True)
def home(request: HttpRequest) -> Any:
    assert isinstance(request.user, Account)
    return paged(request, home_timeline(request.user, **_window(request)))


@api(auth=False, scope="read:statuses")
def public(request: HttpRequest) -> Any:
    # One server: "local" and the whole federated timeline are the same public square.
    return paged(request, posts.public_posts(request.user, **_window(request)))


@api(auth=False, scope="read:statuses")
def tag(request: HttpRequest, name: str) -> Any:
    topic = posts.topic_by_name(name)
    return paged(request, posts.topic_posts(request.user, topic, **_window(request)))


def my_lists(viewer: Account) -> list[dict[str, Any]]:
    orgs = Organisation.objects.filter(id__in=insider_of(viewer.id)).order_by("name")
    groups = Group.objects.filter(id__in=groups_of(viewer.id)).select_related("organisation").order_by("name")
    out = [{"id": f"org-{o.id}", "title": o.name, "replies_policy": "list", "exclusive": False} for o in orgs]
    out += [
        {
            "id": f"group-{g.id}",
            "title": f"{g.organisation.name} · {g.name}",
            "replies_policy": "list",
            "exclusive": False,
        }
        for g in groups
    ]
    return out


@api(scope="read:lists", user=True)
def lists(request: HttpRequest) -> Any:
    assert isinstance(request.user, Account)
    return my_lists(request.user)


def space_of(viewer: Account, list_id: str) -> tuple[int, int | None]:
    """(organisation id, group id or None) for a list id the viewer may read; else not found."""
    kind, _sep, raw = list_id.partition("-")
    if not is_id(raw):
        raise NotFound()
    if kind == "org" and insider_of(viewer.id).filter(organisation_id=int(raw)).exists():
        return int(raw), None
    if kind == "group" and groups_of(viewer.id).filter(group_id=int(raw)).exists():
        group = Group.objects.get(id=int(raw))
        return group.organisation_id, group.id
    raise NotFound()


@api(scope="read:lists", user=True)
def list_detail(request: HttpRequest, list_id: str) -> Any:
    assert isinstance(request.user, Account)
    space_of(request.user, list_id)
    return next(item for item in my_lists(request.user) if item["id"] == list_id)


@api(scope="read:lists", user=True)
def list_timeline(request: HttpRequest, list_id: str) -> Any:
    assert isinstance(request.user, Account)
    organisation_id, group_id = space_of(request.user, list_id)
    page = posts.space_posts(
        request.user, organisation_id=organisation_id, group_id=group_id, **_window(request)
    )
    return paged(request, page)


@api(scope="read:bookmarks", user=True)
def bookmarks(request: HttpRequest) -> Any:
    return paged(request, posts.favourite_posts(request.user, **_window(request)))


@api(scope="read:favourites", user=True)
def favourites(request: HttpRequest) -> Any:
    return paged(request, posts.liked_posts(request.user, **_window(request)))
