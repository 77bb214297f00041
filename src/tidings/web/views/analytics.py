"""Analytics pages: an official account's figures (for those whose role lets them see figures)
and an organisation's (for its owners and admins). Each chart is an SVG drawn on the server,
with the same figures as a table and as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tidings.analytics import selectors as analytics
from tidings.core.charts import bar_svg, svg_response
from tidings.core.errors import NotFound
from tidings.web.views.admin import _staff
from tidings.web.views.ops import _account_context


def _csv(name: str, header: list[str], rows: list[Any]) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _series_or_hours(figures: analytics.Figures, key: str) -> tuple[list[str], list[int], str]:
    if key == "hours":
        return [f"{h:02d}" for h in range(24)], figures.hours, str(analytics.SERIES_LABELS["hours"])
    series = figures.series.get(key)
    if series is None:
        raise NotFound()
    return series.labels, series.values, series.label


def _export(figures: analytics.Figures, key: str, name: str) -> HttpResponse:
    if key == "hours":
        return _csv(
            f"{name}-hours", ["hour", "engagement"], [(f"{h:02d}", n) for h, n in enumerate(figures.hours)]
        )
    if key == "best":
        rows = [
            (p.id, p.created_at.isoformat(), p.likes_count, p.reposts_count, p.comments_count, p.text)
            for p in figures.best
        ]
        return _csv(f"{name}-best", ["post", "created_at", "likes", "reposts", "comments", "text"], rows)
    series = figures.series.get(key)
    if series is None:
        raise NotFound()
    return _csv(f"{name}-{key}", ["day", key], series.rows)


def _account(request: HttpRequest, handle: str) -> tuple[dict[str, Any], analytics.Figures]:
    context = _account_context(request, handle)
    context["run"].require("analyse")
    return context, analytics.account_figures(context["account"])


@login_required
def account(request: HttpRequest, handle: str) -> HttpResponse:
    context, figures = _account(request, handle)
    if "csv" in request.GET:
        return _export(figures, request.GET["csv"], f"analytics-{context['account'].id}")
    context.update(figures=figures, tab="analytics", hours=list(enumerate(figures.hours)))
    return render(request, "tidings/ops_analytics.html", context)


@login_required
def account_chart(request: HttpRequest, handle: str, key: str) -> HttpResponse:
    _context, figures = _account(request, handle)
    labels, values, title = _series_or_hours(figures, key)
    return svg_response(bar_svg(labels, values, title=title, every=1 if key == "hours" else 5))


@login_required
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org, _actor = _staff(request, slug)
    figures = analytics.organisation_figures(org)
    if "csv" in request.GET:
        return _export(figures, request.GET["csv"], f"analytics-{org.slug}")
    return render(request, "tidings/org_analytics.html", {"org": org, "figures": figures})


@login_required
def organisation_chart(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    org, _actor = _staff(request, slug)
    labels, values, title = _series_or_hours(analytics.organisation_figures(org), key)
    return svg_response(bar_svg(labels, values, title=title, every=5))
