"""Server-sent events: new posts, notifications and messages for the signed-in person.
Each stream lives a few minutes and the browser reconnects (with Last-Event-ID) by itself,
so a server thread is never held for long and nothing is missed in between."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from tidings.core import pubsub
from tidings.timelines.selectors import live_channels

STREAM_SECONDS = 240
WAIT_SECONDS = 15.0


def stream_events(channels: list[int], after: str, *, poll: float = pubsub.POLL_SECONDS) -> Iterator[bytes]:
    """Channels' events as server-sent events (an account's home, a monitor's, an activity's)."""
    yield b"retry: 2000\n\n"
    positions = dict.fromkeys(channels, after)
    for event in pubsub.follow(positions, seconds=STREAM_SECONDS, wait=WAIT_SECONDS, poll=poll):
        if event is None:
            yield b": keep-alive\n\n"
            continue
        payload = json.dumps(event.data, ensure_ascii=False)
        yield f"id: {event.id}\nevent: {event.kind}\ndata: {payload}\n\n".encode()


def event_stream(
    request: HttpRequest, channels: list[int], *, poll: float = pubsub.POLL_SECONDS
) -> HttpResponseBase:
    """Channels' server-sent events, resumed after the last event seen (the browser sends it on
    reconnecting), else after the position the page was rendered at, else from now."""
    given = request.headers.get("Last-Event-ID") or request.GET.get("after", "")
    after = given if pubsub.is_position(given) else pubsub.position(channels)
    response = StreamingHttpResponse(
        stream_events(channels, after, poll=poll), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def events(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    return event_stream(request, live_channels(int(request.user.pk)))
