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
