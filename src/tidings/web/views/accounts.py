"""Sign up, log in, log out, settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tidings.accounts import services
from tidings.accounts.models import Account
from tidings.core.errors import DomainError
from tidings.web.views.common import back, form_values

BACKEND = "django.contrib.auth.backends.ModelBackend"


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
