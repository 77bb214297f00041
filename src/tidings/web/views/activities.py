"""Activities on the web: an activity's page (read through the audience check of its post), a
quiz's answer form, the organiser's draw, the draw's record for anyone to recompute, and the
account's list of activities with the forms that start one (/ops/@handle/activities/)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.activities import draws, lotteries, quizzes, services
from tidings.activities import selectors as activities
from tidings.activities.models import Activity
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


def _page(request: HttpRequest, activity: Any, *, error: str = "", status: int = 200) -> HttpResponse:
    viewer = request.user
    runs = activities.runs(viewer, activity)
    context: dict[str, Any] = {
        "activity": activity,
        "organiser": runs,
        "own": activities.own_entry(viewer, activity),
        "winners": activities.winners(activity) if activity.drawn_at else [],
        "error": error,
    }
    if activity.kind == Activity.Kind.QUIZ and (activity.closed or runs):
        context["counts"] = list(zip(activity.options, quizzes.counts(activity), strict=True))
    if activity.drawn_at:
        record = activities.draw_record(activity)
        context.update(
            entrants=len(record["entrants"]), eligible=len(record["eligible"]), recompute=draws.RECOMPUTE
        )
    return render(request, "tidings/activity.html", context, status=status)


def page(request: HttpRequest, activity_id: int) -> HttpResponse:
    return _page(request, activities.access(request.user, activity_id))


@login_required
@require_POST
def answer(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = activities.access(request.user, activity_id)
    if activity.kind != Activity.Kind.QUIZ:
        raise NotFound()
    assert isinstance(request.user, Account)
    try:
        quizzes.enter(request.user, activity, choice=number(request.POST.get("choice")))
    except DomainError as error:
        return _page(request, activity, error=str(error.message), status=error.status)
    return redirect("web:activity", activity_id=activity.id)


@login_required
@require_POST
def draw(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The organiser draws once the entries have closed (the worker also does it at the close)."""
    activity = activities.access(request.user, activity_id)
    if not activities.runs(request.user, activity):
        raise NotFound()
    try:
        services.draw_now(activity, person=_person(request), prizes=number(request.POST.get("prizes")))
    except DomainError as error:
        return _page(request, activity, error=str(error.message), status=error.status)
    return redirect("web:activity", activity_id=activity.id)


def record(request: HttpRequest, activity_id: int) -> HttpResponse:
    """draw.json: the commitment, and once drawn the seed, the entrants and the winners."""
    activity = activities.access(request.user, activity_id)
    response = JsonResponse(activities.draw_record(activity), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="draw.json"'
    return response


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
)
CHECKS = ("exclude_staff", "by_repost", "by_comment", "by_follow", "must_follow")


def _host_context(request: HttpRequest, handle: str) -> dict[str, Any]:
    """An official account the person runs, or the person's own account (an employee runs an
    internal quiz as themselves)."""
    person = _person(request)
    if handle_key(handle) == person.handle_key:
        return {"account": person, "run": roles.Run(person, "self"), "desk": desk_of(person), "own": True}
    return _account_context(request, handle)


@login_required
def manage(request: HttpRequest, handle: str) -> HttpResponse:
    """The account's activities, and the forms that start a prize quiz or a lottery."""
    context = _host_context(request, handle)
    account, person = context["account"], _person(request)
    context["run"].require("post")
    status = 200
    form: dict[str, Any] = {"kind": request.GET.get("kind", "quiz"), "exclude_staff": True, "by_repost": True}
    if request.method == "POST":
        data = request.POST
        form = {name: data.get(name, "") for name in FORM_FIELDS}
        form.update({name: data.get(name) == "on" for name in CHECKS})
        form["options"] = data.getlist("option")[:QUIZ_OPTIONS]
        if form["kind"] not in ("quiz", "lottery"):
            raise NotFound()
        try:
            common = {
                "person": person,
                "title": form["title"],
                "text": form["text"],
                "closes_at": drafts.local_time(form["closes_at"], context["desk"].time_zone),
                "prizes": number(form["prizes"]),
                "prize": form["prize"],
                "exclude_staff": form["exclude_staff"],
                "min_account_days": number(form["min_account_days"] or "0"),
                "audience": _audience(form["audience"]),
            }
            if form["kind"] == "quiz":
                created: Any = quizzes.create(
                    account, options=form["options"], answer=number(form["answer"]), **common
                )
            else:
                created = lotteries.create(
                    account,
                    by_repost=form["by_repost"],
                    by_comment=form["by_comment"],
                    by_follow=form["by_follow"],
                    must_follow=form["must_follow"],
                    **common,
                )
            return redirect("web:activity", activity_id=created.id)
        except DomainError as error:
            context["error"], status = error.message, error.status
    context.update(
        form=form,
        option_slots=(list(form.get("options", [])) + [""] * QUIZ_OPTIONS)[:QUIZ_OPTIONS],
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
