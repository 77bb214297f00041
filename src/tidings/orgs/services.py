"""Writes to organisations: creation, members and roles, domains, invitations, the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.errors import Conflict, Forbidden, Invalid, NotFound
from tidings.orgs.models import AuditEntry, Domain, Invitation, Membership, Organisation

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
# The last label is letters, or an internationalised one in punycode (.公司 is xn--55qx5d).
DOMAIN_RE = re.compile(
    r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)
Role = Membership.Role


def audit(org: Organisation, actor: Account | None, action: str, address: str = "", **detail: object) -> None:
    AuditEntry.objects.create(
        organisation=org, actor=actor, action=action, detail=detail, address=address[:64]
    )


def _require_staff(org: Organisation, actor: Account) -> Membership:
    membership = Membership.objects.filter(organisation=org, account=actor, is_active=True).first()
    if membership is None or not membership.is_insider:
        raise NotFound()
    if not membership.is_staff:
        raise Forbidden(_("Only the organisation's owners and admins can do this."))
    return membership


def clean_domain(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise Invalid(
            _("%(domain)s is not a valid domain name.") % {"domain": domain}, field="domain"
        ) from exc
    if not DOMAIN_RE.match(domain):
        raise Invalid(_("%(domain)s is not a valid domain name.") % {"domain": domain}, field="domain")
    return domain


def create_organisation(
    *,
    slug: str,
    name: str,
    owner: Account | None = None,
    domains: Sequence[str] = (),
    about: str = "",
) -> Organisation:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise Invalid(
            _("A slug is 1-40 lowercase letters, digits and dashes, not starting or ending with a dash."),
            field="slug",
        )
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise Invalid(_("An organisation needs a name of at most 80 characters."), field="name")
    cleaned = list(dict.fromkeys(clean_domain(d) for d in domains))  # each domain once
    if Organisation.objects.filter(slug=slug).exists():
        raise Conflict(_("The slug %(slug)s is already taken.") % {"slug": slug}, field="slug")
    taken = Domain.objects.filter(domain__in=cleaned).values_list("domain", flat=True).first()
    if taken:
        raise Conflict(_("The domain %(domain)s already belongs to an organisation.") % {"domain": taken})
    try:
        with transaction.atomic():
            org = Organisation.objects.create(slug=slug, name=name, about=about.strip())
            for domain in cleaned:
                Domain.objects.create(organisation=org, domain=domain, verified=True)
            if owner is not None:
                Membership.objects.create(organisation=org, account=owner, role=Role.OWNER)
            audit(org, owner, "org.create", slug=slug, domains=cleaned)
    except IntegrityError as exc:
        raise Conflict(_("The slug %(slug)s is already taken.") % {"slug": slug}, field="slug") from exc
    return org


def add_member(
    org: Organisation,
    account: Account,
    *,
    role: str = Role.MEMBER,
    actor: Account | None = None,
    address: str = "",
) -> Membership:
    """Add (or re-activate) a member. `actor` None is the operator's CLI, trusted as owner."""
    if role not in Role.values:
        raise Invalid(_("Unknown role %(role)s.") % {"role": role}, field="role")
    if actor is not None:
        acting = _require_staff(org, actor)
        if role == Role.OWNER and acting.role != Role.OWNER:
            raise Forbidden(_("Only an owner can make or unmake owners."))
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            organisation=org, account=account, defaults={"role": role}
        )
        if not created:
            if membership.is_active:
                raise Conflict(_("@%(handle)s is already a member.") % {"handle": account.handle})
            membership.is_active, membership.role = True, role
            membership.save(update_fields=["is_active", "role"])
        audit(org, actor, "member.add", address, account=account.handle, role=role)
    return membership


def _other_owners(org: Organisation, account: Account) -> bool:
    return (
        Membership.objects.filter(organisation=org, role=Role.OWNER, is_active=True)
        .exclude(account=account)
        .exists()
    )


def set_role(
    org: Organisation, account: Account, *, role: str, actor: Account | None, address: str = ""
) -> None:
    if role not in Role.values:
        raise Invalid(_("Unknown role %(role)s.") % {"role": role}, field="role")
    if actor is not None:
        acting = _require_staff(org, actor)
        # Only an owner makes or unmakes owners: an admin cannot promote themselves past them.
        current = Membership.objects.filter(organisation=org, account=account, is_active=True).first()
        if (role == Role.OWNER or (current and current.role == Role.OWNER)) and acting.role != Role.OWNER:
            raise Forbidden(_("Only an owner can make or unmake owners."))
    membership = Membership.objects.filter(organisation=org, account=account, is_active=True).first()
    if membership is None:
        raise NotFound()
    if membership.role == Role.OWNER and role != Role.OWNER and not _other_owners(org, account):
        raise Invalid(_("An organisation needs at least one owner: make someone else owner first."))
    with transaction.atomic():
        Membership.objects.filter(id=membership.id).update(role=role)
        if role == Role.GUEST:  # a guest may be only in cross-company groups
            _leave_groups(org, account, keep_cross=True)
        audit(org, actor, "member.role", address, account=account.handle, role=role, was=membership.role)


