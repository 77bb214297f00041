"""What every activity shares: who may run one as an account, the post that announces it, and
the draw of quizzes and lotteries (stored entrants, winners, the seed revealed, winners told)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.activities import draws
from tidings.activities.models import Activity, Entrant
from tidings.core import events
from tidings.core.errors import Forbidden, Invalid
from tidings.core.ids import next_id
from tidings.core.text import bad_characters
from tidings.ops import roles
from tidings.ops.models import Grant
from tidings.ops.services import desk_of, record
from tidings.orgs.models import Membership
from tidings.posts import services as posts
from tidings.posts.models import Post

TITLE_MAX = 100
MIN_MINUTES = 5
MAX_DAYS = 90
MAX_PRIZES = 1000


def require_host(person: Account, host: Account) -> None:
    """A person starts an activity as an account they may post as; an account whose posts need
    approval takes one from a manager, whose own act counts as approved."""
    role = roles.require(person, host, "post")
    if desk_of(host).approvals_required and not roles.Run(host, role).can("review"):
        raise Forbidden(
            _("Posts of @%(handle)s need approval: only a manager can start an activity as it.")
            % {"handle": host.handle}
        )


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise Invalid(_("Give the activity a title."), field="title")
    if len(title) > TITLE_MAX or bad_characters(title):
        raise Invalid(_("A title must be 1 to %(n)d characters.") % {"n": TITLE_MAX}, field="title")
    return title


def clean_closes_at(closes_at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if closes_at is None:
        raise Invalid(_("Say when entries close."), field="closes_at")
    if closes_at < now + dt.timedelta(minutes=MIN_MINUTES):
        raise Invalid(_("Entries must stay open at least 5 minutes."), field="closes_at")
    if closes_at > now + dt.timedelta(days=MAX_DAYS):
        raise Invalid(_("Entries may stay open at most 90 days."), field="closes_at")
    return closes_at


def clean_prizes(prizes: int | None, prize: str) -> tuple[int, str]:
    if prizes is None or not 1 <= prizes <= MAX_PRIZES:
        raise Invalid(_("The number of prizes must be 1 to %(n)d.") % {"n": MAX_PRIZES}, field="prizes")
    prize = " ".join(prize.split())
    if len(prize) > 100 or bad_characters(prize):
        raise Invalid(_("Say what the prize is in at most 100 characters."), field="prize")
    return prizes, prize


def clean_days(days: int | None) -> int:
    if days is None or not 0 <= days <= 3650:
        raise Invalid(_("The minimum account age must be 0 to 3650 days."), field="min_account_days")
    return days


def link(activity_id: int) -> str:
    return f"{settings.SITE_URL}/activities/{activity_id}/"


def announce(host: Account, activity_id: int, *, text: str, audience: dict[str, Any]) -> Post:
    """The post that carries the activity to its audience, ending with the activity's address.
    It is an ordinary post: the organisation's rules, limits and audience apply to it."""
    return posts.publish(host, text=f"{text.strip()} {link(activity_id)}", **audience)


def start(
    activity: Activity, person: Account, *, text: str, audience: dict[str, Any], to: int | None = None
) -> None:
    """Save a new activity (already cleaned) with its announcement, in one transaction: a post to
    its audience, or a direct message when it is meant for one person (`to`)."""
    from tidings.notifications.services import send_message

    activity.id = next_id()
    with transaction.atomic():
        if to is not None:
            words = f"{text.strip()} {link(activity.id)}"
            activity.post = send_message(activity.host, recipient_id=to, text=words)
        else:
            activity.post = announce(activity.host, activity.id, text=text, audience=audience)
        activity.created_by = person
        activity.save(force_insert=True)
        record(activity.host, person, "activity", activity.post_id)
        events.emit("activity.started", activity_id=activity.id)


def draw_terms(
    prizes: int | None, prize: str, exclude_staff: bool, min_account_days: int | None
) -> dict[str, Any]:
    """The cleaned terms of a quiz's or lottery's draw, with its new secret seed and the seed's
    published fingerprint."""
    prizes, prize = clean_prizes(prizes, prize)
    seed = draws.new_seed()
    return {
        "prizes": prizes,
        "prize": prize,
        "exclude_staff": exclude_staff,
        "min_account_days": clean_days(min_account_days),
        "seed": seed,
        "commitment": draws.commitment(seed),
    }


def staff_of(host: Account) -> set[int]:
    """The account itself, the people who run it, and the employees of its organisation."""
    ids = {host.id}
    ids.update(Grant.objects.filter(account=host).values_list("person_id", flat=True))
    if host.organisation_id:
        ids.update(
            Membership.objects.filter(organisation_id=host.organisation_id, is_active=True)
            .exclude(role=Membership.Role.GUEST)
            .values_list("account_id", flat=True)
        )
    return ids


