"""Satisfaction surveys: questions checked when made, one answer per person in range, anonymous
surveys that keep no trace of who answered, results counted from the answers, and CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tidings.activities import surveys
from tidings.activities.models import Activity, Response
from tidings.core.errors import Invalid, NotFound
from tidings.ops.models import Case
from tidings.posts import services as posts
from tidings.posts.models import Post

from .conftest import soon

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "rating", "text": "整體滿意度"},
    {"kind": "choice", "text": "從哪裡知道我們?", "options": ["朋友", "廣告", "門市"]},
    {"kind": "text", "text": "還有什麼建議?"},
]


def make_survey(team, **fields):
    values = {
        "person": team.manager,
        "title": "服務滿意度",
        "text": "請填寫滿意度調查",
        "questions": QUESTIONS,
    }
    values.update(closes_at=soon(), **fields)
    return surveys.create(team.account, **values)


def test_answers_are_counted_per_question_and_exported_with_who_answered(team, make_account):
    survey = make_survey(team)
    a, b, c = make_account("甲甲"), make_account("乙乙"), make_account("丙丙")
    surveys.respond(a, survey, answers=["5", "0", "很好"])
    surveys.respond(b, survey, answers=["4", "2", ""])
    surveys.respond(c, survey, answers=["5", "0", '=HYPERLINK("x")'])

    count, results = surveys.results(survey)
    rows = list(csv.reader(io.StringIO(surveys.to_csv(survey))))

    assert count == 3
    assert results[0].counts == [0, 0, 0, 1, 2] and results[0].mean == 4.67
    assert results[1].rows == [("朋友", 2, 67), ("廣告", 0, 0), ("門市", 1, 33)]
    assert results[2].texts == ["很好", '=HYPERLINK("x")']
    assert rows[0] == ["answered_at", "handle", "整體滿意度", "從哪裡知道我們?", "還有什麼建議?"]
    assert [r[1:] for r in rows[1:]] == [
        ["甲甲", "5", "朋友", "很好"],
        ["乙乙", "4", "門市", ""],
        ["丙丙", "5", "朋友", '\'=HYPERLINK("x")'],
    ]


def test_an_anonymous_survey_keeps_one_answer_per_person_and_no_trace_of_who(team, make_account):
    survey = make_survey(team, anonymous=True)
    fan = make_account("粉絲")
    surveys.respond(fan, survey, answers=["3", "1", ""])

    with pytest.raises(Invalid, match="already answered"):
        surveys.respond(fan, survey, answers=["5", "1", ""])
    stored = Response.objects.get()
    header = next(csv.reader(io.StringIO(surveys.to_csv(survey))))

    assert stored.account_id is None and str(fan.id) not in stored.respondent
    assert "handle" not in header
    assert surveys.answered(survey, fan) and not surveys.answered(survey, make_account("別人"))


@pytest.mark.parametrize(
    "answers, message",
    [
        (["6", "0", ""], "Answer 1 is missing or out of range."),
        (["0", "0", ""], "Answer 1 is missing or out of range."),
        (["五", "0", ""], "Answer 1 is missing or out of range."),
        (["5", "3", ""], "Answer 2 is missing or out of range."),
        (["5", "", ""], "Answer 2 is missing or out of range."),
        (["5", "0", "字" * 501], "Answer 3 may hold at most 500 characters."),
    ],
)
def test_an_answer_out_of_range_is_refused_and_nothing_is_stored(team, make_account, answers, message):
    survey = make_survey(team)

    with pytest.raises(Invalid) as refused:
        surveys.respond(make_account("粉絲"), survey, answers=answers)

    assert str(refused.value.message) == message
    assert not Response.objects.exists()


def test_no_answer_after_the_close(team, make_account, close):
    survey = make_survey(team)
    close(survey)

    with pytest.raises(Invalid, match="has closed"):
        surveys.respond(make_account("粉絲"), survey, answers=["5", "0", ""])


@pytest.mark.parametrize(
    "questions, message",
    [
        ([], "at least one question"),
        (
            [{"kind": "choice", "text": "選一個", "options": ["只有一個"]}],
            "Question 1 needs 2 to 8 different options.",
        ),
        ([{"kind": "stars", "text": "幾顆星"}], "Question 1 needs a kind"),
        ([{"kind": "rating", "text": f"第{i}題"} for i in range(11)], "at most 10 questions"),
    ],
)
def test_a_bad_survey_is_refused_and_nothing_is_made(team, questions, message):
    with pytest.raises(Invalid, match=message):
        make_survey(team, questions=questions)

    assert not Activity.objects.exists() and not Post.objects.exists()


def test_a_survey_for_a_case_goes_by_message_to_its_customer_only(team, make_account, run_hooks):
    with run_hooks():
        complaint = posts.publish(team.customer, text=f"@{team.account.handle} 手機一直當機")
    case = Case.objects.get(account=team.account)
    survey = make_survey(team, case_id=case.id)

    message = Post.objects.get(id=survey.post_id)
    assert complaint.id and message.audience == "direct" and survey.case_id == case.id
    assert f"/activities/{survey.id}/" in message.text
    surveys.respond(team.customer, survey, answers=["4", "1", "謝謝"])
    with pytest.raises(NotFound):
        make_survey(team, case_id=case.id + 1)
