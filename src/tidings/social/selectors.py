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


def following_ids(account_id: int) -> list[int]:
    return list(Follow.objects.filter(follower_id=account_id).values_list("followee_id", flat=True))


def hidden_author_ids(viewer: Any) -> set[int]:
    """Authors whose posts the viewer chose not to see (blocked or muted)."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    blocked = Block.objects.filter(blocker_id=viewer.id).values_list("blocked_id", flat=True)
    muted = Mute.objects.filter(muter_id=viewer.id).values_list("muted_id", flat=True)
    return set(blocked.union(muted))
