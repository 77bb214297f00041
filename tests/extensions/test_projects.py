"""The Projects app: a team's typed updates (status, problem, proposed solution), a problem solved
by a proposal and linked to it, the weekly digest posted by the worker, and who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import Api
from tidings.accounts.tokens import create_token
from tidings.core.errors import Conflict, Forbidden, Invalid, NotFound
from tidings.extensions import services as apps
from tidings.extensions.projects import services as projects
from tidings.extensions.projects.models import Digest, Update
from tidings.extensions.projects.tasks import weekly_digests
from tidings.groups import services as groups
from tidings.posts.models import Post


@pytest.fixture
def project(team, group):
    """Projects on for the manager's group; the employee and the editor are in it."""
    apps.install(team.admin, "projects", organisation=team.org, group_id=group.id)
    for person in (team.employee, team.editor):
        groups.invite(group, person, actor=team.manager)
    return projects.create(team.manager, group_id=group.id, name="新門市開幕", description="十二月開幕")


def feed(group):
    return list(Post.objects.filter(group=group).order_by("id").values_list("text", flat=True))


def test_a_problem_gets_proposals_and_is_marked_solved_by_one_which_is_then_linked(team, group, project):
    status = projects.post_update(team.manager, project.id, kind="status", text="裝潢完成八成")
    problem = projects.post_update(team.employee, project.id, kind="problem", text="收銀機還沒到貨")
    first = projects.post_update(
        team.editor, project.id, kind="solution", text="先借總店的", problem_id=problem.id
    )
    second = projects.post_update(
        team.manager, project.id, kind="solution", text="換供應商", problem_id=problem.id
    )

    solved = projects.mark_solved(team.employee, project.id, problem_id=problem.id, proposal_id=first.id)

    assert solved.solved_by_id == first.id and solved.solved_marked_by_id == team.employee.id
    assert list(problem.proposals.order_by("id")) == [first, second]
    texts = feed(group)
    assert len(texts) == 5  # four updates and the news that the problem is solved
    assert "裝潢完成八成" in texts[0] and "收銀機還沒到貨" in texts[1] and "@編輯" in texts[4]
    assert status.post_id is not None and Post.objects.get(id=status.post_id).group_id == group.id


def test_a_solved_problem_marked_solved_again_is_refused_and_nothing_changes(team, group, project):
    problem = projects.post_update(team.employee, project.id, kind="problem", text="人手不足")
    one = projects.post_update(
        team.editor, project.id, kind="solution", text="找工讀生", problem_id=problem.id
    )
    two = projects.post_update(
        team.manager, project.id, kind="solution", text="調派支援", problem_id=problem.id
    )
    projects.mark_solved(team.employee, project.id, problem_id=problem.id, proposal_id=one.id)
    before = feed(group)

    with pytest.raises(Conflict, match="already solved"):
        projects.mark_solved(team.manager, project.id, problem_id=problem.id, proposal_id=two.id)
    with pytest.raises(Conflict, match="already solved"):
        projects.post_update(team.editor, project.id, kind="solution", text="太晚了", problem_id=problem.id)

    problem.refresh_from_db()
    assert problem.solved_by_id == one.id and feed(group) == before


def test_bad_updates_and_marks_are_refused_with_the_reason(team, project):
    problem = projects.post_update(team.employee, project.id, kind="problem", text="招牌太小")
    other = projects.post_update(team.employee, project.id, kind="problem", text="停車位不夠")
    elsewhere = projects.post_update(
        team.editor, project.id, kind="solution", text="租停車場", problem_id=other.id
    )
    with pytest.raises(Invalid, match="another problem"):
        projects.mark_solved(team.employee, project.id, problem_id=problem.id, proposal_id=elsewhere.id)
    with pytest.raises(Forbidden):
        projects.mark_solved(team.editor, project.id, problem_id=problem.id, proposal_id=elsewhere.id)
    with pytest.raises(Invalid, match="choose it"):
        projects.post_update(team.editor, project.id, kind="solution", text="沒說哪個問題")
    with pytest.raises(NotFound):
        projects.post_update(team.editor, project.id, kind="solution", text="x", problem_id=elsewhere.id)
    with pytest.raises(Invalid, match="status, a problem"):
        projects.post_update(team.editor, project.id, kind="rumour", text="聽說")
    with pytest.raises(Invalid, match="at most 100"):
        projects.post_update(team.editor, project.id, kind="status", text="長" * 101)
    with pytest.raises(Invalid, match="Say what"):
        projects.post_update(team.editor, project.id, kind="status", text="   ")
    assert Update.objects.count() == 3
    assert not Update.objects.filter(solved_by__isnull=False).exists()


