"""Prize quizzes: one answer per account while entries are open, the right answer shown after the
close, winners drawn among the right answers only, by the worker or by the organiser."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.activities import quizzes, services
from tidings.activities.models import Activity, Entrant, Quiz, QuizEntry
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.notifications.models import Notification
from tidings.posts.models import Post

from .conftest import soon

pytestmark = pytest.mark.django_db


def make_quiz(team, **fields) -> Quiz:
    values = {
        "person": team.editor,
        "title": "新品猜猜看",
        "text": "猜猜 X15 的電池容量,答對抽 2 位送耳機!",
        "options": ["4000 mAh", "5000 mAh", "6000 mAh"],
        "answer": 1,
        "closes_at": soon(),
        "prizes": 2,
        "prize": "藍牙耳機",
    }
    values.update(fields)
    return quizzes.create(team.account, **values)


def test_a_quiz_is_announced_by_a_post_that_links_to_it_and_commits_to_a_hidden_seed(team):
    quiz = make_quiz(team)

    post = Post.objects.get(id=quiz.post_id)
    assert post.author_id == team.account.id and post.audience == "public"
    assert post.text.endswith(f"/activities/{quiz.id}/")
    assert quiz.commitment == hashlib.sha256(quiz.seed.encode()).hexdigest()
    assert len(quiz.seed) == 64 and quiz.drawn_at is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"answer": None}, "Mark which option is the right answer."),
        ({"answer": 3}, "Mark which option is the right answer."),
        ({"options": ["只有一個"]}, "A quiz needs 2 to 6 options."),
        ({"options": ["甲", "甲"], "answer": 0}, "Two options cannot be the same."),
        ({"title": "  "}, "Give the activity a title."),
        ({"closes_at": None}, "Say when entries close."),
        ({"closes_at": timezone.now() + dt.timedelta(minutes=1)}, "at least 5 minutes"),
        ({"closes_at": timezone.now() + dt.timedelta(days=91)}, "at most 90 days"),
        ({"prizes": 0}, "The number of prizes must be 1 to 1000."),
        ({"prizes": None}, "The number of prizes must be 1 to 1000."),
        ({"min_account_days": -1}, "minimum account age"),
    ],
)
def test_a_bad_quiz_is_refused_with_the_reason_and_nothing_is_made(team, fields, message):
    with pytest.raises(Invalid) as refused:
        make_quiz(team, **fields)

    assert message in str(refused.value.message)
    assert not Activity.objects.exists() and not Post.objects.exists()


def test_only_people_who_may_post_as_the_account_start_a_quiz(team):
    with pytest.raises(Forbidden):
        make_quiz(team, person=team.responder)
    for outsider in (team.employee, team.rival, team.customer):
        with pytest.raises(NotFound):
            make_quiz(team, person=outsider)
    assert not Activity.objects.exists()


def test_an_account_that_needs_approval_takes_a_manager_to_start_one(team):
    from tidings.ops import services as ops

    ops.update_desk(
        team.account, actor=team.manager, category="", time_zone="Asia/Taipei", approvals_required=1
    )

    with pytest.raises(Forbidden) as refused:
        make_quiz(team, person=team.editor)

    assert "only a manager" in str(refused.value.message)
    assert make_quiz(team, person=team.manager).created_by_id == team.manager.id


def test_each_account_answers_once_while_entries_are_open(team, make_account, close):
    quiz = make_quiz(team)
    fan = make_account("粉絲")

    quizzes.enter(fan, quiz, choice=1)
    with pytest.raises(Invalid, match="already answered"):
        quizzes.enter(fan, quiz, choice=0)
    with pytest.raises(Invalid, match="Choose one of the options"):
        quizzes.enter(make_account("亂按"), quiz, choice=7)
    close(quiz)
    with pytest.raises(Invalid, match="Entries have closed"):
        quizzes.enter(make_account("遲到"), quiz, choice=1)

    assert list(QuizEntry.objects.values_list("account_id", "choice")) == [(fan.id, 1)]


def test_an_account_younger_than_the_quiz_allows_is_told_before_it_answers(team, make_account):
    quiz = make_quiz(team, min_account_days=30)
    newcomer = make_account("新人")
    veteran = make_account("老粉")
    Account.objects.filter(id=veteran.id).update(date_joined=timezone.now() - dt.timedelta(days=31))
    veteran.refresh_from_db()

    with pytest.raises(Invalid, match="younger than 30 days"):
        quizzes.enter(newcomer, quiz, choice=1)
    quizzes.enter(veteran, quiz, choice=1)

    assert list(QuizEntry.objects.values_list("account_id", flat=True)) == [veteran.id]


def test_the_worker_draws_among_right_answers_leaves_out_staff_and_tells_the_winners(
    team, make_account, close, run_hooks
):
    quiz = make_quiz(team, prizes=2)
    right = [make_account(f"答對{i}") for i in range(4)]
    wrong = [make_account(f"答錯{i}") for i in range(3)]
    for fan in right:
        quizzes.enter(fan, quiz, choice=1)
    for fan in wrong:
        quizzes.enter(fan, quiz, choice=0)
    quizzes.enter(team.employee, quiz, choice=1)  # right, but staff
    close(quiz)

    with run_hooks():
        assert services.draw_due() == 1

    quiz.refresh_from_db()
    assert len(quiz.winners) == 2 and set(quiz.winners) <= {a.id for a in right}
    stored = {e.account_id: (e.eligible, e.reason) for e in Entrant.objects.filter(activity_id=quiz.id)}
    assert stored[team.employee.id] == (False, "staff")
    assert all(stored[a.id] == (False, "wrong") for a in wrong)
    assert all(stored[a.id] == (True, "") for a in right)
    told = Notification.objects.filter(kind=Notification.Kind.WON)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(quiz.winners)
    assert services.draw_due() == 0  # drawn once


def test_more_prizes_than_right_answers_waits_for_the_organiser_to_draw_fewer(team, make_account, close):
    quiz = make_quiz(team, prizes=3)
    fan = make_account("唯一答對")
    quizzes.enter(fan, quiz, choice=1)
    close(quiz)

    assert services.draw_due() == 0
    with pytest.raises(Invalid, match="3 prizes but only 1 eligible entrants"):
        services.draw_now(quiz, person=team.editor)
    assert Quiz.objects.get(id=quiz.id).drawn_at is None and not Entrant.objects.exists()

    assert services.draw_now(quiz, person=team.editor, prizes=1) == [fan.id]
    with pytest.raises(Invalid, match="already been drawn"):
        services.draw_now(Quiz.objects.get(id=quiz.id), person=team.manager, prizes=1)


def test_the_organiser_cannot_draw_before_the_close_nor_more_than_promised(team, make_account, close):
    quiz = make_quiz(team, prizes=1)
    quizzes.enter(make_account("粉絲"), quiz, choice=1)

    with pytest.raises(Invalid, match="still open"):
        services.draw_now(quiz, person=team.editor)
    close(quiz)
    with pytest.raises(Invalid, match="Draw 1 to 1 winners"):
        services.draw_now(quiz, person=team.editor, prizes=2)
    with pytest.raises(Forbidden):
        services.draw_now(quiz, person=team.responder)

    assert Quiz.objects.get(id=quiz.id).drawn_at is None
