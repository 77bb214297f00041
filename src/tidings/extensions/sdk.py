"""What an app's own pages use to read and act: the person, and the post or group the page was
opened from, each through the same access checks as the rest of Tidings, and each refused when
the app was not given the permission it needs. An app's pages are only reached through the
platform (web.views.apps), which has already checked the app is on for the person."""

from __future__ import annotations

from importlib import resources
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils.translation import gettext_lazy as _

from tidings.accounts import scopes as known_scopes
from tidings.core.errors import Forbidden, NotFound


def person(request: HttpRequest) -> Any:
    return getattr(request, "person", None) or request.user


def require(request: HttpRequest, scope: str) -> None:
    """Forbidden unless the app was given `scope` where it is installed for this person."""
    given: set[str] = getattr(request, "app_scopes", set())
    if not known_scopes.allows(given, scope):
        raise Forbidden(
            _("This app was not given the permission it needs: %(scope)s")
            % {"scope": known_scopes.description(scope)}
        )


def post(request: HttpRequest, parameter: str = "post") -> Any:
    """The post the page was opened from (`?post=<id>`), as the person may see it."""
    from tidings.posts.selectors import post_view

    require(request, "read:statuses")
    raw = request.GET.get(parameter, "")
    if not raw.isdigit():
        raise NotFound()
    return post_view(person(request), raw)


def group(request: HttpRequest, parameter: str = "group") -> Any:
    """The group the page was opened from (`?group=<id>`), if the person is one of its members."""
    from tidings.groups.selectors import access_group

    require(request, "read:lists")
    found, membership = access_group(person(request), request.GET.get(parameter, ""))
    if membership is None or membership.state != "active":
        raise NotFound()
    return found


def render(request: HttpRequest, package: str, name: str, context: dict[str, Any]) -> HttpResponse:
    """A template shipped inside the app's package, rendered with Tidings' layout available
    (`{% extends "tidings/base.html" %}`) and autoescaping on."""
    source = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    template = engines["django"].from_string(source)
    return HttpResponse(template.render({**context, "app": getattr(request, "app", None)}, request))
