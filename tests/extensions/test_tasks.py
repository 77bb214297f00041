"""The Tasks app: turning posts into tasks of a group, assigning members, moving them across the
board, the group's feed hearing of it (in stock clients too), reminders, and who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import Api
from tidings.accounts.tokens import create_token
from tidings.core.errors import Invalid, NotFound
from tidings.extensions import services as apps
from tidings.extensions.taskboard import services as tasks
from tidings.extensions.taskboard.models import Task
from tidings.groups import services as groups
from tidings.notifications.models import Notification
from tidings.posts import services as posts
from tidings.posts.models import Post


@pytest.fixture
def board(team, group):
    """Tasks on for the whole company; the employee joins the manager's group."""
    apps.install(team.admin, "tasks", organisation=team.org)
    groups.invite(group, team.employee, actor=team.manager)
    return group


def feed(group):
    return list(Post.objects.filter(group=group).order_by("id").values_list("text", flat=True))


def test_a_customers_post_becomes_a_task_assigned_to_a_colleague_who_hears_of_it(
    team, board, client_for, run_hooks
):
    complaint = posts.publish(team.customer, text="@示範客服 我的筆電電池一天就沒電了")
    client = client_for(team.manager)
    form = client.get(f"/apps/tasks/new/?post={complaint.id}")
    assert "我的筆電電池一天就沒電了" in form.content.decode()
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()

    with run_hooks():
        made = client.post(
            f"/apps/tasks/new/?post={complaint.id}",
            {"group": board.id, "title": "回覆電池問題", "assignees": "@員工", "due_on": due},
        )

    task = Task.objects.get()
    assert made.status_code == 302 and made.url == f"/apps/tasks/{task.id}/"
    assert task.source_id == complaint.id and list(task.assignees.all()) == [team.employee]
    [announced] = feed(board)
    assert "回覆電池問題" in announced and "@員工" in announced and f"/apps/tasks/{task.id}/" in announced
    assert Notification.objects.filter(recipient=team.employee, kind="mention").exists()

    page = client_for(team.employee).get(f"/apps/tasks/board/?group={board.id}").content.decode()
    assert f'data-task="{task.id}"' in page


def test_moving_a_task_to_done_is_told_in_the_groups_feed_and_reopening_too(team, board, client_for):
    task = tasks.create(team.manager, group_id=board.id, title="更新 FAQ")
    client = client_for(team.employee)
    client.post(f"/apps/tasks/{task.id}/", {"action": "status", "status": "doing"})
    client.post(f"/apps/tasks/{task.id}/", {"action": "status", "status": "done"})
    task.refresh_from_db()
    assert task.status == "done" and task.done_at is not None
    tasks.update(team.manager, task.id, status="todo")
    texts = feed(board)
    assert len(texts) == 3  # made, done, reopened: "doing" is not news
    assert "更新 FAQ" in texts[1] and "更新 FAQ" in texts[2]


def test_the_group_list_in_a_stock_client_shows_the_task_posts(team, board):
    tasks.create(team.manager, group_id=board.id, title="盤點庫存", assignees=["員工"])
    api = Api(create_token(team.employee, scopes="read"))
    listed = api.get(f"/api/v1/timelines/list/group-{board.id}").json()
    assert any("盤點庫存" in status["content"] for status in listed)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"title": "", "assignees": []}, "needs a title"),
        ({"title": "長" * 61}, "at most 60"),
        ({"title": "找人", "assignees": ["顧客"]}, "not a member of this group"),
        ({"title": "找人", "assignees": ["不存在的人"]}, "not a member of this group"),
        ({"title": "過期", "due_on": "2020-01-01"}, "already passed"),
        ({"title": "日期", "due_on": "明天"}, "looks like"),
    ],
)
def test_a_bad_task_is_refused_with_the_reason_and_nothing_is_made(team, board, fields, reason):
    before = feed(board)
    with pytest.raises(Invalid, match=reason):
        tasks.create(team.manager, group_id=board.id, **fields)
    assert not Task.objects.exists() and feed(board) == before


def test_bad_changes_are_refused_and_the_task_stays_as_it_was(team, board):
    task = tasks.create(team.manager, group_id=board.id, title="原本的")
    with pytest.raises(Invalid, match="to do, doing or done"):
        tasks.update(team.manager, task.id, status="finished")
    with pytest.raises(Invalid, match="not a member"):
        tasks.update(team.manager, task.id, title="改了", assignees=["對手"])
    with pytest.raises(Invalid, match="no field"):
        tasks.update(team.manager, task.id, group_id=1)
    task.refresh_from_db()
    assert (task.title, task.status, task.assignees.count()) == ("原本的", "todo", 0)


