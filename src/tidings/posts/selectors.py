"""Reads of posts, always through the audience filter, hydrated in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypedDict, Unpack

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tidings.core.audience import access_post, visible_posts
from tidings.core.errors import NotFound
from tidings.core.text import fold
from tidings.posts import polls
from tidings.posts.models import (
    Audience,
    Favourite,
    IdempotencyKey,
    Like,
    Media,
    Post,
    PostEdit,
    PostTopic,
    ProfilePin,
    Topic,
)
from tidings.posts.polls import PollView
from tidings.social.selectors import hidden_author_ids

TIMELINE_KINDS = (Post.Kind.POST, Post.Kind.REPOST)


@dataclass
class PostView:
    """One item of a page: the post, and for a repost the original it shows."""

    post: Post
    original: Post | None = None
    media: list[Media] = field(default_factory=list)
    original_media: list[Media] = field(default_factory=list)
    liked: bool = False
    favourited: bool = False
    reposted: bool = False
    poll: PollView | None = None

    @property
    def is_plain_repost(self) -> bool:
        return self.post.kind == Post.Kind.REPOST and not self.post.text

    @property
    def subject(self) -> Post:
        """What the actions (like, comment, repost) act on: the original, for a plain repost."""
        if self.is_plain_repost and self.original is not None:
            return self.original
        return self.post


class Around(TypedDict, total=False):
    """Mastodon's other bounds of a page: the newest posts above `since_id`, or the page just
    above `min_id` (how a client catches up)."""

    since_id: int | None
    min_id: int | None


class Page:
    """A page of posts the viewer may see: their ids, and the posts hydrated on first use (the
    API renders statuses from the ids alone)."""

    def __init__(
        self,
        ids: list[int],
        next_max_id: int | None,
        viewer: Any = None,
        related: Sequence[str] | None = None,
    ) -> None:
        self.ids, self.next_max_id = ids, next_max_id
        self.viewer, self.related = viewer, CARD_RELATED if related is None else related

    @cached_property
    def items(self) -> list[PostView]:
        return hydrate(self.viewer, cards(self.ids, self.related))


def hydrate(viewer: Any, posts: Sequence[Post]) -> list[PostView]:
    """Attach originals, pictures and the viewer's own marks to posts already fetched with
    `author`, `repost_of` and `repost_of__author`: five to nine queries whatever the page size."""
    if not posts:
        return []
    original_ids = {p.repost_of_id for p in posts if p.repost_of_id}
    visible_originals: set[int] = set()
    if original_ids:
        visible_originals = set(
            Post.objects.filter(visible_posts(viewer), id__in=original_ids).values_list("id", flat=True)
        )
    media_by_post: dict[int, list[Media]] = defaultdict(list)
    for m in Media.objects.filter(post_id__in={p.id for p in posts} | visible_originals):
        media_by_post[m.post_id].append(m)  # type: ignore[index]
    views = []
    for p in posts:
        original = p.repost_of if p.repost_of_id in visible_originals else None
        views.append(
            PostView(
                post=p,
                original=original,
                media=media_by_post.get(p.id, []),
                original_media=media_by_post.get(original.id, []) if original else [],
            )
        )
    by_post = polls.views_for(viewer, [v.subject.id for v in views])
    for v in views:
        v.poll = by_post.get(v.subject.id)
    if getattr(viewer, "is_authenticated", False):
        marked = marks(viewer.id, sorted({v.subject.id for v in views}))
        for v in views:
            v.liked = (v.subject.id, "like") in marked
            v.favourited = (v.subject.id, "favourite") in marked
            v.reposted = (v.subject.id, "repost") in marked
    return views


def marks(viewer_id: int, post_ids: list[int]) -> set[tuple[int, str]]:
    """(post id, "like" | "favourite" | "repost") for the viewer's own marks on these posts: one
    query written out, where three through the ORM cost more to build than to run."""
    ids = "(" + ", ".join(["%s"] * len(post_ids)) + ")"
    sql = (
        f"SELECT post_id, 'like' FROM {Like._meta.db_table} WHERE account_id = %s AND post_id IN {ids}"  # noqa: S608
        f" UNION ALL SELECT post_id, 'favourite' FROM {Favourite._meta.db_table}"
        f" WHERE account_id = %s AND post_id IN {ids}"
        f" UNION ALL SELECT repost_of_id, 'repost' FROM {Post._meta.db_table}"
        f" WHERE author_id = %s AND kind = 'repost' AND repost_of_id IN {ids}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer_id, *post_ids] * 3)
        return {(row[0], row[1]) for row in cursor.fetchall()}


# What a card of a post shows besides the post: fetched with it, in the same query.
CARD_RELATED = (
    "author__organisation",
    "repost_of__author__organisation",
    "group",
    "organisation",
    "repost_of__group",
    "repost_of__organisation",
    "app_card",
)


def visible_to(viewer: Any) -> Any:
    """Posts the viewer may see (core.audience's filter), to narrow and read ids from."""
    return Post.objects.filter(visible_posts(viewer))


def cards(ids: Sequence[int], related: Sequence[str] = CARD_RELATED) -> list[Post]:
    """The posts of these ids, already through the audience filter, with what their cards show,
    in the order given. A page is read in two steps, the ids through the audience filter and then
    this: Django compiles the filter and the card's joins together several times slower than
    apart (8 ms against 3 for a page of 40)."""
    found = {p.id: p for p in Post.objects.filter(id__in=ids).select_related(*related)}
    return [found[i] for i in ids if i in found]


def visible_ids(viewer: Any, ids: Iterable[int]) -> list[int]:
    """Those of these ids the viewer may see, in the order given."""
    wanted = list(ids)
    visible = set(visible_to(viewer).filter(id__in=wanted).values_list("id", flat=True))
    return [i for i in wanted if i in visible]


def posts_by_ids(viewer: Any, ids: Iterable[int]) -> list[Post]:
    """Visible posts for these ids, in the order given (missing or hidden ones left out)."""
    return cards(visible_ids(viewer, ids))


def _page(
    viewer: Any,
    query: Any,
    *,
    max_id: int | None,
    limit: int,
    oldest_first: bool = False,
    since_id: int | None = None,
    min_id: int | None = None,
    related: Sequence[str] = CARD_RELATED,
) -> Page:
    """One page cut by id, without the authors the viewer blocked or muted. Newest first, the
    cursor below `max_id`; or oldest first (a conversation), the cursor after it. As in
    Mastodon, `since_id` keeps the newest above an id and `min_id` the ones just above it."""
    if max_id:
        query = query.filter(id__gt=max_id) if oldest_first else query.filter(id__lt=max_id)
    if since_id or min_id:
        query = query.filter(id__gt=max(since_id or 0, min_id or 0))
    hidden = hidden_author_ids(viewer)
    if hidden:
        query = query.exclude(author_id__in=hidden)
    upward = bool(min_id) and not since_id and not oldest_first
    ordered = query.order_by("id" if oldest_first or upward else "-id")
    ids = list(ordered.values_list("id", flat=True)[: limit + 1])
    more = len(ids) > limit
    ids = ids[:limit]
    if upward:
        ids.reverse()  # the page just above min_id, shown newest first
        return Page(ids, ids[-1] if ids else None, viewer, related)
    return Page(ids, ids[-1] if more and ids else None, viewer, related)


def profile_posts(
    viewer: Any,
    author_id: int,
    *,
    max_id: int | None = None,
    limit: int = 20,
    **around: Unpack[Around],
) -> Page:
    return _page(
        viewer,
        visible_to(viewer)
        .filter(author_id=author_id, kind__in=TIMELINE_KINDS)
        .exclude(audience=Audience.DIRECT),
        max_id=max_id,
        limit=limit,
        **around,
    )


def public_posts(
    viewer: Any,
    *,
    max_id: int | None = None,
    limit: int = 20,
    **around: Unpack[Around],
) -> Page:
    """The public square: every public post and repost, newest first."""
    query = visible_to(viewer).filter(kind__in=TIMELINE_KINDS, audience=Audience.PUBLIC)
    return _page(viewer, query, max_id=max_id, limit=limit, **around)


def topic_by_name(name: str) -> Topic:
    """The topic, or an unsaved empty one: whether a topic exists must not tell an outsider
    that somebody inside an organisation used it."""
    key = fold(name)
    if not key or len(key) > 200:
        raise NotFound()
    topic = Topic.objects.filter(key=key).first() or Topic(key=key)
    if not topic.posts_count:
        # Without public posts, the stored spelling would tell an outsider it is used inside.
        topic.name = name.strip("#")
    return topic


def topic_posts(
    viewer: Any,
    topic: Topic,
    *,
    max_id: int | None = None,
    limit: int = 20,
    **around: Unpack[Around],
) -> Page:
    if topic.pk is None:
        return Page([], None, viewer)
    ids = PostTopic.objects.filter(topic=topic).values("post_id")
    return _page(viewer, visible_to(viewer).filter(id__in=ids), max_id=max_id, limit=limit, **around)


def space_posts(
    viewer: Any,
    *,
    organisation_id: int,
    group_id: int | None = None,
    max_id: int | None = None,
    limit: int = 20,
    **around: Unpack[Around],
) -> Page:
    """An organisation's internal timeline (posts to the whole organisation) or one group's feed."""
    if group_id is None:
        query = visible_to(viewer).filter(
            organisation_id=organisation_id, audience=Audience.ORGANISATION, kind__in=TIMELINE_KINDS
        )
    else:
        query = visible_to(viewer).filter(group_id=group_id, kind__in=TIMELINE_KINDS)
    return _page(viewer, query, max_id=max_id, limit=limit, **around)


def official_posts(
    viewer: Any,
    author_ids: list[int],
    *,
    max_id: int | None = None,
    limit: int = 20,
    **around: Unpack[Around],
) -> Page:
    """The public posts of an organisation's official accounts, for its brand page."""
    query = visible_to(viewer).filter(
        author_id__in=author_ids, audience=Audience.PUBLIC, kind__in=TIMELINE_KINDS
    )
    return _page(viewer, query, max_id=max_id, limit=limit, **around)


def favourite_posts(
    viewer: Any,
    *,
    max_id: int | None = None,
    limit: int = 20,
    **around: Unpack[Around],
) -> Page:
    ids = Favourite.objects.filter(account_id=viewer.id).values("post_id")
    return _page(viewer, visible_to(viewer).filter(id__in=ids), max_id=max_id, limit=limit, **around)


def liked_posts(
    viewer: Any,
    *,
    max_id: int | None = None,
    limit: int = 20,
    **around: Unpack[Around],
) -> Page:
    ids = Like.objects.filter(account_id=viewer.id).values("post_id")
    query = visible_to(viewer).filter(id__in=ids)
    return _page(viewer, query, max_id=max_id, limit=limit, **around)


def post_view(viewer: Any, post_id: int | str) -> PostView:
    post = access_post(
        viewer,
        post_id,
        related=(
            "author__organisation",
            "repost_of__author__organisation",
            "group",
            "organisation",
            "root__author",
            "app_card",
        ),
    )
    return hydrate(viewer, [post])[0]


def comments(viewer: Any, root: Post, *, max_id: int | None = None, limit: int = 50) -> Page:
    """Comments under a post, oldest first as a conversation reads; the caller checked the root."""
    query = visible_to(viewer).filter(root=root, kind=Post.Kind.COMMENT)
    related = ("author__organisation", "reply_to__author", "organisation", "group")
    return _page(viewer, query, max_id=max_id, limit=limit, oldest_first=True, related=related)


def reply_targets(ids: list[int]) -> dict[int, int | None]:
    """The comment each of these comments answers (None: the post it sits under), in their order."""
    found = dict(Post.objects.filter(id__in=ids).values_list("id", "reply_to_id"))
    return {i: found[i] for i in ids if i in found}


def repost_chain(viewer: Any, post: Post) -> list[Post]:
    """Who reposted this post, newest first (the reposts a viewer may see)."""
    reposts = visible_to(viewer).filter(Q(repost_of=post) | Q(repost_parent=post), kind=Post.Kind.REPOST)
    return cards(list(reposts.order_by("-id").values_list("id", flat=True)[:50]))


def likers(viewer: Any, post: Post, *, max_id: int | None = None, limit: int = 40) -> list[Like]:
    """Who liked a post the caller already checked, newest first (active accounts only)."""
    rows = Like.objects.filter(post=post, account__is_active=True).select_related("account__organisation")
    hidden = hidden_author_ids(viewer)
    if hidden:
        rows = rows.exclude(account_id__in=hidden)
    if max_id:
        rows = rows.filter(id__lt=max_id)
    return list(rows.order_by("-id")[:limit])


def edit_history(viewer: Any, post_id: int | str) -> tuple[Post, list[PostEdit]]:
    post = access_post(viewer, post_id)
    return post, list(post.edits.order_by("-id"))


def post_for_request(viewer: Any, key: str) -> int | None:
    """The post an earlier request with this Idempotency-Key made (within the last day)."""
    from tidings.posts.services import REQUEST_KEY_HOURS

    since = timezone.now() - dt.timedelta(hours=REQUEST_KEY_HOURS)
    found = IdempotencyKey.objects.filter(account_id=viewer.id, key=key[:100], created_at__gte=since)
    return found.values_list("post_id", flat=True).first()


def pinned_ids(account_id: int, *, limit: int) -> list[int]:
    return list(
        ProfilePin.objects.filter(account_id=account_id)
        .order_by("-id")
        .values_list("post_id", flat=True)[:limit]
    )
