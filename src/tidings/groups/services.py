"""Writes to groups: create, join (or ask to), approve, invite guests, leave, pin."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.errors import Conflict, Forbidden, Invalid, NotFound
from tidings.core.text import bad_characters, code_point
from tidings.groups.models import Group, GroupMember, PinnedPost
from tidings.groups.selectors import is_manager, may_pin
from tidings.orgs.models import Membership, Organisation
from tidings.orgs.services import audit
from tidings.posts.models import Post

Kind = Group.Kind


def _membership(org: Organisation, account: Account) -> Membership | None:
    return Membership.objects.filter(organisation=org, account=account, is_active=True).first()


def create_group(
    org: Organisation, *, actor: Account, name: str, kind: str = Kind.OPEN, description: str = ""
) -> Group:
    own = _membership(org, actor)
    if own is None or not own.is_insider:
        raise NotFound()
    if not own.is_staff and not org.members_may_create_groups:
        raise Forbidden(_("In this organisation only admins can create groups."))
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise Invalid(_("A group needs a name of at most 60 characters."), field="name")
    if bad := bad_characters(name):  # as in a post: no override may turn the page's text around
        raise Invalid(
            _("The group name contains characters that are not allowed: %(chars)s.")
            % {"chars": ", ".join(code_point(c) for c in bad)},
            field="name",
        )
    if kind not in Kind.values:
        raise Invalid(_("Unknown kind of group."), field="kind")
    if Group.objects.filter(organisation=org, name__iexact=name).exists():
        raise Conflict(_("There is already a group called %(name)s.") % {"name": name}, field="name")
    with transaction.atomic():
        group = Group.objects.create(
            organisation=org,
            name=name,
            kind=kind,
            description=description.strip()[:300],
            created_by=actor,
            members_count=1,
        )
        GroupMember.objects.create(group=group, account=actor, role=GroupMember.Role.MANAGER)
        audit(org, actor, "group.create", group=name, kind=kind)
    return group


def join(group: Group, account: Account) -> GroupMember:
    """Open groups take any employee at once; private ones queue the request for a manager;
    cross-company groups are by invitation only."""
    own = _membership(group.organisation, account)
    if own is None or not own.is_insider:
        raise NotFound()
    if group.kind == Kind.CROSS:
        raise Forbidden(_("This group is by invitation only: ask one of its managers."))
    state = GroupMember.State.ACTIVE if group.kind == Kind.OPEN else GroupMember.State.PENDING
    with transaction.atomic():
        member, created = GroupMember.objects.get_or_create(
            group=group, account=account, defaults={"state": state}
        )
        if not created:
            raise Conflict(_("You are already in this group, or your request is waiting."))
        if state == GroupMember.State.ACTIVE:
            Group.objects.filter(id=group.id).update(members_count=F("members_count") + 1)
    return member


def approve(group: Group, account: Account, *, actor: Account) -> None:
    if not is_manager(group, actor):
        raise Forbidden(_("Only the group's managers can do this."))
    with transaction.atomic():
        updated = GroupMember.objects.filter(
            group=group, account=account, state=GroupMember.State.PENDING
        ).update(state=GroupMember.State.ACTIVE)
        if not updated:
            raise NotFound()
        Group.objects.filter(id=group.id).update(members_count=F("members_count") + 1)


def invite(group: Group, account: Account, *, actor: Account) -> GroupMember:
    """A manager adds someone directly. Into a cross-company group that may be a person from
    another organisation: they become a guest of this one, who sees only the groups they are in."""
    if not is_manager(group, actor):
        raise Forbidden(_("Only the group's managers can do this."))
    own = _membership(group.organisation, account)
    with transaction.atomic():
        if own is None:
            if group.kind != Kind.CROSS:
                raise Invalid(_("Only cross-company groups can take people from outside the organisation."))
            removed = Membership.objects.filter(
                organisation=group.organisation, account=account, is_active=False
            )
            actor_own = _membership(group.organisation, actor)
            if removed.exists() and not (actor_own and actor_own.is_staff):
                # Someone the organisation removed comes back only through its admins.
                raise Forbidden(
                    _("This person was removed from the organisation: only its admins can bring them back.")
                )
            Membership.objects.update_or_create(
                organisation=group.organisation,
                account=account,
                defaults={"role": Membership.Role.GUEST, "is_active": True},
            )
            audit(group.organisation, actor, "guest.invite", group=group.name, account=account.handle)
        elif own.role == Membership.Role.GUEST and group.kind != Kind.CROSS:
            raise Invalid(_("Guests can only be in cross-company groups."))
        member, created = GroupMember.objects.get_or_create(group=group, account=account)
        if not created and member.state == GroupMember.State.ACTIVE:
            raise Conflict(_("@%(handle)s is already in this group.") % {"handle": account.handle})
        if member.state != GroupMember.State.ACTIVE:
            GroupMember.objects.filter(id=member.id).update(state=GroupMember.State.ACTIVE)
        Group.objects.filter(id=group.id).update(members_count=F("members_count") + 1)
    return member


def leave(group: Group, account: Account) -> None:
    with transaction.atomic():
        member = GroupMember.objects.filter(group=group, account=account).first()
        if member is None:
            raise NotFound()
        member.delete()
        if member.state == GroupMember.State.ACTIVE:
            Group.objects.filter(id=group.id).update(members_count=F("members_count") - 1)


def set_notify(group: Group, account: Account, *, notify: str) -> None:
    if notify not in GroupMember.Notify.values:
        raise Invalid(_("Unknown notification setting."))
    if not GroupMember.objects.filter(group=group, account=account).update(notify=notify):
        raise NotFound()


def pin(post: Post, *, actor: Account) -> PinnedPost:
    """Pin an internal or group post at the top of its space (admins, or the group's managers)."""
    if post.organisation_id is None or post.kind == Post.Kind.COMMENT:
        raise Invalid(_("Only posts inside an organisation or a group can be pinned."))
    if not may_pin(post, actor):
        raise Forbidden(_("Only admins and group managers can pin posts."))
    pinned, _created = PinnedPost.objects.get_or_create(
        organisation_id=post.organisation_id, group=post.group, post=post, defaults={"pinned_by": actor}
    )
    return pinned


def unpin(post: Post, *, actor: Account) -> None:
    if not may_pin(post, actor):
        raise Forbidden(_("Only admins and group managers can pin posts."))
    PinnedPost.objects.filter(post=post).delete()
