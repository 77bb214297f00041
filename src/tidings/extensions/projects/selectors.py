"""Reading projects: a group's projects, and one project's updates with its problems and the
proposals for each, in a few queries whatever the count."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidings.extensions.projects.models import Digest, Project, Update
from tidings.groups.models import Group

SHOWN = 100


def of_group(group: Group) -> list[Project]:
    return list(Project.objects.filter(group=group).select_related("owner").order_by("name"))


@dataclass
class Problem:
    update: Update
    proposals: list[Update] = field(default_factory=list)


@dataclass
class Overview:
    updates: list[Update]
    open_problems: list[Problem]
    solved_problems: list[Problem]


def overview(project: Project) -> Overview:
    updates = list(
        Update.objects.filter(project=project)
        .select_related("author", "problem", "solved_by__author")
        .order_by("-id")[:SHOWN]
    )
    problems = Update.objects.filter(project=project, kind=Update.Kind.PROBLEM).select_related(
        "author", "solved_by__author", "solved_marked_by"
    )
    by_id = {p.id: Problem(p) for p in problems.order_by("id")}
    proposals = Update.objects.filter(project=project, kind=Update.Kind.SOLUTION).select_related("author")
    for proposal in proposals.order_by("id"):
        if proposal.problem_id in by_id:
            by_id[proposal.problem_id].proposals.append(proposal)
    every = list(by_id.values())
    return Overview(
        updates,
        [p for p in every if p.update.solved_by_id is None],
        [p for p in every if p.update.solved_by_id is not None],
    )


def digest_of(project: Project, digest_id: Any) -> Digest:
    from tidings.core.errors import NotFound

    try:
        return Digest.objects.get(id=int(digest_id), project=project)
    except (TypeError, ValueError, Digest.DoesNotExist):
        raise NotFound() from None
