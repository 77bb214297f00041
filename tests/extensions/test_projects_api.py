"""The Projects app through the native API: the same rules as its pages, with the `projects` scopes."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tidings.accounts.tokens import create_token
from tidings.extensions import services as apps
from tidings.extensions.projects.models import Update
from tidings.groups import services as groups


@pytest.fixture
def team_group(team, group):
    apps.install(team.admin, "projects", organisation=team.org, group_id=group.id)
    groups.invite(group, team.employee, actor=team.manager)
    return group


def api(account, scopes="read write"):
    return Api(create_token(account, scopes=scopes))


def test_a_problem_is_raised_answered_and_marked_solved_through_the_api(team, team_group):
    manager, employee = api(team.manager), api(team.employee)
    made = manager.post("/api/tidings/v1/projects", {"group": str(team_group.id), "name": "新品發表會"})
    assert made.status_code == 201, made.content
    project = made.json()["id"]
    problem = employee.post(
        f"/api/tidings/v1/projects/{project}/updates", {"kind": "problem", "text": "場地太小"}
    )
    proposal = manager.post(
        f"/api/tidings/v1/projects/{project}/updates",
        {"kind": "solution", "text": "改到大禮堂", "problem": problem.json()["id"]},
    )
    assert proposal.status_code == 201 and proposal.json()["problem"] == problem.json()["id"]

    solved = employee.post(
        f"/api/tidings/v1/projects/{project}/problems/{problem.json()['id']}/solved",
        {"proposal": proposal.json()["id"]},
    )
    assert solved.status_code == 200 and solved.json()["solved_by"] == proposal.json()["id"]
    again = manager.post(
        f"/api/tidings/v1/projects/{project}/problems/{problem.json()['id']}/solved",
        {"proposal": proposal.json()["id"]},
    )
    assert again.status_code == 409
    read = employee.get(f"/api/tidings/v1/projects/{project}").json()
    assert [u["kind"] for u in read["updates"]] == ["solution", "problem"]
    listed = employee.get(f"/api/tidings/v1/groups/{team_group.id}/projects").json()
    assert [p["name"] for p in listed] == ["新品發表會"]


def test_the_projects_api_refuses_outsiders_narrow_tokens_and_no_token(team, team_group):
    project = (
        api(team.manager)
        .post("/api/tidings/v1/projects", {"group": str(team_group.id), "name": "內部專案"})
        .json()["id"]
    )
    for outsider in (team.customer, team.rival, team.admin):  # the admin is not in the group
        client = api(outsider)
        assert client.get(f"/api/tidings/v1/projects/{project}").status_code == 404
        assert client.get(f"/api/tidings/v1/groups/{team_group.id}/projects").status_code == 404
        answer = client.post(f"/api/tidings/v1/projects/{project}/updates", {"kind": "status", "text": "x"})
        assert answer.status_code == 404
    assert (
        api(team.manager, scopes="read:statuses").get(f"/api/tidings/v1/projects/{project}").status_code
        == 403
    )
    reader = api(team.manager, scopes="read")
    assert (
        reader.post(
            f"/api/tidings/v1/projects/{project}/updates", {"kind": "status", "text": "x"}
        ).status_code
        == 403
    )
    assert Api().get(f"/api/tidings/v1/projects/{project}").status_code == 401
    assert not Update.objects.exists()
