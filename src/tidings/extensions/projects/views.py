"""The Projects app's pages, behind the platform's door (/apps/projects/...)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tidings.core.errors import DomainError
from tidings.extensions import sdk
from tidings.extensions import selectors as platform
from tidings.extensions.projects import selectors, services
from tidings.extensions.projects.models import Update


def projects(request: HttpRequest) -> HttpResponse:
    """A group's projects (`?group=<id>`), and a form to start one."""
    person = sdk.person(request)
    group = platform.member_group(person, services.KEY, request.GET.get("group"))
    error, form = "", {"name": "", "description": ""}
    if request.method == "POST":
        form = {"name": request.POST.get("name", ""), "description": request.POST.get("description", "")}
        try:
            sdk.require(request, "write:statuses")
            made = services.create(person, group_id=group.id, **form)
            return redirect(f"/apps/projects/{made.id}/")
        except DomainError as failure:
            if failure.status == 404:
                raise
            error = str(failure.message)
    context = {"group": group, "projects": selectors.of_group(group), "form": form, "error": error}
    return render(request, "projects/list.html", context, status=400 if error else 200)


def project(request: HttpRequest, project_id: int) -> HttpResponse:
    person = sdk.person(request)
    found = services.project_for(person, project_id)
    error = ""
    if request.method == "POST":
        data = request.POST
        try:
            sdk.require(request, "write:statuses")
            if data.get("action") == "solved":
                problem = services.mark_solved(
                    person, found.id, problem_id=data.get("problem"), proposal_id=data.get("proposal")
                )
                return redirect(f"/apps/projects/{found.id}/#u{problem.id}")
            update = services.post_update(
                person,
                found.id,
                kind=data.get("kind"),
                text=data.get("text"),
                problem_id=data.get("problem") or None,
            )
            return redirect(f"/apps/projects/{found.id}/#u{update.id}")
        except DomainError as failure:
            if failure.status == 404:
                raise
            error = str(failure.message)
    context: dict[str, Any] = {
        "project": found,
        "view": selectors.overview(found),
        "kinds": Update.Kind.choices,
        "error": error,
        "markable": _markable(person, found),
        "digests": list(found.digests.order_by("-week")[:8]),
    }
    return render(request, "projects/project.html", context, status=400 if error else 200)


def _markable(person: Any, project: Any) -> set[int] | None:
    """The problems the person may mark solved: all of them (None) for the owner and managers."""
    from tidings.groups.selectors import is_manager

    if person.id == project.owner_id or is_manager(project.group, person):
        return None
    return set(Update.objects.filter(project=project, author=person).values_list("id", flat=True))


def digest(request: HttpRequest, project_id: int, digest_id: int) -> HttpResponse:
    found = services.project_for(sdk.person(request), project_id)
    context = {"project": found, "digest": selectors.digest_of(found, digest_id)}
    return render(request, "projects/digest.html", context)
