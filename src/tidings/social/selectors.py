"""Reads of relationships."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.social.models import Block, Follow, Mute


@dataclass(frozen=True)
class Relationship:
    following: bool = False
    followed_by: bool = False
    blocking: bool = False
    muting: bool = False


def relationship(viewer: Any, other_id: int) -> Relationship:
    if not getattr(viewer, "is_authenticated", False) or viewer.id == other_id:
        return Relationship()
    return Relationship(
        following=Follow.objects.filter(follower_id=viewer.id, followee_id=other_id).exists(),
        followed_by=Follow.objects.filter(follower_id=other_id, followee_id=viewer.id).exists(),
        blocking=Block.objects.filter(blocker_id=viewer.id, blocked_id=other_id).exists(),
        muting=Mute.objects.filter(muter_id=viewer.id, muted_id=other_id).exists(),
    )


def has_blocked(blocker_id: int, blocked_id: int) -> bool:
    return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()


@dataclass
class FollowPage:
    people: list[Any]
    next_max_id: int | None  # the cursor of the next (older) page, None at the end
    newest_id: int | None  # the cursor of the newest row shown, for a client catching up


def follow_page(
    account_id: int, *, followers: bool, max_id: int | None, limit: int = 50, since_id: int | None = None
) -> FollowPage:
    """Who follows the account (or whom it follows), newest first, active accounts only."""
    if followers:
        rows = Follow.objects.filter(followee_id=account_id, follower__is_active=True).select_related(
            "follower__organisation"
        )
    else:
        rows = Follow.objects.filter(follower_id=account_id, followee__is_active=True).select_related(
            "followee__organisation"
        )
    if max_id:
        rows = rows.filter(id__lt=max_id)
    if since_id:
        rows = rows.filter(id__gt=since_id)
    page = list(rows.order_by("-id")[: limit + 1])
    people = [f.follower if followers else f.followee for f in page[:limit]]
    return FollowPage(people, page[limit - 1].id if len(page) > limit else None, page[0].id if page else None)


def hidden_author_ids(viewer: Any) -> set[int]:
    """Authors whose posts the viewer chose not to see (blocked or muted)."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    blocked = Block.objects.filter(blocker_id=viewer.id).values_list("blocked_id", flat=True)
    muted = Mute.objects.filter(muter_id=viewer.id).values_list("muted_id", flat=True)
    return set(blocked.union(muted))
