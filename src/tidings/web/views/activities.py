"""Activities on the web: an activity's page (read through the audience check of its post), a
quiz's answer form, the organiser's draw, the draw's record for anyone to recompute, and the
account's list of activities with the forms that start one (/ops/@handle/activities/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.activities import donations, draws, live, lotteries, quizzes, services, surveys
from tidings.activities import selectors as activities
from tidings.activities.models import Activity
from tidings.core import pubsub
from tidings.core.audience import groups_of, insider_of
from tidings.core.charts import bar_svg, svg_response
from tidings.core.errors import DomainError, NotFound
from tidings.core.handles import handle_key
from tidings.groups.models import Group
from tidings.ops import drafts, roles
from tidings.ops.services import desk_of
from tidings.orgs.models import Organisation
from tidings.web.views.common import number
from tidings.web.views.ops import _account_context, _person
from tidings.web.views.stream import stream_events

QUIZ_OPTIONS = 6


def _page(request: HttpRequest, activity: Any, *, error: str = "", status: int = 200) -> HttpResponse:
    viewer = request.user
    organiser = activities.runs(viewer, activity)
    context: dict[str, Any] = {
        "activity": activity,
        "organiser": organiser,
        "error": error,
    }
    kind = activity.kind
    context["part"] = f"tidings/_activity_{kind}.html"
    if kind in (Activity.Kind.QUIZ, Activity.Kind.LOTTERY):
        context["part"] = "tidings/_activity_draw.html"
        context.update(own=activities.own_entry(viewer, activity), recompute=draws.RECOMPUTE)
        if kind == Activity.Kind.QUIZ and (activity.closed or organiser):
            context["counts"] = list(zip(activity.options, quizzes.counts(activity), strict=True))
        if activity.drawn_at:
            record = activities.draw_record(activity)
            context.update(
                winners=activities.winners(activity),
                entrants=len(record["entrants"]),
                eligible=len(record["eligible"]),
            )
    elif kind == Activity.Kind.DONATION:
        context.update(progress=donations.progress(activity), wall=donations.wall(activity))
        context["own"] = activities.own_pledge(viewer, activity)
        if organiser:
            context["waiting"] = donations.waiting(activity)
    elif kind == Activity.Kind.LIVE:
        context.update(live.feed(viewer, activity))
        if activity.ended_at is None:
            context["events_url"] = reverse("web:activity_events", args=[activity.id])
            context["after"] = pubsub.latest_id(activity.id)
    else:
        context["answered"] = surveys.answered(activity, viewer)
        if organiser:
            context["responses"] = activities.response_count(activity)
    return render(request, "tidings/activity.html", context, status=status)


def page(request: HttpRequest, activity_id: int) -> HttpResponse:
    return _page(request, activities.access(request.user, activity_id))


def _act(
    request: HttpRequest, activity_id: int, kind: str, act: Callable[[Account, Any], object]
) -> HttpResponse:
    """A fan's form on an activity's page: the activity read through its audience, the act done,
    and the page again, with the reason when it was refused."""
    activity = activities.access(request.user, activity_id)
    if activity.kind != kind:
        raise NotFound()
    assert isinstance(request.user, Account)
    try:
        act(request.user, activity)
    except DomainError as error:
        return _page(request, activity, error=str(error.message), status=error.status)
    return redirect("web:activity", activity_id=activity.id)


@login_required
@require_POST
def answer(request: HttpRequest, activity_id: int) -> HttpResponse:
    choice = number(request.POST.get("choice"))
    return _act(
        request, activity_id, Activity.Kind.QUIZ, lambda who, quiz: quizzes.enter(who, quiz, choice=choice)
    )


@login_required
@require_POST
def pledge(request: HttpRequest, activity_id: int) -> HttpResponse:
    data = request.POST

    def act(who: Account, campaign: Any) -> object:
        return donations.pledge(
            who,
            campaign,
            amount=number(data.get("amount")),
            anonymous=data.get("anonymous") == "on",
            note=data.get("note", ""),
        )

    return _act(request, activity_id, Activity.Kind.DONATION, act)


@login_required
@require_POST
def respond(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = activities.access(request.user, activity_id)
    answers = [request.POST.get(f"q{i}", "") for i in range(len(getattr(activity, "questions", [])))]
    return _act(
        request, activity_id, Activity.Kind.SURVEY, lambda who, s: surveys.respond(who, s, answers=answers)
    )


@login_required
@require_POST
def live_comment(request: HttpRequest, activity_id: int) -> HttpResponse:
    text = request.POST.get("text", "")
    return _act(
        request, activity_id, Activity.Kind.LIVE, lambda who, show: live.comment(who, show, text=text)
    )


LIVE_ACTIONS = ("update", "pin", "unpin", "end")


@login_required
@require_POST
def live_action(request: HttpRequest, activity_id: int, action: str) -> HttpResponse:
    """The host's part of a broadcast: an update, a highlight pinned or unpinned, the end."""
    show = _organised(request, activity_id, Activity.Kind.LIVE)
    if action not in LIVE_ACTIONS:
        raise NotFound()
    person = _person(request)
    try:
        if action == "update":
            live.update(show, person=person, text=request.POST.get("text", ""))
        elif action == "end":
            live.end(show, person=person)
        else:
            live.highlight(show, person=person, post_id=number(request.POST.get("post")), pin=action == "pin")
    except NotFound:
        raise
    except DomainError as error:
        return _page(request, show, error=str(error.message), status=error.status)
    return redirect("web:activity", activity_id=show.id)


