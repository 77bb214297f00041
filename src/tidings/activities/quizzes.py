"""Prize quizzes: a question with options and one right answer. Each account answers once,
before the close; the right answer is shown after it, and winners are drawn among those who
answered right."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tidings.accounts.models import Account
from tidings.activities import services
from tidings.activities.models import Activity, Quiz, QuizEntry
from tidings.core import ratelimit
from tidings.core.errors import Invalid
from tidings.core.text import bad_characters

MAX_OPTIONS = 6
OPTION_MAX = 50


def clean_options(options: list[str], answer: int | None) -> tuple[list[str], int]:
    options = [" ".join(o.split()) for o in options if o.strip()]
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise Invalid(_("A quiz needs 2 to %(n)d options.") % {"n": MAX_OPTIONS}, field="options")
    if any(len(o) > OPTION_MAX or bad_characters(o) for o in options):
        raise Invalid(_("Each option must be 1 to %(n)d characters.") % {"n": OPTION_MAX}, field="options")
    if len(set(options)) != len(options):
        raise Invalid(_("Two options cannot be the same."), field="options")
    if answer is None or not 0 <= answer < len(options):
        raise Invalid(_("Mark which option is the right answer."), field="answer")
    return options, answer


def create(
    host: Account,
    *,
    person: Account,
    title: str,
    text: str,
    options: list[str],
    answer: int | None,
    closes_at: dt.datetime | None,
    prizes: int | None,
    prize: str = "",
    exclude_staff: bool = True,
    min_account_days: int = 0,
    audience: dict[str, Any] | None = None,
) -> Quiz:
    services.require_host(person, host)
    options, answer = clean_options(options, answer)
    terms = services.draw_terms(prizes, prize, exclude_staff, min_account_days)
    quiz = Quiz(
        kind=Activity.Kind.QUIZ,
        host=host,
        title=services.clean_title(title),
        closes_at=services.clean_closes_at(closes_at),
        options=options,
        answer=answer,
        **terms,
    )
    services.start(quiz, person, text=text, audience=audience or {})
    return quiz


def enter(account: Account, quiz: Quiz, *, choice: int | None) -> QuizEntry:
    """One answer per account, before the close (the caller has checked the account may see the
    quiz). An account too new to win is told so before it answers."""
    if quiz.closed:
        raise Invalid(_("Entries have closed."))
    if choice is None or not 0 <= choice < len(quiz.options):
        raise Invalid(_("Choose one of the options."), field="choice")
    if quiz.min_account_days and account.date_joined > timezone.now() - dt.timedelta(
        days=quiz.min_account_days
    ):
        days = quiz.min_account_days
        raise Invalid(
            ngettext(
                "Accounts younger than %(n)d day cannot take part.",
                "Accounts younger than %(n)d days cannot take part.",
                days,
            )
            % {"n": days}
        )
    ratelimit.write(account.id)
    try:
        with transaction.atomic():
            return QuizEntry.objects.create(quiz=quiz, account=account, choice=choice)
    except IntegrityError as exc:
        raise Invalid(_("You have already answered this quiz.")) from exc


def candidates(quiz: Quiz) -> dict[int, str]:
    """Everyone who answered, and why not eligible: a wrong answer."""
    rows = QuizEntry.objects.filter(quiz=quiz, created_at__lt=quiz.closes_at).values_list(
        "account_id", "choice"
    )
    return {account_id: ("" if choice == quiz.answer else "wrong") for account_id, choice in rows}


def counts(quiz: Quiz) -> list[int]:
    per = dict(QuizEntry.objects.filter(quiz=quiz).values_list("choice").annotate(n=Count("id")))
    return [per.get(i, 0) for i in range(len(quiz.options))]
