"""An activity's page on the web, read through the audience check of its post, and what is done
there: a quiz's answer, a pledge, a survey's answers, a comment on a broadcast; and for its
organisers the draw, the pledges to confirm, the survey's results, the broadcast's updates. The
forms that start an activity are in web.views.activity_forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.activities import donations, draws, live, quizzes, services, surveys
from tidings.activities import selectors as activities
from tidings.activities.models import Activity
from tidings.core import pubsub
from tidings.core.charts import bar_svg, svg_response
from tidings.core.errors import DomainError, NotFound
from tidings.web.views.common import number
from tidings.web.views.ops import _person
from tidings.web.views.stream import event_stream

LIVE_POLL_SECONDS = 0.2  # embedded: an update shows within a second


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
            entrants, eligible = activities.entrant_counts(activity)
            context.update(winners=activities.winners(activity), entrants=entrants, eligible=eligible)
    elif kind == Activity.Kind.DONATION:
        context.update(progress=donations.progress(activity), wall=donations.wall(activity))
        context["own"] = activities.own_pledge(viewer, activity)
        if organiser:
            context["waiting"] = donations.waiting(activity)
    elif kind == Activity.Kind.LIVE:
        context.update(live.feed(viewer, activity))
        if activity.ended_at is None:
            context["events_url"] = reverse("web:activity_events", args=[activity.id])
            context["after"] = pubsub.position([activity.id])
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
    data = request.POST

    def act(who: Account, survey: Any) -> object:
        answers = [data.get(f"q{i}", "") for i in range(len(survey.questions))]
        return surveys.respond(who, survey, answers=answers)

    return _act(request, activity_id, Activity.Kind.SURVEY, act)


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
    return event_stream(request, [show.id], poll=LIVE_POLL_SECONDS)


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
    if activity.kind not in (Activity.Kind.QUIZ, Activity.Kind.LOTTERY):
        raise NotFound()
    response = JsonResponse(activities.draw_record(activity), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="draw.json"'
    return response
