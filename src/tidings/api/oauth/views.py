"""OAuth 2 for API clients: app registration (`POST /api/v1/apps`), the consent page, tokens,
revocation and the server's metadata. The protocol is Django OAuth Toolkit's."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from oauth2_provider import views as dot
from oauth2_provider.models import get_application_model

from tidings.accounts import scopes
from tidings.api.mastodon.common import ApiError, api, body_of, serialize_app
from tidings.core import ratelimit
from tidings.core.errors import RateLimited

OOB = "urn:ietf:wg:oauth:2.0:oob"
FORBIDDEN_SCHEMES = {"javascript", "data", "vbscript", "file"}


def _redirect_uris(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw or "").split()
    uris = [str(u).strip() for u in items if str(u).strip()]
    if not uris:
        raise ApiError(422, "Validation failed: Redirect URI must be given")
    for uri in uris:
        scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
        if len(uri) > 500 or not scheme or scheme in FORBIDDEN_SCHEMES or any(c.isspace() for c in uri):
            raise ApiError(422, "Validation failed: Redirect URI must be an absolute URI.")
    return uris


@api(methods=("POST",), auth=False)
def create_app(request: HttpRequest) -> Any:
    data = body_of(request)
    name = str(data.get("client_name") or "").strip()
    if not name or len(name) > 100:
        raise ApiError(422, "Validation failed: Application name must be 1 to 100 characters")
    uris = _redirect_uris(data.get("redirect_uris"))
    wanted = scopes.parse(data.get("scopes") or "read")
    if scopes.unknown(wanted):
        raise ApiError(422, f"Validation failed: Scopes are not known: {' '.join(scopes.unknown(wanted))}")
    website = str(data.get("website") or "").strip()[:500]
    if website and not website.startswith(("https://", "http://")):
        website = ""
    address = request.META.get("REMOTE_ADDR", "")
    ratelimit.hit(f"apps:{address}", limit=settings.APPS_PER_HOUR, window_seconds=3600)
    secret = secrets.token_urlsafe(32)
    app_model = get_application_model()
    with transaction.atomic():
        app = app_model.objects.create(
            name=name,
            redirect_uris=" ".join(uris),
            client_type=app_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=app_model.GRANT_AUTHORIZATION_CODE,
            client_secret=secret,
            scopes=" ".join(wanted),
            website=website,
        )
    return serialize_app(app, secret=secret)


@api(methods=("GET",), scope=None)
def verify_app(request: HttpRequest) -> Any:
    return serialize_app(request.api.application)  # type: ignore[attr-defined]


def _json_as_form(request: HttpRequest) -> None:
    """Mastodon takes JSON at /oauth/token too; the toolkit reads forms."""
    if request.content_type == "application/json":
        try:
            data = body_of(request)
        except ApiError:
            return
        form = QueryDict(mutable=True)
        for key, value in data.items():
            form[key] = " ".join(value) if isinstance(value, list) else str(value)
        request._post = form  # type: ignore[attr-defined]
        request.META["CONTENT_TYPE"] = "application/x-www-form-urlencoded"


@method_decorator(csrf_exempt, name="dispatch")
class Token(dot.TokenView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _json_as_form(request)
        address = request.META.get("REMOTE_ADDR", "")
        try:
            ratelimit.hit(f"token:{address}", limit=settings.TOKENS_PER_ADDRESS, window_seconds=300)
        except RateLimited:
            return JsonResponse({"error": "Too many requests"}, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
            payload = json.loads(response.content)
            payload.setdefault("created_at", int(time.time()))  # Mastodon's clients read it
            response.content = json.dumps(payload).encode()
        return response


@method_decorator(csrf_exempt, name="dispatch")
class Revoke(dot.RevokeTokenView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _json_as_form(request)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            return JsonResponse({})
        return response


class Authorize(dot.AuthorizationView):
    """The consent page: who asks, for what, on whose account; allow or deny."""

    template_name = "tidings/authorize.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["scope_list"] = [(s, scopes.description(s)) for s in kwargs.get("scopes", [])]
        return context

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # An organisation's external app is authorized only by people it is installed for.
        from tidings.extensions import external

        # Every client id the request names: the consent form posts its own.
        named = {
            str(v)[:100] for v in (*request.GET.getlist("client_id"), *request.POST.getlist("client_id"))
        }
        user = request.user
        if user.is_authenticated and named:
            for client in get_application_model().objects.filter(client_id__in=named):
                if not external.may_authorize(client, user):
                    from tidings.web.views.errors import error_page

                    return error_page(request, gettext("This app is not installed for you."), status=403)
        return super().dispatch(request, *args, **kwargs)

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        if redirect_to.startswith(OOB):
            # No place to send the code back to: show it, for the person to paste into the app.
            query = parse_qs(urlsplit(redirect_to).query)
            context = {"code": query.get("code", [""])[0], "error": query.get("error", [""])[0]}
            return render(self.request, "tidings/authorize_code.html", context)
        return super().redirect(redirect_to, application)


@require_GET
def metadata(request: HttpRequest) -> JsonResponse:
    """RFC 8414: where a client finds the endpoints and what they support."""
    base = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        {
            "issuer": base,  # as the consent page's answers give it (`iss`, RFC 9207)
            "authorization_endpoint": base + reverse("oauth:authorize"),
            "token_endpoint": base + reverse("oauth:token"),
            "revocation_endpoint": base + reverse("oauth:revoke"),
            "app_registration_endpoint": base + reverse("mastodon:apps"),
            "scopes_supported": scopes.ALL,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "service_documentation": base + "/api/",
        }
    )
