"""Bots and incoming webhooks: another system (a build server, a chat tool, a shop) posts as a bot
account of the organisation by calling its address with its token. The token is limited to that
one account and that one audience: it is not an API token, and nothing in the call can choose
another account or audience."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.accounts.services import create_bot_account
from tidings.core import ratelimit
from tidings.core.errors import DomainError, Invalid, NotFound
from tidings.extensions.models import Bot
from tidings.extensions.services import _staff
from tidings.groups.models import Group, GroupMember
from tidings.orgs.models import Membership, Organisation
from tidings.orgs.services import audit

AUDIENCES = {"public", "org", "group"}
POSTS_PER_MINUTE = 30


class BadToken(DomainError):
    status = 401
    code = "unauthorized"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create(
    actor: Account,
    organisation: Organisation,
    *,
    handle: str,
    display_name: str = "",
    audience: str,
    group_id: Any = None,
    days: Any = 0,
    address: str = "",
) -> tuple[Bot, str]:
    """A bot and its token (shown once). `days` 0 means the token does not expire."""
    _staff(organisation, actor)
    if audience not in AUDIENCES:
        raise Invalid(
            _("A bot posts to the public, the organisation's space or one group."), field="audience"
        )
    group = None
    if audience == "group":
        try:
            group = Group.objects.get(id=int(group_id), organisation=organisation)
        except (TypeError, ValueError, Group.DoesNotExist):
            raise Invalid(_("Choose one of the organisation's groups."), field="group") from None
    try:
        lifetime = int(days or 0)
    except (TypeError, ValueError):
        lifetime = -1
    if not 0 <= lifetime <= 3650:
        raise Invalid(_("A token lasts 1 to 3650 days, or 0 for no end."), field="days")
    account = create_bot_account(handle=handle, display_name=display_name, organisation_id=organisation.id)
    if audience != "public":
        # Inside, the bot posts as a member: of the organisation, and of its group.
        Membership.objects.create(organisation=organisation, account=account, role=Membership.Role.MEMBER)
    if group is not None:
        GroupMember.objects.create(group=group, account=account, state=GroupMember.State.ACTIVE)
        Group.objects.filter(id=group.id).update(members_count=F("members_count") + 1)
    token = "tdb_" + secrets.token_urlsafe(32)
    bot = Bot.objects.create(
        organisation=organisation,
        account=account,
        audience=audience,
        group=group,
        token_hash=_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=lifetime) if lifetime else None,
        created_by=actor,
    )
    audit(organisation, actor, "bot-add", address, handle=account.handle, audience=audience)
    return bot, token


@transaction.atomic
def revoke(actor: Account, organisation: Organisation, bot_id: Any, *, address: str = "") -> None:
    _staff(organisation, actor)
    try:
        bot = Bot.objects.select_related("account").get(id=int(bot_id), organisation=organisation)
    except (TypeError, ValueError, Bot.DoesNotExist):
        raise NotFound() from None
    # The address stops working; what the bot posted stays (its account stays active).
    Bot.objects.filter(id=bot.id).update(revoked_at=timezone.now())
    audit(organisation, actor, "bot-revoke", address, handle=bot.account.handle)


def bot_for(bot_id: Any, token: str) -> Bot:
    """The bot whose token this is, still valid; BadToken otherwise (the same for a wrong id)."""
    refused = BadToken(_("The bot's token is wrong, revoked or expired."))
    try:
        bot = Bot.objects.select_related("account").get(id=int(bot_id))
    except (TypeError, ValueError, Bot.DoesNotExist):
        raise refused from None
    if not hmac.compare_digest(bot.token_hash, _hash(token or "")):
        raise refused
    if bot.revoked_at is not None or not bot.account.is_active:
        raise refused
    if bot.expires_at is not None and bot.expires_at <= timezone.now():
        raise BadToken(_("The bot's token has expired: an admin makes a new bot."))
    return bot


def post(bot: Bot, text: Any) -> Any:
    """Post as the bot, to its audience: the same rules as any post (length, the organisation's
    leak-prevention rules)."""
    from tidings.posts import services as posts

    if not isinstance(text, str) or not text.strip():
        raise Invalid(_('Send the post\'s text in the field "text".'), field="text")
    ratelimit.hit(f"bot:{bot.id}", limit=POSTS_PER_MINUTE, window_seconds=60)
    fixed = posts.audience_of(bot.audience, organisation_id=bot.organisation_id, group_id=bot.group_id)
    made = posts.publish(bot.account, text=text, **fixed)
    Bot.objects.filter(id=bot.id).update(last_used_at=timezone.now())
    return made


def hook_url(bot: Bot, token: str) -> str:
    return f"{settings.SITE_URL}/hooks/{bot.id}/{token}"
