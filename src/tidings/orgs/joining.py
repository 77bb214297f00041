"""Ways in besides an invitation: a verified work email of one of the organisation's domains,
or a request an admin approves."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core import mail, ratelimit
from tidings.core.errors import Conflict, Invalid, NotFound
from tidings.orgs.models import Domain, JoinRequest, Membership, Organisation
from tidings.orgs.services import Role, _require_staff, add_member, audit

SALT = "tidings.orgs.join-by-email"
LINK_DAYS = 1


def request_by_email(account: Account, *, email: str) -> Organisation:
    """Mail a link to a work address; opening it while logged in as this account joins the
    organisation that verified the address's domain."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(_("Enter a valid email address."), field="email") from exc
    domain = email.rsplit("@", 1)[1].lower()
    found = Domain.objects.filter(domain=domain, verified=True).select_related("organisation").first()
    if found is None:
        raise Invalid(
            _("No organisation here has verified the domain %(domain)s.") % {"domain": domain}, field="email"
        )
    org = found.organisation
    if Membership.objects.filter(organisation=org, account=account, is_active=True).exists():
        raise Conflict(_("You are already a member of %(org)s.") % {"org": org.name})
    ratelimit.hit(f"join-email:{account.id}", limit=5, window_seconds=3600)
    token = signing.dumps({"a": account.id, "o": org.id, "e": email}, salt=SALT)
    mail.send(
        to=email,
        subject=str(_("Join %(org)s on Tidings") % {"org": org.name}),
        body=str(
            _(
                "@%(handle)s asked to join %(org)s with this address. To confirm, open this link within a "
                "day while logged in as @%(handle)s:\n\n%(link)s\n\nIf it was not you, ignore this mail."
            )
            % {"handle": account.handle, "org": org.name, "link": f"{settings.SITE_URL}/join/email/{token}/"}
        ),
    )
    return org


def confirm_email(account: Account, *, token: str) -> Membership:
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise Invalid(_("This link is not valid any more. Ask for a new one.")) from exc
    if data.get("a") != account.id:
        raise Invalid(_("This link was sent for another account: log in as that account to use it."))
    org = Organisation.objects.filter(id=data.get("o")).first()
    if (
        org is not None
        and Membership.objects.filter(organisation=org, account=account, is_active=False).exists()
    ):
        # Removed people do not come back by an old link: their admins decide.
        raise Invalid(_("This link is not valid any more. Ask the organisation's admins."))
    if (
        org is None
        or not Domain.objects.filter(
            organisation=org, verified=True, domain=data["e"].rsplit("@", 1)[1].lower()
        ).exists()
    ):
        raise Invalid(_("This link is not valid any more. Ask for a new one."))
    with transaction.atomic():
        membership = add_member(org, account, role=Role.MEMBER)
        if not account.email:
            Account.objects.filter(id=account.id).update(email=data["e"])
        audit(org, account, "member.join_email", email=data["e"])
    return membership


def ask(account: Account, org: Organisation, *, message: str = "") -> JoinRequest:
    if Membership.objects.filter(organisation=org, account=account, is_active=True).exists():
        raise Conflict(_("You are already a member of %(org)s.") % {"org": org.name})
    request, created = JoinRequest.objects.get_or_create(
        organisation=org, account=account, defaults={"message": message.strip()[:300]}
    )
    if not created:
        raise Conflict(_("Your request is already waiting for an admin."))
    return request


def decide(org: Organisation, *, actor: Account, account: Account, approve: bool, address: str = "") -> None:
    _require_staff(org, actor)
    request = JoinRequest.objects.filter(organisation=org, account=account).first()
    if request is None:
        raise NotFound()
    with transaction.atomic():
        request.delete()
        if approve:
            add_member(org, account, role=Role.MEMBER, actor=actor, address=address)
        else:
            audit(org, actor, "join.decline", address, account=account.handle)


def pending(org: Organisation) -> list[JoinRequest]:
    return list(JoinRequest.objects.filter(organisation=org).select_related("account").order_by("id")[:100])
