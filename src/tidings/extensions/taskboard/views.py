"""The Tasks app's pages, reached through the platform's door (/apps/tasks/...), which has
checked the app is on for the person. Thin: reads through selectors, writes through services."""

from __future__ import annotations

import posixpath
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tidings.core.errors import DomainError
from tidings.extensions import sdk
from tidings.extensions.taskboard import selectors, services
from tidings.extensions.taskboard.models import Task


def _page(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(
        request, f"taskboard/{name}.html", {"statuses": Task.Status.choices, **context}, status=status
    )


def mine(request: HttpRequest) -> HttpResponse:
    person = sdk.person(request)
    return _page(request, "mine", {"tasks": selectors.mine(person), "groups": selectors.groups_on(person)})


def new(request: HttpRequest) -> HttpResponse:
    person = sdk.person(request)
    source = sdk.post(request).subject if request.GET.get("post") else None
    groups = selectors.groups_on(person)
    form: dict[str, Any] = {
        "title": (source.text if source else "")[:60],
        "group": str(source.group_id) if source and source.group_id else request.GET.get("group", ""),
    }
    error = ""
    if request.method == "POST":
        form = request.POST.dict()
        try:
            sdk.require(request, "write:statuses")
            task = services.create(
                person,
                group_id=form.get("group"),
                title=form.get("title"),
                notes=form.get("notes", ""),
                assignees=form.get("assignees", ""),
                due_on=form.get("due_on"),
                source_id=source.id if source else None,
            )
            return redirect(f"/apps/tasks/{task.id}/")
        except DomainError as failure:
            if failure.status in (403, 404):
                raise
            error = str(failure.message)
    context = {"form": form, "groups": groups, "source": source, "error": error}
    return _page(request, "new", context, status=400 if error else 200)


def board(request: HttpRequest) -> HttpResponse:
    group = services.board_group(sdk.person(request), request.GET.get("group"))
    found = selectors.board(group)
    columns = [(value, label, found[value]) for value, label in Task.Status.choices]
    return _page(request, "board", {"group": group, "columns": columns})


def task(request: HttpRequest, task_id: int) -> HttpResponse:
    person = sdk.person(request)
    found = services.task_for(person, task_id)
    error = ""
    if request.method == "POST":
        data = request.POST
        try:
            sdk.require(request, "write:statuses")
            if data.get("action") == "delete":
                services.delete(person, found.id)
                return redirect(f"/apps/tasks/board/?group={found.group_id}")
            if data.get("action") == "status":
                services.update(person, found.id, status=data.get("status"))
            else:
                services.update(
                    person,
                    found.id,
                    title=data.get("title"),
                    notes=data.get("notes", ""),
                    due_on=data.get("due_on"),
                    assignees=data.get("assignees", ""),
                )
            # Back to the page the form was on, if it is one of this app's pages.
            path, _sep, query = data.get("next", "").partition("?")
            back = posixpath.normpath(path)
            if not back.startswith("/apps/tasks/") or back.startswith("//"):
                return redirect(f"/apps/tasks/{found.id}/")
            return redirect(f"{back}/?{query}" if query else f"{back}/")
        except DomainError as failure:
            if failure.status == 404:
                raise
            error = str(failure.message)
        found = services.task_for(person, task_id)
    people = " ".join(f"@{a.handle}" for a in found.assignees.all())
    form = {
        "title": found.title,
        "assignees": people,
        "due_on": found.due_on.isoformat() if found.due_on else "",
        "notes": found.notes,
    }
    if error:  # what they typed, with the reason
        form.update({k: str(request.POST.get(k, "")) for k in form})
    context = {"task": found, "people": people, "form": form, "error": error}
    return _page(request, "task", context, status=400 if error else 200)
