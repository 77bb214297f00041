"""Apps in the browser: an organisation's apps and webhooks page (/o/<slug>/admin/apps/), a
person's own apps (/settings/apps/), and the one door to every app's pages (/apps/<key>/...),
which lets through only those the app is on for, with what the app was given."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.core.audience import groups_of, insider_of
from tidings.core.errors import DomainError, NotFound
from tidings.extensions import bots, external, mail_in, registry, selectors, services
from tidings.extensions.models import Webhook
from tidings.groups.models import Group
from tidings.orgs.models import Organisation
from tidings.web.views.admin import _address, _staff


def _person(request: HttpRequest) -> Account:
    person = getattr(request, "person", None) or request.user
    assert isinstance(person, Account)
    return person


@login_required
def dispatch(request: HttpRequest, key: str, rest: str = "") -> Any:
    app = registry.get(key)
    if app is None or not app.urls:
        raise NotFound()
    reach = selectors.reach(_person(request))
    if key not in reach.everywhere():
        raise NotFound()  # as if the app did not exist
    try:
        match = resolve("/" + rest, urlconf=app.urls)
    except Resolver404:
        raise NotFound() from None
    request.app = app  # type: ignore[attr-defined]
    request.app_scopes = reach.scopes[key]  # type: ignore[attr-defined]
    return match.func(request, *match.args, **match.kwargs)


@login_required
def organisation_apps(request: HttpRequest, slug: str) -> HttpResponse:
    org, _actor = _staff(request, slug)
    installed = selectors.installations(org)
    theirs = selectors.external_apps(org)
    context = {
        "org": org,
        "apps": sorted(
            [*registry.apps().values(), *(external.as_app(e) for e in theirs)], key=lambda a: a.manifest.title
        ),
        "external_apps": theirs,
        "new_client": request.session.pop("new_client", None),
        "broken": registry.broken(),
        "installed": installed,
        "company_wide": {i.app for i in installed if i.group_id is None},
        "groups": list(Group.objects.filter(organisation=org).order_by("name")),
        "webhooks": selectors.webhooks(org),
        "bots": selectors.bots(org),
        "new_bot_url": request.session.pop("new_bot_url", ""),
        "events": Webhook.Event.choices,
        "error": request.session.pop("admin_error", ""),
        "nav": "spaces",
    }
    return render(request, "tidings/admin_apps.html", context)


@login_required
@require_POST
def organisation_apps_act(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    if action not in {
        "install",
        "remove",
        "webhook-add",
        "webhook-remove",
        "bot-add",
        "bot-revoke",
        "external-add",
        "external-remove",
    }:
        raise NotFound()
    org, actor = _staff(request, slug)
    data, address = request.POST, _address(request)
    try:
        if action == "install":
            services.install(
                actor,
                data.get("app", ""),
                organisation=org,
                group_id=data.get("group") or None,
                address=address,
            )
        elif action == "remove":
            services.remove(actor, data.get("installation", ""), address=address)
        elif action == "webhook-add":
            services.add_webhook(
                actor, org, url=data.get("url", ""), events=data.getlist("events"), address=address
            )
        elif action == "webhook-remove":
            services.remove_webhook(actor, org, data.get("webhook", ""), address=address)
        elif action == "bot-add":
            bot, token = bots.create(
                actor,
                org,
                handle=data.get("handle", "").strip().lstrip("@"),
                display_name=data.get("display_name", ""),
                audience=data.get("audience", ""),
                group_id=data.get("group") or None,
                days=data.get("days", "0"),
                address=address,
            )
            # Shown once, on the page after the redirect: only its hash is kept.
            request.session["new_bot_url"] = bots.hook_url(bot, token)
        elif action == "bot-revoke":
            bots.revoke(actor, org, data.get("bot", ""), address=address)
        elif action == "external-add":
            made, client_id, secret = external.register(
                actor,
                org,
                manifest=data.get("manifest", ""),
                website=data.get("website", ""),
                redirect_uri=data.get("redirect_uri", ""),
                address=address,
            )
            # Shown once, on the page after the redirect: the secret is kept hashed.
            request.session["new_client"] = {"key": made.key, "id": client_id, "secret": secret}
        else:
            external.unregister(actor, org, data.get("external", ""), address=address)
    except DomainError as error:
        if error.status == 404:
            raise
        request.session["admin_error"] = str(error.message)
    return redirect("web:admin_apps", slug=org.slug)


@login_required
def webhook_log(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    org, actor = _staff(request, slug)
    hook = services.webhook_of(actor, org, webhook_id)
    context = {"org": org, "hook": hook, "deliveries": selectors.delivery_log(hook), "nav": "spaces"}
    return render(request, "tidings/admin_webhook.html", context)


@login_required
def my_apps(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("mail") == "add":
                mail_in.create(
                    person,
                    audience=request.POST.get("audience", ""),
                    organisation_id=request.POST.get("organisation") or None,
                    group_id=request.POST.get("group") or None,
                )
                return redirect("web:my_apps")
            if request.POST.get("mail") == "remove":
                mail_in.remove(person, request.POST.get("address", ""))
                return redirect("web:my_apps")
            if request.POST.get("installation"):
                services.remove(person, request.POST["installation"])
            else:
                services.install_for_myself(person, request.POST.get("app", ""))
            return redirect("web:my_apps")
        except DomainError as failure:
            if failure.status == 404:
                raise
            error = str(failure.message)
    mine = selectors.personal_installations(person)
    context = {
        "apps": sorted(
            (a for a in registry.apps().values() if "personal" in a.manifest.targets),
            key=lambda a: a.manifest.title,
        ),
        "mine": {i.app: i for i in mine},
        "reach": selectors.reach(person),
        "addresses": [(a, mail_in.address_of(a)) for a in mail_in.mine(person)],
        "my_orgs": Organisation.objects.filter(id__in=insider_of(person.id)).order_by("name"),
        "my_groups": Group.objects.filter(id__in=groups_of(person.id))
        .select_related("organisation")
        .order_by("name"),
        "error": error,
        "nav": "settings",
    }
    return render(request, "tidings/my_apps.html", context, status=400 if error else 200)
