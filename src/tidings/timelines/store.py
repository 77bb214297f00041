"""Home timeline store: per owner, the newest post ids, capped. A sorted set per owner in Redis at
scale, a table embedded. Both are caches: losing them loses nothing (see services.rebuild).

Whether a person's timeline is kept is Account.timeline_built_at, in the database. The table sits
in that same database, so the two cannot disagree; Redis can be emptied, restarted without its
data or evict keys on its own. So a kept sorted set also holds a marker, KEPT, and a read that
finds no marker says so (None): the timeline is rebuilt from the posts and follows."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection

from tidings.core import redis as tredis
from tidings.timelines.models import TimelineEntry


def _rkey(owner_id: int) -> str:
    return tredis.key("tl", owner_id)


# In Redis every member has score 0 and is named "<post id, 20 digits>:<author id>": members of
# equal score sort by their bytes, so the fixed width orders them exactly by id. (A score would be
# a double, which cannot tell apart 64-bit ids made in the same millisecond.)
def _member(post_id: int, author_id: int) -> str:
    return f"{post_id:020d}:{author_id}"


# Sorts above every "<20 digits>:<author>" member, so trimming the oldest never removes it; the
# cap counts it as one more member.
KEPT = "~"


def add(owner_ids: Iterable[int], post_id: int, author_id: int) -> None:
    owners = list(owner_ids)
    if not owners:
        return
    if tredis.enabled():
        pipe = tredis.client().pipeline(transaction=False)
        for owner in owners:
            pipe.zadd(_rkey(owner), {_member(post_id, author_id): 0})
            pipe.zremrangebyrank(_rkey(owner), 0, -settings.TIMELINE_CAP - 2)
        pipe.execute()
        return
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(owner_id=o, post_id=post_id, author_id=author_id) for o in owners],
        ignore_conflicts=True,
        batch_size=500,
    )


def fill(owner_id: int, entries: list[tuple[int, int]]) -> None:
    """Add these (post_id, author_id) pairs to an owner's timeline, keeping what is there: a post
    fanned out while a rebuild was reading must not be wiped by it. The timeline is kept from now
    on, even when empty."""
    entries = entries[: settings.TIMELINE_CAP]
    if tredis.enabled():
        pipe = tredis.client().pipeline()
        pipe.zadd(_rkey(owner_id), {KEPT: 0, **{_member(p, a): 0 for p, a in entries}})
        pipe.zremrangebyrank(_rkey(owner_id), 0, -settings.TIMELINE_CAP - 2)
        pipe.execute()
        return
    if not entries:
        return
    TimelineEntry.objects.bulk_create(
        [TimelineEntry(owner_id=owner_id, post_id=p, author_id=a) for p, a in entries],
        batch_size=500,
        ignore_conflicts=True,
    )


def read(owner_id: int, *, max_id: int | None, limit: int) -> list[int] | None:
    """Post ids, newest first, below max_id; None when Redis lost the timeline (no KEPT marker)."""
    if tredis.enabled():
        top = f"({max_id:020d}" if max_id else f"({KEPT}"
        pipe = tredis.client().pipeline(transaction=False)  # one round trip
        pipe.zscore(_rkey(owner_id), KEPT)
        pipe.zrevrangebylex(_rkey(owner_id), top, "-", start=0, num=limit)
        kept, members = pipe.execute()
        if kept is None:
            return None
        return [int(m.split(":", 1)[0]) for m in members]
    rows = TimelineEntry.objects.filter(owner_id=owner_id)
    if max_id:
        rows = rows.filter(post_id__lt=max_id)
    return list(rows.order_by("-post_id").values_list("post_id", flat=True)[:limit])


def remove_author(owner_id: int, author_id: int, post_ids: list[int]) -> None:
    """Drop one author's posts from one owner's timeline (after an unfollow or a block)."""
    if tredis.enabled():
        if post_ids:
            tredis.client().zrem(_rkey(owner_id), *[_member(p, author_id) for p in post_ids])
        return
    TimelineEntry.objects.filter(owner_id=owner_id, author_id=author_id).delete()


def remove_post(post_id: int, author_id: int, owner_ids: Iterable[int]) -> None:
    if tredis.enabled():
        pipe = tredis.client().pipeline(transaction=False)
        for owner in owner_ids:
            pipe.zrem(_rkey(owner), _member(post_id, author_id))
        pipe.execute()
        return
    TimelineEntry.objects.filter(post_id=post_id).delete()


def drop(owner_id: int) -> None:
    if tredis.enabled():
        tredis.client().delete(_rkey(owner_id))
        return
    TimelineEntry.objects.filter(owner_id=owner_id).delete()


def trim_all() -> None:
    """Keep only the newest TIMELINE_CAP entries per owner (Redis trims on every add)."""
    if tredis.enabled():
        return
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM timelines_timelineentry WHERE id IN ("
            " SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY post_id DESC) AS n"
            " FROM timelines_timelineentry) ranked WHERE n > %s)",
            [settings.TIMELINE_CAP],
        )
