"""The Tasks app through the native API: the same services and checks as its pages (the app on
for the group, the caller a member of it), with the `tasks` scopes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tidings.api.native.auth import write
from tidings.api.native.routes import _id, _me, answers
from tidings.api.native.schemas import TaskChange, TaskIn, TaskOut
from tidings.extensions.taskboard import selectors, services
from tidings.extensions.taskboard.models import Task

router = Router()


def _task(request: HttpRequest, task: Task) -> dict[str, Any]:
    return {
        "id": str(task.id),
        "group": str(task.group_id),
        "title": task.title,
        "notes": task.notes,
        "status": task.status,
        "assignees": [a.handle for a in task.assignees.all()],
        "due_on": task.due_on,
        "source": str(task.source_id) if task.source_id else None,
        "created_by": task.created_by.handle if task.created_by else None,
        "created_at": task.created_at,
        "done_at": task.done_at,
        "url": request.build_absolute_uri(f"/apps/tasks/{task.id}/"),
    }


@router.get("/tasks", response=answers(list[TaskOut]), auth=write("read:tasks"), tags=["tasks"])
def my_tasks(request: HttpRequest) -> Any:
    """The caller's open tasks, soonest due first."""
    return [_task(request, t) for t in selectors.mine(_me(request))]


@router.get(
    "/groups/{group_id}/tasks", response=answers(list[TaskOut]), auth=write("read:tasks"), tags=["tasks"]
)
def group_tasks(request: HttpRequest, group_id: str) -> Any:
    """A group's board: its open tasks, then the latest done."""
    group = services.board_group(_me(request), _id(group_id))
    columns = selectors.board(group)
    return [_task(request, t) for status in Task.Status.values for t in columns[status]]


@router.post("/tasks", response=answers(TaskOut, 201), auth=write("write:tasks"), tags=["tasks"])
def create_task(request: HttpRequest, payload: TaskIn) -> Any:
    task = services.create(
        _me(request),
        group_id=_id(payload.group),
        title=payload.title,
        notes=payload.notes,
        assignees=payload.assignees,
        due_on=payload.due_on,
        source_id=_id(payload.source) if payload.source else None,
    )
    return Status(201, _task(request, task))


@router.get("/tasks/{task_id}", response=answers(TaskOut), auth=write("read:tasks"), tags=["tasks"])
def task(request: HttpRequest, task_id: str) -> Any:
    return _task(request, services.task_for(_me(request), _id(task_id)))


@router.patch("/tasks/{task_id}", response=answers(TaskOut), auth=write("write:tasks"), tags=["tasks"])
def change_task(request: HttpRequest, task_id: str, payload: TaskChange) -> Any:
    """Change what is sent; a field left out stays as it is."""
    changes = payload.dict(exclude_unset=True)
    task = services.update(_me(request), _id(task_id), **changes)
    return _task(request, task)


@router.delete("/tasks/{task_id}", response=answers(None, 204), auth=write("write:tasks"), tags=["tasks"])
def delete_task(request: HttpRequest, task_id: str) -> Any:
    services.delete(_me(request), _id(task_id))
    return Status(204, None)
