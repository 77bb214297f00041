"""/api/v1/accounts: who someone is, what they posted, whom they follow; follow, block, mute."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from tidings.accounts import services as accounts
from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.api.mastodon.common import (
    ApiError,
    Paged,
    api,
    body_of,
    files_of,
    flag_of,
    id_of,
    me,
    text_of,
    window_of,
)
from tidings.api.mastodon.serializers import Serializer
from tidings.core.errors import Conflict, NotFound
from tidings.posts import selectors as posts
from tidings.search.selectors import find_people
from tidings.social import services as social
from tidings.social.selectors import follow_page


def account_by_id(raw: Any) -> Account:
    found = Account.objects.filter(id=id_of(raw), is_active=True).select_related("organisation").first()
    if found is None:
        raise NotFound()
    return found


@api(scope="read:accounts", user=True)
def verify_credentials(request: HttpRequest) -> Any:
    return Serializer(request).account(request.user, source=True)


@api(methods=("PATCH",), scope="write:accounts", user=True)
def update_credentials(request: HttpRequest) -> Any:
    data = body_of(request)
    me = request.user
    assert isinstance(me, Account)
    language = data.get("source", {}).get("language") if isinstance(data.get("source"), dict) else None
    avatar = files_of(request).get("avatar")
    with transaction.atomic():  # all of it or, on any bad field, none of it
        accounts.update_profile(
            me,
            display_name=text_of(data, "display_name") if "display_name" in data else None,
            bio=text_of(data, "note") if "note" in data else None,
            language=str(language) if language is not None else None,
        )
        if avatar is not None:
            accounts.set_avatar(me, data=avatar.read(settings.IMAGE_MAX_BYTES + 1))
    return Serializer(request).account(me, source=True)


@api(auth=False, scope="read:accounts")
def lookup(request: HttpRequest) -> Any:
    acct = request.GET.get("acct", "").lstrip("@")
    if not acct or len(acct) > 200:
        raise NotFound()
    return Serializer(request).account(account_by_handle(acct.split("@", 1)[0]))


@api(auth=False, scope="read:accounts")
def get(request: HttpRequest, account_id: str) -> Any:
    return Serializer(request).account(account_by_id(account_id))


@api(auth=False, scope="read:statuses")
def statuses(request: HttpRequest, account_id: str) -> Any:
    account = account_by_id(account_id)
    window = window_of(request)
    viewer = request.user
    if flag_of(request.GET, "pinned"):
        found = posts.visible_ids(viewer, posts.pinned_ids(account.id, limit=window.limit))
        return Serializer(request).statuses_of(found)
    page = posts.profile_posts(
        viewer,
        account.id,
        max_id=window.max_id,
        limit=window.limit,
        since_id=window.since_id,
        min_id=window.min_id,
    )
    ids = page.ids
    if flag_of(request.GET, "only_media") or flag_of(request.GET, "exclude_reblogs"):
        items = page.items
        if flag_of(request.GET, "only_media"):
            items = [v for v in items if v.media or v.original_media]
        if flag_of(request.GET, "exclude_reblogs"):
            items = [v for v in items if not v.is_plain_repost]
        ids = [v.post.id for v in items]
    data = Serializer(request).statuses_of(ids)
    first, last = (page.ids[0], page.ids[-1]) if page.ids else (None, None)
    return Paged(data, first, last, more=page.next_max_id is not None)


def _follow_list(request: HttpRequest, account_id: str, *, followers: bool) -> Any:
    account = account_by_id(account_id)
    window = window_of(request, most=80)
    found = follow_page(
        account.id,
        followers=followers,
        max_id=window.max_id,
        limit=window.limit,
        since_id=max(window.since_id or 0, window.min_id or 0) or None,
    )
    data = [Serializer(request).account(p) for p in found.people]
    return Paged(data, found.newest_id, found.next_max_id, more=found.next_max_id is not None)


@api(auth=False, scope="read:accounts")
def followers(request: HttpRequest, account_id: str) -> Any:
    return _follow_list(request, account_id, followers=True)


@api(auth=False, scope="read:accounts")
def following(request: HttpRequest, account_id: str) -> Any:
    return _follow_list(request, account_id, followers=False)


ACTIONS = {
    "follow": ("write:follows", social.follow),
    "unfollow": ("write:follows", social.unfollow),
    "block": ("write:blocks", social.block),
    "unblock": ("write:blocks", social.unblock),
    "mute": ("write:mutes", social.mute),
    "unmute": ("write:mutes", social.unmute),
}


def _relation_view(action: str) -> Any:
    scope, service = ACTIONS[action]

    @api(methods=("POST",), scope=scope, user=True)
    def view(request: HttpRequest, account_id: str) -> Any:
        target = account_by_id(account_id)
        try:
            service(me(request), account_id=target.id)
        except Conflict:  # already done is no error in Mastodon: answer with the state
            pass
        return Serializer(request).relationships([target.id])[0]

    view.__name__ = action
    return view


follow = _relation_view("follow")
unfollow = _relation_view("unfollow")
block = _relation_view("block")
unblock = _relation_view("unblock")
mute = _relation_view("mute")
unmute = _relation_view("unmute")


@api(scope="read:follows", user=True)
def relationships(request: HttpRequest) -> Any:
    raw = request.GET.getlist("id[]") or request.GET.getlist("id")
    if len(raw) > 80:
        raise ApiError(422, "Validation failed: at most 80 ids")
    ids = []
    for value in raw:
        try:
            ids.append(id_of(value))
        except NotFound:
            continue
    return Serializer(request).relationships(ids)


@api(auth=False, scope="read:accounts")
def search(request: HttpRequest) -> Any:
    query = request.GET.get("q", "").strip().lstrip("@")
    if not query:
        raise ApiError(400, "q is required")
    window = window_of(request, most=80)
    return [Serializer(request).account(a) for a in find_people(query, limit=window.limit)]
