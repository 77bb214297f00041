"""Employees as ambassadors: an official account suggests its public posts to its company's
employees, who may share one from their own account with their own words (never forced), and
the account sees the shares and the reach they bring (the followers of those who shared)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.audience import insider_of
from tidings.core.errors import Conflict, Invalid, NotFound
from tidings.ops import roles
from tidings.ops.models import Suggestion
from tidings.orgs.models import Membership
from tidings.posts.models import Audience, Post

RECENT = 10


def suggest(account: Account, *, person: Account, post_id: int, note: str = "") -> Suggestion:
    """Suggest one of the account's public posts to the employees."""
    roles.require(person, account, "post")
    note = note.strip()
    if len(note) > 200:
        raise Invalid(_("A suggestion's note is at most 200 characters."), field="note")
    post = Post.objects.filter(
        id=post_id,
        author=account,
        audience=Audience.PUBLIC,
        kind__in=(Post.Kind.POST, Post.Kind.REPOST),
        held=False,
    ).first()
    if post is None:
        raise Invalid(_("Only the account's own public posts can be suggested to share."), field="post")
    try:
        with transaction.atomic():
            return Suggestion.objects.create(account=account, post=post, note=note, suggested_by=person)
    except IntegrityError:
        raise Conflict(_("This post is already suggested.")) from None


def withdraw(account: Account, *, person: Account, suggestion_id: int) -> None:
    roles.require(person, account, "post")
    if not Suggestion.objects.filter(account=account, id=suggestion_id).delete()[0]:
        raise NotFound()


def for_employee(person: Any, organisation_id: int) -> list[Suggestion]:
    """What the organisation's accounts suggest to this employee, newest first, leaving out what
    they already shared."""
    if not insider_of(person.id).filter(organisation_id=organisation_id).exists():
        return []
    from tidings.posts.selectors import visible_to

    shared = Post.objects.filter(author_id=person.id, kind=Post.Kind.REPOST).values("repost_of_id")
    return list(
        Suggestion.objects.filter(account__organisation_id=organisation_id, account__is_active=True)
        .filter(post_id__in=visible_to(person).values("id"))  # the one audience check, as for any read
        .exclude(post_id__in=shared)
        .select_related("account", "post")
        .order_by("-id")[:RECENT]
    )


@dataclass
class Reach:
    suggestion: Suggestion
    shares: int
    reach: int  # followers of the employees who shared it


def reach(account: Account) -> list[Reach]:
    """Each suggestion with how many employees shared it and how many followers they have."""
    suggestions = list(Suggestion.objects.filter(account=account).select_related("post").order_by("-id")[:50])
    employees = (
        Membership.objects.filter(organisation_id=account.organisation_id or 0, is_active=True)
        .exclude(role=Membership.Role.GUEST)
        .values("account_id")
    )
    rows = (
        Post.objects.filter(
            kind=Post.Kind.REPOST,
            repost_of_id__in=[s.post_id for s in suggestions],
            author_id__in=employees,
            audience=Audience.PUBLIC,
        )
        .values("repost_of_id")
        .annotate(shares=Count("id"), reach=Sum("author__followers_count"))
    )
    by_post = {r["repost_of_id"]: r for r in rows}
    return [
        Reach(s, by_post.get(s.post_id, {}).get("shares", 0), by_post.get(s.post_id, {}).get("reach") or 0)
        for s in suggestions
    ]
