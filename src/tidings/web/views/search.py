"""The search page: posts by the search language, people, organisations, groups and topics."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tidings.core.errors import Invalid
from tidings.search import selectors as search
from tidings.web.views.common import max_id, number

TABS = ("posts", "people", "organisations", "groups", "topics")


def index(request: HttpRequest) -> HttpResponse:
    """Anyone may search what they may see: a visitor finds public posts only."""
    q = request.GET.get("q", "")
    tab = request.GET.get("type", "posts")
    tab = tab if tab in TABS else "posts"
    order = "latest" if request.GET.get("order") == "latest" else "top"
    context: dict[str, Any] = {"q": q, "tab": tab, "order": order, "nav": "search", "tabs": TABS}
    status = 200
    if q.strip():
        try:
            context.update(_results(request, q, tab, order))
        except Invalid as error:
            context["error"] = error.message
            status = 400
    context["trending"] = search.trending_topics(limit=8)
    return render(request, "tidings/search.html", context, status=status)


def _results(request: HttpRequest, q: str, tab: str, order: Any) -> dict[str, Any]:
    if tab == "posts":
        found = search.find_posts(
            request.user,
            q,
            order=order,
            max_id=max_id(request),
            offset=number(request.GET.get("offset")) or 0,
        )
        return {"page": found, "needles": found.needles}
    if tab == "people":
        return {"people": search.find_people(q, limit=40)}
    if tab == "organisations":
        return {"organisations": search.find_organisations(q, limit=40)}
    if tab == "groups":
        return {"groups": search.find_groups(request.user, q, limit=40)}
    return {"topics": search.find_topics(q, limit=40)}
