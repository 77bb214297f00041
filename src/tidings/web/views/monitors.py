"""Monitors in the browser: the list and the form, a monitor's page with its live column and
figures, its chart, and its event stream. Only the people who run the account may open them;
anyone else gets the same "not found" as for a monitor that does not exist."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.core import pubsub
from tidings.core.charts import svg_response
from tidings.core.errors import DomainError, NotFound
from tidings.search import monitors, reports
from tidings.search.models import Monitor
from tidings.web.views.common import max_id, number
from tidings.web.views.stream import event_stream

FIELDS = ("name", "query", "source", "digest", "webhook_url")
MONITOR_POLL_SECONDS = 0.2  # embedded: a catch shows within a second of being published


def _fields(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {key: request.POST.get(key, "") for key in FIELDS}
    values["languages"] = request.POST.getlist("languages")
    values["notify"] = request.POST.get("notify") == "on"
    return values


def _list_context(request: HttpRequest) -> dict[str, Any]:
    accounts = monitors.accounts_run_by(request.user)
    return {
        "accounts": accounts,
        "monitors": monitors.monitors_run_by(request.user, accounts),
        "sources": Monitor.Source.choices,
        "digests": Monitor.Digest.choices,
        "languages": sorted(monitors.LANGUAGES),
        "nav": "monitors",
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    context = _list_context(request)
    if request.method == "POST":
        values = _fields(request)
        chosen = next((a for a in context["accounts"] if a.id == number(request.POST.get("account"))), None)
        try:
            if chosen is None:
                raise NotFound()
            monitor = monitors.create(request.user, chosen, **values)
        except DomainError as error:
            context.update(error=error.message, form=values)
            return render(request, "tidings/monitors.html", context, status=error.status)
        return redirect("web:monitor", monitor_id=monitor.id)
    context["form"] = {"source": Monitor.Source.PUBLIC, "notify": True, "languages": []}
    return render(request, "tidings/monitors.html", context)


def _page_context(request: HttpRequest, monitor: Monitor) -> dict[str, Any]:
    return {
        "monitor": monitor,
        "column": reports.column(request.user, monitor, max_id=max_id(request)),
        "warnings": reports.warnings(request.user, monitor),
        "figures": reports.figures(request.user, monitor),
        "form": {
            **{k: getattr(monitor, k) for k in FIELDS},
            "notify": monitor.notify,
            "languages": monitor.languages.split(",") if monitor.languages else [],
        },
        "sources": Monitor.Source.choices,
        "digests": Monitor.Digest.choices,
        "languages": sorted(monitors.LANGUAGES),
        "monitor_live": pubsub.position([monitor.id]),
        "nav": "monitors",
    }


@login_required
def detail(request: HttpRequest, monitor_id: int) -> HttpResponse:
    monitor = monitors.monitor_for(request.user, monitor_id)
    return render(request, "tidings/monitor.html", _page_context(request, monitor))


@login_required
@require_POST
def edit(request: HttpRequest, monitor_id: int) -> HttpResponse:
    try:
        monitor = monitors.update(request.user, monitor_id, **_fields(request))
    except NotFound:
        raise
    except DomainError as error:
        monitor = monitors.monitor_for(request.user, monitor_id)
        context = _page_context(request, monitor)
        context.update(error=error.message, form=_fields(request), editing=True)
        return render(request, "tidings/monitor.html", context, status=error.status)
    return redirect("web:monitor", monitor_id=monitor.id)


@login_required
@require_POST
def delete(request: HttpRequest, monitor_id: int) -> HttpResponse:
    monitors.delete(request.user, monitor_id)
    return redirect("web:monitors")


@login_required
def volume(request: HttpRequest, monitor_id: int) -> HttpResponse:
    monitor = monitors.monitor_for(request.user, monitor_id)
    return svg_response(reports.volume_svg(reports.volume(request.user, monitor), monitor.name))


def events(request: HttpRequest, monitor_id: int) -> HttpResponseBase:
    """New catches of an open monitor column, as they come (post ids: the page fetches each
    card through the audience check)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    assert isinstance(request.user, Account)
    monitor = monitors.monitor_for(request.user, monitor_id)
    return event_stream(request, [monitor.id], poll=MONITOR_POLL_SECONDS)