def _leave_groups(org: Organisation, account: Account, *, keep_cross: bool = False) -> None:
    """Take the person out of the organisation's groups (all, or all but the cross-company ones),
    keeping each group's member count right."""
    from tidings.groups.models import Group, GroupMember

    in_groups = GroupMember.objects.filter(group__organisation=org, account=account)
    if keep_cross:
        in_groups = in_groups.exclude(group__kind=Group.Kind.CROSS)
    counted = list(in_groups.filter(state=GroupMember.State.ACTIVE).values_list("group_id", flat=True))
    GroupMember.objects.filter(id__in=list(in_groups.values_list("id", flat=True))).delete()
    Group.objects.filter(id__in=counted).update(members_count=F("members_count") - 1)


def remove_member(org: Organisation, account: Account, *, actor: Account | None, address: str = "") -> None:
    """Cut access at once (the internal space and every group of the organisation); the person's
    posts stay."""
    acting = _require_staff(org, actor) if actor is not None else None
    membership = Membership.objects.filter(organisation=org, account=account, is_active=True).first()
    if membership is None:
        raise NotFound()
    if membership.role == Role.OWNER and acting is not None and acting.role != Role.OWNER:
        raise Forbidden(_("Only an owner can make or unmake owners."))
    if membership.role == Role.OWNER and not _other_owners(org, account):
        raise Invalid(_("An organisation needs at least one owner: the last owner cannot be removed."))
    with transaction.atomic():
        Membership.objects.filter(id=membership.id).update(is_active=False)
        _leave_groups(org, account)
        audit(org, actor, "member.remove", address, account=account.handle)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(
    org: Organisation, *, actor: Account, role: str = Role.MEMBER, days: int = 7, address: str = ""
) -> str:
    """A new invitation; returns the token for the link (shown once, only its hash is kept)."""
    _require_staff(org, actor)
    if role not in Role.values or role == Role.OWNER:
        raise Invalid(_("Invitations can be for admins, members or guests."), field="role")
    if not 1 <= days <= 30:
        raise Invalid(_("An invitation lasts between 1 and 30 days."), field="days")
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        Invitation.objects.create(
            organisation=org,
            token_hash=_hash(token),
            role=role,
            created_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit(org, actor, "invitation.create", address, role=role, days=days)
    return token


def accept_invitation(account: Account, *, token: str) -> Membership:
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=_hash(token)).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < timezone.now():
        raise Invalid(_("This invitation is unknown, already used or expired. Ask for a new one."))
    org = invitation.organisation
    if Membership.objects.filter(organisation=org, account=account, is_active=True).exists():
        raise Conflict(_("You are already a member of %(org)s.") % {"org": org.name})
    with transaction.atomic():
        claimed = Invitation.objects.filter(id=invitation.id, used_at__isnull=True).update(
            used_by=account, used_at=timezone.now()
        )
        if not claimed:  # someone else used it a moment ago
            raise Invalid(_("This invitation is unknown, already used or expired. Ask for a new one."))
        membership = add_member(org, account, role=invitation.role)
    return membership


def register_official_account(org: Organisation, account: Account, *, actor: Account | None = None) -> None:
    """Make an account speak for the organisation: the verified badge links to its brand page."""
    if actor is not None:
        _require_staff(org, actor)
    speaks_for = Account.objects.filter(id=account.id).values_list("organisation_id", flat=True).first()
    if speaks_for is not None and speaks_for != org.id:
        raise Conflict(_("@%(handle)s already speaks for another organisation.") % {"handle": account.handle})
    kind = Account.Kind.OFFICIAL if account.kind == Account.Kind.PERSONAL else account.kind
    with transaction.atomic():
        Account.objects.filter(id=account.id).update(kind=kind, organisation=org)
        audit(org, actor, "official.add", account=account.handle)


def update_settings(
    org: Organisation,
    *,
    actor: Account,
    post_max_length: int,
    members_may_create_groups: bool,
    require_two_factor: bool,
    client_audience: str = "public",
    address: str = "",
) -> None:
    _require_staff(org, actor)
    if not 140 <= post_max_length <= 2000:
        raise Invalid(_("The post length limit must be between 140 and 2000."), field="post_max_length")
    if client_audience not in ("public", "org"):
        raise Invalid(_("Posts from apps go either to the public or inside."), field="client_audience")
    with transaction.atomic():
        Organisation.objects.filter(id=org.id).update(
            post_max_length=post_max_length,
            members_may_create_groups=members_may_create_groups,
            require_two_factor=require_two_factor,
            client_audience=client_audience,
        )
        audit(
            org,
            actor,
            "settings.update",
            address,
            post_max_length=post_max_length,
            members_may_create_groups=members_may_create_groups,
            require_two_factor=require_two_factor,
            client_audience=client_audience,
        )


def set_logo(org: Organisation, *, actor: Account, data: bytes, address: str = "") -> None:
    from django.conf import settings

    from tidings.core import images, storage

    _require_staff(org, actor)
    processed = images.process_avatar(
        data, max_bytes=settings.IMAGE_MAX_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS
    )
    old = org.logo
    with transaction.atomic():
        org.logo = storage.save(f"logos/{org.id}", processed.extension, processed.data)
        Organisation.objects.filter(id=org.id).update(logo=org.logo)
        audit(org, actor, "logo.set", address)
    if old:
        transaction.on_commit(lambda: storage.delete(old))
