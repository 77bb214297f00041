"""The Projects app through the native API: the same services and checks as its pages (the app on
for the group, the caller a member of it), with the `projects` scopes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from tidings.api.native.auth import write
from tidings.api.native.routes import _id, _me, answers
from tidings.api.native.schemas import ProjectIn, ProjectOut, ProjectUpdateIn, SolvedIn, UpdateOut
from tidings.extensions import selectors as platform
from tidings.extensions.projects import selectors, services
from tidings.extensions.projects.models import Project, Update

router = Router()


def _update(u: Update) -> dict[str, Any]:
    return {
        "id": str(u.id),
        "kind": u.kind,
        "text": u.text,
        "author": u.author.handle,
        "created_at": u.created_at,
        "problem": str(u.problem_id) if u.problem_id else None,
        "solved_by": str(u.solved_by_id) if u.solved_by_id else None,
        "post": str(u.post_id) if u.post_id else None,
    }


def _project(request: HttpRequest, p: Project, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(p.id),
        "group": str(p.group_id),
        "name": p.name,
        "description": p.description,
        "owner": p.owner.handle if p.owner else None,
        "url": request.build_absolute_uri(f"/apps/projects/{p.id}/"),
        "updates": [],
    }
    if full:
        out["updates"] = [_update(u) for u in selectors.overview(p).updates]
    return out


@router.get(
    "/groups/{group_id}/projects",
    response=answers(list[ProjectOut]),
    auth=write("read:projects"),
    tags=["projects"],
)
def group_projects(request: HttpRequest, group_id: str) -> Any:
    group = platform.member_group(_me(request), services.KEY, _id(group_id))
    return [_project(request, p) for p in selectors.of_group(group)]


@router.post("/projects", response=answers(ProjectOut, 201), auth=write("write:projects"), tags=["projects"])
def create_project(request: HttpRequest, payload: ProjectIn) -> Any:
    made = services.create(
        _me(request), group_id=_id(payload.group), name=payload.name, description=payload.description
    )
    return Status(201, _project(request, made))


@router.get(
    "/projects/{project_id}", response=answers(ProjectOut), auth=write("read:projects"), tags=["projects"]
)
def project(request: HttpRequest, project_id: str) -> Any:
    """A project with its latest updates, newest first."""
    return _project(request, services.project_for(_me(request), _id(project_id)), full=True)


@router.post(
    "/projects/{project_id}/updates",
    response=answers(UpdateOut, 201),
    auth=write("write:projects"),
    tags=["projects"],
)
def post_update(request: HttpRequest, project_id: str, payload: ProjectUpdateIn) -> Any:
    """A status, a problem, or a proposed solution (with the problem it answers)."""
    made = services.post_update(
        _me(request),
        _id(project_id),
        kind=payload.kind,
        text=payload.text,
        problem_id=_id(payload.problem) if payload.problem else None,
    )
    return Status(201, _update(made))


@router.post(
    "/projects/{project_id}/problems/{problem_id}/solved",
    response=answers(UpdateOut),
    auth=write("write:projects"),
    tags=["projects"],
)
def mark_solved(request: HttpRequest, project_id: str, problem_id: str, payload: SolvedIn) -> Any:
    """Mark a problem solved by one of its proposals (once; a second time is a 409)."""
    problem = services.mark_solved(
        _me(request), _id(project_id), problem_id=_id(problem_id), proposal_id=_id(payload.proposal)
    )
    return _update(problem)
