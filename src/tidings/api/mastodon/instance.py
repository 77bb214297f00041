"""What a client asks first (the server and its limits) and the small things it asks after:
preferences, markers, trends, search, custom emojis, follow requests."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tidings.accounts import scopes
from tidings.accounts.models import Account
from tidings.api.mastodon.common import ApiError, api, body_of, me, window_of
from tidings.api.mastodon.serializers import Serializer
from tidings.core.errors import Invalid
from tidings.core.render import topic_url
from tidings.core.text import is_id, is_number
from tidings.notifications import services as inbox
from tidings.notifications.models import Marker
from tidings.posts import polls
from tidings.posts.models import Topic
from tidings.posts.services import MAX_PINNED
from tidings.search import selectors as search
from tidings.search.query import parse

# Mastodon's API level this follows, for clients that check it; ours after it.
VERSION = "4.3.0 (compatible; Tidings 0.1.0)"
NAME = "Tidings"
DESCRIPTION = "An enterprise microblog: public brand pages and closed company spaces."


def streaming_url(request: HttpRequest) -> str:
    """Where clients open the WebSocket streams: as configured (behind a proxy), else the
    streaming server `tidings serve` started beside this one."""
    if settings.STREAMING_URL:
        return str(settings.STREAMING_URL)
    host = request.get_host()
    port = os.environ.get("TIDINGS_STREAMING_PORT")
    if port and port != "0":
        host = f"{host.rsplit(':', 1)[0] if ':' in host and not host.endswith(']') else host}:{port}"
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


def _limits() -> dict[str, Any]:
    return {
        "statuses": {
            "max_characters": settings.POST_MAX_LENGTH,
            "max_media_attachments": settings.POST_MAX_IMAGES,
            "characters_reserved_per_url": 20,  # a link counts 10 of our weighted characters, 20 halves
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "image_size_limit": settings.IMAGE_MAX_BYTES,
            "image_matrix_limit": settings.IMAGE_MAX_PIXELS,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
            "description_limit": 500,
        },
        "polls": {
            "max_options": polls.MAX_OPTIONS,
            "max_characters_per_option": polls.OPTION_MAX_LENGTH,
            "min_expiration": polls.MIN_SECONDS,
            "max_expiration": polls.MAX_SECONDS,
        },
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": MAX_PINNED},
        "translation": {"enabled": False},
    }


@api(auth=False)
def instance_v1(request: HttpRequest) -> Any:
    host = request.get_host()
    return {
        "uri": host,
        "title": NAME,
        "short_description": DESCRIPTION,
        "description": DESCRIPTION,
        "email": "",
        "version": VERSION,
        "urls": {"streaming_api": streaming_url(request)},
        "stats": {
            "user_count": Account.objects.filter(is_active=True).count(),
            "status_count": 0,
            "domain_count": 1,
        },
        "thumbnail": None,
        "languages": ["zh-TW", "zh-CN", "en"],
        "registrations": True,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": _limits(),
        "contact_account": None,
        "rules": [],
    }


@api(auth=False)
def instance_v2(request: HttpRequest) -> Any:
    host = request.get_host()
    base = request.build_absolute_uri("/").rstrip("/")
    return {
        "domain": host,
        "title": NAME,
        "version": VERSION,
        "source_url": "",
        "description": DESCRIPTION,
        "usage": {"users": {"active_month": Account.objects.filter(is_active=True).count()}},
        "thumbnail": {"url": base + "/static/tidings/avatar.png"},
        "icon": [],
        "languages": ["zh-TW", "zh-CN", "en"],
        "configuration": {
            "urls": {"streaming": streaming_url(request), "status": None},
            "vapid": {"public_key": ""},
            **_limits(),
        },
        "registrations": {"enabled": True, "approval_required": False, "message": None, "url": None},
        "api_versions": {"mastodon": 2},
        "contact": {"email": "", "account": None},
        "rules": [],
        "tidings": {
            "scopes": scopes.ALL,
            "audiences": ["public", "followers", "org:<slug>", "group:<id>", "direct"],
        },
    }


@api(auth=False)
def empty_list(request: HttpRequest, *args: Any) -> Any:
    """Custom emojis, announcements, filters, follow requests: none here."""
    return []


@api(scope="read:accounts", user=True)
def preferences(request: HttpRequest) -> Any:
    return {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": me(request).language or None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


TIMELINES = ("home", "notifications")


@api(methods=("GET", "POST"), scope="read:statuses", user=True)
def markers(request: HttpRequest) -> Any:
    """Where the person stopped reading home and notifications, kept across their devices."""
    account = me(request)
    if request.method == "POST":
        data = body_of(request)
        for timeline in TIMELINES:
            value = data.get(timeline)
            if not isinstance(value, dict):
                continue
            raw = str(value.get("last_read_id", ""))
            if not is_id(raw):
                raise ApiError(422, f"Validation failed: {timeline}[last_read_id] must be an id")
            inbox.save_marker(account, timeline=timeline, last_read_id=int(raw))
        wanted = list(TIMELINES)
    else:
        wanted = [
            t for t in request.GET.getlist("timeline[]") or request.GET.getlist("timeline") if t in TIMELINES
        ]
    found = {m.timeline: m for m in Marker.objects.filter(account=account, timeline__in=wanted)}
    return {
        t: {
            "last_read_id": str(m.last_read_id),
            "version": m.version,
            "updated_at": m.updated_at.isoformat().replace("+00:00", "Z"),
        }
        for t, m in found.items()
    }


def _tag(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    return {
        "name": topic.name,
        "url": request.build_absolute_uri(topic_url(topic.name)),
        "history": [],
        "following": False,
    }


@api(auth=False)
def trends_tags(request: HttpRequest) -> Any:
    window = window_of(request, default=10, most=20)
    return [_tag(request, t.topic) for t in search.trending_topics(limit=window.limit)]


def _offset(request: HttpRequest) -> int:
    raw = request.GET.get("offset") or "0"
    if not is_number(raw) or len(raw) > 6:
        raise ApiError(400, "offset must be a whole number")
    return int(raw)


@api(auth=False, scope="read:search")
def search_v2(request: HttpRequest) -> Any:
    """Accounts and topics by name, and posts by the full search language (ranked, among those
    the caller may see: the audience filter is inside the query). Asked for statuses only, a
    query that is not one (only common words, an open quote, dates reversed) is a 422 saying
    why; asked for everything, it finds no statuses and still finds accounts and topics (what a
    client's search box does as one types)."""
    query = request.GET.get("q", "").strip()
    if not query:
        raise ApiError(400, "q is required")
    kind = request.GET.get("type", "")
    window = window_of(request, most=40)
    offset = _offset(request)
    serializer = Serializer(request)
    result: dict[str, Any] = {"accounts": [], "statuses": [], "hashtags": []}
    names = query.lstrip("@#").strip()
    if kind == "statuses":
        parse(query)  # the same answer to a query that is not one, signed in or not
    if kind in ("", "statuses") and request.user.is_authenticated:
        try:
            if window.max_id and not offset:
                found = search.find_posts(
                    request.user, query, order="latest", max_id=window.max_id, limit=window.limit
                )
            else:
                found = search.find_posts(request.user, query, offset=offset, limit=window.limit)
        except Invalid:
            if kind == "statuses":
                raise
        else:
            result["statuses"] = serializer.statuses_of(found.ids)
    if kind in ("", "accounts") and names and not offset:
        result["accounts"] = [serializer.account(a) for a in search.find_people(names, limit=window.limit)]
    if kind in ("", "hashtags") and names and not offset:
        result["hashtags"] = [_tag(request, t) for t in search.find_topics(names, limit=window.limit)]
    return result


@api(methods=("GET", "POST", "PUT", "PATCH", "DELETE"), auth=False)
def no_such_route(request: HttpRequest) -> Any:
    return {"error": "Record not found"}, 404
