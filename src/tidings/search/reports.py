"""Reading a monitor: its column of caught posts and its figures, all among the posts the
viewer may see, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.core.audience import visible_posts
from tidings.posts.models import Post, PostTopic, Topic
from tidings.posts.selectors import CARD_RELATED, PostView, hydrate
from tidings.search.models import Monitor, MonitorHit

WARNING_DAYS = 7
VOLUME_DAYS = 14


@dataclass
class Column:
    items: list[tuple[MonitorHit, PostView]]
    next_max_id: int | None


def _hits(viewer: Any, monitor: Monitor) -> Any:
    # Checked hit by hit (EXISTS), not against the set of every post the viewer may see.
    visible = Post.objects.filter(visible_posts(viewer), id=OuterRef("post_id"))
    return MonitorHit.objects.filter(Exists(visible), monitor=monitor)


def _with_posts(viewer: Any, hits: list[MonitorHit]) -> list[tuple[MonitorHit, PostView]]:
    posts = list(Post.objects.filter(id__in=[h.post_id for h in hits]).select_related(*CARD_RELATED))
    views = {v.post.id: v for v in hydrate(viewer, posts)}
    return [(h, views[h.post_id]) for h in hits if h.post_id in views]


def column(viewer: Any, monitor: Monitor, *, max_id: int | None = None, limit: int = 20) -> Column:
    """Caught posts, newest first."""
    rows = _hits(viewer, monitor)
    if max_id:
        rows = rows.filter(id__lt=max_id)
    hits = list(rows.order_by("-id")[: limit + 1])
    more = len(hits) > limit
    hits = hits[:limit]
    return Column(_with_posts(viewer, hits), hits[-1].id if more and hits else None)


def warnings(viewer: Any, monitor: Monitor, *, limit: int = 5) -> list[tuple[MonitorHit, PostView]]:
    """The early warning: negative posts by authors with many followers, from the last days,
    the most followed first."""
    since = timezone.now() - dt.timedelta(days=WARNING_DAYS)
    hits = list(
        _hits(viewer, monitor)
        .filter(flagged=True, created_at__gte=since)
        .order_by("-author__followers_count", "-id")[:limit]
    )
    return _with_posts(viewer, hits)


@dataclass
class Figures:
    total: int
    sentiment: dict[int, int]  # -1, 0, 1 -> count
    authors: list[tuple[Account, int]]
    topics: list[tuple[Topic, int]]
    volume: list[tuple[dt.date, int]]  # per day, oldest first, days without posts included

    def share(self, tone: int) -> int:
        """Percent of the caught posts with this tone."""
        return round(100 * self.sentiment.get(tone, 0) / self.total) if self.total else 0

    @property
    def positive(self) -> int:
        return self.share(1)

    @property
    def neutral(self) -> int:
        return self.share(0)

    @property
    def negative(self) -> int:
        return self.share(-1)


def figures(viewer: Any, monitor: Monitor, *, today: dt.date | None = None) -> Figures:
    hits = _hits(viewer, monitor)
    tones = {row["sentiment"]: row["n"] for row in hits.values("sentiment").annotate(n=Count("id"))}
    by_author = list(hits.values("author_id").annotate(n=Count("id")).order_by("-n", "author_id")[:5])
    people = Account.objects.in_bulk([r["author_id"] for r in by_author])
    by_topic = list(
        PostTopic.objects.filter(post_id__in=hits.values("post_id"))
        .values("topic_id")
        .annotate(n=Count("id"))
        .order_by("-n", "topic_id")[:5]
    )
    topics = Topic.objects.in_bulk([r["topic_id"] for r in by_topic])
    volume_by_day = volume(viewer, monitor, today=today)
    return Figures(
        total=sum(tones.values()),
        sentiment=tones,
        authors=[(people[r["author_id"]], r["n"]) for r in by_author if r["author_id"] in people],
        topics=[(topics[r["topic_id"]], r["n"]) for r in by_topic if r["topic_id"] in topics],
        volume=volume_by_day,
    )


def volume(viewer: Any, monitor: Monitor, *, today: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """Caught posts per day over the last days, oldest first, days without any included."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=VOLUME_DAYS - 1)
    start = dt.datetime.combine(first, dt.time(), timezone.get_current_timezone())
    per_day = {
        row["day"]: row["n"]
        for row in _hits(viewer, monitor)
        .filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
    }
    return [(day, per_day.get(day, 0)) for day in (first + dt.timedelta(days=i) for i in range(VOLUME_DAYS))]


def volume_svg(volume: list[tuple[dt.date, int]], title: str) -> bytes:
    from tidings.core.charts import bar_svg

    return bar_svg([d.strftime("%m-%d") for d, _ in volume], [n for _, n in volume], title=title, every=3)