def screen(activity: Any, candidates: dict[int, str]) -> dict[int, str]:
    """The filters on top of the activity's own reasons: "" lets an entrant in, else why not."""
    staff = staff_of(activity.host) if activity.exclude_staff else {activity.host_id}
    newest = activity.closes_at - dt.timedelta(days=activity.min_account_days)
    joined = dict(Account.objects.filter(id__in=candidates).values_list("id", "date_joined"))
    out: dict[int, str] = {}
    for account_id, reason in candidates.items():
        if account_id in staff:
            reason = "staff"
        elif activity.min_account_days and joined.get(account_id, newest) > newest:
            reason = reason or "new"
        out[account_id] = reason
    return out


def draw(activity: Any, candidates: dict[int, str], *, prizes: int | None = None) -> list[int]:
    """Store the entrants, draw the winners, reveal the seed: once. More prizes than eligible
    entrants is refused and changes nothing; the organiser may then draw fewer."""
    model = type(activity)
    prizes = activity.prizes if prizes is None else prizes
    if not 1 <= prizes <= activity.prizes:
        raise Invalid(
            _("Draw 1 to %(n)d winners, as many as the activity promised.") % {"n": activity.prizes},
            field="prizes",
        )
    screened = screen(activity, candidates)
    eligible = [i for i, reason in screened.items() if not reason]
    if prizes > len(eligible):
        raise Invalid(
            _("There are %(prizes)d prizes but only %(entrants)d eligible entrants: draw fewer winners.")
            % {"prizes": prizes, "entrants": len(eligible)},
            field="prizes",
        )
    chosen = draws.winners(activity.seed, eligible, prizes)
    with transaction.atomic():
        # Only one draw: the row is claimed by the update that stamps it.
        claimed = model.objects.filter(pk=activity.pk, drawn_at__isnull=True).update(
            drawn_at=timezone.now(), winners=chosen, prizes=prizes
        )
        if not claimed:
            raise Invalid(_("The winners have already been drawn."))
        Entrant.objects.bulk_create(
            Entrant(activity_id=activity.pk, account_id=i, eligible=not r, reason=r)
            for i, r in sorted(screened.items())
        )
        events.emit("activity.drawn", activity_id=activity.pk)
    activity.refresh_from_db()
    return chosen


def candidates_of(activity: Any) -> dict[int, str]:
    from tidings.activities import lotteries, quizzes

    module = quizzes if activity.kind == Activity.Kind.QUIZ else lotteries
    return module.candidates(activity)


def concrete(activity_id: int) -> Any:
    """The activity of this id as its own kind (a Quiz, a Lottery, a Campaign, a Survey)."""
    from tidings.activities.models import Campaign, Live, Lottery, Quiz, Survey

    models = {Activity.Kind.QUIZ: Quiz, Activity.Kind.LOTTERY: Lottery, Activity.Kind.DONATION: Campaign}
    models.update({Activity.Kind.SURVEY: Survey, Activity.Kind.LIVE: Live})
    kind = Activity.objects.filter(id=activity_id).values_list("kind", flat=True).first()
    model = models.get(kind)  # type: ignore[call-overload]
    return model.objects.select_related("host", "post").get(id=activity_id) if model else None


def draw_due() -> int:
    """The worker draws each quiz and lottery whose entries closed; one with more prizes than
    eligible entrants waits for its organiser to draw fewer."""
    from tidings.activities.models import Lottery, Quiz

    done = 0
    for model in (Quiz, Lottery):
        due = model.objects.filter(closes_at__lte=timezone.now(), drawn_at__isnull=True)
        for activity in due.select_related("host", "post")[:100]:
            try:
                draw(activity, candidates_of(activity))
                done += 1
            except Invalid:
                continue
    return done


def tell_winners(activity_id: int) -> None:
    from tidings.notifications.models import Notification
    from tidings.notifications.services import notify

    activity = concrete(activity_id)
    if activity is None:
        return
    for account_id in activity.winners:
        notify(
            recipient_id=account_id,
            kind=Notification.Kind.WON,
            actor_id=activity.host_id,
            post_id=activity.post_id,
            link=f"/activities/{activity.id}/",
        )


def draw_now(activity: Any, *, person: Account, prizes: int | None = None) -> list[int]:
    """The organiser's draw, once the entries have closed."""
    require_host(person, activity.host)
    if not activity.closed:
        raise Invalid(_("The entries are still open: draw after they close."))
    chosen = draw(activity, candidates_of(activity), prizes=prizes)
    record(activity.host, person, "draw", activity.post_id)
    return chosen
