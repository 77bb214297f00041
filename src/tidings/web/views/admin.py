"""The admin console of an organisation (/o/<slug>/admin/): members and roles, invitations,
domains, settings, leak-prevention rules and held posts, and the audit log. Owners and admins
only; every change goes through a service that writes the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.core.errors import DomainError, Forbidden, Invalid, NotFound
from tidings.orgs import domains, joining, policy, selectors, services
from tidings.orgs.models import Invitation, Membership, Organisation, PolicyRule
from tidings.web.views.common import number


def _staff(request: HttpRequest, slug: str) -> tuple[Organisation, Account]:
    org, membership = selectors.access_space(request.user, slug)
    if not membership.is_staff:
        raise Forbidden(_("Only the organisation's owners and admins can open its console."))
    assert isinstance(request.user, Account)
    return org, request.user


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@login_required
def console(request: HttpRequest, slug: str) -> HttpResponse:
    org, actor = _staff(request, slug)
    context = {
        "org": org,
        "members": selectors.members(org),
        "roles": Membership.Role.choices,
        "invitations": Invitation.objects.filter(organisation=org, used_at__isnull=True).order_by("-id")[:20],
        "domains": list(org.domains.order_by("domain")),
        "rules": list(PolicyRule.objects.filter(organisation=org).order_by("-id")),
        "actions": PolicyRule.Action.choices,
        "applies": PolicyRule.AppliesTo.choices,
        "held": policy.held_posts(org, actor=actor),
        "join_requests": joining.pending(org),
        "audit": selectors.audit_log(org, limit=50),
        "new_link": request.session.pop("new_invitation", ""),
        "error": request.session.pop("admin_error", ""),
        "nav": "spaces",
    }
    return render(request, "tidings/admin.html", context)


ACTIONS = {
    "role",
    "remove",
    "add-member",
    "invite",
    "domain-add",
    "domain-remove",
    "settings",
    "rule-add",
    "rule-remove",
    "release",
    "reject",
    "approve-join",
    "logo",
    "decline-join",
}


@login_required
@require_POST
def act(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound()
    org, actor = _staff(request, slug)
    data, address = request.POST, _address(request)
    try:
        if action in {"role", "remove", "add-member", "approve-join", "decline-join"}:
            person = account_by_handle(data.get("handle", "").strip().removeprefix("@"))
            if action in {"approve-join", "decline-join"}:
                joining.decide(
                    org, actor=actor, account=person, approve=action == "approve-join", address=address
                )
            elif action == "role":
                services.set_role(org, person, role=data.get("role", ""), actor=actor, address=address)
            elif action == "remove":
                services.remove_member(org, person, actor=actor, address=address)
            else:
                services.add_member(
                    org, person, role=data.get("role", "member"), actor=actor, address=address
                )
        elif action == "invite":
            days = number(data.get("days", "7")) or 0
            token = services.create_invitation(
                org, actor=actor, role=data.get("role", ""), days=days, address=address
            )
            request.session["new_invitation"] = request.build_absolute_uri(
                reverse("web:accept_invitation", args=[token])
            )
        elif action == "domain-add":
            domains.add_domain(
                org, actor=actor, domain=data.get("domain", ""), email=data.get("email", ""), address=address
            )
        elif action == "domain-remove":
            domains.remove_domain(org, actor=actor, domain=data.get("domain", ""), address=address)
        elif action == "logo":
            upload = request.FILES.get("logo")
            if upload is None:
                raise Invalid(_("Choose a picture first."))
            services.set_logo(
                org, actor=actor, data=upload.read(settings.IMAGE_MAX_BYTES + 1), address=address
            )
        elif action == "settings":
            limit = data.get("post_max_length", "")
            services.update_settings(
                org,
                actor=actor,
                post_max_length=number(limit) or 0,
                members_may_create_groups=data.get("members_may_create_groups") == "on",
                require_two_factor=data.get("require_two_factor") == "on",
                client_audience=data.get("client_audience", "public"),
                address=address,
            )
        elif action == "rule-add":
            policy.add_rule(
                org,
                actor=actor,
                pattern=data.get("pattern", ""),
                is_regex=data.get("is_regex") == "on",
                action=data.get("rule_action", ""),
                reason=data.get("reason", ""),
                applies_to=data.get("applies_to", PolicyRule.AppliesTo.EVERYONE),
                address=address,
            )
        elif action == "rule-remove":
            rule_id = data.get("rule", "")
            policy.remove_rule(org, actor=actor, rule_id=number(rule_id) or 0, address=address)
        else:
            post_id = data.get("post", "")
            policy.release(
                org,
                actor=actor,
                post_id=number(post_id) or 0,
                approve=action == "release",
                address=address,
            )
    except DomainError as error:
        if error.status == 404:
            raise
        # Shown at the top of the console after the redirect, in the admin's language.
        request.session["admin_error"] = str(error.message)
    return redirect("web:admin", slug=org.slug)


@login_required
def verify_domain(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The link mailed to an address at a new domain: a page with a button (opening a link
    must not change anything); confirming it, an owner or admin proves the domain theirs."""
    org, actor = _staff(request, slug)
    if request.method == "POST":
        try:
            domains.confirm(org, actor=actor, token=token, address=_address(request))
        except DomainError as error:
            if error.status == 404:
                raise
            request.session["admin_error"] = str(error.message)
        return redirect("web:admin", slug=org.slug)
    return render(request, "tidings/verify_domain.html", {"org": org, "token": token})
