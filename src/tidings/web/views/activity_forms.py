"""The forms that start an activity as an account (/ops/@handle/activities/): an official
account the person runs, or the person's own account; with the account's list of activities."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tidings.accounts.models import Account
from tidings.activities import donations, live, lotteries, quizzes, surveys
from tidings.activities import selectors as activities
from tidings.core.audience import groups_of, insider_of
from tidings.core.errors import DomainError, NotFound
from tidings.core.handles import handle_key
from tidings.groups.models import Group
from tidings.ops import drafts, roles
from tidings.ops.services import desk_of
from tidings.orgs.models import Organisation
from tidings.web.views.common import number
from tidings.web.views.ops import _account_context, _person

QUIZ_OPTIONS = 6


def _audience(raw: str) -> dict[str, Any]:
    """The announcement's audience from the form: public, followers, an organisation's space or
    a group (publishing checks that the host is inside it)."""
    if raw.startswith("group:"):
        return {"audience": "group", "group_id": number(raw[6:])}
    if raw.startswith("org:"):
        return {"audience": "org", "organisation_id": number(raw[4:])}
    return {"audience": raw if raw in ("public", "followers") else "public"}


FORM_FIELDS = (
    "kind",
    "title",
    "text",
    "audience",
    "closes_at",
    "prizes",
    "prize",
    "min_account_days",
    "answer",
    "goal",
    "unit",
    "case",
)
CHECKS = ("exclude_staff", "by_repost", "by_comment", "by_follow", "must_follow", "anonymous")
KINDS = ("quiz", "lottery", "donation", "survey", "live")
SURVEY_QUESTIONS = 6


def _questions(request: HttpRequest) -> list[dict[str, Any]]:
    """The survey form's rows: a kind, the question, and for a choice its options, one a line."""
    data = request.POST
    return [
        {
            "kind": data.get(f"qkind{i}", ""),
            "text": data.get(f"qtext{i}", "")[:300],
            "options": data.get(f"qoptions{i}", "")[:1000].splitlines(),
        }
        for i in range(SURVEY_QUESTIONS)
    ]


def _create(account: Account, form: dict[str, Any], request: HttpRequest, zone: str) -> Any:
    common = {
        "person": _person(request),
        "title": form["title"],
        "text": form["text"],
        "closes_at": drafts.local_time(form["closes_at"], zone),
        "audience": _audience(form["audience"]),
    }
    drawn = {
        "prizes": number(form["prizes"]),
        "prize": form["prize"],
        "exclude_staff": form["exclude_staff"],
        "min_account_days": number(form["min_account_days"] or "0"),
    }
    if form["kind"] == "quiz":
        return quizzes.create(
            account, options=form["options"], answer=number(form["answer"]), **common, **drawn
        )
    if form["kind"] == "lottery":
        ways = {name: form[name] for name in ("by_repost", "by_comment", "by_follow", "must_follow")}
        return lotteries.create(account, **ways, **common, **drawn)
    if form["kind"] == "live":
        return live.create(account, **common)
    if form["kind"] == "donation":
        return donations.create(account, goal=number(form["goal"]), unit=form["unit"], **common)
    return surveys.create(
        account,
        questions=form["questions"],
        anonymous=form["anonymous"],
        case_id=number(form["case"]),
        **common,
    )


def _host_context(request: HttpRequest, handle: str) -> dict[str, Any]:
    """An official account the person runs, or the person's own account (an employee runs an
    internal quiz as themselves)."""
    person = _person(request)
    if handle_key(handle) == person.handle_key:
        return {"account": person, "run": roles.Run(person, "self"), "desk": desk_of(person), "own": True}
    return _account_context(request, handle)


@login_required
def manage(request: HttpRequest, handle: str) -> HttpResponse:
    """The account's activities, and the forms that start one of each kind."""
    context = _host_context(request, handle)
    account = context["account"]
    context["run"].require("post")
    status = 200
    kind = request.GET.get("kind", "quiz")
    form: dict[str, Any] = {
        "kind": kind,
        "exclude_staff": True,
        "by_repost": True,
        "case": request.GET.get("case"),
    }
    if request.method == "POST":
        data = request.POST
        form = {name: data.get(name, "") for name in FORM_FIELDS}
        form.update({name: data.get(name) == "on" for name in CHECKS})
        form["options"] = data.getlist("option")[:QUIZ_OPTIONS]
        form["questions"] = _questions(request)
        if form["kind"] not in KINDS:
            raise NotFound()
        try:
            created = _create(account, form, request, context["desk"].time_zone)
            return redirect("web:activity", activity_id=created.id)
        except DomainError as error:
            context["error"], status = error.message, error.status
    context.update(
        form=form,
        option_slots=(list(form.get("options", [])) + [""] * QUIZ_OPTIONS)[:QUIZ_OPTIONS],
        question_slots=(list(form.get("questions", [])) + [{}] * SURVEY_QUESTIONS)[:SURVEY_QUESTIONS],
        activities=activities.of_host(account),
        spaces=[
            (f"org:{o.id}", o.name)
            for o in Organisation.objects.filter(id__in=insider_of(account.id)).order_by("name")
        ],
        groups=[
            (f"group:{g.id}", g.name)
            for g in Group.objects.filter(id__in=groups_of(account.id)).order_by("name")
        ],
        zone=context["desk"].time_zone,
        tab="activities",
    )
    return render(request, "tidings/ops_activities.html", context, status=status)
