"""Error pages in the user's language. Missing and forbidden objects look the same (404)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def error_page(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    if request.headers.get("X-Tidings-Inline") == "1":  # our script wants JSON, not a page
        return JsonResponse({"error": message}, status=status)
    titles = {
        400: _("That did not work"),
        403: _("Not allowed"),
        404: _("Not found"),
        409: _("That did not work"),
        413: _("Too large"),
        429: _("Slow down"),
        500: _("Something went wrong"),
    }
    title = titles.get(status, _("That did not work"))
    return render(request, "tidings/error.html", {"title": title, "message": message}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, _("This page does not exist, or you may not see it."), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(request, _("Something went wrong on our side. Please try again."), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request,
        _("This form has expired or was not sent from our page. Reload the page and try again."),
        status=403,
    )
