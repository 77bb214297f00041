"""The Tasks app through the native API: the same rules as its pages, with the `tasks` scopes."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tidings.accounts.tokens import create_token
from tidings.extensions import services as apps
from tidings.extensions.taskboard.models import Task
from tidings.groups import services as groups


@pytest.fixture
def board(team, group):
    apps.install(team.admin, "tasks", organisation=team.org)
    groups.invite(group, team.employee, actor=team.manager)
    return group


def api(account, scopes="read write"):
    return Api(create_token(account, scopes=scopes))


def test_a_task_is_made_moved_and_read_back_through_the_api(team, board):
    manager = api(team.manager)
    made = manager.post(
        "/api/tidings/v1/tasks", {"group": str(board.id), "title": "寫週報", "assignees": ["員工"]}
    )
    assert made.status_code == 201, made.content
    task = made.json()
    assert task["assignees"] == ["員工"] and task["status"] == "todo"

    moved = api(team.employee).patch(f"/api/tidings/v1/tasks/{task['id']}", {"status": "done"})
    assert moved.status_code == 200 and moved.json()["status"] == "done" and moved.json()["title"] == "寫週報"
    mine = api(team.employee).get("/api/tidings/v1/tasks").json()
    assert mine == []  # done tasks leave "my tasks"
    listed = manager.get(f"/api/tidings/v1/groups/{board.id}/tasks").json()
    assert [t["title"] for t in listed] == ["寫週報"]


def test_bad_input_through_the_api_is_refused_with_the_reason(team, board):
    manager = api(team.manager)
    outsider = manager.post(
        "/api/tidings/v1/tasks", {"group": str(board.id), "title": "找外人", "assignees": ["顧客"]}
    )
    assert outsider.status_code == 422 and "not a member" in outsider.json()["error"]
    task = manager.post("/api/tidings/v1/tasks", {"group": str(board.id), "title": "好的"}).json()
    wrong = manager.patch(f"/api/tidings/v1/tasks/{task['id']}", {"status": "finished"})
    assert wrong.status_code == 422
    assert Task.objects.get().status == "todo"


def test_the_api_refuses_outsiders_narrow_tokens_and_no_token(team, board):
    task = api(team.manager).post("/api/tidings/v1/tasks", {"group": str(board.id), "title": "內部"}).json()
    for outsider in (team.customer, team.rival, team.admin):  # the admin is not in the group
        client = api(outsider)
        assert client.get(f"/api/tidings/v1/tasks/{task['id']}").status_code == 404
        assert client.get(f"/api/tidings/v1/groups/{board.id}/tasks").status_code == 404
        assert client.patch(f"/api/tidings/v1/tasks/{task['id']}", {"status": "done"}).status_code == 404
    narrow = api(team.manager, scopes="read:statuses")
    assert narrow.get("/api/tidings/v1/tasks").status_code == 403
    reader = api(team.manager, scopes="read")
    assert reader.patch(f"/api/tidings/v1/tasks/{task['id']}", {"status": "done"}).status_code == 403
    assert Api().get("/api/tidings/v1/tasks").status_code == 401
    assert Task.objects.get().status == "todo"
