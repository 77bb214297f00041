"""Where an official account's followers come from: the organisations they work for and the
topics they write about, found by the worker every hour from its latest followers (at most
SAMPLE of them) and kept in `Origin` rows for the analytics page."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.analytics.models import Origin
from tidings.orgs.models import Membership
from tidings.posts.models import Audience, PostTopic
from tidings.social.models import Follow

SAMPLE = 5000
TOP = 10
TOPIC_DAYS = 30


def refresh(account_id: int) -> None:
    followers = list(
        Follow.objects.filter(followee_id=account_id)
        .order_by("-id")
        .values_list("follower_id", flat=True)[:SAMPLE]
    )
    orgs = (
        Membership.objects.filter(account_id__in=followers, is_active=True)
        .exclude(role=Membership.Role.GUEST)
        .values("organisation__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:TOP]
    )
    since = timezone.now() - dt.timedelta(days=TOPIC_DAYS)
    topics = (
        PostTopic.objects.filter(
            post__author_id__in=followers, post__audience=Audience.PUBLIC, post__created_at__gte=since
        )
        .values("topic__name")
        .annotate(n=Count("post__author_id", distinct=True))
        .order_by("-n")[:TOP]
    )
    rows = [
        Origin(
            account_id=account_id, kind=Origin.Kind.ORGANISATION, label=r["organisation__name"], count=r["n"]
        )
        for r in orgs
    ]
    rows += [
        Origin(account_id=account_id, kind=Origin.Kind.TOPIC, label=r["topic__name"], count=r["n"])
        for r in topics
    ]
    with transaction.atomic():
        Origin.objects.filter(account_id=account_id).delete()
        Origin.objects.bulk_create(rows)


def refresh_all() -> int:
    ids = list(
        Account.objects.filter(is_active=True)
        .exclude(kind=Account.Kind.PERSONAL)
        .values_list("id", flat=True)
    )
    for account_id in ids:
        refresh(account_id)
    return len(ids)
