"""Installing and removing apps, and an organisation's webhooks. Organisation-wide and group
installs are its owners' and admins' and go to its audit log; anyone may install a personal app."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core import webhooks as sender
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.extensions import registry
from tidings.extensions.models import Installation, Webhook
from tidings.groups.models import Group
from tidings.orgs.models import Membership, Organisation
from tidings.orgs.services import audit


def _staff(org: Organisation, actor: Account) -> None:
    membership = Membership.objects.filter(organisation=org, account=actor, is_active=True).first()
    if membership is None or not membership.is_insider:
        raise NotFound()
    if not membership.is_staff:
        raise Forbidden(_("Only the organisation's owners and admins manage its apps and webhooks."))


def _app(key: str, target: str, organisation: Organisation | None = None) -> registry.App:
    from tidings.extensions import external

    app = registry.get(key) or (external.owned_by(organisation, key) if organisation else None)
    if app is None:
        raise NotFound(_("There is no such app on this server."))
    if target not in app.manifest.targets:
        messages = {
            "organisation": _("This app cannot be installed for a whole organisation."),
            "group": _("This app cannot be installed for a group."),
            "personal": _("This app cannot be installed for yourself."),
        }
        raise Invalid(messages[target])
    return app


def _create(app: registry.App, actor: Account, **target: Any) -> Installation:
    try:
        with transaction.atomic():
            return Installation.objects.create(
                app=app.key, scopes=" ".join(app.manifest.scopes), installed_by=actor, **target
            )
    except IntegrityError:
        raise Invalid(_("This app is already installed there.")) from None


@transaction.atomic
def install(
    actor: Account,
    key: str,
    *,
    organisation: Organisation,
    group_id: int | str | None = None,
    address: str = "",
) -> Installation:
    """Install an app for the whole organisation, or for one of its groups."""
    _staff(organisation, actor)
    if group_id:
        app = _app(key, "group", organisation)
        try:
            group = Group.objects.get(id=int(group_id), organisation=organisation)
        except (ValueError, TypeError, Group.DoesNotExist):
            raise Invalid(_("Choose one of the organisation's groups."), field="group") from None
        made = _create(app, actor, organisation=organisation, group=group)
        audit(organisation, actor, "app-install", address, app=key, group=group.name)
        return made
    app = _app(key, "organisation", organisation)
    made = _create(app, actor, organisation=organisation)
    audit(organisation, actor, "app-install", address, app=key)
    return made


@transaction.atomic
def install_for_myself(actor: Account, key: str) -> Installation:
    return _create(_app(key, "personal"), actor, account=actor)


@transaction.atomic
def remove(actor: Account, installation_id: int | str, *, address: str = "") -> None:
    """Remove an installation: the app's places and pages are gone for those it served, and with
    them what it was given. What people made with it (their posts) stays theirs."""
    try:
        found = Installation.objects.select_related("organisation", "group").get(id=int(installation_id))
    except (ValueError, TypeError, Installation.DoesNotExist):
        raise NotFound() from None
    if found.account_id is not None:
        if found.account_id != actor.id:
            raise NotFound()
        found.delete()
        return
    assert found.organisation is not None
    _staff(found.organisation, actor)
    found.delete()
    if registry.get(found.app) is None:  # an external app: the tokens it no longer needs
        from tidings.extensions import external

        external.take_back(found.app)
    detail = {"app": found.app, "group": found.group.name} if found.group else {"app": found.app}
    audit(found.organisation, actor, "app-remove", address, **detail)


# --- webhooks ------------------------------------------------------------------------------------


def _events(events: Any) -> list[str]:
    chosen = [e for e in dict.fromkeys(events or []) if e]
    if not chosen:
        raise Invalid(_("Choose at least one event for the webhook."), field="events")
    unknown = [e for e in chosen if e not in Webhook.Event.values]
    if unknown:
        raise Invalid(_("There is no such event: %(event)s") % {"event": unknown[0]}, field="events")
    return chosen


@transaction.atomic
def add_webhook(
    actor: Account, organisation: Organisation, *, url: str, events: Any, address: str = ""
) -> Webhook:
    _staff(organisation, actor)
    chosen = _events(events)
    try:
        cleaned = sender.clean(url)
    except Invalid as error:
        raise Invalid(error.message, field="url") from None
    if not cleaned:
        raise Invalid(_("A webhook needs the address to call."), field="url")
    if Webhook.objects.filter(organisation=organisation).count() >= 20:
        raise Invalid(_("An organisation has at most 20 webhooks."))
    made = Webhook.objects.create(
        organisation=organisation, url=cleaned, secret=secrets.token_hex(32), events=chosen, created_by=actor
    )
    audit(organisation, actor, "webhook-add", address, url=cleaned, events=chosen)
    return made


def webhook_of(actor: Account, organisation: Organisation, webhook_id: int | str) -> Webhook:
    _staff(organisation, actor)
    try:
        return Webhook.objects.get(id=int(webhook_id), organisation=organisation)
    except (ValueError, TypeError, Webhook.DoesNotExist):
        raise NotFound() from None


@transaction.atomic
def remove_webhook(
    actor: Account, organisation: Organisation, webhook_id: int | str, *, address: str = ""
) -> None:
    hook = webhook_of(actor, organisation, webhook_id)
    hook.delete()
    audit(organisation, actor, "webhook-remove", address, url=hook.url)
