"""Home timeline reads: the kept timeline, merged at read time with the viewer's own posts and
the posts of big accounts they follow (which are not fanned out)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from tidings.accounts.models import Account
from tidings.posts.models import Post
from tidings.posts.selectors import TIMELINE_KINDS, Page, _base, hydrate
from tidings.social.models import Follow
from tidings.social.selectors import hidden_author_ids
from tidings.timelines import services, store


def home_timeline(viewer: Account, *, max_id: int | None = None, limit: int = 20) -> Page:
    services.ensure_built(viewer)
    stored = store.read(viewer.id, max_id=max_id, limit=limit + 1)
    big = Follow.objects.filter(
        follower_id=viewer.id, followee__followers_count__gt=settings.FANOUT_FOLLOWER_THRESHOLD
    ).values("followee_id")
    # Home is the public side: posts inside organisations and groups live in their own spaces.
    merged_query = Post.objects.filter(kind__in=TIMELINE_KINDS, organisation__isnull=True).filter(
        Q(author_id=viewer.id) | Q(author_id__in=big)
    )
    if max_id:
        merged_query = merged_query.filter(id__lt=max_id)
    merged = list(merged_query.order_by("-id").values_list("id", flat=True)[: limit + 1])
    ids = sorted(set(stored) | set(merged), reverse=True)[: limit + 1]
    more = len(ids) > limit
    ids = ids[:limit]
    hidden = hidden_author_ids(viewer)
    query = _base(viewer).filter(id__in=ids)
    if hidden:
        query = query.exclude(author_id__in=hidden)
    posts = list(query.order_by("-id"))
    return Page(hydrate(viewer, posts), ids[-1] if more and ids else None)
