"""What replaces the internal forum: announcements everyone must read (with read receipts for
those who posted them), and questions whose asker marks the answer that solved it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.audience import access_post
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.groups.models import Group, GroupMember
from tidings.groups.selectors import is_manager
from tidings.orgs.models import Membership
from tidings.posts.models import Audience, Flavour, Post, ReadReceipt


def check_flavour(author: Account, post: Post, flavour: str) -> None:
    """Called by publish: announcements and questions live inside an organisation, and only
    its admins (or a group's managers) make announcements."""
    if flavour not in Flavour.values:
        raise Invalid(_("Unknown kind of post."), field="flavour")
    if not flavour:
        return
    if post.audience not in (Audience.ORGANISATION, Audience.GROUP):
        raise Invalid(_("Announcements and questions are for posts inside an organisation or a group."))
    if flavour == Flavour.ANNOUNCEMENT and not _may_announce(author, post):
        raise Forbidden(_("Only admins and group managers can make announcements."))


def _may_announce(account: Account, post: Post) -> bool:
    if post.group_id:
        group = Group.objects.filter(id=post.group_id).first()
        return group is not None and is_manager(group, account)
    own = Membership.objects.filter(organisation=post.organisation, account=account, is_active=True).first()
    return own is not None and own.is_staff


def mark_read(account: Account, *, post_id: int | str) -> None:
    post = access_post(account, post_id)
    if post.flavour != Flavour.ANNOUNCEMENT:
        raise Invalid(_("Only announcements are marked as read."))
    ReadReceipt.objects.get_or_create(post=post, account=account)


def unread_announcements(viewer: Any, *, organisation_id: int, group_id: int | None) -> list[int]:
    """Announcements of this space the viewer has not marked read, newest first (ids)."""
    if not getattr(viewer, "is_authenticated", False):
        return []
    rows = Post.objects.filter(flavour=Flavour.ANNOUNCEMENT, organisation_id=organisation_id)
    rows = rows.filter(audience=Audience.ORGANISATION) if group_id is None else rows.filter(group_id=group_id)
    read = ReadReceipt.objects.filter(account_id=viewer.id).values("post_id")
    return list(rows.exclude(id__in=read).order_by("-id").values_list("id", flat=True)[:3])


@dataclass
class Receipts:
    post: Post
    read: list[ReadReceipt]
    unread: list[Account]


def receipts(actor: Account, *, post_id: int | str) -> Receipts:
    """Who of the audience has read an announcement: for its author and those who could make it."""
    post = access_post(actor, post_id)
    if post.flavour != Flavour.ANNOUNCEMENT:
        raise NotFound()
    if post.author_id != actor.id and not _may_announce(actor, post):
        raise Forbidden(_("Only the author and the admins see who has read an announcement."))
    read = list(ReadReceipt.objects.filter(post=post).select_related("account").order_by("read_at"))
    audience: Any
    if post.group is not None:
        audience = GroupMember.objects.filter(group=post.group, state=GroupMember.State.ACTIVE).values(
            "account_id"
        )
    else:
        audience = (
            Membership.objects.filter(organisation=post.organisation, is_active=True)
            .exclude(role=Membership.Role.GUEST)
            .values("account_id")
        )
    unread = list(
        Account.objects.filter(id__in=audience, is_active=True)
        .exclude(id__in=[r.account_id for r in read])
        .exclude(id=post.author_id)
        .order_by("handle")[:500]
    )
    return Receipts(post, read, unread)


def accept_answer(actor: Account, *, question_id: int | str, comment_id: int | str | None) -> Post:
    """The asker (or an admin) marks the comment that answered the question; None takes it back."""
    question = access_post(actor, question_id)
    if question.flavour != Flavour.QUESTION:
        raise Invalid(_("Only questions have an accepted answer."))
    own = Membership.objects.filter(organisation=question.organisation, account=actor, is_active=True).first()
    if question.author_id != actor.id and not (own and own.is_staff):
        raise Forbidden(_("Only the person who asked can accept an answer."))
    answer = None
    if comment_id is not None:
        answer = access_post(actor, comment_id)
        if answer.kind != Post.Kind.COMMENT or answer.root_id != question.id:
            raise Invalid(_("The answer must be a comment under the question."))
    Post.objects.filter(id=question.id).update(accepted_answer=answer)
    question.accepted_answer = answer
    return question
