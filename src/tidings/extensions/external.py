"""External apps: an organisation's admin registers an app that runs on its own site from its
manifest (JSON). It becomes an OAuth client that may be granted only the permissions the manifest
asks for; people authorize it only where it is installed for them, and removing it takes back the
tokens of those it no longer serves. Its places link to its site with the post or group id."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_application_model

from tidings.accounts.models import Account
from tidings.core.errors import Invalid, NotFound
from tidings.extensions import registry
from tidings.extensions.manifest import from_dict
from tidings.extensions.models import ExternalApp, Installation
from tidings.orgs.models import Organisation
from tidings.orgs.services import audit


def as_app(found: ExternalApp) -> registry.App:
    return registry.App(manifest=from_dict(found.manifest), base_url=found.website)


def apps_for(keys: set[str]) -> dict[str, registry.App]:
    """The external apps among these keys (one query, only when some key is not built in)."""
    wanted = keys - set(registry.apps())
    if not wanted:
        return {}
    found = {}
    for app in ExternalApp.objects.filter(key__in=wanted):
        try:
            found[app.key] = as_app(app)
        except Invalid:  # a stored manifest the rules no longer take: left out, not a broken page
            continue
    return found


def owned_by(organisation: Organisation, key: str) -> registry.App | None:
    found = ExternalApp.objects.filter(key=key, organisation=organisation).first()
    return as_app(found) if found else None


def _website(raw: Any) -> str:
    website = str(raw or "").strip().rstrip("/")
    if not website.startswith("https://") or len(website) > 300 or any(c.isspace() for c in website):
        raise Invalid(_("An external app needs its https address."), field="website")
    return website


@transaction.atomic
def register(
    actor: Account,
    organisation: Organisation,
    *,
    manifest: Any,
    website: Any,
    redirect_uri: Any,
    address: str = "",
) -> tuple[ExternalApp, str, str]:
    """The app, its client id and its client secret (shown once)."""
    from tidings.extensions.services import _staff

    _staff(organisation, actor)
    if isinstance(manifest, str):
        try:
            manifest = json.loads(manifest)
        except ValueError:
            raise Invalid(_("A manifest is a JSON object.")) from None
    checked = from_dict(manifest)
    if "personal" in checked.targets:
        raise Invalid(_("An external app is installed for the organisation or its groups."), field="targets")
    site = _website(website)
    redirect = str(redirect_uri or "").strip()
    if not redirect.startswith(site + "/"):
        raise Invalid(_("The app's return address is on its own site."), field="redirect_uri")
    if registry.get(checked.key) or ExternalApp.objects.filter(key=checked.key).exists():
        raise Invalid(_("Another app has the key %(key)s.") % {"key": checked.key}, field="key")
    secret = secrets.token_urlsafe(32)
    model = get_application_model()
    client = model.objects.create(
        name=checked.title,
        redirect_uris=redirect,
        client_type=model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=model.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        scopes=" ".join(checked.scopes),
        website=site,
    )
    made = ExternalApp.objects.create(
        key=checked.key,
        organisation=organisation,
        manifest=manifest,
        website=site,
        client=client,
        created_by=actor,
    )
    audit(organisation, actor, "app-register", address, app=checked.key)
    return made, client.client_id, secret


@transaction.atomic
def unregister(actor: Account, organisation: Organisation, app_id: Any, *, address: str = "") -> None:
    """Remove the app from the server: its installs, and every token it was given."""
    from tidings.extensions.services import _staff

    _staff(organisation, actor)
    try:
        found = ExternalApp.objects.select_related("client").get(id=int(app_id), organisation=organisation)
    except (TypeError, ValueError, ExternalApp.DoesNotExist):
        raise NotFound() from None
    Installation.objects.filter(app=found.key).delete()
    found.client.delete()  # its tokens, grants and refresh tokens go with it
    audit(organisation, actor, "app-unregister", address, app=found.key)


def may_authorize(client: Any, person: Any) -> bool:
    """Whether a person may give this OAuth client a token: any client that is not an external
    app (a stock Mastodon app), or an external app installed for them."""
    from tidings.extensions.selectors import reach

    found = ExternalApp.objects.filter(client_id=client.id).values_list("key", flat=True).first()
    return found is None or found in reach(person).everywhere()


def take_back(key: str) -> int:
    """After an install is removed: revoke the tokens the app holds for people it no longer serves."""
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    from tidings.extensions.selectors import reach

    found = ExternalApp.objects.filter(key=key).first()
    if found is None:
        return 0
    tokens = get_access_token_model().objects.filter(application_id=found.client_id).select_related("user")
    gone = [t.id for t in tokens if t.user is None or key not in reach(t.user).everywhere()]
    get_refresh_token_model().objects.filter(access_token_id__in=gone).delete()
    get_access_token_model().objects.filter(id__in=gone).delete()
    return len(gone)
