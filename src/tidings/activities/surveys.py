"""Satisfaction surveys: up to ten questions (a rating from 1 to 5, one choice among options, or
free text), sent to the account's followers, to the organisation's employees (by the post that
announces it) or to one case's customer (by a message). One answer per person; an anonymous
survey keeps no trace of who answered. Results are counted from the stored answers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.activities import services
from tidings.activities.models import Activity, Response, Survey
from tidings.core import ratelimit
from tidings.core.errors import Invalid, NotFound
from tidings.core.text import bad_characters

MAX_QUESTIONS = 10
MAX_OPTIONS = 8
TEXT_MAX = 500
KINDS = ("rating", "choice", "text")
RATINGS = range(1, 6)


def clean_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for q in questions:
        text = " ".join(str(q.get("text", "")).split())
        if not text:
            continue
        n = len(out) + 1
        if len(text) > 200 or bad_characters(text):
            raise Invalid(_("Question %(n)d must be 1 to 200 characters.") % {"n": n}, field="questions")
        kind = q.get("kind")
        if kind not in KINDS:
            raise Invalid(
                _("Question %(n)d needs a kind: rating, choice or text.") % {"n": n}, field="questions"
            )
        options = [" ".join(str(o).split()) for o in q.get("options") or [] if str(o).strip()]
        if kind == "choice":
            if not 2 <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
                raise Invalid(
                    _("Question %(n)d needs 2 to %(most)d different options.")
                    % {"n": n, "most": MAX_OPTIONS},
                    field="questions",
                )
            if any(len(o) > 50 or bad_characters(o) for o in options):
                raise Invalid(_("Each option must be 1 to 50 characters."), field="questions")
        out.append({"kind": kind, "text": text, "options": options if kind == "choice" else []})
    if not out:
        raise Invalid(_("A survey needs at least one question."), field="questions")
    if len(out) > MAX_QUESTIONS:
        raise Invalid(_("A survey holds at most %(n)d questions.") % {"n": MAX_QUESTIONS}, field="questions")
    return out


def create(
    host: Account,
    *,
    person: Account,
    title: str,
    text: str,
    questions: list[dict[str, Any]],
    closes_at: dt.datetime | None,
    anonymous: bool = False,
    audience: dict[str, Any] | None = None,
    case_id: int | None = None,
) -> Survey:
    """A survey announced to an audience, or sent by message to the customer of one of the
    account's cases (`case_id`)."""
    from tidings.ops.models import Case

    services.require_host(person, host)
    case = None
    if case_id is not None:
        case = Case.objects.filter(id=case_id, account=host).first()
        if case is None:
            raise NotFound()
    survey = Survey(
        kind=Activity.Kind.SURVEY,
        host=host,
        title=services.clean_title(title),
        closes_at=services.clean_closes_at(closes_at),
        questions=clean_questions(questions),
        anonymous=anonymous,
        case=case,
    )
    services.start(survey, person, text=text, audience=audience or {}, to=case.customer_id if case else None)
    return survey


def respondent(survey: Survey, account: Account) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"survey:{survey.id}:{account.id}".encode(), hashlib.sha256).hexdigest()


def answered(survey: Survey, account: Any) -> bool:
    if not getattr(account, "is_authenticated", False):
        return False
    return Response.objects.filter(survey=survey, respondent=respondent(survey, account)).exists()


def clean_answers(survey: Survey, raw: list[str]) -> list[Any]:
    """Each answer checked against its question: a rating 1-5, one of the options, or text."""
    answers: list[Any] = []
    for n, question in enumerate(survey.questions, start=1):
        value = (raw[n - 1] if n - 1 < len(raw) else "").strip()
        if question["kind"] == "text":
            if len(value) > TEXT_MAX or bad_characters(value):
                raise Invalid(
                    _("Answer %(n)d may hold at most %(most)d characters.") % {"n": n, "most": TEXT_MAX}
                )
            answers.append(value)
            continue
        limit = 5 if question["kind"] == "rating" else len(question["options"])
        low = 1 if question["kind"] == "rating" else 0
        if not value.isdigit() or not low <= int(value) <= (limit if low else limit - 1):
            raise Invalid(_("Answer %(n)d is missing or out of range.") % {"n": n})
        answers.append(int(value))
    return answers


def respond(account: Account, survey: Survey, *, answers: list[str]) -> Response:
    """One answer per person, while the survey is open (the caller checked they may see it)."""
    if survey.closed:
        raise Invalid(_("The survey has closed."))
    cleaned = clean_answers(survey, answers)
    ratelimit.write(account.id)
    try:
        with transaction.atomic():
            return Response.objects.create(
                survey=survey,
                account=None if survey.anonymous else account,
                respondent=respondent(survey, account),
                answers=cleaned,
            )
    except IntegrityError as exc:
        raise Invalid(_("You have already answered this survey.")) from exc


@dataclass
class Result:
    number: int
    question: dict[str, Any]
    labels: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    mean: float | None = None

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        """(label, count, percent of the answers to this question)."""
        total = max(1, sum(self.counts))
        return [(label, n, round(100 * n / total)) for label, n in zip(self.labels, self.counts, strict=True)]


def results(survey: Survey) -> tuple[int, list[Result]]:
    """The number of answers and, per question, what was answered."""
    rows = list(Response.objects.filter(survey=survey).order_by("id").values_list("answers", flat=True))
    out: list[Result] = []
    for i, question in enumerate(survey.questions):
        result = Result(i + 1, question)
        values = [r[i] for r in rows if i < len(r)]
        if question["kind"] == "rating":
            result.labels = [str(n) for n in RATINGS]
            result.counts = [sum(1 for v in values if v == n) for n in RATINGS]
            result.mean = round(sum(values) / len(values), 2) if values else None
        elif question["kind"] == "choice":
            result.labels = list(question["options"])
            result.counts = [sum(1 for v in values if v == n) for n in range(len(result.labels))]
        else:
            result.texts = [v for v in values if v][-200:]
        out.append(result)
    return len(rows), out


def to_csv(survey: Survey) -> str:
    """One row per answer: when, who (unless anonymous), then each answer as given."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["answered_at"] + ([] if survey.anonymous else ["handle"])
    writer.writerow(header + [q["text"] for q in survey.questions])
    responses = Response.objects.filter(survey=survey).select_related("account").order_by("id")
    for response in responses:
        row: list[Any] = [response.created_at.isoformat()]
        if not survey.anonymous:
            row.append(response.account.handle if response.account else "")
        for question, answer in zip(survey.questions, response.answers, strict=False):
            row.append(question["options"][answer] if question["kind"] == "choice" else answer)
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A spreadsheet runs a cell that starts with = + - @: quote it (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
