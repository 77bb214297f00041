"""The native API's search and monitors: the same selectors and services as the web pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tidings.accounts import scopes
from tidings.accounts.selectors import account_by_handle
from tidings.api.native.auth import read, write
from tidings.api.native.routes import _account, _group, _id, _limit, _max_id, _me, _post, answers
from tidings.api.native.schemas import (
    FiguresOut,
    HitPage,
    MonitorIn,
    MonitorOut,
    MonitorPatch,
    SearchOut,
    TopicCountOut,
)
from tidings.core.errors import Invalid, NotFound
from tidings.core.render import topic_url
from tidings.orgs import selectors as org_selectors
from tidings.search import monitors, reports
from tidings.search import selectors as search
from tidings.search.models import Monitor

router = Router()
CAVEAT = (
    "A machine's guess from word lists (pysenti for Chinese, VADER for English): "
    "it misses sarcasm and context."
)
MONITORS = ["monitors"]


def _organisation(request: HttpRequest, org: Any) -> dict[str, Any]:
    return {
        "id": str(org.id),
        "slug": org.slug,
        "name": org.name,
        "about": org.about,
        "official_accounts": [],
        "brand_url": request.build_absolute_uri(reverse("web:brand", args=[org.slug])),
    }


@router.get("/search", response=answers(SearchOut), auth=read("read:search"), tags=["search"])
def find(
    request: HttpRequest,
    q: str,
    type: str = "posts",
    order: str = "top",
    offset: int = Query(0, ge=0, le=search.MAX_OFFSET),
    max_id: str | None = None,
    limit: int = Query(20),
) -> Any:
    """Posts by the search language (among those the caller may see, ranked or newest first),
    or people, organisations, groups (the caller's own organisations') and topics by name."""
    limit = _limit(limit)
    out: dict[str, Any] = {"posts": [], "people": [], "organisations": [], "groups": [], "topics": []}
    if type == "posts":
        wanted: search.Order = "latest" if order == "latest" else "top"
        found = search.find_posts(
            request.user, q[:1000], order=wanted, offset=offset, max_id=_max_id(max_id), limit=limit
        )
        out["posts"] = [_post(request, v.post) for v in found.items]
        out["next_offset"] = found.next_offset
        out["next_max_id"] = str(found.next_max_id) if found.next_max_id else None
    elif type == "people":
        out["people"] = [_account(a) for a in search.find_people(q[:200], limit=limit)]
    elif type == "organisations":
        out["organisations"] = [
            _organisation(request, o) for o in search.find_organisations(q[:200], limit=limit)
        ]
    elif type == "groups":
        out["groups"] = [_group(g, None) for g in search.find_groups(request.user, q[:200], limit=limit)]
    elif type == "topics":
        out["topics"] = [
            {
                "name": t.name,
                "posts_count": t.posts_count,
                "url": request.build_absolute_uri(topic_url(t.name)),
            }
            for t in search.find_topics(q[:200], limit=limit)
        ]
    else:
        raise Invalid(_("type is one of posts, people, organisations, groups, topics"))
    return out


def _monitor(m: Monitor, request: HttpRequest) -> dict[str, Any]:
    # The webhook's secret signs calls: shown to a token that may change the monitor, not to a reader.
    granted: set[str] = getattr(getattr(request, "auth", None), "granted", set())
    may_change = scopes.allows(granted, "write:monitors")
    return {
        "id": str(m.id),
        "account": _account(m.account),
        "name": m.name,
        "query": m.query,
        "source": m.source,
        "languages": m.languages.split(",") if m.languages else [],
        "notify": m.notify,
        "digest": m.digest,
        "webhook_url": m.webhook_url,
        "webhook_secret": m.webhook_secret if may_change else None,
        "hits_count": m.hits_count,
        "created_at": m.created_at,
    }


@router.get("/monitors", response=answers(list[MonitorOut]), auth=write("read:monitors"), tags=MONITORS)
def list_monitors(request: HttpRequest) -> Any:
    """The monitors of every official account the caller runs."""
    return [_monitor(m, request) for m in monitors.monitors_run_by(_me(request))]


@router.post("/monitors", response=answers(MonitorOut, 201), auth=write("write:monitors"), tags=MONITORS)
def create_monitor(request: HttpRequest, data: MonitorIn) -> Any:
    account = account_by_handle(data.account.lstrip("@"))
    if not monitors.runs(_me(request), account):
        raise NotFound()  # as for an account that does not exist
    fields = data.dict(exclude={"account"})
    monitor = monitors.create(_me(request), account, **fields)
    return Status(201, _monitor(monitor, request))


@router.get(
    "/monitors/{monitor_id}", response=answers(MonitorOut), auth=write("read:monitors"), tags=MONITORS
)
def get_monitor(request: HttpRequest, monitor_id: str) -> Any:
    return _monitor(monitors.monitor_for(_me(request), _id(monitor_id)), request)


@router.patch(
    "/monitors/{monitor_id}", response=answers(MonitorOut), auth=write("write:monitors"), tags=MONITORS
)
def change_monitor(request: HttpRequest, monitor_id: str, data: MonitorPatch) -> Any:
    fields = data.dict(exclude_unset=True)
    return _monitor(monitors.update(_me(request), _id(monitor_id), **fields), request)


@router.delete(
    "/monitors/{monitor_id}", response=answers(None, 204), auth=write("write:monitors"), tags=MONITORS
)
def delete_monitor(request: HttpRequest, monitor_id: str) -> Any:
    monitors.delete(_me(request), _id(monitor_id))
    return Status(204, None)


@router.get(
    "/monitors/{monitor_id}/posts", response=answers(HitPage), auth=write("read:monitors"), tags=MONITORS
)
def monitor_posts(
    request: HttpRequest, monitor_id: str, max_id: str | None = None, limit: int = Query(20)
) -> Any:
    """What the monitor caught, newest first (among the posts the caller may see)."""
    monitor = monitors.monitor_for(_me(request), _id(monitor_id))
    column = reports.column(request.user, monitor, max_id=_max_id(max_id), limit=_limit(limit))
    return {
        "items": [
            {"post": _post(request, view.post), "sentiment": hit.sentiment, "flagged": hit.flagged}
            for hit, view in column.items
        ],
        "next_max_id": str(column.next_max_id) if column.next_max_id else None,
    }


@router.get(
    "/monitors/{monitor_id}/figures",
    response=answers(FiguresOut),
    auth=write("read:monitors"),
    tags=MONITORS,
)
def monitor_figures(request: HttpRequest, monitor_id: str) -> Any:
    """Volume per day, tone, top authors and topics of what the monitor caught."""
    monitor = monitors.monitor_for(_me(request), _id(monitor_id))
    figures = reports.figures(request.user, monitor)
    return {
        "total": figures.total,
        "positive": figures.sentiment.get(1, 0),
        "neutral": figures.sentiment.get(0, 0),
        "negative": figures.sentiment.get(-1, 0),
        "volume": [{"day": day, "posts": n} for day, n in figures.volume],
        "top_authors": [{"account": _account(a), "posts": n} for a, n in figures.authors],
        "top_topics": [{"name": t.name, "posts": n} for t, n in figures.topics],
        "sentiment_caveat": CAVEAT,
    }


@router.get("/trends", response=answers(list[TopicCountOut]), auth=read(), tags=["search"])
def public_trends(request: HttpRequest, hours: int = Query(24, ge=1, le=168)) -> Any:
    """Topics with the most public posts over the last hours."""
    return [{"name": t.name, "posts": t.recent} for t in search.trending_topics(hours=hours)]


@router.get(
    "/organisations/{slug}/trends", response=answers(list[TopicCountOut]), auth=read(), tags=["search"]
)
def organisation_trends(request: HttpRequest, slug: str, hours: int = Query(24, ge=1, le=168)) -> Any:
    """Topics of the organisation's internal posts over the last hours, for its employees."""
    org, membership = org_selectors.access_space(request.user, slug[:40])
    if not membership.is_insider:
        raise NotFound()
    return [
        {"name": t.name, "posts": t.recent} for t in search.trending_topics(organisation=org, hours=hours)
    ]
