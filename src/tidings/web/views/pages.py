"""Pages that read: timelines, profiles, topics, a post with its comments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.core.errors import NotFound
from tidings.groups.selectors import is_pinned, may_pin
from tidings.posts import selectors as posts
from tidings.search import selectors as search
from tidings.social.selectors import follow_page, hidden_author_ids, relationship
from tidings.timelines.selectors import home_timeline
from tidings.web.views.common import max_id


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def security_txt(request: HttpRequest) -> HttpResponse:
    """Where to report a vulnerability (RFC 9116), when the operator has said so."""
    if not settings.SECURITY_CONTACT:
        raise NotFound()
    expires = (timezone.now() + dt.timedelta(days=365)).replace(microsecond=0)
    lines = [
        f"Contact: {settings.SECURITY_CONTACT}",
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: zh-Hant, zh-Hans, en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _sidebar() -> dict[str, object]:
    return {"trending": search.trending_topics(limit=8)}


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return public(request)
    assert isinstance(request.user, Account)
    page = home_timeline(request.user, max_id=max_id(request))
    return render(request, "tidings/home.html", {"page": page, "nav": "home", **_sidebar()})


def public(request: HttpRequest) -> HttpResponse:
    page = posts.public_posts(request.user, max_id=max_id(request))
    return render(request, "tidings/public.html", {"page": page, "nav": "public", **_sidebar()})


@login_required
def favourites(request: HttpRequest) -> HttpResponse:
    page = posts.favourite_posts(request.user, max_id=max_id(request))
    return render(request, "tidings/favourites.html", {"page": page, "nav": "favourites"})


def profile(request: HttpRequest, handle: str) -> HttpResponse:
    account = account_by_handle(handle)
    page = posts.profile_posts(request.user, account.id, max_id=max_id(request))
    context = {
        "account": account,
        "page": page,
        "relation": relationship(request.user, account.id),
        "nav": "profile" if request.user == account else "",
    }
    return render(request, "tidings/profile.html", context)


def _follow_list(request: HttpRequest, handle: str, *, followers: bool) -> HttpResponse:
    account = account_by_handle(handle)
    found = follow_page(account.id, followers=followers, max_id=max_id(request))
    people, next_max_id = found.people, found.next_max_id
    context = {"account": account, "people": people, "followers": followers, "next_max_id": next_max_id}
    return render(request, "tidings/follow_list.html", context)


def followers(request: HttpRequest, handle: str) -> HttpResponse:
    return _follow_list(request, handle, followers=True)


def following(request: HttpRequest, handle: str) -> HttpResponse:
    return _follow_list(request, handle, followers=False)


def topic(request: HttpRequest, name: str) -> HttpResponse:
    found = posts.topic_by_name(name)
    page = posts.topic_posts(request.user, found, max_id=max_id(request))
    return render(request, "tidings/topic.html", {"topic": found, "page": page, **_sidebar()})


def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    view = posts.post_view(request.user, post_id)
    root = view.post.root if view.post.kind == view.post.Kind.COMMENT and view.post.root else view.post
    if root.id != view.post.id:
        root_view = posts.post_view(request.user, root.id)
    else:
        root_view = view
    thread = posts.comments(request.user, root_view.post, max_id=max_id(request))
    context = {
        "view": root_view,
        "comments": thread,
        "reposts": posts.repost_chain(request.user, root_view.subject),
        "highlight": view.post.id,
        # Whoever asked a question picks the answer that solved it.
        "may_accept": root_view.post.flavour == "question" and root_view.post.author_id == request.user.id,
        "may_pin": root_view.post.kind != "comment" and may_pin(root_view.post, request.user),
        "pinned": root_view.post.organisation_id is not None and is_pinned(root_view.post.id),
        "accepted": root_view.post.accepted_answer_id,
    }
    return render(request, "tidings/post.html", context)


def post_card(request: HttpRequest, post_id: int) -> HttpResponse:
    """One post card as an HTML fragment, for live updates."""
    view = posts.post_view(request.user, post_id)
    if {view.subject.author_id, view.post.author_id} & hidden_author_ids(request.user):
        raise NotFound()  # muted or blocked: not shown live either
    return render(request, "tidings/_post.html", {"view": view, "back_to": "/"})


def post_history(request: HttpRequest, post_id: int) -> HttpResponse:
    post, edits = posts.edit_history(request.user, post_id)
    return render(request, "tidings/history.html", {"post": post, "edits": edits})
