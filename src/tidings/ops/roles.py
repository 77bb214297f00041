"""Who may act as an official account, and do what: the one place that answers it.

A person acts as an official account in a role granted by the account's managers or by the
owners and admins of its organisation (who may do everything a manager may). Only the
organisation's employees hold roles, and a role lapses the moment its holder leaves. Someone
logged in as the account itself may do everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Value
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.errors import Forbidden, NotFound
from tidings.ops.models import Grant, Role
from tidings.orgs.models import Membership

STAFF = "staff"  # an owner or admin of the account's organisation

# What each role may do as the account.
CAN: dict[str, frozenset[str]] = {
    Role.MANAGER: frozenset({"post", "reply", "review", "manage", "analyse"}),
    Role.EDITOR: frozenset({"post", "reply", "analyse"}),
    Role.RESPONDER: frozenset({"reply"}),
    Role.ANALYST: frozenset({"analyse"}),
}
CAN[STAFF] = CAN[Role.MANAGER]

REFUSALS = {
    "post": _("Your role on @%(handle)s does not let you post as it."),
    "reply": _("Your role on @%(handle)s does not let you answer as it."),
    "review": _("Only a manager of @%(handle)s can approve its posts."),
    "manage": _("Only a manager of @%(handle)s can change its team and settings."),
    "analyse": _("Your role on @%(handle)s does not let you see its figures."),
}


def is_official(account: Any) -> bool:
    return bool(account.kind != Account.Kind.PERSONAL and account.organisation_id and account.is_active)


def role_of(person: Any, account: Account) -> str | None:
    """The person's role on the account: a Role, STAFF, "self", or None."""
    if person is None or not person.is_authenticated or not person.is_active:
        return None
    if person.id == account.id:
        return "self"
    org_id = account.organisation_id
    if org_id is None or not is_official(account):
        return None
    memberships = Membership.objects.filter(
        organisation_id=org_id, account_id=person.id, is_active=True
    ).exclude(role=Membership.Role.GUEST)
    membership = memberships.first()
    if membership is None:
        return None
    if membership.is_staff:
        return STAFF
    grant = Grant.objects.filter(account=account, person_id=person.id).values_list("role", flat=True).first()
    return grant


def can(person: Any, account: Account, capability: str) -> bool:
    role = role_of(person, account)
    return role == "self" or (role is not None and capability in CAN[role])


def require(person: Any, account: Account, capability: str) -> str:
    """The person's role, if it allows the capability. No role at all: not found, alike for a
    missing account and one the person does not run; a role without it: forbidden, and why."""
    role = role_of(person, account)
    if role is None:
        raise NotFound()
    Run(account, role).require(capability)
    return role


@dataclass
class Run:
    account: Account
    role: str

    def can(self, capability: str) -> bool:
        return self.role == "self" or capability in CAN[self.role]

    def require(self, *capabilities: str) -> None:
        """Forbidden, and why, unless the role allows one of the capabilities (the first says why)."""
        if not any(self.can(c) for c in capabilities):
            raise Forbidden(REFUSALS[capabilities[0]] % {"handle": self.account.handle})

    # For templates, which cannot pass an argument.
    @property
    def can_post(self) -> bool:
        return self.can("post")

    @property
    def can_reply(self) -> bool:
        return self.can("reply")

    @property
    def can_analyse(self) -> bool:
        return self.can("analyse")

    @property
    def can_review(self) -> bool:
        return self.can("review")

    @property
    def can_manage(self) -> bool:
        return self.can("manage")

    @property
    def can_act(self) -> bool:
        """Whether one may switch to the account: a role that writes as it."""
        return self.role != "self" and bool(CAN[self.role] & {"post", "reply"})

    @property
    def role_label(self) -> str:
        if self.role == STAFF:
            return str(_("Organisation admin"))
        if self.role == "self":
            return str(_("This account"))
        return str(Role(self.role).label)


def runs_of(person: Any) -> list[Run]:
    """The official accounts the person may act as, with their role on each, by handle. Every
    page's switcher asks: one small query (the person's memberships and grants together), and a
    second only for people who do run an account."""
    if person is None or not person.is_authenticated:
        return []
    memberships = (
        Membership.objects.filter(account_id=person.id, is_active=True)
        .annotate(source=Value("m"))
        .values_list("source", "organisation_id", "role")
    )
    grants = Grant.objects.filter(person_id=person.id).annotate(source=Value("g"))
    rows = list(memberships.union(grants.values_list("source", "account_id", "role"), all=True))
    staff_of = {
        i
        for source, i, role in rows
        if source == "m" and role in (Membership.Role.OWNER, Membership.Role.ADMIN)
    }
    employed = {i for source, i, role in rows if source == "m" and role != Membership.Role.GUEST}
    granted = {i: role for source, i, role in rows if source == "g"}
    runs: list[Run] = []
    if staff_of or granted:
        accounts = (
            Account.objects.filter(Q(organisation_id__in=staff_of) | Q(id__in=granted))
            .filter(is_active=True, organisation__isnull=False)
            .exclude(kind=Account.Kind.PERSONAL)
            .exclude(id=person.id)
            .select_related("organisation")
            .order_by("handle_key")
        )
        for account in accounts:
            if account.organisation_id in staff_of:
                runs.append(Run(account, STAFF))
            elif account.id in granted and account.organisation_id in employed:
                runs.append(Run(account, granted[account.id]))
    if person.kind != Account.Kind.PERSONAL and person.is_active:
        runs.insert(0, Run(person, "self"))  # an official or executive account runs itself
    return runs


def may_act_as(person: Any, account: Account) -> bool:
    """Whether the person may switch to the account: a role that writes as it."""
    if person is None or person.id == account.id:
        return False
    role = role_of(person, account)
    return role is not None and Run(account, role).can_act
