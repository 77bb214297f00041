"""API tokens outside the OAuth dance: a token for a script (`tidings token create`), and the
end of every token when an account is deactivated."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import get_access_token_model, get_application_model, set_token_value

from tidings.accounts import scopes as api_scopes
from tidings.accounts.models import Account
from tidings.core.errors import Invalid, NotFound

SCRIPTS_APP = "Tidings scripts"


def create_token(account: Account, *, scopes: str) -> str:
    """A new token for the account with these scopes; the token is shown once."""
    wanted = api_scopes.parse(scopes)
    unknown = api_scopes.unknown(wanted)
    if not wanted or unknown:
        raise Invalid(_("Unknown scope: %(scopes)s") % {"scopes": " ".join(unknown) or "(none)"})
    if not account.is_active:
        raise Invalid(_("This account is deactivated."))
    app_model = get_application_model()
    token = secrets.token_urlsafe(32)
    lifetime = dt.timedelta(seconds=settings.API_TOKEN_SECONDS)
    with transaction.atomic():
        app, _created = app_model.objects.get_or_create(
            name=SCRIPTS_APP,
            user=None,
            defaults={
                "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                "client_type": app_model.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": app_model.GRANT_CLIENT_CREDENTIALS,
                "client_secret": secrets.token_urlsafe(32),
                "scopes": " ".join(api_scopes.BROAD),
            },
        )
        stored = get_access_token_model()(
            user=account, application=app, scope=" ".join(wanted), expires=timezone.now() + lifetime
        )
        set_token_value(stored, token)  # kept as its checksum only (settings: RFC 9700)
        stored.save()
    return token


def revoke_all(account: Account) -> int:
    return int(get_access_token_model().objects.filter(user=account).delete()[0])


def list_for(account: Account) -> list[Any]:
    """The apps that hold a token for the account, newest first."""
    return list(
        get_access_token_model()
        .objects.filter(user=account, expires__gt=timezone.now())
        .select_related("application")
        .order_by("-id")[:100]
    )


def revoke(account: Account, *, token_id: int) -> None:
    deleted, _count = get_access_token_model().objects.filter(user=account, id=token_id).delete()
    if not deleted:
        raise NotFound()
