"""Post by email. A person makes an address for one audience (their profile, their organisation's
space or one of their groups); the mail server hands each message for post+<token>@<domain> to
`tidings mail-in`, and its subject and plain text become a post, checked like any other post
(length, the organisation's leak-prevention rules, the person still in the group)."""

from __future__ import annotations

import email
import email.policy
import re
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.audience import groups_of, insider_of
from tidings.core.errors import Invalid, NotFound
from tidings.extensions.models import MailAddress
from tidings.groups.models import Group

MOST_ADDRESSES = 10
TOKEN = re.compile(r"post\+([A-Za-z0-9_-]{20,40})@", re.IGNORECASE)


def address_of(made: MailAddress) -> str:
    return f"post+{made.token}@{settings.MAIL_IN_DOMAIN}"


@transaction.atomic
def create(
    person: Account, *, audience: str, organisation_id: Any = None, group_id: Any = None
) -> MailAddress:
    if audience not in {"public", "org", "group"}:
        raise Invalid(_("Mail becomes a public post, an internal post or a group post."), field="audience")
    target: dict[str, Any] = {}
    if audience == "org" and not organisation_id:
        raise Invalid(_("Choose the organisation."), field="organisation")
    if audience == "group" and not group_id:
        raise Invalid(_("Choose the group."), field="group")
    try:
        if audience == "org":
            target["organisation_id"] = int(organisation_id)
            if not insider_of(person.id).filter(organisation_id=target["organisation_id"]).exists():
                raise NotFound()
        elif audience == "group":
            group = Group.objects.filter(id=int(group_id), id__in=groups_of(person.id)).first()
            if group is None:
                raise NotFound()
            target.update(group_id=group.id, organisation_id=group.organisation_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if MailAddress.objects.filter(account=person).count() >= MOST_ADDRESSES:
        raise Invalid(_("You have 10 addresses already: remove one first."))
    return MailAddress.objects.create(
        account=person, audience=audience, token=secrets.token_urlsafe(24), **target
    )


def remove(person: Account, address_id: Any) -> None:
    try:
        deleted, _count = MailAddress.objects.filter(id=int(address_id), account=person).delete()
    except (TypeError, ValueError):
        deleted = 0
    if not deleted:
        raise NotFound()


def mine(person: Account) -> list[MailAddress]:
    return list(
        MailAddress.objects.filter(account=person).select_related("organisation", "group").order_by("id")
    )


def _recipients(message: Any) -> list[str]:
    found = []
    for header in ("Delivered-To", "X-Original-To", "To", "Cc"):
        found += [str(v) for v in message.get_all(header, [])]
    return found


def _text(message: Any) -> str:
    subject = " ".join(str(message.get("Subject", "")).split())
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        raise Invalid(_("The mail has no plain text: send it as plain text."))
    try:
        body = part.get_content()
    except (LookupError, UnicodeError, ValueError):
        raise Invalid(_("The mail's text is in an encoding that cannot be read.")) from None
    # What a mail client adds below the words: a signature, and the quoted mail answered.
    lines = []
    for line in body.splitlines():
        if line.strip() == "--" or line.startswith(">"):
            break
        lines.append(line)
    text = "\n".join(lines).strip()
    return f"{subject}\n{text}".strip() if subject and not text.startswith(subject) else text


def receive(raw: bytes) -> Any:
    """Turn one mail into a post; the post, or a domain error saying why not (nothing posted)."""
    from tidings.posts import services as posts

    message = email.message_from_bytes(raw, policy=email.policy.default)
    tokens = [m.group(1) for to in _recipients(message) for m in TOKEN.finditer(to)]
    address = MailAddress.objects.select_related("account").filter(token__in=tokens[:10]).first()
    if address is None or not address.account.is_active:
        raise NotFound(_("No such address to post to."))
    text = _text(message)
    if not text:
        raise Invalid(_("The mail is empty."))
    fixed = posts.audience_of(
        address.audience, organisation_id=address.organisation_id, group_id=address.group_id
    )
    post = posts.publish(address.account, text=text, **fixed)
    MailAddress.objects.filter(id=address.id).update(last_used_at=timezone.now())
    return post
