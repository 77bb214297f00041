"""Home timeline reads: the kept timeline, merged at read time with the viewer's own posts and
the posts of big accounts they follow (which are not fanned out)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from tidings.accounts.models import Account
from tidings.core import pubsub
from tidings.core.audience import visible_posts_sql
from tidings.posts.models import OUTSIDE
from tidings.posts.selectors import TIMELINE_KINDS, Page
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
    upward = bool(min_id) and not since_id
    merged = _own_and_big(viewer.id, max_id=max_id, floor=floor, upward=upward, limit=limit + 1)
    candidates = sorted({i for i in (*stored, *merged) if i > floor}, reverse=True)
    if upward:
        ids = candidates[-limit:]
        more = False
    else:
        ids = candidates[: limit + 1]
        more = len(ids) > limit
        ids = ids[:limit]
    return Page(_shown(viewer, ids), ids[-1] if more and ids else None, viewer)


# The page's ids are read with SQL written out, as the audience filter is: Django built these
# queries in about 3 ms for 0.3 ms of the database's work (bench/notes.md).
_FOLLOWED_BIG = (
    " FROM social_follow f JOIN accounts_account a ON a.id = f.followee_id"
    " WHERE f.follower_id = %s AND a.followers_count > %s"
)
_BIG = "SELECT f.followee_id" + _FOLLOWED_BIG
# The authors the viewer blocked or muted.
_HIDDEN = (
    "SELECT b.blocked_id FROM social_block b WHERE b.blocker_id = %s"
    " UNION SELECT m.muted_id FROM social_mute m WHERE m.muter_id = %s"
)
# The viewer's own posts and those of the big accounts they follow, which are not fanned out.
# Home is the public side: posts inside organisations and groups live in their own spaces,
# messages in their conversations. The big accounts go in as a list: `author_id IN (a, b, c)`
# lets both databases read the (author, kind, id) index per author, where a subquery made
# PostgreSQL walk all posts backwards by id.
_MERGED = (
    "SELECT p.id FROM posts_post p WHERE p.kind IN (%s, %s) AND p.audience IN (%s, %s)"
    " AND p.author_id IN ({authors}){window} ORDER BY p.id {order} LIMIT %s"
)
# What the viewer may see of the page, less the authors they blocked or muted.
_SHOWN = (
    "SELECT p.id FROM posts_post p WHERE p.id IN ({ids}) AND {visible}"  # noqa: S608
    f" AND p.author_id NOT IN ({_HIDDEN}) ORDER BY p.id DESC"
)


# The big accounts followed whose posts the viewer wants to hear of live.
_BIG_HEARD = f"{_BIG} AND f.followee_id NOT IN ({_HIDDEN})"


# The channels of the big accounts followed, for a position (pubsub.position): muted ones too,
# as a position over more channels is still the right one.
_BIG_CHANNELS = "SELECT -f.followee_id" + _FOLLOWED_BIG


def live_position(viewer_id: int) -> str:
    """Where a live stream of the viewer's home starts: what comes after now (in one query)."""
    return pubsub.position([viewer_id], more=(_BIG_CHANNELS, [viewer_id, settings.FANOUT_FOLLOWER_THRESHOLD]))


def live_channels(viewer_id: int) -> list[int]:
    """The channels an open stream of the viewer's home listens to: their own, and the channels
    of the big accounts they follow (whose posts are announced once, not to each follower), less
    those they blocked or muted."""
    big = _column(_BIG_HEARD, [viewer_id, settings.FANOUT_FOLLOWER_THRESHOLD, viewer_id, viewer_id])
    return [viewer_id, *(pubsub.author_channel(a) for a in big)]


def _column(sql: str, params: list[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _own_and_big(viewer_id: int, *, max_id: int | None, floor: int, upward: bool, limit: int) -> list[int]:
    authors = [viewer_id, *_column(_BIG, [viewer_id, settings.FANOUT_FOLLOWER_THRESHOLD])]
    # Only the bounds asked for: the query the ORM made before, whose plans EXPLAIN checked.
    window = (" AND p.id < %s" if max_id else "") + (" AND p.id > %s" if floor else "")
    bounds = [b for b in (max_id, floor) if b]
    sql = _MERGED.format(
        authors=", ".join(["%s"] * len(authors)), window=window, order="ASC" if upward else "DESC"
    )
    kinds = [str(k) for k in (*TIMELINE_KINDS, *OUTSIDE)]
    return _column(sql, [*kinds, *authors, *bounds, limit])


def _shown(viewer: Account, ids: list[int]) -> list[int]:
    if not ids:
        return []
    visible, params = visible_posts_sql(viewer, "p")
    sql = _SHOWN.format(ids=", ".join(["%s"] * len(ids)), visible=visible)
    return _column(sql, [*ids, *params, viewer.id, viewer.id])
