"""Settings that keep an account safe: two-factor authentication, signed-in sessions, password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidings.accounts import services, sessions, tokens, twofactor
from tidings.accounts.models import Account
from tidings.core.errors import DomainError


def _account(request: HttpRequest) -> Account:
    account = request.user
    assert isinstance(account, Account)
    return account


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


# --- two-factor -----------------------------------------------------------------------------------


def _two_factor_page(
    request: HttpRequest,
    account: Account,
    *,
    error: Any = None,
    error_form: str = "",
    codes: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    device = twofactor.confirmed(account)
    context: dict[str, Any] = {
        "account": account,
        "device": device,
        "required_by": twofactor.required_by(account),
        "error": error,
        "error_form": error_form,
        "codes": codes,
        "nav": "settings",
    }
    if device is None:
        context["setup"] = twofactor.begin_setup(account)
    else:
        context["codes_left"] = twofactor.recovery_codes_left(account)
    return render(request, "tidings/two_factor.html", context, status=status)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up two-factor (a secret for the app, then its first code to confirm), or see its state."""
    account = _account(request)
    if request.method == "POST":
        try:
            codes = twofactor.confirm_setup(account, request.POST.get("code", ""), address=_address(request))
        except DomainError as exc:
            return _two_factor_page(
                request, account, error=exc.message, error_form="setup", status=exc.status
            )
        # The recovery codes are shown this once, on the answer to the confirming form.
        return _two_factor_page(request, account, codes=codes)
    return _two_factor_page(request, account)


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    try:
        twofactor.disable(
            account,
            password=request.POST.get("password", ""),
            code=request.POST.get("code", ""),
            address=_address(request),
        )
    except DomainError as exc:
        return _two_factor_page(request, account, error=exc.message, error_form="disable", status=exc.status)
    return redirect("web:two_factor")


@login_required
@require_POST
def two_factor_recovery(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    try:
        codes = twofactor.regenerate_recovery_codes(
            account,
            password=request.POST.get("password", ""),
            code=request.POST.get("code", ""),
            address=_address(request),
        )
    except DomainError as exc:
        return _two_factor_page(request, account, error=exc.message, error_form="recovery", status=exc.status)
    return _two_factor_page(request, account, codes=codes)


# --- sessions -------------------------------------------------------------------------------------


@login_required
def sessions_view(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    listed = sessions.list_for(account, current_key=request.session.session_key)
    context = {
        "sessions": listed,
        "others": sum(1 for s in listed if not s.current),
        "apps": tokens.list_for(account),
        "nav": "settings",
    }
    return render(request, "tidings/sessions.html", context)


@login_required
@require_POST
def app_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Take back what an API client was given: its token stops working now."""
    tokens.revoke(_account(request), token_id=token_id)
    return redirect("web:sessions")


@login_required
@require_POST
def session_revoke(request: HttpRequest, session_id: int) -> HttpResponse:
    account = _account(request)
    ended = sessions.revoke(account, session_id=session_id)
    if ended == request.session.session_key:  # this very browser: it is logged out now
        logout(request)
        return redirect("web:login")
    return redirect("web:sessions")


@login_required
@require_POST
def sessions_revoke_others(request: HttpRequest) -> HttpResponse:
    sessions.end_all_sessions(_account(request), except_key=request.session.session_key)
    return redirect("web:sessions")


# --- password -------------------------------------------------------------------------------------


@login_required
def password(request: HttpRequest) -> HttpResponse:
    """A new password ends every other session; this one stays signed in."""
    account = _account(request)
    error, field, status, saved = None, None, 200, request.GET.get("saved") == "1"
    if request.method == "POST":
        old_key = request.session.session_key
        try:
            services.change_password(
                account,
                current=request.POST.get("current", ""),
                new=request.POST.get("password", ""),
                keep_session_key=old_key,
            )
        except DomainError as exc:
            error, field, status = exc.message, exc.field, exc.status
        else:
            update_session_auth_hash(request, account)  # gives this session a new key too
            sessions.rekey(old_key, request.session.session_key)
            return redirect(f"{request.path}?saved=1")
    return render(
        request,
        "tidings/password.html",
        {"error": error, "field": field, "saved": saved, "nav": "settings"},
        status=status,
    )
