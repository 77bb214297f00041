"""Apps in a real browser against `tidings serve`: an organisation's owner installs the sample
third-party app (examples/tidings-cite, installed with pip) for the company from the admin page;
a colleague finds its "Cite" action on a post and opens the citation; a webhook to a private
address is refused on the page; the owner removes the app and the action is gone. Screenshots
on a phone and a wide screen, in light and dark."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import people
from tests.e2e.looks import look_at
from tests.e2e.test_first_conversation import PASSWORD, shot
from tests.e2e.test_internal_space import log_in
from tests.installations import SQLITE_PASS_ONLY

pytestmark = [pytest.mark.e2e, SQLITE_PASS_ONLY]


def test_an_owner_installs_the_sample_app_a_colleague_cites_a_post_and_the_owner_removes_it(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    people(tidings, "應用主管", "應用同事", password=PASSWORD)
    tidings("org", "create", "apps-co", "--name", "應用公司", "--owner", "應用主管")
    tidings("org", "add-member", "apps-co", "應用同事")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    owner, colleague = desk.new_page(), phone.new_page()
    try:
        log_in(owner, server, "應用主管")
        owner.goto(server + "/o/apps-co/admin/apps/")
        card = owner.locator('.app-card[data-app="cite"]')
        expect(card).to_contain_text("引用")
        expect(card).to_contain_text("讀取")  # the permission it asks for, in the reader's language
        card.locator("button.primary").click()
        expect(owner.locator('#installed tr[data-installation="cite"]')).to_be_visible()
        shot(owner, "apps-installed")

        # A webhook to this machine is refused with the reason, and nothing is added.
        owner.fill("#w-url", "http://127.0.0.1:9/hook")
        owner.check("input[name=events][value=post]")
        owner.click("#webhooks button.primary")
        expect(owner.locator(".error[role=alert]")).to_contain_text("私有或本機")
        expect(owner.locator("#webhooks table")).to_have_count(0)

        owner.goto(server + "/")
        owner.fill("#compose-text", "年度報告出爐了,請大家參考")
        owner.click(".compose button[type=submit]")
        expect(owner.locator("article.post").first).to_contain_text("年度報告出爐了")

        log_in(colleague, server, "應用同事")
        colleague.goto(server + "/@應用主管/")
        action = colleague.locator('article.post a[data-app="cite"]').first
        expect(action).to_be_visible()
        action.click()
        expect(colleague.locator("#cite-plain")).to_have_value(re.compile("應用主管.*年度報告出爐了"))
        shot(colleague, "apps-cite-phone")

        owner.goto(server + "/o/apps-co/admin/apps/")
        owner.once("dialog", lambda dialog: dialog.accept())
        owner.locator('#installed tr[data-installation="cite"] button.danger').click()
        expect(owner.locator('#installed tr[data-installation="cite"]')).to_have_count(0)

        colleague.goto(server + "/@應用主管/")
        expect(colleague.locator("article.post").first).to_contain_text("年度報告出爐了")
        expect(colleague.locator('a[data-app="cite"]')).to_have_count(0)
    finally:
        desk.close()
        phone.close()

    look_at(
        browser,
        server,
        [("apps-admin", server + "/o/apps-co/admin/apps/"), ("apps-mine", server + "/settings/apps/")],
        handle="應用主管",
    )


TASKS = """
import datetime
from django.utils import timezone
from tidings.accounts.models import Account
from tidings.extensions import services as apps
from tidings.extensions.taskboard import services as tasks
from tidings.groups import services as groups
from tidings.orgs.models import Organisation
org = Organisation.objects.get(slug="apps-co")
boss, mate = Account.objects.get(handle="應用主管"), Account.objects.get(handle="應用同事")
apps.install(boss, "tasks", organisation=org)
team = groups.create_group(org, actor=boss, name="門市小組")
groups.join(team, mate)
soon = timezone.localdate() + datetime.timedelta(days=2)
tasks.create(boss, group_id=team.id, title="整理週末促銷的海報與價目表", assignees=["應用同事"], due_on=soon)
tasks.create(boss, group_id=team.id, title="回覆電池問題", assignees=["應用主管", "應用同事"], due_on=soon)
done = tasks.create(boss, group_id=team.id, title="盤點庫存")
tasks.update(boss, done.id, status="done")
from tidings.extensions.models import Webhook
hook = Webhook.objects.create(organisation=org, url="https://hooks.example.com/tidings", secret="s" * 64,
                              events=["post", "case"], created_by=boss)
