"""Activities in the browser's forms: start a quiz or a lottery, answer, draw, check the draw; and
every page refused alike to a stranger, another organisation's member and a logged-out visitor."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from tests.web.helpers import NOT_FOUND_MESSAGE, comparable, english
from tidings.activities import quizzes
from tidings.activities.models import Activity, Lottery, Quiz, QuizEntry
from tidings.posts import services as posts
from tidings.posts.models import Post

pytestmark = pytest.mark.django_db


def local(minutes: int) -> str:
    """A time in the account's zone (Asia/Taipei by default), as the form's field sends it."""
    import zoneinfo

    when = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Taipei")) + dt.timedelta(minutes=minutes)
    return when.strftime("%Y-%m-%dT%H:%M")


QUIZ_FORM = {
    "kind": "quiz",
    "title": "新品猜猜看",
    "text": "猜猜 X15 的電池容量",
    "option": ["4000 mAh", "5000 mAh", "6000 mAh", "", "", ""],
    "answer": "1",
    "audience": "public",
    "prizes": "1",
    "prize": "藍牙耳機",
    "exclude_staff": "on",
    "min_account_days": "0",
}


def test_a_manager_starts_a_quiz_fans_answer_and_the_draw_is_checked_from_draw_json(
    team, make_account, client_for, close
):
    manager = english(client_for(team.manager))
    started = manager.post(f"/ops/@{team.account.handle}/activities/", {**QUIZ_FORM, "closes_at": local(60)})
    quiz = Quiz.objects.get()
    fan, other = make_account("粉絲"), make_account("路人甲")
    fan_client = english(client_for(fan))

    page = fan_client.get(f"/activities/{quiz.id}/").content.decode()
    answered = fan_client.post(f"/activities/{quiz.id}/answer/", {"choice": "1"})
    again = fan_client.post(f"/activities/{quiz.id}/answer/", {"choice": "0"})
    english(client_for(other)).post(f"/activities/{quiz.id}/answer/", {"choice": "2"})
    before_close = fan_client.get(f"/activities/{quiz.id}/draw.json").json()
    close(quiz)
    organiser_page = manager.get(f"/activities/{quiz.id}/").content.decode()
    drawn = manager.post(f"/activities/{quiz.id}/draw/", {"prizes": "1"})
    after = fan_client.get(f"/activities/{quiz.id}/").content.decode()
    record = fan_client.get(f"/activities/{quiz.id}/draw.json").json()

    assert started.status_code == 302 and started.url == f"/activities/{quiz.id}/"
    assert "新品猜猜看" in page and 'name="choice"' in page and quiz.commitment in page
    assert answered.status_code == 302
    assert again.status_code == 400 and "already answered" in again.content.decode()
    assert before_close["seed"] is None and before_close["commitment"] == quiz.commitment
    assert (
        "Draw now" in organiser_page
        and "Draw now" not in fan_client.get(f"/activities/{quiz.id}/").content.decode()
    )
    assert drawn.status_code == 302
    assert f"@{fan.handle}" in after and "right answer" in after and record["seed"] in after
    assert "2 entrants, 1 eligible." in after
    assert record["winners"] == [fan.id] and record["eligible"] == [fan.id]
    assert hashlib.sha256(record["seed"].encode()).hexdigest() == quiz.commitment
    assert QuizEntry.objects.count() == 2


def test_a_lottery_is_started_from_its_form_with_the_ways_to_enter(team, client_for):
    manager = english(client_for(team.manager))

    response = manager.post(
        f"/ops/@{team.account.handle}/activities/",
        {
            "kind": "lottery",
            "title": "轉發抽獎",
            "text": "轉發抽手機殼",
            "by_comment": "on",
            "must_follow": "on",
            "audience": "public",
            "closes_at": local(120),
            "prizes": "3",
            "prize": "手機殼",
            "min_account_days": "7",
        },
    )

    lottery = Lottery.objects.get()
    assert response.status_code == 302
    assert (lottery.by_repost, lottery.by_comment, lottery.must_follow) == (False, True, True)
    assert lottery.prizes == 3 and lottery.min_account_days == 7 and not lottery.exclude_staff
    listed = manager.get(f"/ops/@{team.account.handle}/activities/").content.decode()
    assert "轉發抽獎" in listed


@pytest.mark.parametrize(
    "change, message",
    [
        ({"answer": ""}, "Mark which option is the right answer."),
        ({"closes_at": "明天"}, "Give the time as 2026-12-01 09:30."),
        ({"prizes": "-2"}, "The number of prizes must be 1 to 1000."),
        ({"title": ""}, "Give the activity a title."),
    ],
)
def test_a_bad_form_is_shown_again_with_the_reason_and_nothing_is_made(team, client_for, change, message):
    form = {**QUIZ_FORM, "closes_at": local(60), **change}

    response = english(client_for(team.manager)).post(f"/ops/@{team.account.handle}/activities/", form)

    body = response.content.decode()
    assert response.status_code == 400 and message in body
    assert 'value="5000 mAh"' in body and "猜猜 X15 的電池容量" in body
    assert not Activity.objects.exists() and not Post.objects.exists()


def test_an_employee_starts_an_internal_quiz_from_their_own_activities_page(team, client_for):
    client = english(client_for(team.employee))

    form = client.get(f"/ops/@{team.employee.handle}/activities/").content.decode()
    response = client.post(
        f"/ops/@{team.employee.handle}/activities/",
        {**QUIZ_FORM, "closes_at": local(60), "audience": f"org:{team.org.id}"},
    )

    quiz = Quiz.objects.get()
    assert "My activities" in form and f'value="org:{team.org.id}"' in form
    assert response.status_code == 302 and quiz.host_id == team.employee.id
    assert Post.objects.get(id=quiz.post_id).audience == "org"


@pytest.fixture
def internal_quiz(team):
    return quizzes.create(
        team.employee,
        person=team.employee,
        title="內部問答",
        text="公司成立於哪一年?",
        options=["2001", "2011"],
        answer=0,
        closes_at=timezone.now() + dt.timedelta(hours=1),
        prizes=1,
        audience={"audience": "org", "organisation_id": team.org.id},
    )


def refused_alike(client: Client, method: str, path: str, real: int, missing: int) -> None:
    send = getattr(client, method)
    refused, absent = (
        send(path.format(id=real), {"choice": "0"}),
        send(path.format(id=missing), {"choice": "0"}),
    )
    assert refused.status_code == absent.status_code == 404, path
    assert comparable(refused.content, real) == comparable(absent.content, missing)
    assert NOT_FOUND_MESSAGE in refused.content.decode() or refused["Content-Type"] == absent["Content-Type"]


PAGES = [
    ("get", "/activities/{id}/"),
    ("get", "/activities/{id}/draw.json"),
    ("post", "/activities/{id}/answer/"),
    ("post", "/activities/{id}/draw/"),
]


@pytest.mark.parametrize("who", ["customer", "rival"])
@pytest.mark.parametrize("method, path", PAGES)
def test_an_internal_activity_is_missing_for_outsiders_and_nothing_changes(
    team, internal_quiz, client_for, who, method, path
):
    client = english(client_for(getattr(team, who)))

    refused_alike(client, method, path, internal_quiz.id, internal_quiz.id + 1)

    assert not QuizEntry.objects.exists() and Quiz.objects.get().drawn_at is None


@pytest.mark.parametrize("method, path", PAGES)
def test_a_logged_out_visitor_gets_not_found_or_the_login_page_and_nothing_changes(
    team, internal_quiz, method, path
):
    client = english(Client())

    response = getattr(client, method)(path.format(id=internal_quiz.id), {"choice": "0"})

    if method == "get":
        refused_alike(client, method, path, internal_quiz.id, internal_quiz.id + 1)
    else:
        assert response.status_code == 302 and response.url.startswith("/login/")
    assert not QuizEntry.objects.exists()


def test_a_colleague_answers_the_internal_quiz_but_cannot_draw_it(team, internal_quiz, client_for, close):
    from tidings.orgs import services as orgs

    colleague = team.editor
    client = english(client_for(colleague))
    assert client.post(f"/activities/{internal_quiz.id}/answer/", {"choice": "0"}).status_code == 302
    close(internal_quiz)

    refused_alike(client, "post", "/activities/{id}/draw/", internal_quiz.id, internal_quiz.id + 1)
    assert Quiz.objects.get().drawn_at is None
    assert orgs  # the colleague is an employee of the same organisation (team fixture)


@pytest.mark.parametrize("who", ["customer", "rival", "employee"])
def test_the_activities_page_of_an_account_is_missing_for_people_who_do_not_run_it(team, client_for, who):
    response = english(client_for(getattr(team, who))).post(
        f"/ops/@{team.account.handle}/activities/", {**QUIZ_FORM, "closes_at": local(60)}
    )

    assert response.status_code == 404 and NOT_FOUND_MESSAGE in response.content.decode()
    assert not Activity.objects.exists()


def test_a_responder_is_told_their_role_does_not_let_them_and_a_visitor_must_log_in(team, client_for):
    refused = english(client_for(team.responder)).get(f"/ops/@{team.account.handle}/activities/")
    visitor = Client().get(f"/ops/@{team.account.handle}/activities/")

    assert refused.status_code == 403 and "does not let you post" in refused.content.decode()
    assert visitor.status_code == 302 and visitor.url.startswith("/login/")


def test_reposting_a_public_lottery_enters_it_and_the_page_shows_the_rules(team, make_account, client_for):
    from tidings.activities import lotteries

    lottery = lotteries.create(
        team.account,
        person=team.manager,
        title="轉發抽獎",
        text="轉發抽",
        closes_at=timezone.now() + dt.timedelta(hours=1),
        prizes=1,
        must_follow=True,
    )
    fan = make_account("粉絲")
    posts.repost(fan, post_id=lottery.post_id)

    page = english(Client()).get(f"/activities/{lottery.id}/").content.decode()

    assert "Repost the announcement to enter." in page
    assert "Entrants must follow the account when it is drawn." in page
    assert "The organisation&#x27;s staff cannot win." in page or "staff cannot win" in page


def test_an_employee_starts_a_quiz_in_a_group_that_only_its_members_can_open(team, client_for, make_account):
    from tidings.groups import services as groups

    group = groups.create_group(team.org, actor=team.admin, name="研發", kind="private")
    groups.invite(group, team.employee, actor=team.admin)
    client = english(client_for(team.employee))
    form = client.get(f"/ops/@{team.employee.handle}/activities/").content.decode()

    response = client.post(
        f"/ops/@{team.employee.handle}/activities/",
        {**QUIZ_FORM, "closes_at": local(60), "audience": f"group:{group.id}"},
    )

    quiz = Quiz.objects.get()
    assert f'value="group:{group.id}"' in form and response.status_code == 302
    assert Post.objects.get(id=quiz.post_id).group_id == group.id
    assert english(client_for(team.employee)).get(f"/activities/{quiz.id}/").status_code == 200
    refused_alike(english(client_for(team.editor)), "get", "/activities/{id}/", quiz.id, quiz.id + 1)
