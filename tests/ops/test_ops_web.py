"""The official accounts' working pages: drafts, review, the calendar and the team, in the
browser's forms, and refused alike to strangers, other organisations and visitors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.web.helpers import NOT_FOUND_MESSAGE, english
from tidings.ops import drafts
from tidings.ops.models import Draft, Grant

Status = Draft.Status


def test_a_manager_schedules_a_post_and_sees_it_on_the_calendar_in_local_time(team, client_for):
    client = english(client_for(team.manager))
    day = (timezone.now() + dt.timedelta(days=3)).date()

    response = client.post(
        f"/ops/@{team.account.handle}/",
        {"text": "週五晚上八點直播", "audience": "public", "publish_at": f"{day}T20:00", "then": "submit"},
    )

    draft = Draft.objects.get(account=team.account)
    assert response.status_code == 302 and response.url == f"/ops/drafts/{draft.id}/"
    assert draft.status == Status.SCHEDULED
    calendar = client.get(f"/ops/@{team.account.handle}/calendar/?month={day:%Y-%m}").content.decode()
    assert f"{day:%Y-%m-%d}" in calendar and "20:00" in calendar and "週五晚上八點直播" in calendar
    assert "1 scheduled" in client.get("/ops/").content.decode()


def test_a_bad_time_is_told_on_the_form_and_nothing_is_saved(team, client_for):
    client = english(client_for(team.editor))

    response = client.post(
        f"/ops/@{team.account.handle}/",
        {"text": "過去的時間", "audience": "public", "publish_at": "2020-01-01T08:00", "then": "submit"},
    )

    assert response.status_code == 400
    assert "That time has already passed" in response.content.decode()
    assert "過去的時間" in response.content.decode()  # the text is kept to fix the time
    assert not Draft.objects.exists()


def test_review_through_the_draft_page(team, client_for):
    from tidings.ops import services as ops

    ops.update_desk(
        team.account, actor=team.admin, category="", time_zone="Asia/Taipei", approvals_required=1
    )
    draft = drafts.submit(drafts.write(team.account, person=team.editor, text="門市公告"), person=team.editor)
    writer, manager = english(client_for(team.editor)), english(client_for(team.manager))

    own = writer.get(f"/ops/drafts/{draft.id}/").content.decode()
    refused = writer.post(f"/ops/drafts/{draft.id}/review/", {"decision": "approve"})
    page = manager.get(f"/ops/drafts/{draft.id}/").content.decode()
    manager.post(f"/ops/drafts/{draft.id}/review/", {"decision": "approve", "comment": "好"})

    assert 'value="approve"' not in own and 'value="approve"' in page
    assert refused.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert "See the published post" in manager.get(f"/ops/drafts/{draft.id}/").content.decode()


def test_the_team_page_gives_and_takes_roles(team, client_for):
    client = english(client_for(team.manager))
    page = f"/ops/@{team.account.handle}/team/"

    bad = client.post(page, {"action": "grant", "handle": "顧客", "role": "editor"})
    client.post(page, {"action": "grant", "handle": "員工", "role": "analyst"})
    client.post(page, {"action": "revoke", "person": team.responder.id})

    assert bad.status_code == 400 and "not an employee" in bad.content.decode()
    assert dict(Grant.objects.filter(account=team.account).values_list("person__handle", "role")) == {
        "經理": "manager",
        "編輯": "editor",
        "分析師": "analyst",
        "員工": "analyst",
    }


def routes(team, draft):
    handle = team.account.handle
    return [
        ("get", f"/ops/@{handle}/"),
        ("post", f"/ops/@{handle}/"),
        ("get", f"/ops/@{handle}/calendar/"),
        ("get", f"/ops/@{handle}/team/"),
        ("post", f"/ops/@{handle}/team/"),
        ("get", f"/ops/drafts/{draft.id}/"),
        ("post", f"/ops/drafts/{draft.id}/edit/"),
        ("post", f"/ops/drafts/{draft.id}/submit/"),
        ("post", f"/ops/drafts/{draft.id}/review/"),
        ("post", f"/ops/drafts/{draft.id}/withdraw/"),
    ]


def state(team):
    return (
        list(Draft.objects.values_list("id", "status", "text")),
        list(Grant.objects.order_by("id").values_list("person_id", "role")),
    )


@pytest.mark.parametrize("who", ["employee", "rival", "customer"])
def test_strangers_and_other_organisations_get_not_found_and_change_nothing(team, client_for, who):
    draft = drafts.write(team.account, person=team.editor, text="內部草稿")
    client = english(client_for(getattr(team, who)))
    before = state(team)
    data = {"text": "x", "action": "grant", "handle": "員工", "role": "manager", "decision": "approve"}

    for method, path in routes(team, draft):
        response = getattr(client, method)(path, data if method == "post" else {})
        assert response.status_code == 404, path
        assert NOT_FOUND_MESSAGE in response.content.decode()
        assert "內部草稿" not in response.content.decode()
    assert state(team) == before
    assert "示範客服" not in client.get("/ops/").content.decode()


def test_a_logged_out_visitor_is_sent_to_log_in(team):
    draft = drafts.write(team.account, person=team.editor, text="內部草稿")
    before = state(team)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    for method, path in [*routes(team, draft), ("get", "/ops/"), ("post", "/ops/act-as/")]:
        response = getattr(client, method)(path, {"text": "x"} if method == "post" else {})
        assert response.status_code == 302 and response.url.startswith("/login/"), path
    assert state(team) == before


def test_an_analyst_reads_the_pages_but_changes_nothing(team, client_for):
    draft = drafts.write(team.account, person=team.editor, text="分析師看得到")
    client = english(client_for(team.analyst))
    before = state(team)

    assert "分析師看得到" in client.get(f"/ops/@{team.account.handle}/").content.decode()
    for path, data in (
        (f"/ops/drafts/{draft.id}/submit/", {}),
        (f"/ops/drafts/{draft.id}/withdraw/", {}),
        (f"/ops/@{team.account.handle}/team/", {"action": "grant", "handle": "員工", "role": "manager"}),
    ):
        assert client.post(path, data).status_code == 403
    assert state(team) == before


def test_the_accounts_list_shows_each_accounts_category_first(team, client_for, make_account):
    from tidings.ops import services as ops
    from tidings.orgs import services as orgs

    outlet = make_account("示範優選")
    orgs.register_official_account(team.org, outlet, actor=team.admin)
    ops.update_desk(
        team.account, actor=team.admin, category="客服", time_zone="Asia/Taipei", approvals_required=0
    )

    page = english(client_for(team.admin)).get("/ops/").content.decode().split('id="main"')[1]

    assert '<span class="pill">客服</span>' in page
    assert page.index("@示範客服") < page.index("@示範優選")  # named categories come first


def test_a_month_out_of_range_is_a_clear_error(team, client_for):
    client = english(client_for(team.manager))

    for month in ("9999-12", "2026-13", "十二月"):
        response = client.get(f"/ops/@{team.account.handle}/calendar/?month={month}")
        assert response.status_code == 400 and "Give the month as 2026-12." in response.content.decode()
