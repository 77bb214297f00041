"""Mastodon's streaming server, as an ASGI application served by `tidings stream` beside the
WSGI web server (as Mastodon runs its streaming server apart): WebSocket at `/api/v1/streaming`
(one connection, several streams) and server-sent events at `/api/v1/streaming/<stream>`, since
clients that read the instance's streaming address use it for both. Events are the same, and
checked against the same audience, as in `streaming.py`. Database and pub/sub calls block, so
they run in threads."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from typing import Any
from urllib.parse import parse_qs

from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections
from django.http import HttpRequest

from tidings.accounts import scopes
from tidings.api.mastodon.common import ApiError, caller_of
from tidings.core import pubsub
from tidings.core.errors import NotFound

# A stream reads its channels when the process's pub/sub watcher says they have news, and at
# least this often in case a wake-up was lost.
POLL_SECONDS = 5.0
# How often a connection looks again at which channels its subscriptions read (the big accounts
# the listener follows change as they follow, mute or block).
CHANNELS_SECONDS = 60.0
logger = logging.getLogger(__name__)
PATH = "/api/v1/streaming"


def _request(scope: dict[str, Any], query: dict[str, list[str]], headers: dict[str, str]) -> HttpRequest:
    """A Django request standing for the connection: who listens, and the web address that the
    links in payloads must use (the web server's, not this one's)."""
    request = HttpRequest()
    request.method = "GET"
    host = headers.get("host", "127.0.0.1")
    web_port = os.environ.get("TIDINGS_WEB_PORT")
    if web_port and ":" in host and not host.endswith("]"):
        host = f"{host.rsplit(':', 1)[0]}:{web_port}"
    request.META = {"HTTP_HOST": host, "SERVER_NAME": host.split(":")[0], "SERVER_PORT": web_port or "80"}
    request.META["REMOTE_ADDR"] = (scope.get("client") or ["", 0])[0]
    token = (query.get("access_token") or [""])[0] or headers.get("sec-websocket-protocol", "")
    if token:
        request.META["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    elif headers.get("authorization"):
        request.META["HTTP_AUTHORIZATION"] = headers["authorization"]
    return request


def _authenticate(request: HttpRequest) -> set[str]:
    """The token's scopes; the request's user becomes its account (or nobody)."""
    try:
        caller = caller_of(request)
    finally:
        close_old_connections()
    request.user = caller.account if caller.account is not None else AnonymousUser()
    return caller.granted


async def _caller(
    scope: dict[str, Any],
) -> tuple[dict[str, list[str]], dict[str, str], HttpRequest, set[str]]:
    """The connection's query, headers, standing-in request and token scopes (ApiError if the
    token is bad)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    request = _request(scope, query, headers)
    granted = await asyncio.to_thread(_authenticate, request)
    return query, headers, request, granted


class Session:
    def __init__(self, request: HttpRequest, granted: set[str], emit: Any) -> None:
        from tidings.api.mastodon import streaming

        self.streaming = streaming
        self.request = request
        self.granted = granted
        self.emit = emit  # async: sends one frame (a dict) the transport's way
        self.subs: set[Any] = set()
        self.channels: dict[Any, list[int]] = {}  # what each subscription reads
        self.positions: dict[int, str] = {}
        self.channels_read_at = time.monotonic()
        self.news = asyncio.Event()
        loop = asyncio.get_running_loop()
        self.wake = lambda: loop.call_soon_threadsafe(self.news.set)

    async def error(self, message: str) -> None:
        await self.emit({"error": message})

    def _subscribe(self, message: dict[str, Any]) -> Any:
        try:
            sub = self.streaming.subscription(
                self.request.user,
                str(message.get("stream", "")),
                tag=str(message.get("tag", "")),
                list_id=str(message.get("list", "")),
            )
            needed = "read:lists" if sub.name == "list" else "read:statuses"
            if self.granted and not scopes.allows(self.granted, needed):
                raise ApiError(403, "This action is outside the authorized scopes")
            self._listen(sub)
            return sub
        finally:
            close_old_connections()

    def _listen(self, sub: Any) -> None:
        self.channels[sub] = self.streaming.channels_of(self.request, sub)
        new = [c for c in self.channels[sub] if c not in self.positions]
        if new:
            self.positions |= dict.fromkeys(new, pubsub.position(new))
        for channel in new:
            pubsub.watcher().listen(channel, self.wake)

    async def handle(self, message: dict[str, Any]) -> bool:
        """Subscribe or unsubscribe; False (and an error sent) when refused."""
        kind = message.get("type")
        if kind not in ("subscribe", "unsubscribe"):
            await self.error("Unknown message type")
            return False
        try:
            sub = await asyncio.to_thread(self._subscribe, message)
        except ApiError as exc:
            await self.error(exc.message)
            return False
        except NotFound:
            await self.error("No such list")
            return False
        if kind == "subscribe":
            self.subs.add(sub)
        else:
            self.subs.discard(sub)
        return True

    def _poll(self) -> list[dict[str, Any]]:
        """New events on the channels listened to, as frames for the subscriptions that want them."""
        frames: list[dict[str, Any]] = []
        try:
            if time.monotonic() - self.channels_read_at > CHANNELS_SECONDS:
                self.channels_read_at = time.monotonic()
                for sub in list(self.subs):
                    self._listen(sub)
            # Copies: a subscription made meanwhile (in another thread) adds to both.
            events = pubsub.read_many(dict(self.positions), timeout=0)
            if len(events) >= 50:
                self.wake()  # a full batch: read again at once rather than after POLL_SECONDS
            subs = list(self.subs)
            for channel, event in events:
                self.positions[channel] = event.id
                wanting = [
                    s for s in subs if channel in self.channels.get(s, ()) and s.wants(event.kind, event.data)
                ]
                if not wanting:
                    continue
                for name, payload in self.streaming.payloads(self.request, event.kind, event.data):
                    for sub in wanting:
                        frames.append(
                            {
                                "stream": sub.label,
                                "event": name,
                                "payload": json.dumps(payload, ensure_ascii=False),
                            }
                        )
        finally:
            close_old_connections()
        return frames

    async def pump(self) -> None:
        try:
            while True:
                self.news.clear()  # news arriving while reading sets it again: read once more
                try:
                    frames = await asyncio.to_thread(self._poll)
                except Exception:  # a bad event must not end the connection: note it, go on
                    logger.exception("streaming poll failed")
                    frames = []
                for frame in frames:
                    await self.emit(frame)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.news.wait(), POLL_SECONDS)
        finally:
            pubsub.watcher().forget(self.wake)


