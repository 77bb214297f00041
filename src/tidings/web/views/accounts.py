"""Sign up, log in, log out, settings."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidings.accounts import services, twofactor
from tidings.accounts.models import Account
from tidings.core.errors import DomainError
from tidings.web.views.common import back, form_values

BACKEND = "django.contrib.auth.backends.ModelBackend"
# Between a right password and the second factor, the session holds who is logging in, for a while.
PENDING_KEY = "tidings_2fa_pending"
PENDING_SECONDS = 5 * 60


def _client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    values = form_values(request, "handle", "display_name", "email")
    error, field, error_status = None, None, 200
    if request.method == "POST":
        try:
            account = services.sign_up(
                handle=values["handle"],
                display_name=values["display_name"],
                email=values["email"],
                password=request.POST.get("password", ""),
                language=(get_language() or "").lower()
                if (get_language() or "").lower() in dict(settings.LANGUAGES)
                else "",
            )
        except DomainError as exc:
            error, field, error_status = exc.message, exc.field, exc.status
        else:
            login(request, account, backend=BACKEND)
            return redirect("web:home")
    status = error_status if error else 200
    return render(
        request, "tidings/signup.html", {"values": values, "error": error, "field": field}, status=status
    )


def login_view(request: HttpRequest) -> HttpResponse:
    error = None
    values = form_values(request, "login")
    if request.method == "POST":
        try:
            account = services.check_login(
                login=values["login"],
                password=request.POST.get("password", ""),
                address=_client_address(request),
            )
        except DomainError as exc:
            error = exc.message
            status = exc.status
        else:
            if twofactor.is_enabled(account):
                request.session[PENDING_KEY] = {
                    "account": account.id,
                    "until": time.time() + PENDING_SECONDS,
                    "next": request.POST.get("next") or request.GET.get("next") or "",
                }
                return redirect("web:login_two_factor")
            login(request, account, backend=BACKEND)
            return back(request, reverse("web:home"))
    else:
        status = 200
    return render(
        request,
        "tidings/login.html",
        {"values": values, "error": error, "next": request.GET.get("next", "")},
        status=status,
    )


def _pending_account(request: HttpRequest) -> tuple[Account | None, dict[str, Any]]:
    """Who passed the password step in this browser less than five minutes ago, if anyone."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, {}
    if float(pending.get("until", 0)) < time.time():
        del request.session[PENDING_KEY]
        return None, {}
    account_id = pending.get("account")
    if not isinstance(account_id, int):
        return None, {}
    return Account.objects.filter(id=account_id, is_active=True).first(), pending


def login_two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: a code from the authenticator app, or a recovery code."""
    account, pending = _pending_account(request)
    if account is None:
        expired = _("Logging in took too long, or was not started. Please enter your password again.")
        context = {"values": {"login": ""}, "error": expired, "next": ""}
        return render(request, "tidings/login.html", context, status=400 if request.method == "POST" else 200)
    error: Any = None
    status = 200
    if request.method == "POST":
        try:
            twofactor.verify(account, request.POST.get("code", ""), address=_client_address(request))
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            del request.session[PENDING_KEY]
            login(request, account, backend=BACKEND)
            target = str(pending.get("next") or "")
            if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                return redirect(target)
            return redirect("web:home")
    return render(request, "tidings/login_two_factor.html", {"error": error}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:public")


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    account = request.user
    assert isinstance(account, Account)
    error, saved = None, False
    if request.method == "POST":
        try:
            services.update_profile(
                account,
                display_name=request.POST.get("display_name", ""),
                bio=request.POST.get("bio", ""),
                language=request.POST.get("language", ""),
            )
            saved = True
        except DomainError as exc:
            error = exc.message
    context = {
        "account": account,
        "error": error,
        "saved": saved,
        "languages": settings.LANGUAGES,
        "two_factor_on": twofactor.is_enabled(account),
        "nav": "settings",
    }
    if saved:
        # Remembered in the cookie too, so the choice outlives the session; "as my browser
        # says" forgets it, or the old cookie would still win over the browser.
        response = redirect("web:settings")
        if account.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, account.language, samesite="Lax")
        else:
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, samesite="Lax")
        return response
    return render(request, "tidings/settings.html", context, status=400 if error else 200)


@login_required
@require_POST
def avatar(request: HttpRequest) -> HttpResponse:
    account = request.user
    assert isinstance(account, Account)
    upload = request.FILES.get("avatar")
    if upload is None:
        from tidings.web.views.errors import error_page

        return error_page(request, _("Choose a picture first."), status=400)
    services.set_avatar(account, data=upload.read(settings.IMAGE_MAX_BYTES + 1))
    return redirect("web:settings")


def password_reset(request: HttpRequest) -> HttpResponse:
    error, sent, status = None, False, 200
    if request.method == "POST":
        try:
            services.request_password_reset(
                login=request.POST.get("login", ""), address=_client_address(request)
            )
            sent = True
        except DomainError as exc:
            error, status = exc.message, exc.status
    return render(request, "tidings/password_reset.html", {"error": error, "sent": sent}, status=status)


def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        services.account_for_reset(uidb64, token)
    except DomainError as exc:
        return render(
            request, "tidings/password_reset_confirm.html", {"error": exc.message, "valid": False}, status=400
        )
    if request.method == "POST":
        try:
            services.reset_password(uidb64=uidb64, token=token, new=request.POST.get("password", ""))
        except DomainError as exc:
            context = {"error": exc.message, "valid": True}
            return render(request, "tidings/password_reset_confirm.html", context, status=exc.status)
        return redirect("web:login")
    return render(request, "tidings/password_reset_confirm.html", {"error": None, "valid": True})
