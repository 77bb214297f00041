"""An organisation's email domains. A domain an admin adds counts only once someone proved it
is theirs: a link mailed to an address at that domain, opened by one of the organisation's
owners or admins. Then people with an address there may join by work email."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core import mail, ratelimit
from tidings.core.errors import Conflict, Invalid, NotFound
from tidings.orgs.models import Domain, Organisation
from tidings.orgs.services import _require_staff, audit, clean_domain

SALT = "tidings.orgs.verify-domain"
LINK_DAYS = 3


def _address_at(domain: str, email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise Invalid(_("Enter a valid email address."), field="email") from exc
    if clean_domain(email.rsplit("@", 1)[1]) != domain:
        raise Invalid(
            _("The address must be at %(domain)s: the mail proves the domain is yours.") % {"domain": domain},
            field="email",
        )
    return email


def add_domain(org: Organisation, *, actor: Account, domain: str, email: str, address: str = "") -> Domain:
    """Add a domain, waiting for proof: a link is mailed to `email`, an address at it."""
    _require_staff(org, actor)
    domain = clean_domain(domain)
    email = _address_at(domain, email)
    if Domain.objects.filter(domain=domain).exclude(organisation=org).exists():
        raise Conflict(_("The domain %(domain)s already belongs to an organisation.") % {"domain": domain})
    with transaction.atomic():
        created, _new = Domain.objects.get_or_create(organisation=org, domain=domain)
        audit(org, actor, "domain.add", address, domain=domain, email=email)
    if not created.verified:
        send_proof(org, actor=actor, domain=domain, email=email)
    return created


def send_proof(org: Organisation, *, actor: Account, domain: str, email: str) -> None:
    ratelimit.hit(f"verify-domain:{org.id}", limit=10, window_seconds=3600)
    token = signing.dumps({"o": org.id, "d": domain}, salt=SALT)
    link = settings.SITE_URL + reverse("web:verify_domain", args=[org.slug, token])
    mail.send(
        to=email,
        subject=str(_("Confirm %(domain)s for %(org)s on Tidings") % {"domain": domain, "org": org.name}),
        body=str(
            _(
                "@%(handle)s added %(domain)s to %(org)s. If this domain is %(org)s's, let an owner or "
                "admin of %(org)s open this link within three days:\n\n%(link)s\n\n"
                "Until then nobody can join %(org)s with an address at %(domain)s."
            )
            % {"handle": actor.handle, "domain": domain, "org": org.name, "link": link}
        ),
    )


def confirm(org: Organisation, *, actor: Account, token: str, address: str = "") -> Domain:
    """The mailed link, opened by an owner or admin of the organisation: the domain is theirs."""
    _require_staff(org, actor)
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise Invalid(_("This link is not valid any more. Add the domain again for a new one.")) from exc
    if data.get("o") != org.id:
        raise NotFound()
    found = Domain.objects.filter(organisation=org, domain=data.get("d", "")).first()
    if found is None:
        raise Invalid(_("This link is not valid any more. Add the domain again for a new one."))
    if not found.verified:
        with transaction.atomic():
            Domain.objects.filter(id=found.id).update(verified=True)
            audit(org, actor, "domain.verify", address, domain=found.domain)
        found.verified = True
    return found


def remove_domain(org: Organisation, *, actor: Account, domain: str, address: str = "") -> None:
    _require_staff(org, actor)
    with transaction.atomic():
        deleted, _count = Domain.objects.filter(organisation=org, domain=domain).delete()
        if not deleted:
            raise NotFound()
        audit(org, actor, "domain.remove", address, domain=domain)
