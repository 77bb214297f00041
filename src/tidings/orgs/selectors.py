"""Reads of organisations: the public brand page, and access to an internal space."""

from __future__ import annotations

from typing import Any

from tidings.core.errors import NotFound
from tidings.orgs.models import Membership, Organisation


def organisation_by_slug(slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug.lower()).first()
    if org is None:
        raise NotFound()
    return org


def membership(viewer: Any, org: Organisation) -> Membership | None:
    if not getattr(viewer, "is_authenticated", False):
        return None
    return Membership.objects.filter(organisation=org, account_id=viewer.id, is_active=True).first()


def access_space(viewer: Any, slug: str) -> tuple[Organisation, Membership]:
    """The organisation and the viewer's membership, if they may enter its internal space;
    NotFound alike for a missing organisation, an outsider, a guest or a removed member."""
    org = Organisation.objects.filter(slug=slug.lower()).first()
    found = membership(viewer, org) if org else None
    if org is None or found is None or not found.is_insider:
        raise NotFound()
    return org, found


def my_organisations(viewer: Any) -> list[Membership]:
    """The spaces the viewer belongs to (as employee or guest), for the switcher."""
    if not getattr(viewer, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(account_id=viewer.id, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def official_accounts(org: Organisation) -> list[Any]:
    from tidings.accounts.models import Account

    return list(Account.objects.filter(organisation=org, is_active=True).order_by("-followers_count"))


def brand_followers(account_ids: list[int]) -> int:
    """People who follow at least one of the organisation's official accounts."""
    from tidings.social.models import Follow

    return Follow.objects.filter(followee_id__in=account_ids).values("follower_id").distinct().count()


def members(org: Organisation, *, limit: int = 200) -> list[Membership]:
    return list(
        Membership.objects.filter(organisation=org, is_active=True)
        .select_related("account")
        .order_by("role", "account__handle")[:limit]
    )


def audit_log(org: Organisation, *, limit: int = 100) -> list[Any]:
    from tidings.orgs.models import AuditEntry

    return list(AuditEntry.objects.filter(organisation=org).select_related("actor").order_by("-id")[:limit])


def client_audience(account: Any) -> str:
    """The audience for a post from an API client that names none: as the organisation the
    person speaks for (an official account's) or works in (their first) has set it."""
    memberships = Membership.objects.filter(account=account, is_active=True).exclude(role="guest")
    if getattr(account, "organisation_id", None):
        memberships = memberships.filter(organisation_id=account.organisation_id)
    org = (
        Organisation.objects.filter(id__in=memberships.values("organisation_id"))
        .order_by("id")
        .values_list("slug", "client_audience")
        .first()
    )
    if org is None or org[1] != "org":
        return "public"
    return f"org:{org[0]}"
