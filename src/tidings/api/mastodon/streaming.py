"""/api/v1/streaming: Mastodon's event streams (the person's own: new posts of home,
notifications, conversations; the public square; a topic; a list, that is the organisation or a
group; direct messages), over server-sent events here and over WebSocket in `websocket.py`.
Each event is checked again against the audience of the person listening before it is sent.
A server-sent stream lasts a few minutes and the client reconnects, so no thread is held long."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from tidings.api.mastodon.common import ApiError, api, me
from tidings.api.mastodon.notifications import serialize_all as serialize_notifications
from tidings.api.mastodon.serializers import Serializer
from tidings.api.mastodon.timelines import space_of
from tidings.core import pubsub
from tidings.core.errors import NotFound
from tidings.core.text import fold, is_number
from tidings.notifications.models import Notification
from tidings.posts import polls
from tidings.posts import selectors as posts
from tidings.posts.models import PostTopic, ProfilePin

STREAM_SECONDS = 240
WAIT_SECONDS = 15.0

# Mastodon's stream names: which of the listener's channels each reads, and which of our
# live events it passes on.
USER_KINDS = {
    "user": {"post", "notification", "message"},
    "user:notification": {"notification"},
    "direct": {"message"},
    "list": {"space-post"},
}
PUBLIC_STREAMS = {"public", "public:local", "hashtag", "hashtag:local"}
STREAMS = set(USER_KINDS) | PUBLIC_STREAMS


@dataclass(frozen=True)
class Subscription:
    """One stream a client listens to: its name and its parameter (a folded tag, a space)."""

    name: str
    param: str = ""

    @property
    def channel(self) -> str:
        return "public" if self.name in PUBLIC_STREAMS else "user"

    @property
    def label(self) -> list[str]:
        return [self.name, self.param] if self.param else [self.name]

    def wants(self, kind: str, data: dict[str, Any]) -> bool:
        if self.name in PUBLIC_STREAMS:
            if kind != "post":
                return False
            if self.name.startswith("hashtag"):
                post_id = str(data.get("id", ""))
                return (
                    is_number(post_id)
                    and PostTopic.objects.filter(post_id=int(post_id), topic__key=self.param).exists()
                )
            return True
        if kind not in USER_KINDS[self.name]:
            return False
        return self.name != "list" or data.get("space") == self.param


def subscription(viewer: Any, name: str, *, tag: str = "", list_id: str = "") -> Subscription:
    """A checked subscription: a stream name Mastodon knows, a tag for hashtag streams, a list
    the viewer may read (else not found, as for a list that does not exist)."""
    if name not in STREAMS:
        raise ApiError(400, f"Unknown stream: {name[:40]}")
    if name.startswith("hashtag"):
        key = fold(tag.strip().strip("#"))
        if not key or len(key) > 200:
            raise ApiError(400, "tag is required")
        return Subscription(name, key)
    if name in USER_KINDS and not getattr(viewer, "is_authenticated", False):
        raise ApiError(401, "The access token is invalid")
    if name == "list":
        organisation_id, group_id = space_of(viewer, list_id)
        return Subscription(name, f"group:{group_id}" if group_id else f"org:{organisation_id}")
    return Subscription(name)


# A post's status is the same for every listener but for the listener's own marks: it is
# rendered for the first listener of this process, kept a few seconds (an event is a snapshot of
# the post; its counts may move on), and for each other listener copied with their own likes,
# reposts, bookmarks, pins and poll votes. Each listener's audience check is made afresh: the
# post, and the original it shows, must be visible to them (a render is kept per whether it is).
SHARED_SECONDS = 5.0
SHARED_MAX = 256
# (links' base, post id) -> (kept until, the original's id, {original shown: status})
_shared: dict[tuple[str, int], tuple[float, int | None, dict[bool, dict[str, Any]]]] = {}
_shared_lock = threading.Lock()


def forget_shared() -> None:
    with _shared_lock:
        _shared.clear()


def _status(request: HttpRequest, post_id: Any) -> dict[str, Any] | None:
    if not is_number(str(post_id)):
        return None
    pid, serializer = int(post_id), Serializer(request)
    key = (serializer.base, pid)
    with _shared_lock:
        kept = _shared.get(key)
    if kept is not None and kept[0] > time.monotonic():
        _until, original_id, renders = kept
        seen = set(
            posts.visible_to(request.user)
            .filter(id__in=[pid, original_id or pid])
            .values_list("id", flat=True)
        )
        if pid not in seen:
            return None
        rendered = renders.get(original_id in seen)
        if rendered is not None:
            return _as_seen_by(request, serializer, rendered)
    try:
        view = posts.post_view(request.user, pid)
    except NotFound:
        return None
    status = serializer.status(view)
    with _shared_lock:
        if len(_shared) >= SHARED_MAX:
            now = time.monotonic()
            for old in [k for k, v in _shared.items() if v[0] <= now] or list(_shared)[: SHARED_MAX // 2]:
                del _shared[old]
        until, _original, renders = _shared.get(key) or (time.monotonic() + SHARED_SECONDS, None, {})
        renders[view.original is not None] = copy.deepcopy(status)
        _shared[key] = (until, view.post.repost_of_id, renders)
    return status


def _as_seen_by(request: HttpRequest, serializer: Serializer, rendered: dict[str, Any]) -> dict[str, Any]:
    """A kept status with the listener's own marks, as `Serializer.statuses` sets them: the
    likes, reposts and bookmarks of what the status acts on (the original, for a plain repost),
    pins on the listener's own posts, and the poll with the listener's votes."""
    status = copy.deepcopy(rendered)
    viewer = request.user
    inner = status["reblog"]
    quoted = (status["quote"] or {}).get("quoted_status")
    subject = inner or status
    subject_id = int(subject["id"])
    marked = posts.marks(viewer.id, [subject_id]) if viewer.is_authenticated else set()
    flags = {
        "favourited": (subject_id, "like") in marked,
        "reblogged": (subject_id, "repost") in marked,
        "bookmarked": (subject_id, "favourite") in marked,
    }
    for shown in (status, inner) if inner else (status,):
        shown.update(flags)
    shown_all = [s for s in (status, inner, quoted) if s]
    own = [
        int(s["id"]) for s in shown_all if viewer.is_authenticated and s["account"]["id"] == str(viewer.id)
    ]
    pinned = (
        set(ProfilePin.objects.filter(post_id__in=own).values_list("post_id", flat=True)) if own else set()
    )
    for shown in shown_all:
        shown["pinned"] = int(shown["id"]) in pinned
    if subject["poll"] is not None:
        poll = polls.views_for(viewer, [subject_id]).get(subject_id)
        subject["poll"] = serializer.poll(poll) if poll else None
    return status


def payloads(request: HttpRequest, kind: str, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Our live event as Mastodon events, (event name, payload), after the audience check."""
    if kind in ("post", "space-post"):
        status = _status(request, data.get("id"))
        return [("update", status)] if status else []
    if kind == "notification":
        found = Notification.objects.filter(recipient_id=request.user.id, id=int(data.get("id", 0))).first()
        if found is None:
            return []
        shown = serialize_notifications(request, [found])
        return [("notification", shown[0])] if shown else []
    if kind == "message":
        status = _status(request, data.get("id"))
        if not status:
            return []
        conversation = {
            "id": str(data.get("conversation", "")),
            "unread": True,
            "accounts": [status["account"]],
            "last_status": status,
        }
        return [("conversation", conversation)]
    return []