def live_events(request: HttpRequest, activity_id: int) -> HttpResponseBase:
    """New comments under a running broadcast, as server-sent events (ids: each card is fetched
    through the audience check)."""
    show = activities.access(request.user, activity_id)
    if show.kind != Activity.Kind.LIVE:
        raise NotFound()
    given = request.headers.get("Last-Event-ID") or request.GET.get("after", "")
    after = given if pubsub.is_position(given) else pubsub.latest_id(show.id)
    response = StreamingHttpResponse(
        stream_events(show.id, after, poll=LIVE_POLL_SECONDS), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _organised(request: HttpRequest, activity_id: int, kind: str) -> Any:
    """An activity of this kind that the person runs; not found alike for anyone else."""
    activity = activities.access(request.user, activity_id)
    if activity.kind != kind or not activities.runs(request.user, activity):
        raise NotFound()
    return activity


@login_required
@require_POST
def decide(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The organiser confirms a pledge once the gift has arrived, or declines it."""
    campaign = _organised(request, activity_id, Activity.Kind.DONATION)
    try:
        donations.decide(
            campaign,
            person=_person(request),
            pledge_id=number(request.POST.get("pledge")),
            confirm=request.POST.get("decision") == "confirm",
        )
    except DomainError as error:
        if error.status == 404:
            raise
        return _page(request, campaign, error=str(error.message), status=error.status)
    return redirect("web:activity", activity_id=campaign.id)


@login_required
def results(request: HttpRequest, activity_id: int) -> HttpResponse:
    """A survey's results for its organisers: a chart, a table and the answers per question."""
    survey = _organised(request, activity_id, Activity.Kind.SURVEY)
    count, items = surveys.results(survey)
    return render(
        request, "tidings/survey_results.html", {"activity": survey, "count": count, "results": items}
    )


@login_required
def results_csv(request: HttpRequest, activity_id: int) -> HttpResponse:
    survey = _organised(request, activity_id, Activity.Kind.SURVEY)
    response = HttpResponse(
        surveys.to_csv(survey).encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.id}.csv"'
    return response


@login_required
def chart(request: HttpRequest, activity_id: int, number: int) -> HttpResponse:
    survey = _organised(request, activity_id, Activity.Kind.SURVEY)
    _count, items = surveys.results(survey)
    if not 1 <= number <= len(items) or not items[number - 1].labels:
        raise NotFound()
    item = items[number - 1]
    return svg_response(bar_svg(item.labels, item.counts, title=item.question["text"]))


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
    "goal",
    "unit",
    "case",
)
CHECKS = ("exclude_staff", "by_repost", "by_comment", "by_follow", "must_follow", "anonymous")
KINDS = ("quiz", "lottery", "donation", "survey", "live")
LIVE_POLL_SECONDS = 0.2  # embedded: an update shows within a second
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