async def _websocket(scope: dict[str, Any], receive: Any, send: Any) -> None:
    connect = await receive()
    if connect["type"] != "websocket.connect":
        return
    if scope.get("path", "").rstrip("/") != PATH:
        await send({"type": "websocket.close", "code": 4404})
        return
    try:
        query, headers, request, granted = await _caller(scope)
    except ApiError:
        await send({"type": "websocket.close", "code": 4401})
        return
    protocol = headers.get("sec-websocket-protocol")
    await send({"type": "websocket.accept", **({"subprotocol": protocol} if protocol else {})})

    async def emit(frame: dict[str, Any]) -> None:
        await send({"type": "websocket.send", "text": json.dumps(frame, ensure_ascii=False)})

    session = Session(request, granted, emit)
    first = (query.get("stream") or [""])[0]
    if first:
        await session.handle(
            {
                "type": "subscribe",
                "stream": first,
                "tag": (query.get("tag") or [""])[0],
                "list": (query.get("list") or [""])[0],
            }
        )
    pump = asyncio.create_task(session.pump())
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                break
            if message["type"] == "websocket.receive" and message.get("text"):
                try:
                    parsed = json.loads(message["text"])
                except ValueError:
                    await session.error("Messages must be JSON")
                    continue
                if isinstance(parsed, dict):
                    await session.handle(parsed)
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


# Server-sent streams by path, as Mastodon names them.
SSE_STREAMS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "list": "list",
    "direct": "direct",
}
HEARTBEAT_SECONDS = 15.0


async def _respond(send: Any, status: int, body: bytes, content_type: bytes = b"application/json") -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", content_type)]}
    )
    await send({"type": "http.response.body", "body": body})


async def _http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    path = scope.get("path", "").rstrip("/")
    if path == PATH + "/health":
        await _respond(send, 200, b"OK", b"text/plain")
        return
    name = SSE_STREAMS.get(path.removeprefix(PATH + "/")) if path.startswith(PATH + "/") else None
    if name is None:
        await _respond(send, 404, b'{"error": "Record not found"}')
        return
    try:
        query, _headers, request, granted = await _caller(scope)
    except ApiError as exc:
        await _respond(send, exc.status, json.dumps({"error": exc.message}).encode())
        return
    refused: list[str] = []

    async def collect(frame: dict[str, Any]) -> None:
        refused.append(frame.get("error", ""))

    session = Session(request, granted, collect)
    wanted = {"type": "subscribe", "stream": name}
    wanted |= {"tag": (query.get("tag") or [""])[0], "list": (query.get("list") or [""])[0]}
    if not await session.handle(wanted):
        status = 404 if refused[0] == "No such list" else 401 if "token" in refused[0] else 400
        await _respond(send, status, json.dumps({"error": refused[0]}).encode())
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")],
        }
    )
    await send({"type": "http.response.body", "body": b":)\n\n", "more_body": True})

    async def emit(frame: dict[str, Any]) -> None:
        chunk = f"event: {frame['event']}\ndata: {frame['payload']}\n\n".encode()
        await send({"type": "http.response.body", "body": chunk, "more_body": True})

    session.emit = emit
    pump = asyncio.create_task(session.pump())
    try:
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                await send({"type": "http.response.body", "body": b":thump\n\n", "more_body": True})
                continue
            if message["type"] == "http.disconnect":
                break
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":
        await _websocket(scope, receive, send)
    elif scope["type"] == "http":
        await _http(scope, receive, send)
    elif scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
