"""Notifications, conversations (私信) and media uploads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tidings.accounts.models import Account
from tidings.api.mastodon.common import ApiError, Paged, api, id_of, me, text_of, window_of
from tidings.api.mastodon.serializers import Serializer, iso
from tidings.core.errors import NotFound
from tidings.notifications import selectors as inbox
from tidings.notifications import services as inbox_services
from tidings.notifications.models import Conversation, Notification
from tidings.posts import services
from tidings.posts.models import Media

# Our kinds in Mastodon's words: a comment is a reply, which Mastodon calls a mention.
TYPES = {
    Notification.Kind.MENTION: "mention",
    Notification.Kind.COMMENT: "mention",
    Notification.Kind.REPOST: "reblog",
    Notification.Kind.LIKE: "favourite",
    Notification.Kind.FOLLOW: "follow",
    Notification.Kind.GROUP_POST: "status",
    # A monitor's catch: a post to look at, the nearest thing Mastodon has.
    Notification.Kind.MONITOR: "status",
    # A desk's case: the post that opened it, when the reader may see it (else not listed).
    Notification.Kind.CASE: "status",
    # A prize won in an activity: its post.
    Notification.Kind.WON: "status",
}
# Ours alone, with no status to show: a case opened by a message, an idea that moved. Shown in
# the browser, where they link to their page.
BROWSER_ONLY = {Notification.Kind.CASE, Notification.Kind.IDEA, Notification.Kind.TASK}
KINDS_OF: dict[str, list[str]] = {}
for _kind, _type in TYPES.items():
    KINDS_OF.setdefault(_type, []).append(str(_kind))


def _kinds(request: HttpRequest) -> list[str] | None:
    wanted = request.GET.getlist("types[]") or request.GET.getlist("types")
    excluded = request.GET.getlist("exclude_types[]") or request.GET.getlist("exclude_types")
    if not wanted and not excluded:
        return None
    types = set(wanted) if wanted else set(KINDS_OF)
    types -= set(excluded)
    return [k for t in types for k in KINDS_OF.get(t, [])]


def _notification(serializer: Serializer, n: Notification, statuses: dict[int, Any]) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "type": TYPES.get(n.kind, "status"),  # type: ignore[call-overload]
        "group_key": f"ungrouped-{n.id}",
        "created_at": iso(n.created_at),
        "account": serializer.account(n.actor),
        "status": statuses.get(n.post_id) if n.post_id else None,
    }


def serialize_page(request: HttpRequest, page: inbox.NotificationPage) -> list[dict[str, Any]]:
    """A page of the selector's, whose posts have had their audience check."""
    serializer = Serializer(request)
    items = page.notifications
    statuses = serializer.by_id([n.post_id for n in items if n.post_id])
    # Mastodon has no notification of a status without its status: a case opened by a message
    # is shown only in the browser, where it links to the case.
    return [
        _notification(serializer, n, statuses)
        for n in items
        if (n.post_id in statuses if n.post_id else n.kind not in BROWSER_ONLY)
    ]


@api(scope="read:notifications", user=True)
def index(request: HttpRequest) -> Any:
    assert isinstance(request.user, Account)
    window = window_of(request, most=80)
    raw_account = request.GET.get("account_id")
    try:
        actor_id = id_of(raw_account) if raw_account else None
    except NotFound:  # an id nobody has: an empty page, as Mastodon answers, not an error
        actor_id = 0
    page = inbox.notifications(
        request.user,
        max_id=window.max_id,
        limit=window.limit,
        since_id=window.since_id,
        min_id=window.min_id,
        kinds=_kinds(request),
        actor_id=actor_id,
    )
    items = page.notifications
    data = serialize_page(request, page)
    return Paged(
        data,
        items[0].id if items else None,
        items[-1].id if items else None,
        more=page.next_max_id is not None,
    )


def _mine(request: HttpRequest, notification_id: str) -> Notification:
    found = Notification.objects.filter(recipient=me(request), id=id_of(notification_id)).first()
    if found is None:
        raise NotFound()
    return found


@api(scope="read:notifications", user=True)
def detail(request: HttpRequest, notification_id: str) -> Any:
    assert isinstance(request.user, Account)
    shown = serialize_page(request, inbox.notifications(request.user, only=id_of(notification_id)))
    if not shown:
        raise NotFound()  # not the caller's, or its post is no longer visible
    return shown[0]


