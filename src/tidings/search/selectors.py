"""Reading the search index: posts (the audience filter inside the same SQL query as the match,
so every page holds only what the viewer may see), people, organisations, groups and topics."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.core.audience import groups_of, insider_of, visible_posts
from tidings.core.errors import Invalid
from tidings.core.ids import EPOCH_MS, id_for_time
from tidings.core.text import fold
from tidings.groups.models import Group
from tidings.orgs.models import Organisation
from tidings.posts.models import Audience, Post, PostTopic, Topic
from tidings.posts.selectors import PostView, cards, hydrate
from tidings.search import query as parser
from tidings.search.index import is_postgres
from tidings.search.models import NameEntry
from tidings.social.selectors import hidden_author_ids

Order = Literal["top", "latest"]
MAX_OFFSET = 1000  # ranked results are paged by offset; nobody reads past fifty pages
RECENCY_DAYS = 7.0  # a week old halves a match's rank


@dataclass
class Results:
    """The ids of a page of matches the viewer may see, and the posts hydrated on first use (the
    API renders statuses from the ids alone)."""

    ids: list[int]
    viewer: Any
    needles: list[str] = field(default_factory=list)
    next_max_id: int | None = None  # newest first
    next_offset: int | None = None  # ranked

    @cached_property
    def items(self) -> list[PostView]:
        return hydrate(self.viewer, cards(self.ids))


def _places(viewer: Any, names: list[str]) -> Q:
    """in: a group the viewer may read, or an organisation whose space they are inside."""
    wanted = {fold(n) for n in names}
    if viewer is None or not viewer.is_authenticated:
        raise Invalid(_("Sign in to search inside a group or an organisation."))
    groups = [
        g
        for g, name in Group.objects.filter(id__in=groups_of(viewer.id)).values_list("id", "name")
        if fold(name) in wanted
    ]
    orgs = list(
        Organisation.objects.filter(
            id__in=insider_of(viewer.id), slug__in=[n.lower() for n in names]
        ).values_list("id", flat=True)
    )
    orgs += [
        o
        for o, name in Organisation.objects.filter(id__in=insider_of(viewer.id)).values_list("id", "name")
        if fold(name) in wanted
    ]
    if not groups and not orgs:
        raise Invalid(_("You are in no group or organisation called %(name)s.") % {"name": ", ".join(names)})
    return Q(group_id__in=groups) | Q(organisation_id__in=orgs, audience=Audience.ORGANISATION)


def _day_id(day: dt.date, *, end: bool) -> int:
    if end:  # the next day starts; until:9999-12-31 has none (it would overflow)
        day = min(day, dt.date.max - dt.timedelta(days=1)) + dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())
    return id_for_time(start.timestamp())


def _filtered(viewer: Any, q: parser.Query) -> Any:
    rows = Post.objects.filter(visible_posts(viewer)).exclude(kind=Post.Kind.REPOST, text="")
    if q.authors:
        rows = rows.filter(author__handle_key__in=[fold(a) for a in q.authors])
    if q.places:
        rows = rows.filter(_places(viewer, q.places))
    for topic in q.topics:
        rows = rows.filter(id__in=PostTopic.objects.filter(topic__key=topic).values("post_id"))
    if q.languages:
        by_language = Q()
        for code in q.languages:
            by_language |= Q(language__istartswith=code[:8])
        rows = rows.filter(by_language)
    if q.since:
        rows = rows.filter(id__gte=_day_id(q.since, end=False))
    if q.until:
        rows = rows.filter(id__lt=_day_id(q.until, end=True))
    hidden = hidden_author_ids(viewer)
    if hidden:
        rows = rows.exclude(author_id__in=hidden)
    return rows


def _matching(rows: Any, q: parser.Query) -> Any:
    """Join the index: only the posts that match. The SQL is fixed; the query is a parameter."""
    if is_postgres():
        where = ["search_document.post_id = posts_post.id", "search_document.document @@ %s::tsquery"]
        return rows.extra(tables=["search_document"], where=where, params=[parser.to_tsquery(q)])  # noqa: S610
    where = ["search_fts.rowid = posts_post.id", "search_fts MATCH %s"]
    return rows.extra(tables=["search_fts"], where=where, params=[parser.to_fts(q)])  # noqa: S610


# Ranking every match of a common word (100 000 of a million posts) costs most of a second: the
# newest matches are ranked instead, the window widened until it holds enough the viewer may see.
RANK_WINDOW = 500
RANK_WINDOW_MOST = 32000  # under SQLite's limit of bound values


def _newest_matches(q: parser.Query, window: int, *, before: int | None = None) -> list[tuple[int, float]]:
    """(post id, relevance: higher is better) of the newest matches (below `before`), whoever may
    see them; the index gives them newest first and stops, scoring only those."""
    below = before or (1 << 63) - 1
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT post_id, ts_rank('{0.1, 0.4, 0.3, 1.0}', document, %s::tsquery) FROM "
                "(SELECT post_id, document FROM search_document WHERE document @@ %s::tsquery "
                "AND post_id < %s ORDER BY post_id DESC LIMIT %s) AS newest",
                [parser.to_tsquery(q), parser.to_tsquery(q), below, window],
            )
            return [(int(i), float(r)) for i, r in cursor.fetchall()]
        cursor.execute(
            "SELECT rowid, bm25(search_fts, 1.0, 1.0, 2.0) FROM search_fts WHERE search_fts MATCH %s "
            "AND rowid < %s ORDER BY rowid DESC LIMIT %s",
            [parser.to_fts(q), below, window],
        )
        return [(int(i), -float(r)) for i, r in cursor.fetchall()]  # bm25: the lower the better


def _latest(viewer: Any, q: parser.Query, rows: Any, *, max_id: int | None, limit: int) -> Results:
    """Newest first, below max_id: the index's newest matches, those the viewer may see kept,
    the window widened while too few are left; past the widest window, the plain join."""
    window = 4 * (limit + 1)
    while True:
        scored = _newest_matches(q, window, before=max_id)
        candidates = rows.filter(id__in=[i for i, _ in scored])
        found = list(candidates.order_by("-id").values_list("id", flat=True)[: limit + 1])
        if len(found) > limit or len(scored) < window:
            break
        if window >= RANK_WINDOW_MOST:
            below = rows.filter(id__lt=max_id) if max_id else rows
            found = list(_matching(below, q).order_by("-id").values_list("id", flat=True)[: limit + 1])
            break
        window *= 8
    more = len(found) > limit
    found = found[:limit]
    return Results(found, viewer, q.needles, next_max_id=found[-1] if more and found else None)


def _ranked(viewer: Any, q: parser.Query, rows: Any, *, offset: int, limit: int) -> Results:
    """Best first: relevance, halved by each week of age, among the newest matches the viewer
    may see (the audience filter runs on the candidates, in SQL, before any is counted)."""
    offset = max(0, min(offset, MAX_OFFSET))
    need = offset + limit + 1
    window = RANK_WINDOW
    while True:
        scored = _newest_matches(q, window)
        visible = set(rows.filter(id__in=[i for i, _ in scored]).values_list("id", flat=True))
        if len(visible) >= need or len(scored) < window:
            break
        if window >= RANK_WINDOW_MOST:
            # The viewer may see few of so many matches: theirs, by the plain join, newest first.
            scored = [
                (i, 1.0) for i in _matching(rows, q).order_by("-id").values_list("id", flat=True)[:need]
            ]
            visible = {i for i, _ in scored}
            break
        window *= 4
    now_ms = time.time() * 1000 - EPOCH_MS
    week_ms = RECENCY_DAYS * 86_400_000

    def rank(item: tuple[int, float]) -> tuple[float, int]:
        post_id, relevance = item
        return (relevance / (1.0 + max(now_ms - (post_id >> 22), 0) / week_ms), post_id)

    ordered = [i for i, _ in sorted((x for x in scored if x[0] in visible), key=rank, reverse=True)]
    page = ordered[offset : offset + limit]  # each through `rows`, the audience filter, above
    more = len(ordered) > offset + limit and offset + limit < MAX_OFFSET
    return Results(page, viewer, q.needles, next_offset=offset + limit if more else None)


def _excluding(rows: Any, q: parser.Query) -> Any:
    """Leave out the posts holding any excluded word, when there is no word to match."""
    unwanted = parser.Query(clauses=[list(q.excluded)])
    if is_postgres():
        where = "posts_post.id NOT IN (SELECT post_id FROM search_document WHERE document @@ %s::tsquery)"
        return rows.extra(where=[where], params=[parser.to_tsquery(unwanted)])  # noqa: S610
    where = "posts_post.id NOT IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
    return rows.extra(where=[where], params=[parser.to_fts(unwanted)])  # noqa: S610


def find_posts(
    viewer: Any,
    text: str,
    *,
    order: Order = "top",
    max_id: int | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Results:
    """Posts the viewer may see that match the query (Invalid with the reason if it is not one).
    "top" ranks by relevance and recency, paged by offset; "latest" is newest first, by id."""
    q = parser.parse(text)
    rows = _filtered(viewer, q)
    if order == "top" and q.has_text:
        return _ranked(viewer, q, rows, offset=offset, limit=limit)
    if q.has_text and not offset:
        return _latest(viewer, q, rows, max_id=max_id, limit=limit)
    if q.has_text:
        rows = _matching(rows, q)
    elif q.excluded:  # `from:dell -广告`: no words to match, but still words to leave out
        rows = _excluding(rows, q)
    ids = rows.order_by("-id").values_list("id", flat=True)
    if offset:  # Mastodon's clients page search results by offset
        offset = max(0, min(offset, MAX_OFFSET))
        found = list(ids[offset : offset + limit + 1])
        more = len(found) > limit and offset + limit < MAX_OFFSET
        found = found[:limit]
        return Results(found, viewer, q.needles, next_offset=offset + limit if more else None)
    if max_id:
        ids = ids.filter(id__lt=max_id)
    found = list(ids[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return Results(found, viewer, q.needles, next_max_id=found[-1] if more and found else None)


# --- names ---------------------------------------------------------------------------------------


def _name_key(text: str) -> str:
    key = fold(parser.clean(text)).lstrip("@#")[:60]
    if not key:
        raise Invalid(_("Type something to search for."))
    return key


def _named(kind: str, text: str) -> Any:
    return NameEntry.objects.filter(kind=kind, key__contains=_name_key(text)).values("object_id")


def find_people(text: str, *, limit: int = 20) -> list[Account]:
    """People and official accounts whose handle or name holds the text (folded); the exact
    handle first, then by followers."""
    key = _name_key(text)
    found = Account.objects.filter(is_active=True).select_related("organisation")
    exact = list(found.filter(handle_key=key)[:1])
    rest = list(
        found.filter(id__in=_named(NameEntry.Kind.ACCOUNT, text))
        .exclude(handle_key=key)
        .order_by("-followers_count", "id")[: limit - len(exact)]
    )
    return exact + rest


def find_organisations(text: str, *, limit: int = 20) -> list[Organisation]:
    """Every organisation has a public brand page: all may be found."""
    found = Organisation.objects.filter(id__in=_named(NameEntry.Kind.ORGANISATION, text))
    return list(found.order_by("name", "id")[:limit])


def find_groups(viewer: Any, text: str, *, limit: int = 20) -> list[Group]:
    """The groups the viewer may open: those of organisations they are inside, except the
    cross-company ones they are not in (as the group page answers), and any group they are in.
    A stranger finds none."""
    if viewer is None or not viewer.is_authenticated:
        return []
    visible = Group.objects.filter(
        (Q(organisation_id__in=insider_of(viewer.id)) & ~Q(kind=Group.Kind.CROSS))
        | Q(id__in=groups_of(viewer.id))
    )
    return list(
        visible.filter(id__in=_named(NameEntry.Kind.GROUP, text))
        .select_related("organisation")
        .order_by("-members_count", "id")[:limit]
    )


def find_topics(text: str, *, limit: int = 20) -> list[Topic]:
    key = _name_key(text)
    rows = Topic.objects.filter(posts_count__gt=0)
    starts = list(rows.filter(key__startswith=key).order_by("-posts_count")[:limit])
    if len(starts) < limit:
        starts += (
            rows.filter(key__contains=key)
            .exclude(key__startswith=key)
            .order_by("-posts_count")[: limit - len(starts)]
        )
    return starts


# --- trends --------------------------------------------------------------------------------------

TREND_HOURS = 24


@dataclass
class Trend:
    topic: Topic
    recent: int  # posts in the window

    @property
    def name(self) -> str:
        return self.topic.name


def trending_topics(
    *, organisation: Organisation | None = None, hours: int = TREND_HOURS, limit: int = 10
) -> list[Trend]:
    """Topics with the most posts over the last hours: in public, or inside one organisation's
    space (the caller checked the viewer is inside it)."""
    since = id_for_time(time.time() - hours * 3600)
    if organisation is None:
        posts = Q(post__audience=Audience.PUBLIC)
    else:
        # The space's own posts: a private group's topics stay with the group.
        posts = Q(post__organisation=organisation, post__audience=Audience.ORGANISATION)
    key = f"trends:{organisation.id if organisation else 0}:{hours}:{limit}"
    counted = cache.get(key)
    if counted is None:
        # Counted at most once a minute (every page's sidebar shows them), not per page view.
        links = PostTopic.objects.filter(
            posts, post_id__gte=since, post__held=False, post__author__is_active=True
        )
        counted = list(
            links.values("topic_id").annotate(recent=Count("id")).order_by("-recent", "topic_id")[:limit]
        )
        cache.set(key, counted, settings.TRENDS_CACHE_SECONDS)
    topics = Topic.objects.in_bulk([c["topic_id"] for c in counted])
    return [Trend(topics[c["topic_id"]], c["recent"]) for c in counted if c["topic_id"] in topics]
