"""Acting as an official account on the web: a person granted a role on an account switches to
it, and the pages where one reads as someone (timelines, posts, notifications, messages,
profiles) are then shown as the account. A write acts as the account only when the form came
from such a page (it carries the account's id), so the same button on the person's own pages
stays theirs. The rest (settings, security, organisation consoles, the accounts' own working
pages) is always the person's. Each write is checked against the role and recorded: who did it,
as which account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.core.errors import DomainError, Forbidden
from tidings.ops import roles
from tidings.ops.services import desk_of, record

SESSION_KEY = "acting_as"

# The pages that act as the account, and what a form sent there needs the role to allow.
WRITES = {
    "compose": "post",
    "repost": "post",
    "edit": "post",
    "delete": "post",
    "comment": "reply",
    "toggle": "reply",
    "vote": "reply",
    "conversation": "reply",
    "notifications_read": "reply",
    "relation": "manage",
}
READS = {
    "home",
    "public",
    "search",
    "post",
    "post_card",
    "post_history",
    "topic",
    "favourites",
    "notifications",
    "messages",
    "profile",
    "followers",
    "following",
}
# A write, or the live stream, acts as the account only when the page it came from was shown as
# the account: its forms (and the stream's address) carry the account's id. The same like button
# on the person's own company space stays theirs.
FROM_ACTING_PAGE = "as"
# Top-level posts go through drafts and approval when the account asks for approvals.
APPROVED_ONLY = {"compose", "repost", "edit"}


def acting_account(request: HttpRequest) -> Account | None:
    """The account the signed-in person acts as, if they still may (a role can lapse)."""
    person = getattr(request, "person", None) or request.user
    wanted = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not wanted or not isinstance(person, Account):
        return None
    account = Account.objects.filter(id=wanted, is_active=True).first()
    if account is None or not roles.may_act_as(person, account):
        request.session.pop(SESSION_KEY, None)
        return None
    return account


def switch(request: HttpRequest, account: Account | None) -> None:
    if account is None:
        request.session.pop(SESSION_KEY, None)
        return
    assert isinstance(request.user, Account)
    if not roles.may_act_as(request.user, account):
        raise Forbidden(
            _("You have no role on @%(handle)s that lets you act as it.") % {"handle": account.handle}
        )
    request.session[SESSION_KEY] = account.id


class ActingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        account, person = getattr(request, "acting", None), getattr(request, "person", None)
        if (
            account is not None
            and person is not None
            and request.method == "POST"
            and response.status_code < 400
        ):
            match = request.resolver_match
            verb = match.url_name if match else "write"
            action = match.kwargs.get("action") if match else None
            if action:
                verb = str(action)
            object_id = getattr(request, "acted_on", None) or (match.kwargs.get("post_id") if match else None)
            record(account, person, str(verb)[:24], object_id)
        return response

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.namespace != "web" or not isinstance(request.user, Account):
            return None
        name = match.url_name or ""
        if request.method == "POST":
            if name not in WRITES or not request.POST.get(FROM_ACTING_PAGE):
                return None
        elif name == "events":
            if not request.GET.get(FROM_ACTING_PAGE):
                return None
        elif name not in READS:
            return None
        account = acting_account(request)
        if account is None:
            return None
        sent = (
            request.POST.get(FROM_ACTING_PAGE)
            if request.method == "POST"
            else request.GET.get(FROM_ACTING_PAGE)
        )
        if sent is not None and sent != str(account.id):
            return None  # from a page shown as another account, before a switch: not as this one
        person = request.user
        if request.method == "POST":
            try:
                roles.require(person, account, WRITES[name])
                if name in APPROVED_ONLY and desk_of(account).approvals_required:
                    raise Forbidden(
                        _("Posts of @%(handle)s need approval: write them as drafts on its page.")
                        % {"handle": account.handle}
                    )
            except DomainError as error:
                from tidings.web.views.common import error_response

                return error_response(request, error)
        request.person = person  # type: ignore[attr-defined]
        request.acting = account  # type: ignore[attr-defined]
        request.user = account
        return None
