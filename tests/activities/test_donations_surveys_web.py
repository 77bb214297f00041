"""Donation campaigns and surveys in the browser's forms, and their pages refused alike to a
stranger, another organisation's member and a logged-out visitor; results and CSV for the
organisers only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.activities.test_activities_web import local, refused_alike
from tests.web.helpers import NOT_FOUND_MESSAGE, english
from tidings.activities import donations, surveys
from tidings.activities.models import Campaign, Pledge, Response, Survey
from tidings.ops.models import Case
from tidings.posts import services as posts

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "rating", "text": "整體滿意度"},
    {"kind": "choice", "text": "從哪裡知道我們?", "options": ["朋友", "廣告"]},
    {"kind": "text", "text": "建議"},
]


def test_a_campaign_is_started_fans_pledge_and_the_organiser_confirms(team, make_account, client_for):
    manager = english(client_for(team.manager))
    started = manager.post(
        f"/ops/@{team.account.handle}/activities/",
        {
            "kind": "donation",
            "title": "偏鄉書箱",
            "text": "一起捐書",
            "goal": "100",
            "unit": "本",
            "audience": "public",
            "closes_at": local(600),
        },
    )
    campaign = Campaign.objects.get()
    fan = english(client_for(make_account("愛書人")))
    shy = english(client_for(make_account("無名氏")))

    fan.post(f"/activities/{campaign.id}/pledge/", {"amount": "30", "note": "加油"})
    shy.post(f"/activities/{campaign.id}/pledge/", {"amount": "20", "anonymous": "on"})
    bad = fan.post(f"/activities/{campaign.id}/pledge/", {"amount": "-3"})
    waiting = manager.get(f"/activities/{campaign.id}/").content.decode()
    for gift in Pledge.objects.all():
        manager.post(f"/activities/{campaign.id}/decide/", {"pledge": gift.id, "decision": "confirm"})
    page = english(Client()).get(f"/activities/{campaign.id}/").content.decode()

    assert started.status_code == 302
    assert bad.status_code == 400 and "whole amount from 1 to" in bad.content.decode()
    assert "Gift received" in waiting and "@無名氏" in waiting
    assert "50 本" in page and 'value="50"' in page and "愛書人" in page
    assert "無名氏" not in page and "Anonymous" in page


def test_a_survey_is_made_from_its_form_answered_and_its_results_read_with_chart_and_csv(
    team, make_account, client_for
):
    manager = english(client_for(team.manager))
    form = {
        "kind": "survey",
        "title": "服務滿意度",
        "text": "請填問卷",
        "audience": "public",
        "closes_at": local(600),
    }
    for i, q in enumerate(QUESTIONS):
        form.update(
            {f"qkind{i}": q["kind"], f"qtext{i}": q["text"], f"qoptions{i}": "\n".join(q.get("options", []))}
        )
    manager.post(f"/ops/@{team.account.handle}/activities/", form)
    survey = Survey.objects.get()
    fan = english(client_for(make_account("粉絲")))

    shown = fan.get(f"/activities/{survey.id}/").content.decode()
    answered = fan.post(f"/activities/{survey.id}/respond/", {"q0": "5", "q1": "1", "q2": "很好"})
    out_of_range = english(client_for(make_account("亂填"))).post(
        f"/activities/{survey.id}/respond/", {"q0": "9"}
    )
    results = manager.get(f"/activities/{survey.id}/results/").content.decode()
    chart = manager.get(f"/activities/{survey.id}/charts/1.svg")
    exported = manager.get(f"/activities/{survey.id}/results.csv")

    assert survey.questions[1]["options"] == ["朋友", "廣告"]
    assert 'name="q0"' in shown and "從哪裡知道我們?" in shown
    assert (
        answered.status_code == 302 and "Thank you" in fan.get(f"/activities/{survey.id}/").content.decode()
    )
    assert (
        out_of_range.status_code == 400
        and "Answer 1 is missing or out of range." in out_of_range.content.decode()
    )
    assert (
        "Average rating: 5" in results
        and f"/activities/{survey.id}/charts/1.svg" in results
        and "很好" in results
    )
    assert (
        chart["Content-Type"] == "image/svg+xml" and "default-src 'none'" in chart["Content-Security-Policy"]
    )
    assert b"<script" not in chart.content
    assert exported["Content-Type"].startswith("text/csv")
    assert "粉絲" in exported.content.decode("utf-8-sig") and Response.objects.count() == 1


@pytest.fixture
def internal(team):
    """An employee's campaign and survey inside the organisation."""
    inside = {"audience": "org", "organisation_id": team.org.id}
    closes = timezone.now() + dt.timedelta(hours=1)
    campaign = donations.create(
        team.employee,
        person=team.employee,
        title="尾牙捐款",
        text="捐款",
        goal=100,
        unit="元",
        closes_at=closes,
        audience=inside,
    )
    survey = surveys.create(
        team.employee,
        person=team.employee,
        title="內部問卷",
        text="填問卷",
        questions=QUESTIONS,
        closes_at=closes,
        audience=inside,
    )
    return campaign, survey


