"""Reads for the official accounts' working pages: drafts by state, the calendar, the team and
what was done as the account."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.core.errors import NotFound
from tidings.ops import roles
from tidings.ops.models import Deed, Draft, Grant

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
