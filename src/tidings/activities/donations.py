"""Donation campaigns: a goal, one pledge per person while the campaign is open, and the
organiser's confirmation when the gift arrives (no payment passes through Tidings). The progress
bar counts confirmed gifts; the donor wall names confirmed donors unless they asked not to be."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.activities import services
from tidings.activities.models import Activity, Campaign, Pledge
from tidings.core import ratelimit
from tidings.core.errors import Invalid, NotFound
from tidings.core.text import bad_characters

MAX_AMOUNT = 1_000_000_000
Status = Pledge.Status


def clean_amount(amount: int | None, *, field: str = "amount") -> int:
    if amount is None or not 1 <= amount <= MAX_AMOUNT:
        raise Invalid(
            _("Give a whole amount from 1 to %(n)s.") % {"n": f"{MAX_AMOUNT:,}"},
            field=field,
        )
    return amount


def create(
    host: Account,
    *,
    person: Account,
    title: str,
    text: str,
    goal: int | None,
    unit: str,
    closes_at: dt.datetime | None,
    audience: dict[str, Any] | None = None,
) -> Campaign:
    services.require_host(person, host)
    unit = unit.strip()
    if not unit or len(unit) > 12 or bad_characters(unit):
        raise Invalid(_("Say what is given, in at most 12 characters (元, NT$, books ...)."), field="unit")
    campaign = Campaign(
        kind=Activity.Kind.DONATION,
        host=host,
        title=services.clean_title(title),
        closes_at=services.clean_closes_at(closes_at),
        goal=clean_amount(goal, field="goal"),
        unit=unit,
    )
    services.start(campaign, person, text=text, audience=audience or {})
    return campaign


def pledge(
    account: Account, campaign: Campaign, *, amount: int | None, anonymous: bool, note: str = ""
) -> Pledge:
    """One pledge per person, while the campaign is open (the caller checked they may see it)."""
    if campaign.closed:
        raise Invalid(_("The campaign has closed."))
    amount = clean_amount(amount)
    note = " ".join(note.split())
    if len(note) > 140 or bad_characters(note):
        raise Invalid(_("A note may hold at most 140 characters."), field="note")
    ratelimit.write(account.id)
    try:
        with transaction.atomic():
            return Pledge.objects.create(
                campaign=campaign, account=account, amount=amount, anonymous=anonymous, note=note
            )
    except IntegrityError as exc:
        raise Invalid(_("You have already pledged to this campaign.")) from exc


def decide(campaign: Campaign, *, person: Account, pledge_id: int | None, confirm: bool) -> Pledge:
    """The organiser confirms a pledge once the gift has arrived, or declines it; once only."""
    services.require_host(person, campaign.host)
    found = Pledge.objects.filter(id=pledge_id or 0, campaign=campaign).first()
    if found is None:
        raise NotFound()
    if found.status != Status.PLEDGED:
        raise Invalid(_("This pledge has already been decided."))
    found.status = Status.CONFIRMED if confirm else Status.DECLINED
    found.decided_by, found.decided_at = person, timezone.now()
    found.save(update_fields=["status", "decided_by", "decided_at"])
    return found


@dataclass(frozen=True)
class Progress:
    goal: int
    confirmed: int
    pledged: int  # still waiting for confirmation
    donors: int

    @property
    def percent(self) -> int:
        return min(100, self.confirmed * 100 // max(1, self.goal))


def progress(campaign: Campaign) -> Progress:
    rows = {
        row["status"]: row
        for row in Pledge.objects.filter(campaign=campaign)
        .values("status")
        .annotate(n=Count("id"), total=Sum("amount"))
    }
    confirmed = rows.get(Status.CONFIRMED, {})
    return Progress(
        goal=campaign.goal,
        confirmed=confirmed.get("total") or 0,
        pledged=(rows.get(Status.PLEDGED, {}).get("total") or 0),
        donors=confirmed.get("n") or 0,
    )


def wall(campaign: Campaign, limit: int = 200) -> list[Pledge]:
    """Confirmed gifts, largest first; the template names only those not anonymous."""
    return list(
        Pledge.objects.filter(campaign=campaign, status=Status.CONFIRMED)
        .select_related("account")
        .order_by("-amount", "id")[:limit]
    )


def waiting(campaign: Campaign) -> list[Pledge]:
    """Pledges the organiser has still to confirm or decline."""
    return list(
        Pledge.objects.filter(campaign=campaign, status=Status.PLEDGED)
        .select_related("account")
        .order_by("id")
    )