def test_the_worker_posts_the_weekly_digest_once(team, group, project):
    today = timezone.localdate()
    week = projects.week_of(today)
    start = timezone.make_aware(dt.datetime.combine(week, dt.time(9)))
    projects.post_update(team.manager, project.id, kind="status", text="設備進場")
    stuck = projects.post_update(team.employee, project.id, kind="problem", text="電力容量不足")
    solved = projects.post_update(team.employee, project.id, kind="problem", text="缺少海報")
    for text in ("申請增設電表", "改用節能設備"):
        projects.post_update(team.editor, project.id, kind="solution", text=text, problem_id=stuck.id)
    fix = projects.post_update(
        team.manager, project.id, kind="solution", text="請設計部做", problem_id=solved.id
    )
    projects.mark_solved(team.manager, project.id, problem_id=solved.id, proposal_id=fix.id)
    Update.objects.filter(project=project).update(created_at=start)  # all of it on the Monday

    weekly_digests.call_local()  # the periodic task: last week was quiet, nothing is posted
    assert not Digest.objects.exists()
    assert projects.weekly_digests(today + dt.timedelta(days=7)) == 1
    assert projects.weekly_digests(today + dt.timedelta(days=7)) == 0  # once a week

    made = Digest.objects.get(week=week)
    assert [m["text"] for m in made.moved] == ["設備進場"]
    assert [s["text"] for s in made.stuck] == ["電力容量不足"]
    assert made.proposed[0] == {"author": "編輯", "count": 2, "texts": ["申請增設電表", "改用節能設備"]}
    assert Post.objects.get(id=made.post_id).author_id == team.manager.id
    assert f"/apps/projects/{project.id}/digests/{made.id}/" in feed(group)[-1]


def test_the_project_pages_show_the_flow_and_refuse_outsiders(team, group, project, client_for):
    problem = projects.post_update(team.employee, project.id, kind="problem", text="排班表衝突")
    member = client_for(team.editor)
    member.post(
        f"/apps/projects/{project.id}/", {"kind": "solution", "text": "用共享表單", "problem": problem.id}
    )
    proposal = Update.objects.get(kind="solution")
    raiser = client_for(team.employee)
    raiser.post(
        f"/apps/projects/{project.id}/", {"action": "solved", "problem": problem.id, "proposal": proposal.id}
    )
    page = raiser.get(f"/apps/projects/{project.id}/").content.decode()
    assert 'data-state="solved"' in page and f'data-solved-by="{proposal.id}"' in page
    listed = member.get(f"/apps/projects/?group={group.id}").content.decode()
    assert "新門市開幕" in listed

    for outsider in (team.customer, team.rival, team.admin):  # the admin is not in the group
        client = client_for(outsider)
        assert client.get(f"/apps/projects/{project.id}/").status_code == 404
        assert client.get(f"/apps/projects/?group={group.id}").status_code == 404
        assert (
            client.post(f"/apps/projects/{project.id}/", {"kind": "status", "text": "x"}).status_code == 404
        )
    anonymous = Client().get(f"/apps/projects/{project.id}/")
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    assert Update.objects.count() == 2


def test_project_updates_reach_stock_clients_as_posts_in_the_group_list(team, group, project):
    projects.post_update(team.employee, project.id, kind="problem", text="冷氣不夠冷")
    listed = (
        Api(create_token(team.editor, scopes="read")).get(f"/api/v1/timelines/list/group-{group.id}").json()
    )
    assert any("冷氣不夠冷" in status["content"] for status in listed)


def test_without_the_app_on_for_the_group_the_projects_are_out_of_reach(team, group, project, client_for):
    from tidings.extensions.models import Installation

    apps.remove(team.admin, Installation.objects.get(app="projects").id)
    assert client_for(team.manager).get(f"/apps/projects/{project.id}/").status_code == 404
    with pytest.raises(NotFound):
        projects.post_update(team.manager, project.id, kind="status", text="還在嗎")
    assert projects.weekly_digests(timezone.localdate() + dt.timedelta(days=7)) == 0


def test_a_digest_page_is_for_the_teams_members_only(team, group, project, client_for):
    projects.post_update(team.manager, project.id, kind="status", text="一切順利")
    made = projects.digest(project, projects.week_of(timezone.localdate()))
    url = f"/apps/projects/{project.id}/digests/{made.id}/"
    assert "一切順利" in client_for(team.employee).get(url).content.decode()
    for outsider in (team.customer, team.rival, team.admin):
        answer = client_for(outsider).get(url)
        assert answer.status_code == 404 and "一切順利" not in answer.content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    assert client_for(team.employee).get(f"/apps/projects/{project.id}/digests/123/").status_code == 404
