"""Reading activities: every read goes through the audience check of the post that announces
the activity, and answers "not found" alike for what is missing and what is out of reach."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from tidings.accounts.models import Account
from tidings.activities import services
from tidings.activities.models import Activity, Entrant, Pledge, QuizEntry, Response
from tidings.core.audience import access_post
from tidings.core.errors import NotFound
from tidings.ops import roles


def access(viewer: Any, activity_id: int | None) -> Any:
    """The activity (as its own model: a Quiz, a Lottery) if the viewer may see its post."""
    row = Activity.objects.filter(id=activity_id or 0).values_list("post_id", flat=True).first()
    if row is None:
        raise NotFound()
    activity = services.concrete(activity_id or 0)
    if activity is None:
        raise NotFound()
    try:
        access_post(viewer, row)
    except NotFound:
        # The people who run the host see its activities as the account does (a survey sent
        # by message to one customer is in a conversation they are not part of).
        if roles.role_of(viewer, activity.host) is None:
            raise
    return activity


def runs(viewer: Any, activity: Any) -> bool:
    """Whether the viewer may draw and see the entries as the organiser."""
    return roles.can(viewer, activity.host, "post")


def of_host(host: Account, limit: int = 50) -> list[Activity]:
    return list(Activity.objects.filter(host=host).order_by("-id")[:limit])


def own_entry(viewer: Any, activity: Any) -> QuizEntry | None:
    if activity.kind != Activity.Kind.QUIZ or not getattr(viewer, "is_authenticated", False):
        return None
    return QuizEntry.objects.filter(quiz_id=activity.id, account_id=viewer.id).first()


def own_pledge(viewer: Any, campaign: Any) -> Pledge | None:
    if not getattr(viewer, "is_authenticated", False):
        return None
    return Pledge.objects.filter(campaign_id=campaign.id, account_id=viewer.id).first()


def response_count(survey: Any) -> int:
    return Response.objects.filter(survey_id=survey.id).count()


def entrants(activity: Any) -> list[Entrant]:
    """Who took part in the draw, with their handles (stored when it was drawn)."""
    return list(
        Entrant.objects.filter(activity_id=activity.id).select_related("account").order_by("account_id")
    )


def entrant_counts(activity: Any) -> tuple[int, int]:
    """How many took part in the draw, and how many of them could win."""
    rows = dict(
        Entrant.objects.filter(activity_id=activity.id).values_list("eligible").annotate(n=Count("id"))
    )
    return rows.get(True, 0) + rows.get(False, 0), rows.get(True, 0)


def winners(activity: Any) -> list[Account]:
    by_id = Account.objects.in_bulk(activity.winners)
    return [by_id[i] for i in activity.winners if i in by_id]


def draw_record(activity: Any) -> dict[str, Any]:
    """What anyone needs to recompute the winners; the seed only once it is drawn."""
    drawn = activity.drawn_at is not None
    people = entrants(activity) if drawn else []
    return {
        "activity": str(activity.id),
        "title": activity.title,
        "closes_at": activity.closes_at.isoformat(),
        "commitment": activity.commitment,
        "seed": activity.seed if drawn else None,
        "prizes": activity.prizes,
        "entrants": [
            {"id": e.account_id, "handle": e.account.handle, "eligible": e.eligible, "reason": e.reason}
            for e in people
        ],
        "eligible": [e.account_id for e in people if e.eligible],
        "winners": activity.winners,
    }
