"""Reads for the official accounts' working pages: drafts by state, the calendar, the team and
what was done as the account."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.core.errors import NotFound
from tidings.ops import roles
from tidings.ops.models import (
    Case,
    CaseEvent,
    Deed,
    Desk,
    DeskRule,
    Draft,
    EscalationStep,
    Grant,
    Level,
    Shift,
)

Status = Draft.Status


def run_account(person: Any, handle: str) -> tuple[Account, str]:
    """The official account of this handle and the person's role on it; not found alike when it
    does not exist and when the person has no role on it."""
    account = account_by_handle(handle)
    role = roles.role_of(person, account)
    if role is None or not roles.is_official(account):
        raise NotFound()
    return account, role


def counts(account_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Drafts per state for each account, in one query."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Draft.objects.filter(
            account_id__in=account_ids, status__in=(Status.DRAFT, Status.REVIEW, Status.SCHEDULED)
        )
        .values("account_id", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        out[row["account_id"]][row["status"]] = row["n"]
    return out


def categories(account_ids: Sequence[int]) -> dict[int, str]:
    """Each account's category name, in one query."""
    return dict(
        Desk.objects.filter(account_id__in=account_ids, category__isnull=False).values_list(
            "account_id", "category__name"
        )
    )


def drafts(account: Account, statuses: Sequence[str], *, limit: int = 50) -> list[Draft]:
    return list(
        Draft.objects.filter(account=account, status__in=statuses)
        .select_related("writer", "post")
        .order_by("-updated_at", "-id")[:limit]
    )


def calendar(account: Account, start: dt.datetime, end: dt.datetime) -> list[Draft]:
    """What goes out (or went out) between two times: scheduled and waiting posts by their time,
    published ones by when they were published."""
    return list(
        Draft.objects.filter(account=account)
        .filter(
            Q(
                status__in=(Status.SCHEDULED, Status.REVIEW, Status.DRAFT),
                publish_at__gte=start,
                publish_at__lt=end,
            )
            | Q(status=Status.PUBLISHED, post__created_at__gte=start, post__created_at__lt=end)
        )
        .select_related("writer", "post")
        .order_by("publish_at", "id")
    )


def team(account: Account) -> list[Grant]:
    return list(
        Grant.objects.filter(account=account).select_related("person").order_by("role", "person__handle_key")
    )


def deeds(account: Account, *, limit: int = 30) -> list[Deed]:
    return list(Deed.objects.filter(account=account).select_related("person").order_by("-id")[:limit])


# --- the response desk --------------------------------------------------------------------------

INBOX_PAGE = 30


def inbox(
    account: Account,
    *,
    state: str = "open",
    level: str = "",
    assignee_id: int | None = None,
    max_id: int | None = None,
) -> tuple[list[Case], int | None]:
    """A page of the account's cases, newest first: open ones (new and in progress), or
    resolved ones, of one level, or one person's."""
    rows = Case.objects.filter(account=account).select_related("customer", "assignee")
    rows = (
        rows.filter(state=Case.State.RESOLVED)
        if state == "resolved"
        else rows.exclude(state=Case.State.RESOLVED)
    )
    if level in Level.values:
        rows = rows.filter(level=level)
    if assignee_id is not None:
        rows = rows.filter(assignee_id=assignee_id)
    if max_id:
        rows = rows.filter(id__lt=max_id)
    items = list(rows.order_by("-id")[: INBOX_PAGE + 1])
    more = len(items) > INBOX_PAGE
    items = items[:INBOX_PAGE]
    return items, items[-1].id if more and items else None


@dataclass
class CaseContext:
    events: list[CaseEvent]
    posts: dict[int, Any]  # post id -> PostView, read as the account (the audience check)
    earlier_posts: list[Any]
    earlier_cases: list[Case]
    related: list[Any]
    topic: str


