"""/api/v1/streaming: Mastodon's event streams (the person's own: new posts of home,
notifications, conversations; the public square; a topic; a list, that is the organisation or a
group; direct messages), over server-sent events here and over WebSocket in `websocket.py`.
Each event is checked again against the audience of the person listening before it is sent.
A server-sent stream lasts a few minutes and the client reconnects, so no thread is held long."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from tidings.accounts.models import Account
from tidings.api.mastodon.common import ApiError, api, me
from tidings.api.mastodon.notifications import serialize_page as serialize_notifications
from tidings.api.mastodon.serializers import Serializer
from tidings.api.mastodon.timelines import space_of
from tidings.core import pubsub
from tidings.core.text import fold, is_id
from tidings.notifications import selectors as inbox
from tidings.posts import selectors as posts
from tidings.posts.models import PostTopic
from tidings.social.models import Block, Mute
from tidings.timelines.selectors import live_channels

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
                    is_id(post_id)
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


def _status(request: HttpRequest, post_id: Any) -> dict[str, Any] | None:
    """The post's status as this listener sees it, if they may see it: its audience checked
    afresh, its author not one they blocked or muted (since the stream opened, too), and their
    own marks (what the status shows of the post itself is kept per process, so many listeners
    of one post cost little each)."""
    if not is_id(str(post_id)):
        return None
    shown = posts.visible_to(request.user).filter(id=int(post_id))
    if isinstance(request.user, Account):
        shown = shown.exclude(author_id__in=Block.objects.filter(blocker=request.user).values("blocked_id"))
        shown = shown.exclude(author_id__in=Mute.objects.filter(muter=request.user).values("muted_id"))
    if not shown.exists():
        return None
    found = Serializer(request).statuses_of([int(post_id)])
    return found[0] if found else None


def payloads(request: HttpRequest, kind: str, data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Our live event as Mastodon events, (event name, payload), after the audience check."""
    if kind in ("post", "space-post"):
        status = _status(request, data.get("id"))
        return [("update", status)] if status else []
    if kind == "notification" and isinstance(request.user, Account):
        # Through the selector, as the notifications page reads it: its post's audience is checked.
        found = inbox.notifications(request.user, only=int(data.get("id", 0)))
        shown = serialize_notifications(request, found)
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


def channels_of(request: HttpRequest, sub: Subscription) -> list[int]:
    """The channels a subscription reads: the public square; the listener's own; for the home
    stream, also those of the big accounts they follow (timelines.selectors.live_channels)."""
    if sub.channel == "public":
        return [pubsub.PUBLIC]
    if sub.name == "user":
        return live_channels(me(request).id)
    return [me(request).id]


def _events(request: HttpRequest, sub: Subscription, positions: dict[int, str]) -> Iterator[bytes]:
    yield b":)\n\n"
    for event in pubsub.follow(positions, seconds=STREAM_SECONDS, wait=WAIT_SECONDS):
        if event is None:
            yield b":thump\n\n"
        elif sub.wants(event.kind, event.data):
            for name, payload in payloads(request, event.kind, event.data):
                body = json.dumps(payload, ensure_ascii=False)
                yield f"event: {name}\ndata: {body}\n\n".encode()


def _respond(request: HttpRequest, sub: Subscription) -> StreamingHttpResponse:
    # The position is taken now, not when the server first pulls the body: what happens after
    # the client's request is answered is never missed.
    channels = channels_of(request, sub)
    positions = dict.fromkeys(channels, pubsub.position(channels))
    response = StreamingHttpResponse(_events(request, sub, positions), content_type="text/event-stream")
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