PAGES = [
    ("get", "/activities/{id}/", 0),
    ("post", "/activities/{id}/pledge/", 0),
    ("post", "/activities/{id}/decide/", 0),
    ("get", "/activities/{id}/", 1),
    ("post", "/activities/{id}/respond/", 1),
    ("get", "/activities/{id}/results/", 1),
    ("get", "/activities/{id}/results.csv", 1),
    ("get", "/activities/{id}/charts/1.svg", 1),
]


@pytest.mark.parametrize("who", ["customer", "rival"])
@pytest.mark.parametrize("method, path, which", PAGES)
def test_internal_campaigns_and_surveys_are_missing_for_outsiders(
    team, internal, client_for, who, method, path, which
):
    target = internal[which]

    refused_alike(english(client_for(getattr(team, who))), method, path, target.id, target.id + 1)

    assert not Pledge.objects.exists() and not Response.objects.exists()


@pytest.mark.parametrize("method, path, which", PAGES)
def test_a_logged_out_visitor_gets_not_found_or_the_login_page(team, internal, method, path, which):
    target = internal[which]
    client = english(Client())

    response = getattr(client, method)(path.format(id=target.id), {"amount": "5", "q0": "5"})

    if response.status_code == 302:
        assert response.url.startswith("/login/")
    else:
        refused_alike(client, method, path, target.id, target.id + 1)
    assert not Pledge.objects.exists() and not Response.objects.exists()


@pytest.mark.parametrize(
    "path", ["/activities/{id}/results/", "/activities/{id}/results.csv", "/activities/{id}/charts/1.svg"]
)
def test_a_colleague_who_answered_cannot_read_the_results(team, internal, client_for, path):
    colleague = english(client_for(team.editor))
    colleague.post(f"/activities/{internal[1].id}/respond/", {"q0": "4", "q1": "0"})

    response = colleague.get(path.format(id=internal[1].id))

    assert response.status_code == 404
    assert Response.objects.count() == 1


def test_a_case_survey_is_open_to_its_customer_and_the_accounts_staff_and_to_nobody_else(
    team, client_for, make_account, run_hooks
):
    with run_hooks():
        posts.publish(team.customer, text=f"@{team.account.handle} 手機一直當機")
    case = Case.objects.get()
    manager = english(client_for(team.manager))
    case_page = manager.get(f"/ops/cases/{case.id}/").content.decode()
    form = {
        "kind": "survey",
        "title": "處理滿意度",
        "text": "請評分",
        "closes_at": local(600),
        "case": str(case.id),
        "qkind0": "rating",
        "qtext0": "處理得好嗎?",
    }
    manager.post(f"/ops/@{team.account.handle}/activities/", form)
    survey = Survey.objects.get()

    customer = english(client_for(team.customer)).get(f"/activities/{survey.id}/")
    staff = english(client_for(team.responder)).get(f"/activities/{survey.id}/")
    other = english(client_for(make_account("別的顧客"))).get(f"/activities/{survey.id}/")

    assert f"?kind=survey&amp;case={case.id}" in case_page
    assert survey.case_id == case.id
    assert customer.status_code == 200 and 'name="q0"' in customer.content.decode()
    assert staff.status_code == 200
    assert other.status_code == 404 and NOT_FOUND_MESSAGE in other.content.decode()


def test_only_a_quiz_or_a_lottery_has_a_draw_record(team, internal, client_for):
    client = english(client_for(team.employee))

    for target in internal:
        assert client.get(f"/activities/{target.id}/").status_code == 200
        assert client.get(f"/activities/{target.id}/draw.json").status_code == 404
