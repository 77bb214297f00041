"""Writes about official accounts' teams: roles, the account's settings, and the record of what
each person did as the account."""

from __future__ import annotations

import functools
import zoneinfo

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.core.errors import Invalid, NotFound
from tidings.core.text import fold
from tidings.ops import roles
from tidings.ops.models import Category, Deed, Desk, Grant, Role
from tidings.orgs.models import Membership, Organisation
from tidings.orgs.services import audit

MAX_APPROVALS = 3


@functools.cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def desk_of(account: Account) -> Desk:
    """The account's settings (the defaults until someone changes them)."""
    return Desk.objects.filter(account=account).select_related("category").first() or Desk(account=account)


def _org(account: Account) -> Organisation:
    return Organisation.objects.get(id=account.organisation_id or 0)


def named(handle: str, *, field: str) -> Account:
    """The person a form names by handle (with or without its @), or a clear error on the field."""
    try:
        return account_by_handle(handle.strip().lstrip("@"))
    except NotFound:
        raise Invalid(_("There is nobody called @%(handle)s.") % {"handle": handle}, field=field) from None


def _employee(org_id: int, handle: str) -> Account:
    person = named(handle, field="handle")
    employed = (
        Membership.objects.filter(organisation_id=org_id, account=person, is_active=True)
        .exclude(role=Membership.Role.GUEST)
        .exists()
    )
    if not employed:
        raise Invalid(
            _("@%(handle)s is not an employee of this organisation: only employees can be given a role.")
            % {"handle": person.handle},
            field="handle",
        )
    return person


def grant(account: Account, *, actor: Account, handle: str, role: str, address: str = "") -> Grant:
    """Give a person a role on the account (or change it)."""
    roles.require(actor, account, "manage")
    if role not in Role.values:
        raise Invalid(_("Choose a role: manager, editor, responder or analyst."), field="role")
    assert account.organisation_id is not None
    person = _employee(account.organisation_id, handle)
    if person.id == account.id:
        raise Invalid(_("An account cannot be given a role on itself."), field="handle")
    with transaction.atomic():
        found, _created = Grant.objects.update_or_create(
            account=account, person=person, defaults={"role": role, "granted_by": actor}
        )
        org = _org(account)
        audit(org, actor, "account.grant", address, account=account.handle, person=person.handle, role=role)
    return found


def revoke(account: Account, *, actor: Account, person_id: int, address: str = "") -> None:
    roles.require(actor, account, "manage")
    found = Grant.objects.filter(account=account, person_id=person_id).select_related("person").first()
    if found is None:
        raise NotFound()
    with transaction.atomic():
        found.delete()
        org = _org(account)
        audit(org, actor, "account.revoke", address, account=account.handle, person=found.person.handle)


def update_desk(
    account: Account,
    *,
    actor: Account,
    category: str,
    time_zone: str,
    approvals_required: int | str,
    address: str = "",
) -> Desk:
    """Change the account's category, time zone and number of approvals."""
    roles.require(actor, account, "manage")
    if time_zone not in time_zones():
        raise Invalid(_("Unknown time zone: choose one such as Asia/Taipei."), field="time_zone")
    try:
        approvals = int(approvals_required)
    except (TypeError, ValueError):
        approvals = -1
    if not 0 <= approvals <= MAX_APPROVALS:
        raise Invalid(
            _("Approvals must be a number from 0 to %(n)d.") % {"n": MAX_APPROVALS},
            field="approvals_required",
        )
    name = " ".join(category.split())
    if len(name) > 30:
        raise Invalid(_("A category's name is at most 30 characters."), field="category")
    with transaction.atomic():
        found = None
        if name:
            found, _created = Category.objects.get_or_create(
                organisation_id=account.organisation_id, key=fold(name), defaults={"name": name}
            )
        desk, _created = Desk.objects.update_or_create(
            account=account,
            defaults={"category": found, "time_zone": time_zone, "approvals_required": approvals},
        )
        org = _org(account)
        audit(
            org,
            actor,
            "account.settings",
            address,
            account=account.handle,
            category=name,
            time_zone=time_zone,
            approvals_required=approvals,
        )
    return desk


def record(account: Account, person: Account, verb: str, object_id: int | None = None) -> None:
    """Note that a person did something as the account (nothing to note when it was the account)."""
    if person.id != account.id:
        Deed.objects.create(account=account, person=person, verb=verb, object_id=object_id)