def test_a_post_cannot_carry_its_words_into_a_group_of_another_space(team, board, make_account):
    from tidings.orgs import services as orgs

    other = orgs.create_organisation(slug="other", name="別家", owner=team.manager)
    secret = posts.publish(team.manager, text="別家的內部消息", audience="org", organisation_id=other.id)
    with pytest.raises(Invalid, match="cannot leave its space"):
        tasks.create(team.manager, group_id=board.id, title="搬過來", source_id=secret.id)
    hidden = posts.publish(team.admin, text="老闆的內部消息", audience="org", organisation_id=team.org.id)
    with pytest.raises(NotFound):
        tasks.create(team.customer, group_id=board.id, title="偷看", source_id=hidden.id)
    assert not Task.objects.exists()


def test_the_app_must_be_on_for_the_group_and_the_person_in_it(team, group, client_for):
    groups.invite(group, team.employee, actor=team.manager)
    other = groups.create_group(team.org, actor=team.manager, name="另一組")
    apps.install(team.admin, "tasks", organisation=team.org, group_id=other.id)
    # On for another group only: this group's board is as if missing.
    with pytest.raises(NotFound):
        tasks.create(team.manager, group_id=group.id, title="不行")
    assert client_for(team.manager).get(f"/apps/tasks/board/?group={group.id}").status_code == 404
    assert client_for(team.manager).get(f"/apps/tasks/board/?group={other.id}").status_code == 200
    # The admin is not in the group: its board and tasks are not theirs.
    task = tasks.create(team.manager, group_id=other.id, title="組內")
    assert client_for(team.admin).get(f"/apps/tasks/{task.id}/").status_code == 404


@pytest.mark.parametrize("path", ["/apps/tasks/", "/apps/tasks/board/?group={group}", "/apps/tasks/{task}/"])
def test_strangers_other_organisations_and_logged_out_visitors_are_refused(team, board, client_for, path):
    task = tasks.create(team.manager, group_id=board.id, title="機密任務")
    url = path.format(group=board.id, task=task.id)
    for outsider in (team.customer, team.rival):
        answer = client_for(outsider).get(url)
        assert answer.status_code == 404 and "機密任務" not in answer.content.decode()
        assert client_for(outsider).post(url, {"action": "status", "status": "done"}).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    task.refresh_from_db()
    assert task.status == "todo"


def test_only_the_maker_or_a_manager_deletes_a_task(team, board):
    from tidings.core.errors import Forbidden

    task = tasks.create(team.manager, group_id=board.id, title="別刪我")
    with pytest.raises(Forbidden):
        tasks.delete(team.employee, task.id)
    tasks.delete(team.manager, task.id)
    assert not Task.objects.exists()


def test_assignees_are_reminded_once_of_a_task_due_soon_and_find_it_in_their_tasks(team, board, client_for):
    today = timezone.localdate()
    soon = tasks.create(
        team.manager,
        group_id=board.id,
        title="明天交",
        assignees=["員工", "經理"],
        due_on=today + dt.timedelta(1),
    )
    tasks.create(
        team.manager, group_id=board.id, title="下週交", assignees=["員工"], due_on=today + dt.timedelta(7)
    )

    assert tasks.remind_due(today) == 2  # the employee, and the manager who gave it to himself
    assert tasks.remind_due(today) == 0
    reminded = Notification.objects.get(recipient=team.employee, kind="task")
    assert reminded.link.startswith(f"/apps/tasks/{soon.id}/")

    mine = client_for(team.employee).get("/apps/tasks/").content.decode()
    assert "明天交" in mine and "下週交" in mine
    assert mine.index("明天交") < mine.index("下週交")


def test_removing_the_app_closes_its_pages_stops_reminders_and_keeps_the_tasks(team, board, client_for):
    from tidings.extensions.models import Installation

    today = timezone.localdate()
    task = tasks.create(team.manager, group_id=board.id, title="留著", assignees=["員工"], due_on=today)

    apps.remove(team.admin, Installation.objects.get(app="tasks").id)

    assert client_for(team.manager).get(f"/apps/tasks/{task.id}/").status_code == 404
    assert client_for(team.manager).get(f"/apps/tasks/board/?group={board.id}").status_code == 404
    assert Task.objects.filter(id=task.id).exists()
    assert tasks.remind_due(today) == 0


def test_a_task_post_carries_the_tasks_card_in_the_feed_and_in_stock_clients(team, board, client_for):
    task = tasks.create(team.manager, group_id=board.id, title="準備展場", assignees=["員工"])
    page = client_for(team.employee).get(f"/o/demo/g/{board.id}/").content.decode()
    assert 'data-app-card="tasks"' in page and f'href="/apps/tasks/{task.id}/"' in page and "@員工" in page
    listed = (
        Api(create_token(team.employee, scopes="read")).get(f"/api/v1/timelines/list/group-{board.id}").json()
    )
    [card] = [s["card"] for s in listed if s["card"]]
    assert card["url"].endswith(f"/apps/tasks/{task.id}/") and "準備展場" in card["title"]
    assert "@員工" in card["description"]
