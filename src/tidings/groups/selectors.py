"""Reads of groups: one group if the viewer may see it, the groups of a space, pins."""

from __future__ import annotations

from typing import Any

from tidings.core.errors import NotFound
from tidings.groups.models import Group, GroupMember, PinnedPost
from tidings.orgs.models import Membership, Organisation


def access_group(viewer: Any, group_id: int | str) -> tuple[Group, GroupMember | None]:
    """A group the viewer may open: its members always; the organisation's employees too when
    it is open (to read and join) or private (to see its name and ask to join, not its posts).
    NotFound alike for missing and forbidden."""
    try:
        gid = int(group_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not getattr(viewer, "is_authenticated", False):
        raise NotFound()
    group = Group.objects.select_related("organisation").filter(id=gid).first()
    if group is None:
        raise NotFound()
    own = Membership.objects.filter(
        organisation=group.organisation, account_id=viewer.id, is_active=True
    ).first()
    if own is None:
        raise NotFound()
    member = GroupMember.objects.filter(group=group, account_id=viewer.id).first()
    if member is None and (not own.is_insider or group.kind == Group.Kind.CROSS):
        raise NotFound()
    return group, member


def groups_in(viewer: Any, org: Organisation) -> list[tuple[Group, GroupMember | None]]:
    """The groups of a space the viewer can find: all non-cross groups for employees, plus any
    group they belong to."""
    mine = {m.group_id: m for m in GroupMember.objects.filter(account_id=viewer.id, group__organisation=org)}
    own = Membership.objects.filter(organisation=org, account_id=viewer.id, is_active=True).first()
    query = Group.objects.filter(organisation=org)
    if own is None or not own.is_insider:
        query = query.filter(id__in=list(mine))
    else:
        query = query.exclude(kind=Group.Kind.CROSS) | Group.objects.filter(id__in=list(mine))
    return [(g, mine.get(g.id)) for g in query.order_by("name")]


def is_manager(group: Group, account: Any) -> bool:
    """The organisation's owners and admins manage every group; otherwise the group's managers."""
    own = Membership.objects.filter(
        organisation_id=group.organisation_id, account_id=account.id, is_active=True
    ).first()
    if own is not None and own.is_staff:
        return True
    return GroupMember.objects.filter(
        group=group, account_id=account.id, state=GroupMember.State.ACTIVE, role=GroupMember.Role.MANAGER
    ).exists()


def may_pin(post: Any, account: Any) -> bool:
    """Who pins in a space: the group's managers, or the organisation's admins."""
    if not getattr(account, "is_authenticated", False) or post.organisation_id is None:
        return False
    if post.group_id is not None:
        return is_manager(post.group, account)
    own = Membership.objects.filter(
        organisation_id=post.organisation_id, account_id=account.id, is_active=True
    ).first()
    return own is not None and own.is_staff


def members_of(group: Group, *, limit: int = 50) -> list[GroupMember]:
    return list(
        GroupMember.objects.filter(group=group, state=GroupMember.State.ACTIVE)
        .select_related("account")
        .order_by("role", "account__handle")[:limit]
    )


def is_pinned(post_id: int) -> bool:
    return PinnedPost.objects.filter(post_id=post_id).exists()


def pending_members(group: Group) -> list[GroupMember]:
    return list(
        GroupMember.objects.filter(group=group, state=GroupMember.State.PENDING).select_related("account")
    )


def pinned_post_ids(org: Organisation, group: Group | None) -> list[int]:
    rows = PinnedPost.objects.filter(organisation=org, group=group).order_by("-id")
    return list(rows.values_list("post_id", flat=True)[:5])