@api(methods=("POST",), scope="write:notifications", user=True)
def dismiss(request: HttpRequest, notification_id: str) -> Any:
    inbox_services.dismiss(me(request), notification_id=_mine(request, notification_id).id)
    return {}


@api(methods=("POST",), scope="write:notifications", user=True)
def clear(request: HttpRequest) -> Any:
    inbox_services.dismiss(me(request))
    return {}


@api(scope="read:notifications", user=True)
def unread_count(request: HttpRequest) -> Any:
    assert isinstance(request.user, Account)
    return {"count": min(inbox.unread_count(request.user), 1000)}


# --- conversations ----------------------------------------------------------------------------


@api(scope="read:statuses", user=True)
def conversations(request: HttpRequest) -> Any:
    assert isinstance(request.user, Account)
    window = window_of(request)
    rows = inbox.conversations(request.user, limit=window.limit, max_id=window.max_id)
    serializer = Serializer(request)
    lasts = [r.last for r in rows if r.last is not None]
    statuses = serializer.by_id([p.id for p in lasts])
    data = [
        {
            "id": str(r.conversation.id),
            "unread": r.unread,
            "accounts": [serializer.account(r.other)],
            "last_status": statuses.get(r.last.id) if r.last else None,
        }
        for r in rows
    ]
    oldest = rows[-1].conversation.last_message_id if rows else None
    return Paged(data, None, oldest, more=len(rows) == window.limit)


def _conversation(request: HttpRequest, conversation_id: str) -> Conversation:
    found = Conversation.objects.filter(id=id_of(conversation_id)).first()
    if found is None or me(request).id not in (found.low_id, found.high_id):
        raise NotFound()
    return found


@api(methods=("POST",), scope="write:conversations", user=True)
def conversation_read(request: HttpRequest, conversation_id: str) -> Any:
    assert isinstance(request.user, Account)
    conversation = _conversation(request, conversation_id)
    inbox_services.mark_conversation_read(request.user, conversation)
    row = next(r for r in inbox.conversations(request.user, only=conversation.id))
    serializer = Serializer(request)
    last = serializer.by_id([row.last.id]).get(row.last.id) if row.last else None
    return {
        "id": str(conversation.id),
        "unread": False,
        "accounts": [serializer.account(row.other)],
        "last_status": last,
    }


@api(methods=("DELETE",), scope="write:conversations", user=True)
def conversation_delete(request: HttpRequest, conversation_id: str) -> Any:
    # The messages stay with the other person; Mastodon only hides it from the list.
    _conversation(request, conversation_id)
    return {}


# --- media --------------------------------------------------------------------------------------


def _attachment(request: HttpRequest, media: Media) -> dict[str, Any]:
    return Serializer(request).attachment(media)


@api(methods=("POST",), scope="write:media", user=True)
def upload(request: HttpRequest) -> Any:
    """One picture, decoded and re-encoded at once (so it is ready: 200, never 202)."""
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(422, "Validation failed: File is required")
    description = text_of(request.POST, "description")[:500]
    # One byte past the limit is enough for the picture's checks to refuse it (413, in the
    # caller's language) without holding the rest of an oversized file in memory.
    data = upload.read(settings.IMAGE_MAX_BYTES + 1)
    media = services.upload_media(me(request), data=data, description=description)
    return _attachment(request, media)


def _my_media(request: HttpRequest, media_id: str) -> Media:
    found = Media.objects.filter(id=id_of(media_id), owner_id=me(request).id).first()
    if found is None:
        raise NotFound()
    return found


@api(methods=("GET", "PUT"), scope="write:media", user=True)
def media_detail(request: HttpRequest, media_id: str) -> Any:
    media = _my_media(request, media_id)
    if request.method == "PUT":
        from tidings.api.mastodon.common import body_of

        data = body_of(request)
        if "description" in data:
            if media.post_id is not None:
                raise ApiError(422, "Validation failed: the picture is already in a post")
            media = services.describe_media(me(request), media_id=media.id, text=text_of(data, "description"))
    return _attachment(request, media)