def channel_of(request: HttpRequest, sub: Subscription) -> int:
    return pubsub.PUBLIC if sub.channel == "public" else me(request).id


def _events(request: HttpRequest, sub: Subscription, channel: int, after: str) -> Iterator[bytes]:
    yield b":)\n\n"
    for event in pubsub.follow(channel, after, seconds=STREAM_SECONDS, wait=WAIT_SECONDS):
        if event is None:
            yield b":thump\n\n"
        elif sub.wants(event.kind, event.data):
            for name, payload in payloads(request, event.kind, event.data):
                body = json.dumps(payload, ensure_ascii=False)
                yield f"event: {name}\ndata: {body}\n\n".encode()


def _respond(request: HttpRequest, sub: Subscription) -> StreamingHttpResponse:
    # The position is taken now, not when the server first pulls the body: what happens after
    # the client's request is answered is never missed.
    channel = channel_of(request, sub)
    after = pubsub.latest_id(channel)
    response = StreamingHttpResponse(_events(request, sub, channel, after), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@api(scope="read:statuses", user=True)
def user(request: HttpRequest) -> Any:
    return _respond(request, subscription(request.user, "user"))


@api(scope="read:notifications", user=True)
def user_notification(request: HttpRequest) -> Any:
    return _respond(request, subscription(request.user, "user:notification"))


@api(scope="read:statuses", user=True)
def direct(request: HttpRequest) -> Any:
    return _respond(request, subscription(request.user, "direct"))


@api(auth=False, scope="read:statuses")
def public(request: HttpRequest) -> Any:
    return _respond(request, subscription(request.user, "public"))


@api(auth=False, scope="read:statuses")
def hashtag(request: HttpRequest) -> Any:
    return _respond(request, subscription(request.user, "hashtag", tag=request.GET.get("tag", "")))


@api(scope="read:lists", user=True)
def list_stream(request: HttpRequest) -> Any:
    return _respond(request, subscription(request.user, "list", list_id=request.GET.get("list", "")))


@api(auth=False)
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK", content_type="text/plain")
