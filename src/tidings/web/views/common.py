"""Small helpers shared by the views: paging parameters, inline (JavaScript) requests, errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from tidings.core.errors import DomainError
from tidings.core.text import is_number


def number(raw: str | None) -> int | None:
    """A whole number from a form or query string; None for anything else (or absurdly long)."""
    return int(raw) if raw and is_number(raw) and len(raw) < 20 else None


def max_id(request: HttpRequest) -> int | None:
    return number(request.GET.get("max_id"))


def is_inline(request: HttpRequest) -> bool:
    """A request made by our script, which wants a fragment or JSON instead of a redirect."""
    return request.headers.get("X-Tidings-Inline") == "1"


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to `next` when it is one of our pages, otherwise to the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    from tidings.web.views.errors import error_page

    if is_inline(request):
        return JsonResponse({"error": str(error.message), "code": error.code}, status=error.status)
    return error_page(request, str(error.message), status=error.status)


def form_values(request: HttpRequest, *names: str) -> dict[str, Any]:
    return {n: request.POST.get(n, "") for n in names}
