"""Counting from events, in the worker. Each handler counts an event once (a `Counted` key), adds
to the day's figures of the official account, organisation or group it concerns, and never reads
more than the rows of that event. Follower counts over time are worked back from today's count
and each day's gains and losses, so no daily snapshot is needed. Personal accounts are not
counted: analytics are for official accounts and organisations."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.analytics.models import ActiveMember, Counted, Daily
from tidings.posts.models import Audience, Post

Scope = Daily.Scope
OUTSIDE = (Audience.PUBLIC, Audience.FOLLOWERS)
KEEP_DAYS = 60


def today() -> dt.date:
    return timezone.localdate()


def add(scope: str, subject: int, day: dt.date, metric: str, n: int = 1) -> None:
    match = Daily.objects.filter(scope=scope, subject=subject, day=day, metric=metric)
    if match.update(value=F("value") + n):
        return
    try:
        with transaction.atomic():
            Daily.objects.create(scope=scope, subject=subject, day=day, metric=metric, value=n)
    except IntegrityError:  # another worker made the row meanwhile
        match.update(value=F("value") + n)


def set_value(scope: str, subject: int, day: dt.date, metric: str, value: int) -> None:
    Daily.objects.update_or_create(
        scope=scope, subject=subject, day=day, metric=metric, defaults={"value": value}
    )


def once(key: str, day: dt.date) -> bool:
    """True the first time a key is seen."""
    try:
        with transaction.atomic():
            Counted.objects.create(key=key[:100], day=day)
        return True
    except IntegrityError:
        return False


def _official(account_id: int | None) -> bool:
    return bool(
        account_id
        and Account.objects.filter(id=account_id, is_active=True).exclude(kind=Account.Kind.PERSONAL).exists()
    )


def on_post_published(post_id: int) -> None:
    post = (
        Post.objects.filter(id=post_id)
        .select_related("author", "root", "repost_of")
        .only(
            "id",
            "kind",
            "audience",
            "author_id",
            "organisation_id",
            "group_id",
            "created_at",
            "author__followers_count",
            "author__kind",
            "root__author_id",
            "repost_of__author_id",
        )
        .first()
    )
    if post is None or post.audience == Audience.DIRECT:
        return
    local = timezone.localtime(post.created_at)
    day, hour = local.date(), local.hour
    with transaction.atomic():
        if not once(f"post:{post.id}", day):
            return
        if post.audience in (Audience.ORGANISATION, Audience.GROUP) and post.organisation_id:
            add(Scope.ORGANISATION, post.organisation_id, day, "posts")
            try:
                with transaction.atomic():
                    ActiveMember.objects.create(
                        organisation_id=post.organisation_id, account_id=post.author_id, day=day
                    )
            except IntegrityError:
                pass
            if post.group_id:
                add(Scope.GROUP, post.group_id, day, "posts")
        if post.kind == Post.Kind.POST and post.author.kind != Account.Kind.PERSONAL:
            add(Scope.ACCOUNT, post.author_id, day, "posts")
            if post.audience in OUTSIDE:
                add(Scope.ACCOUNT, post.author_id, day, "reach", post.author.followers_count)
            return
        target = post.repost_of if post.kind == Post.Kind.REPOST else post.root
        if target is None or target.author_id == post.author_id or not _official(target.author_id):
            return
        metric = "reposts" if post.kind == Post.Kind.REPOST else "comments"
        add(Scope.ACCOUNT, target.author_id, day, metric)
        add(Scope.ACCOUNT, target.author_id, day, f"engaged_h{hour:02d}")
        if post.kind == Post.Kind.REPOST and post.audience in OUTSIDE:
            # Passed on: the reposter's followers may now see it too.
            add(Scope.ACCOUNT, target.author_id, day, "reach", post.author.followers_count)


def on_liked(post_id: int, account_id: int) -> None:
    author_id = Post.objects.filter(id=post_id).values_list("author_id", flat=True).first()
    if author_id is None or author_id == account_id or not _official(author_id):
        return
    local = timezone.localtime()
    with transaction.atomic():
        if once(f"like:{post_id}:{account_id}", local.date()):
            add(Scope.ACCOUNT, author_id, local.date(), "likes")
            add(Scope.ACCOUNT, author_id, local.date(), f"engaged_h{local.hour:02d}")


def on_follow(follower_id: int, followee_id: int, *, followed: bool) -> None:
    if not _official(followee_id):
        return
    day = today()
    verb = "gained" if followed else "lost"
    with transaction.atomic():
        # One gain (or loss) per person and day: following back and forth counts once.
        if once(f"{verb}:{followee_id}:{follower_id}:{day}", day):
            add(Scope.ACCOUNT, followee_id, day, verb)


def purge_old() -> int:
    deleted, _kinds = Counted.objects.filter(day__lt=today() - dt.timedelta(days=KEEP_DAYS)).delete()
    return deleted
