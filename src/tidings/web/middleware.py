"""Request guards and per-person settings that every page needs."""

from __future__ import annotations

import functools
import ipaddress
import tempfile
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.timelines.services import note_activity

Handler = Callable[[HttpRequest], HttpResponse]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _proxies(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(e, strict=False) for e in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"TIDINGS_TRUSTED_PROXIES: {error}") from None


def _address(text: str) -> IPAddress | None:
    try:
        found = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


class ClientAddressMiddleware:
    """Behind the operator's reverse proxies (settings.TRUSTED_PROXIES), REMOTE_ADDR becomes the
    person's own address: the last one in X-Forwarded-For that is not a proxy (what comes before it
    was written by the client and proves nothing). Rate limits, sessions and the audit log read
    REMOTE_ADDR. From any other peer, or with no proxies named, the header is ignored; from a peer
    that is not one of the named proxies, so is X-Forwarded-Proto."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        _proxies(tuple(settings.TRUSTED_PROXIES))  # a mistyped address stops the start, not each request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxies = _proxies(tuple(settings.TRUSTED_PROXIES))
        peer = _address(str(request.META.get("REMOTE_ADDR", "")))
        if proxies and peer is not None and any(peer in net for net in proxies):
            for entry in reversed(str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")):
                found = _address(entry)
                if found is None:
                    break  # not an address: believe nothing further left
                if not any(found in net for net in proxies):
                    request.META["REMOTE_ADDR"] = str(found)
                    break
        elif proxies:
            # Only a proxy may say the request came over https (TIDINGS_TLS believes the header).
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


class RetryAfterMiddleware:
    """Every 429, from a page, the API or a login form, says when to try again (Retry-After),
    so clients back off instead of retrying at once."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from tidings.core import ratelimit

        token = ratelimit.retry_after.set(None)
        try:
            response = self.get_response(request)
            if response.status_code == 429 and not response.has_header("Retry-After"):
                response["Retry-After"] = str(ratelimit.retry_after.get() or 60)
            return response
        finally:
            ratelimit.retry_after.reset(token)


class BodySizeLimitMiddleware:
    """Refuse an over-large body with 413 before anything reads it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > settings.MAX_REQUEST_BYTES:
            from tidings.web.views.errors import error_page

            # LocaleMiddleware has not run yet: answer in the visitor's language (cookie or
            # Accept-Language), not in whichever language this thread last served.
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
            limit = filesizeformat(settings.MAX_REQUEST_BYTES)
            message = _("The upload is too large: at most %(size)s in one go.") % {"size": limit}
            if request.path_info.startswith("/api/"):  # a client of the API reads JSON
                return JsonResponse({"error": message}, status=413)
            return error_page(request, message, status=413)
        return self.get_response(request)


class ChunkedBodyLimit:
    """WSGI, around Django: a body sent in chunks, without a Content-Length, is read here, never
    more than MAX_REQUEST_BYTES of it (spilling to a temporary file past 2 MB), and handed on with
    its length. One that goes past the limit is handed on as that long, with nothing in it, for
    BodySizeLimitMiddleware to refuse with 413; the rest of it is never read. (Django alone would
    take such a body for an empty one.)"""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            limit = settings.MAX_REQUEST_BYTES
            stream = environ["wsgi.input"]
            body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
            size = 0
            while size <= limit:
                piece = stream.read(min(64 * 1024, limit + 1 - size))
                if not piece:
                    break
                body.write(piece)
                size += len(piece)
            if size > limit:
                body.close()
                body = tempfile.SpooledTemporaryFile()
            body.seek(0)
            environ["CONTENT_LENGTH"] = str(size)
            environ["wsgi.input"] = body
        return self.app(environ, start_response)


class AccountLanguageMiddleware:
    """A signed-in person's chosen language wins over the browser's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, Account) and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class LastActiveMiddleware:
    """Remember when a person was last seen (at most once an hour): only the timelines of
    recently active people are kept up to date by fan-out."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if isinstance(request.user, Account):
            note_activity(request.user)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict content security policy: our own scripts, styles and images only, no framing."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response


class DomainErrorMiddleware:
    """A domain error raised anywhere in a view becomes a clear 4xx page (or JSON for scripts)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from tidings.core.errors import DomainError
        from tidings.web.views.common import error_response

        if isinstance(exception, DomainError):
            return error_response(request, exception)
        return None


class AccountSessionMiddleware:
    """Keep "last seen" of the signed-in session up to date, writing at most every five minutes
    (the time of the last write is kept in the session itself, so other requests cost nothing)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        session = request.session
        if isinstance(user, Account) and session.session_key:
            from tidings.accounts import sessions
            from tidings.accounts.signals import client_address, user_agent

            now = int(time.time())
            seen = session.get(sessions.SEEN_SESSION_KEY)
            if not isinstance(seen, int) or now - seen >= sessions.SEEN_EVERY.total_seconds():
                sessions.touch(
                    user,
                    session_key=session.session_key,
                    ip=client_address(request),
                    user_agent=user_agent(request),
                )
                session[sessions.SEEN_SESSION_KEY] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """A member of an organisation that requires two-factor authentication, without it set up,
    is sent to set it up from every page but that one, logging out and static files."""

    ALLOWED = {"two_factor", "logout", "healthz", "set_language", "login_two_factor"}

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: dict[str, object]
    ) -> HttpResponse | None:
        user = request.user
        if not isinstance(user, Account):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.ALLOWED:
            return None
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        if (
            match is not None
            and match.url_name == "media"
            and str(view_kwargs.get("relative", "")).startswith("avatars/")
        ):
            return None  # the pictures on the setup page itself
        from tidings.accounts import twofactor

        if not twofactor.must_set_up(user):
            return None
        from tidings.web.views.common import is_inline

        if is_inline(request):
            return JsonResponse(
                {
                    "error": _("Your organisation requires two-factor authentication. Set it up first."),
                    "code": "two_factor_required",
                },
                status=403,
            )
        return redirect("web:two_factor")
