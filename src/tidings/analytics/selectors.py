"""The figures an analytics page shows, read from the counted rows (a handful of queries
whatever the traffic) and never by scanning posts."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.activities.models import Activity, Entrant, Pledge, QuizEntry, Response
from tidings.analytics.models import ActiveMember, Daily, Origin
from tidings.core.ids import id_for_time
from tidings.groups.models import Group
from tidings.orgs.models import Organisation
from tidings.posts.models import Post

DAYS = 30
SERIES_LABELS = {
    "followers": _("Followers"),
    "gained": _("New followers"),
    "lost": _("Followers lost"),
    "posts": _("Posts"),
    "reach": _("Reach"),
    "reposts": _("Reposts"),
    "comments": _("Comments"),
    "likes": _("Likes"),
    "engagement": _("Engagement per post"),
    "hours": _("Engagement by hour"),
    "members": _("Active members"),
    "internal": _("Internal posts"),
}


@dataclass
class Series:
    key: str
    days: list[dt.date]
    values: list[int]

    @property
    def label(self) -> str:
        return str(SERIES_LABELS[self.key])

    @property
    def total(self) -> int:
        return sum(self.values)

    @property
    def rows(self) -> list[tuple[str, int]]:
        return [(d.isoformat(), v) for d, v in zip(self.days, self.values, strict=True)]

    @property
    def labels(self) -> list[str]:
        return [d.strftime("%m-%d") for d in self.days]


@dataclass
class Figures:
    days: list[dt.date]
    series: dict[str, Series] = field(default_factory=dict)
    hours: list[int] = field(default_factory=list)
    best: list[Post] = field(default_factory=list)
    origins: dict[str, list[Origin]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _days(days: int) -> list[dt.date]:
    today = timezone.localdate()
    return [today - dt.timedelta(days=days - 1 - i) for i in range(days)]


def _daily(scope: str, subject: int, days: list[dt.date]) -> dict[str, dict[dt.date, int]]:
    by: dict[str, dict[dt.date, int]] = defaultdict(dict)
    rows = Daily.objects.filter(scope=scope, subject=subject, day__gte=days[0]).values_list(
        "metric", "day", "value"
    )
    for metric, day, value in rows:
        by[metric][day] = value
    return by


def account_figures(account: Account, days: int = DAYS) -> Figures:
    span = _days(days)
    by = _daily(Daily.Scope.ACCOUNT, account.id, span)
    out = Figures(span)
    for key in ("posts", "reach", "reposts", "comments", "likes", "gained", "lost"):
        out.series[key] = Series(key, span, [by[key].get(d, 0) for d in span])
    # Followers worked back from today's count: yesterday's = today's - gained + lost.
    followers, count = [], account.followers_count
    for d in reversed(span):
        followers.append(max(0, count))
        count -= by["gained"].get(d, 0) - by["lost"].get(d, 0)
    out.series["followers"] = Series("followers", span, followers[::-1])
    engaged = [by["reposts"].get(d, 0) + by["comments"].get(d, 0) + by["likes"].get(d, 0) for d in span]
    out.series["engagement"] = Series(
        "engagement",
        span,
        [round(e / p) if (p := by["posts"].get(d, 0)) else 0 for d, e in zip(span, engaged, strict=True)],
    )
    out.hours = [sum(by[f"engaged_h{h:02d}"].values()) for h in range(24)]
    start = id_for_time(time.mktime(span[0].timetuple()))
    out.best = list(
        Post.objects.filter(author=account, kind=Post.Kind.POST, id__gte=start, held=False)
        .annotate(engaged=F("likes_count") + F("reposts_count") + F("comments_count"))
        .order_by("-engaged", "-id")[:5]
    )
    origins: dict[str, list[Origin]] = defaultdict(list)
    for origin in Origin.objects.filter(account=account).order_by("kind", "-count"):
        origins[origin.kind].append(origin)
    out.origins = dict(origins)
    return out


def organisation_figures(org: Organisation, days: int = DAYS) -> Figures:
    span = _days(days)
    by = _daily(Daily.Scope.ORGANISATION, org.id, span)
    out = Figures(span)
    out.series["internal"] = Series("internal", span, [by["posts"].get(d, 0) for d in span])
    active = dict(
        ActiveMember.objects.filter(organisation=org, day__gte=span[0])
        .values_list("day")
        .annotate(n=Count("id"))
    )
    out.series["members"] = Series("members", span, [active.get(d, 0) for d in span])
    groups = {g.id: g for g in Group.objects.filter(organisation=org)}
    per_group = (
        Daily.objects.filter(
            scope=Daily.Scope.GROUP, subject__in=list(groups), day__gte=span[0], metric="posts"
        )
        .values("subject")
        .annotate(n=Sum("value"))
        .order_by("-n")[:10]
    )
    out.extra["groups"] = [(groups[row["subject"]], row["n"]) for row in per_group]
    out.extra["distinct_active"] = (
        ActiveMember.objects.filter(organisation=org, day__gte=span[0])
        .values("account_id")
        .distinct()
        .count()
    )
    out.extra["activities"] = activities_of(org)
    out.extra["desks"] = desks_of(org)
    return out


def desks_of(org: Organisation) -> list[tuple[Account, dict[str, Any]]]:
    """The response desk's figures of each of the organisation's official accounts (30 days)."""
    from tidings.ops import selectors as ops

    accounts = Account.objects.filter(organisation=org, is_active=True).exclude(kind=Account.Kind.PERSONAL)
    return [(account, ops.figures(account)["all"]) for account in accounts.order_by("handle_key")]


def activities_of(org: Organisation, limit: int = 20) -> list[tuple[Activity, int]]:
    """The latest activities of the organisation's official accounts and of those inside it,
    each with how many took part (entrants, answers, pledges, commenters)."""
    hosts = Account.objects.filter(organisation=org).exclude(kind=Account.Kind.PERSONAL).values("id")
    found = list(Activity.objects.filter(host_id__in=hosts).select_related("host").order_by("-id")[:limit])
    inside = Activity.objects.filter(post__organisation=org).exclude(id__in=[a.id for a in found])
    found = sorted(found + list(inside.select_related("host").order_by("-id")[:limit]), key=lambda a: -a.id)[
        :limit
    ]
    ids = [a.id for a in found]
    taking: dict[int, int] = defaultdict(int)
    for model, key in (
        (QuizEntry, "quiz_id"),
        (Pledge, "campaign_id"),
        (Response, "survey_id"),
        (Entrant, "activity_id"),
    ):
        for activity_id, n in (
            model.objects.filter(**{f"{key}__in": ids}).values_list(key).annotate(n=Count("id"))
        ):
            taking[activity_id] = max(taking[activity_id], n)
    # A broadcast's audience: the people who commented under it, its host aside.
    broadcasts = {a.post_id: a.id for a in found if a.kind == Activity.Kind.LIVE}
    commenters = (
        Post.objects.filter(root_id__in=list(broadcasts), kind=Post.Kind.COMMENT)
        .exclude(author_id=F("root__author_id"))
        .values_list("root_id")
        .annotate(n=Count("author_id", distinct=True))
    )
    for root_id, n in commenters:
        taking[broadcasts[root_id]] = n
    return [(a, taking[a.id]) for a in found]