print(team.id, done.id, hook.id)
"""


def test_a_teams_task_board_and_my_tasks_look_right(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    people(tidings, "看板主管", "看板同事", password=PASSWORD)
    tidings("org", "create", "board-co", "--name", "看板公司", "--owner", "看板主管")
    tidings("org", "add-member", "board-co", "看板同事")
    script = (
        TASKS.replace("apps-co", "board-co").replace("應用主管", "看板主管").replace("應用同事", "看板同事")
    )
    group_id, task_id, hook_id = tidings("manage", "shell", "-c", script).strip().splitlines()[-1].split()

    look_at(
        browser,
        server,
        [
            ("tasks-board", f"{server}/apps/tasks/board/?group={group_id}"),
            ("tasks-mine", server + "/apps/tasks/"),
            ("tasks-feed", f"{server}/o/board-co/g/{group_id}/"),
            ("tasks-task", f"{server}/apps/tasks/{task_id}/"),
            ("tasks-new", f"{server}/apps/tasks/new/?group={group_id}"),
        ],
        handle="看板同事",
    )
    look_at(
        browser,
        server,
        [("apps-webhook", f"{server}/o/board-co/admin/webhooks/{hook_id}/")],
        handle="看板主管",
    )


PROJECT_TEAM = """
from tidings.accounts.models import Account
from tidings.groups import services as groups
from tidings.orgs.models import Organisation
org = Organisation.objects.get(slug="proj-co")
boss = Account.objects.get(handle="專案主管")
team = groups.create_group(org, actor=boss, name="開店小組")
for handle in ("專案甲", "專案乙"):
    groups.join(team, Account.objects.get(handle=handle))
print(team.id)
"""


def test_a_team_raises_a_problem_proposes_a_solution_and_marks_it_solved(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    people(tidings, "專案主管", "專案甲", "專案乙", password=PASSWORD)
    tidings("org", "create", "proj-co", "--name", "專案公司", "--owner", "專案主管")
    for handle in ("專案甲", "專案乙"):
        tidings("org", "add-member", "proj-co", handle)
    group_id = tidings("manage", "shell", "-c", PROJECT_TEAM).strip().splitlines()[-1]

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    other = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    owner, raiser, helper = desk.new_page(), phone.new_page(), other.new_page()
    try:
        # The owner installs Projects for the team's group only.
        log_in(owner, server, "專案主管")
        owner.goto(server + "/o/proj-co/admin/apps/")
        card = owner.locator('.app-card[data-app="projects"]')
        card.locator("select[name=group]").select_option(group_id)
        card.locator(".inline-form button").click()
        expect(owner.locator('#installed tr[data-installation="projects"]')).to_contain_text("開店小組")

        # A member finds it in the group's panel, starts a project and raises a problem.
        log_in(raiser, server, "專案甲")
        raiser.goto(f"{server}/o/proj-co/g/{group_id}/")
        raiser.locator('#group-apps a[data-app="projects"]').click()
        raiser.fill("#p-name", "新門市開幕")
        raiser.click("form.form button.primary")
        raiser.select_option("#u-kind", "problem")
        raiser.fill("#u-text", "收銀機還沒到貨")
        raiser.click("#update-form button.primary")
        expect(raiser.locator('#problems [data-state="open"]')).to_contain_text("收銀機還沒到貨")
        project_url = raiser.url.split("#")[0]

        # A colleague proposes a solution to it.
        log_in(helper, server, "專案乙")
        helper.goto(project_url)
        helper.select_option("#u-kind", "solution")
        helper.select_option("#u-problem", label="收銀機還沒到貨")
        helper.fill("#u-text", "先向總店借一台")
        helper.click("#update-form button.primary")
        expect(helper.locator("#problems .proposals")).to_contain_text("先向總店借一台")

        # Whoever raised it marks it solved by that proposal, which is then linked.
        raiser.goto(project_url)
        raiser.locator("#problems [data-proposal] button").click()
        solved = raiser.locator('#solved [data-state="solved"]')
        expect(solved).to_contain_text("收銀機還沒到貨")
        expect(solved.locator("a[data-solved-by]")).to_have_text("先向總店借一台")
        expect(raiser.locator("#problems [data-state=open]")).to_have_count(0)
        shot(raiser, "projects-solved-phone")

        # The group's feed heard of each step.
        raiser.goto(f"{server}/o/proj-co/g/{group_id}/")
        expect(raiser.locator("article.post").first).to_contain_text("已解決")
    finally:
        desk.close()
        phone.close()
        other.close()

    digest = tidings("manage", "shell", "-c", DIGEST.format(url=project_url)).strip().splitlines()[-1]
    look_at(
        browser,
        server,
        [
            ("projects-page", project_url),
            ("projects-list", f"{server}/apps/projects/?group={group_id}"),
            ("projects-digest", f"{project_url}digests/{digest}/"),
        ],
        handle="專案乙",
    )


DIGEST = """
from django.utils import timezone
from tidings.extensions.projects import services
from tidings.extensions.projects.models import Project
project = Project.objects.get(id=int("{url}".rstrip("/").split("/")[-1]))
print(services.digest(project, services.week_of(timezone.localdate())).id)
"""
