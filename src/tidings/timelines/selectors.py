"""Home timeline reads: the kept timeline, merged at read time with the viewer's own posts and
the posts of big accounts they follow (which are not fanned out)."""

from __future__ import annotations

from django.conf import settings

from tidings.accounts.models import Account
from tidings.posts.models import OUTSIDE, Post
from tidings.posts.selectors import TIMELINE_KINDS, Page, visible_to
from tidings.social.models import Follow
from tidings.social.selectors import hidden_author_ids
from tidings.timelines import services, store


def home_timeline(
    viewer: Account,
    *,
    max_id: int | None = None,
    limit: int = 20,
    since_id: int | None = None,
    min_id: int | None = None,
) -> Page:
    """Newest first below `max_id`; with `since_id` the newest above it, with `min_id` the
    page just above it (how a client catches up)."""
    services.ensure_built(viewer)
    floor = max(since_id or 0, min_id or 0)
    # Catching up from an id reads the whole kept timeline (capped) and keeps what is above it.
    size = settings.TIMELINE_CAP if floor else limit + 1
    stored = store.read(viewer.id, max_id=max_id, limit=size)
    if stored is None:  # Redis was emptied or lost: the timeline is rebuilt from the database
        services.rebuild(viewer)
        stored = store.read(viewer.id, max_id=max_id, limit=size) or []
    # The big accounts followed, as a list: `author_id IN (a, b, c)` lets both databases read the
    # (author, kind, id) index per author, where a subquery made PostgreSQL walk all posts by id.
    big = list(
        Follow.objects.filter(
            follower_id=viewer.id, followee__followers_count__gt=settings.FANOUT_FOLLOWER_THRESHOLD
        ).values_list("followee_id", flat=True)
    )
    # Home is the public side: posts inside organisations and groups live in their own spaces,
    # messages in their conversations.
    merged_query = Post.objects.filter(
        kind__in=TIMELINE_KINDS, audience__in=OUTSIDE, author_id__in=[viewer.id, *big]
    )
    if max_id:
        merged_query = merged_query.filter(id__lt=max_id)
    if floor:
        merged_query = merged_query.filter(id__gt=floor)
    upward = bool(min_id) and not since_id
    merged = list(merged_query.order_by("id" if upward else "-id").values_list("id", flat=True)[: limit + 1])
    candidates = sorted({i for i in (*stored, *merged) if i > floor}, reverse=True)
    if upward:
        ids = candidates[-limit:]
        more = False
    else:
        ids = candidates[: limit + 1]
        more = len(ids) > limit
        ids = ids[:limit]
    hidden = hidden_author_ids(viewer)
    query = visible_to(viewer).filter(id__in=ids)
    if hidden:
        query = query.exclude(author_id__in=hidden)
    shown = list(query.order_by("-id").values_list("id", flat=True))
    return Page(shown, ids[-1] if more and ids else None, viewer)