def case_context(case: Case) -> CaseContext:
    """What a responder sees before answering: the conversation, the customer's earlier posts
    and cases with the account, and recent posts on the same topic. Everything is read as the
    account, through the audience check."""
    from tidings.posts import selectors as posts
    from tidings.posts.models import PostTopic

    events = list(case.events.select_related("person").order_by("id"))
    ids = [e.post_id for e in events if e.post_id]
    views = posts.hydrate(case.account, posts.posts_by_ids(case.account, ids))
    by_id = {v.post.id: v for v in views}
    incoming = [e.post_id for e in events if e.kind == CaseEvent.Kind.INCOMING and e.post_id]
    earlier = [
        v
        for v in posts.profile_posts(case.account, case.customer_id, limit=6).items
        if v.post.id not in by_id
    ][:5]
    cases = list(
        Case.objects.filter(account=case.account, customer=case.customer)
        .exclude(id=case.id)
        .order_by("-id")[:5]
    )
    topic = PostTopic.objects.filter(post_id__in=incoming).select_related("topic").first()
    related: list[Any] = []
    if topic is not None:
        page = posts.topic_posts(case.account, topic.topic, limit=6)
        related = [v for v in page.items if v.post.id not in by_id][:5]
    return CaseContext(events, by_id, earlier, cases, related, topic.topic.name if topic else "")


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def figures(account: Account, *, days: int = 30) -> dict[str, Any]:
    """The desk's figures over the last days: median minutes to the first response and to
    resolution, per level and per person, cases open, breaches, and the customers' ratings."""
    since = timezone.now() - dt.timedelta(days=days)
    cases = list(
        Case.objects.filter(account=account, opened_at__gte=since)
        .select_related("assignee")
        .order_by("-id")[:5000]
    )
    now = timezone.now()

    def minutes(start: dt.datetime, end: dt.datetime | None) -> float | None:
        return (end - start).total_seconds() / 60 if end else None

    def summary(group: list[Case]) -> dict[str, Any]:
        first = [m for c in group if (m := minutes(c.opened_at, c.first_response_at)) is not None]
        resolved = [m for c in group if (m := minutes(c.opened_at, c.resolved_at)) is not None]
        rated = [c.rating for c in group if c.rating]
        return {
            "cases": len(group),
            "open": sum(1 for c in group if c.state != Case.State.RESOLVED),
            "first_response": _median(first),
            "resolution": _median(resolved),
            "breaches": sum(1 for c in group if c.response_breached(now) or c.resolution_breached(now)),
            "rating": round(sum(rated) / len(rated), 2) if rated else None,
            "ratings": len(rated),
        }

    by_person: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        by_person[c.assignee.handle if c.assignee else ""].append(c)
    return {
        "days": days,
        "all": summary(cases),
        "levels": [
            (level, label, summary([c for c in cases if c.level == level])) for level, label in Level.choices
        ],
        "people": sorted(((h, summary(g)) for h, g in by_person.items()), key=lambda x: (x[0] == "", x[0])),
        "open_now": Case.objects.filter(account=account).exclude(state=Case.State.RESOLVED).count(),
    }


def shifts(account: Account, *, days: int = 14) -> list[Shift]:
    """The shifts now and in the coming days, and the last one that ended (for its hand-over)."""
    now = timezone.now()
    upcoming = list(
        Shift.objects.filter(account=account, ends_at__gt=now, starts_at__lt=now + dt.timedelta(days=days))
        .select_related("person")
        .order_by("starts_at")
    )
    last = (
        Shift.objects.filter(account=account, ends_at__lte=now)
        .select_related("person")
        .order_by("-ends_at")
        .first()
    )
    return ([last] if last else []) + upcoming


def rules(account: Account) -> list[DeskRule]:
    return list(DeskRule.objects.filter(account=account).select_related("assignee").order_by("id"))


def escalation(account: Account) -> list[EscalationStep]:
    return list(EscalationStep.objects.filter(account=account).select_related("person").order_by("position"))


def responders(account: Account) -> list[Account]:
    """Who may answer as the account (a case can go to them): its organisation's owners and
    admins, and employees with a role that answers. Two queries."""
    from tidings.orgs.models import Membership

    members = Membership.objects.filter(organisation_id=account.organisation_id or 0, is_active=True).exclude(
        role=Membership.Role.GUEST
    )
    staff = members.filter(role__in=(Membership.Role.OWNER, Membership.Role.ADMIN)).values("account_id")
    answering = [role for role, can in roles.CAN.items() if "reply" in can and role != roles.STAFF]
    granted = Grant.objects.filter(
        account=account, role__in=answering, person_id__in=members.values("account_id")
    ).values("person_id")
    return list(
        Account.objects.filter(Q(id__in=staff) | Q(id__in=granted), is_active=True).order_by("handle_key")
    )
