"""The response desk in the browser's forms, and refused alike to strangers, other
organisations and visitors; the rating page only for the case's customer; the FAQ for all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.web.helpers import NOT_FOUND_MESSAGE, english
from tidings.ops import answers, desk
from tidings.ops.models import Answer, Case, CaseEvent, DeskRule, Shift
from tidings.posts import services as posts
from tidings.posts.models import Post


@pytest.fixture
def case(team, run_hooks):
    with run_hooks():
        posts.publish(team.customer, text="@示範客服 我的訂單壞了,要退貨")
    return Case.objects.get()


def test_a_responder_works_a_case_from_the_inbox_to_the_rating(team, case, client_for, run_hooks):
    client = english(client_for(team.responder))

    inbox = client.get(f"/ops/@{team.account.handle}/inbox/").content.decode()
    page = client.get(f"/ops/cases/{case.id}/").content.decode()
    with run_hooks():
        client.post(f"/ops/cases/{case.id}/ack/")
        client.post(f"/ops/cases/{case.id}/progress/", {"text": "退貨單已建立"})
        client.post(f"/ops/cases/{case.id}/resolve/", {"text": "已完成退貨"})

    assert "我的訂單壞了" in inbox and "pill-secondary" in inbox
    assert "Acknowledge in public" in page and "Earlier from @顧客" in page
    case.refresh_from_db()
    assert case.state == "resolved"
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["incoming", "ack", "progress", "response", "resolve", "survey"]

    customer = english(client_for(team.customer))
    assert "Rate how @示範客服 handled" in customer.get(f"/cases/{case.id}/rate/").content.decode()
    bad = customer.post(f"/cases/{case.id}/rate/", {"rating": "0"})
    customer.post(f"/cases/{case.id}/rate/", {"rating": "4"})
    assert bad.status_code == 400 and "from 1 to 5" in bad.content.decode()
    case.refresh_from_db()
    assert case.rating == 4


def test_a_bad_answer_is_told_on_the_case_page_and_nothing_goes_out(team, case, client_for):
    client = english(client_for(team.responder))
    before = Post.objects.count()

    response = client.post(f"/ops/cases/{case.id}/reply/", {"text": "   "})

    assert response.status_code == 400 and "Write something first" in response.content.decode()
    assert Post.objects.count() == before
    assert not case.events.exclude(kind="incoming").exists()


def test_the_library_searches_as_one_types_and_answers_a_case(team, case, client_for, run_hooks):
    answers.write(
        team.account, person=team.editor, title="退貨流程", body="{customer} 您好,退貨請見官網。", tags="退貨"
    )
    answers.write(team.account, person=team.editor, title="門市時間", body="十點營業。")
    client = english(client_for(team.responder))
    answer = Answer.objects.get(title="退貨流程")

    found = client.get(
        f"/ops/@{team.account.handle}/answers/?fragment=1&case={case.id}&q=退货"
    ).content.decode()
    with run_hooks():
        client.post(f"/ops/cases/{case.id}/answer/", {"answer": answer.id})

    assert "退貨流程" in found and "門市時間" not in found and "Answer with this" in found
    assert Post.objects.filter(
        author=team.account, text=f"{team.customer.display_name} 您好,退貨請見官網。"
    ).exists()


def test_an_unknown_variable_is_told_on_the_library_page(team, client_for):
    client = english(client_for(team.editor))

    response = client.post(
        f"/ops/@{team.account.handle}/answers/", {"action": "write", "title": "出貨", "body": "單號 {order}"}
    )

    assert response.status_code == 400 and "Unknown variable {order}" in response.content.decode()
    assert not Answer.objects.exists()


def test_the_rota_rules_and_service_levels_are_set_on_the_desk_page(team, client_for):
    client = english(client_for(team.manager))
    page = f"/ops/@{team.account.handle}/desk/"
    tomorrow = (timezone.now() + dt.timedelta(days=1)).date()

    client.post(
        page,
        {
            "action": "shift",
            "handle": "客服員",
            "starts_at": f"{tomorrow}T09:00",
            "ends_at": f"{tomorrow}T18:00",
        },
    )
    client.post(page, {"action": "rule", "level": "critical", "words": "火災 冒煙", "assignee": "經理"})
    bad = client.post(page, {"action": "service", "critical-first": "30", "critical-resolve": "10"})

    assert Shift.objects.get().person_id == team.responder.id
    assert DeskRule.objects.get().words == "火災 冒煙"
    assert bad.status_code == 400 and "Service levels are minutes" in bad.content.decode()
    html = client.get(page).content.decode()
    assert "@客服員" in html and "火災 冒煙" in html


def routes(team, case):
    handle = team.account.handle
    return [
        ("get", f"/ops/@{handle}/inbox/"),
        ("get", f"/ops/@{handle}/desk/"),
        ("post", f"/ops/@{handle}/desk/"),
        ("get", f"/ops/@{handle}/figures/"),
        ("get", f"/ops/@{handle}/answers/"),
        ("post", f"/ops/@{handle}/answers/"),
        ("get", f"/ops/cases/{case.id}/"),
        *[("post", f"/ops/cases/{case.id}/{action}/") for action in sorted(desk_actions())],
    ]


def desk_actions():
    from tidings.web.views.ops import CASE_ACTIONS

    return CASE_ACTIONS


def state():
    return (
        list(Case.objects.values_list("id", "state", "level", "assignee_id", "rating")),
        CaseEvent.objects.count(),
        Post.objects.count(),
        Answer.objects.count(),
        Shift.objects.count(),
    )


@pytest.mark.parametrize("who", ["employee", "rival", "customer"])
def test_strangers_and_other_organisations_get_not_found_and_change_nothing(team, case, client_for, who):
    client = english(client_for(getattr(team, who)))
    before = state()
    data = {
        "text": "x",
        "action": "shift",
        "level": "critical",
        "assignee": team.employee.id,
        "handle": "員工",
    }

    for method, path in routes(team, case):
        response = getattr(client, method)(path, data if method == "post" else {})
        assert response.status_code == 404, path
        assert NOT_FOUND_MESSAGE in response.content.decode()
        assert "訂單壞了" not in response.content.decode()
    assert state() == before


def test_an_analyst_sees_the_figures_but_not_the_cases(team, case, client_for):
    client = english(client_for(team.analyst))
    before = state()

    assert client.get(f"/ops/@{team.account.handle}/figures/").status_code == 200
    assert client.get(f"/ops/@{team.account.handle}/inbox/").status_code == 403
    assert client.get(f"/ops/cases/{case.id}/").status_code == 404
    assert client.post(f"/ops/cases/{case.id}/ack/").status_code == 404
    assert state() == before


def test_a_logged_out_visitor_is_sent_to_log_in(team, case):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    before = state()

    for method, path in [
        *routes(team, case),
        ("get", f"/cases/{case.id}/rate/"),
        ("post", f"/cases/{case.id}/rate/"),
    ]:
        response = getattr(client, method)(path, {"text": "x", "rating": "5"} if method == "post" else {})
        assert response.status_code == 302 and response.url.startswith("/login/"), path
    assert state() == before


def test_only_the_customer_rates_a_case(team, case, client_for):
    desk.resolve(case, person=team.responder)
    for person in (team.responder, team.employee, team.rival):
        client = english(client_for(person))
        assert client.get(f"/cases/{case.id}/rate/").status_code == 404
        assert client.post(f"/cases/{case.id}/rate/", {"rating": "1"}).status_code == 404
    case.refresh_from_db()
    assert case.rating is None


def test_the_faq_shows_public_answers_to_anyone(team, client_for):
    answers.write(
        team.account, person=team.editor, title="保固多久?", body="{customer}好,保固兩年。", public=True
    )
    answers.write(team.account, person=team.editor, title="內部話術", body="先道歉再說明。")
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")

    page = visitor.get(f"/@{team.account.handle}/faq/").content.decode()

    assert "保固多久?" in page and "you好,保固兩年。" in page
    assert "內部話術" not in page
    assert visitor.get(f"/@{team.customer.handle}/faq/").status_code == 404
