"""Reading tasks: a group's board and a person's own tasks, in a few queries whatever the count."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from tidings.extensions import selectors
from tidings.extensions.taskboard.models import Task
from tidings.groups.models import Group

DONE_SHOWN = 20


def groups_on(person: Any) -> list[Group]:
    """The person's groups that the Tasks app is on for (installed for the group or its company)."""
    return selectors.groups_with(person, "tasks")


def board(group: Group) -> dict[str, list[Task]]:
    columns: dict[str, list[Task]] = {s: [] for s in Task.Status.values}
    open_tasks = (
        Task.objects.filter(group=group)
        .exclude(status=Task.Status.DONE)
        .prefetch_related("assignees")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )
    for task in open_tasks:
        columns[task.status].append(task)
    done = Task.objects.filter(group=group, status=Task.Status.DONE).prefetch_related("assignees")
    columns[Task.Status.DONE] = list(done.order_by("-done_at")[:DONE_SHOWN])
    return columns


def mine(person: Any) -> list[Task]:
    """Open tasks assigned to the person in groups the app is on for, soonest due first."""
    groups = groups_on(person)
    return list(
        Task.objects.filter(assignees=person, group__in=groups)
        .exclude(status=Task.Status.DONE)
        .select_related("group")
        .prefetch_related("assignees")
        .order_by(F("due_on").asc(nulls_last=True), "id")[:100]
    )
