"""Writes to home timelines: fan-out on write, with the hybrid for big accounts, and rebuilds."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.core import pubsub
from tidings.posts.models import OUTSIDE, Audience, Post
from tidings.social.models import Follow, Mute
from tidings.timelines import store


def is_big(account: Account) -> bool:
    """Above the threshold an account is not fanned out; readers merge its posts in."""
    return account.followers_count > settings.FANOUT_FOLLOWER_THRESHOLD


def _active_cutoff() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.TIMELINE_ACTIVE_DAYS)


def fan_out(post_id: int) -> int:
    """Put a new post or repost into its author's followers' timelines and tell their open pages.
    Only followers whose timeline is kept get an entry; others are rebuilt when they come back.
    A big account's post gets no entries (readers merge it in) and one live event. Idempotent: a
    second run writes the same entries. Returns how many timelines got the post."""
    post = Post.objects.filter(id=post_id).select_related("author").first()
    if post is None or post.kind == Post.Kind.COMMENT:
        return 0  # comments sit under their post
    if post.organisation_id is not None:
        announce_in_space(post)  # internal posts live in their space's timeline, not in homes
        return 0
    author = post.author
    event = {"id": str(post.id)}
    if post.audience == Audience.PUBLIC and not post.held:
        pubsub.publish(pubsub.PUBLIC, "post", event)
    if is_big(author):
        # Read at home time, and announced once on the author's channel, which the open streams
        # of its followers listen to (less those who muted it): no work per follower.
        pubsub.publish_many([author.id, pubsub.author_channel(author.id)], "post", event)
        return 0
    kept = list(
        Follow.objects.filter(
            followee_id=author.id,
            follower__timeline_built_at__isnull=False,
            follower__last_active_at__gte=_active_cutoff(),
        ).values_list("follower_id", flat=True)
    )
    # Open pages hear of it first: the author's, and the recently active followers' who did not
    # mute the author (someone away for weeks has no open page to tell). A page shows the post
    # from its id, not from the timeline, which then takes longer to write (an entry in each).
    muters = set(Mute.objects.filter(muted_id=author.id).values_list("muter_id", flat=True))
    pubsub.publish_many([author.id, *(f for f in kept if f not in muters)], "post", event)
    chunk = settings.FANOUT_CHUNK
    for start in range(0, len(kept), chunk):
        store.add(kept[start : start + chunk], post.id, author.id)
    return len(kept)


def announce_in_space(post: Post) -> None:
    """Tell the open pages of the space's people (seen in the last day) of a new internal post;
    everyone else, followers included, hears nothing of it. The recipients are chosen by the same
    rule as core.audience: active employees of the organisation, or active members of the group
    whose membership of its organisation is active."""
    from tidings.groups.models import GroupMember
    from tidings.orgs.models import Membership

    recent = timezone.now() - dt.timedelta(days=1)
    active_in_org = Membership.objects.filter(organisation=post.organisation, is_active=True)
    people = Account.objects.filter(is_active=True, last_active_at__gte=recent)
    if post.group_id is not None:
        members = GroupMember.objects.filter(group_id=post.group_id, state=GroupMember.State.ACTIVE)
        people = people.filter(id__in=members.values("account_id")).filter(
            id__in=active_in_org.values("account_id")
        )
        space = f"group:{post.group_id}"
    else:
        insiders = active_in_org.exclude(role=Membership.Role.GUEST)
        people = people.filter(id__in=insiders.values("account_id"))
        space = f"org:{post.organisation_id}"
    muters = Mute.objects.filter(muted_id=post.author_id).values("muter_id")
    recipients = list(people.exclude(id__in=muters).values_list("id", flat=True))
    pubsub.publish_many(recipients, "space-post", {"id": str(post.id), "space": space})


def rebuild(account: Account) -> None:
    """Fill a person's timeline from the posts of those they follow (big accounts excepted).
    The timeline is marked kept first, so a post fanned out meanwhile is added, not lost."""
    Account.objects.filter(id=account.id).update(timeline_built_at=timezone.now())
    followee_ids = list(
        Follow.objects.filter(
            follower_id=account.id, followee__followers_count__lte=settings.FANOUT_FOLLOWER_THRESHOLD
        ).values_list("followee_id", flat=True)
    )
    entries = list(
        Post.objects.filter(
            author_id__in=followee_ids,
            kind__in=(Post.Kind.POST, Post.Kind.REPOST),
            audience__in=OUTSIDE,
        )
        .order_by("-id")
        .values_list("id", "author_id")[: settings.TIMELINE_CAP]
    )
    store.fill(account.id, entries)
    account.timeline_built_at = timezone.now()
    Account.objects.filter(id=account.id).update(timeline_built_at=account.timeline_built_at)


def ensure_built(account: Account) -> None:
    if account.timeline_built_at is None:
        rebuild(account)


def on_follow(follower_id: int, followee_id: int) -> None:
    """Bring the newly followed account's recent posts into the follower's timeline."""
    follower = Account.objects.filter(id=follower_id).first()
    followee = Account.objects.filter(id=followee_id).first()
    if follower is None or followee is None or follower.timeline_built_at is None or is_big(followee):
        return
    recent = Post.objects.filter(
        author_id=followee_id, kind__in=(Post.Kind.POST, Post.Kind.REPOST), audience__in=OUTSIDE
    ).order_by("-id")
    for post_id in recent.values_list("id", flat=True)[:50]:
        store.add([follower_id], post_id, followee_id)


def on_unfollow(follower_id: int, followee_id: int) -> None:
    recent = (
        Post.objects.filter(
            author_id=followee_id, kind__in=(Post.Kind.POST, Post.Kind.REPOST), audience__in=OUTSIDE
        )
        .order_by("-id")
        .values_list("id", flat=True)
    )
    store.remove_author(follower_id, followee_id, list(recent[: settings.TIMELINE_CAP]))


def on_delete(post_id: int, author_id: int) -> None:
    followers = Follow.objects.filter(followee_id=author_id).values_list("follower_id", flat=True)
    store.remove_post(post_id, author_id, list(followers))


def note_activity(account: Account) -> None:
    """Record that the person is here (at most once an hour). Someone back after weeks away has
    missed the fan-out meanwhile: their kept timeline is dropped and rebuilt on the next read."""
    now = timezone.now()
    if now - account.last_active_at <= dt.timedelta(hours=1):
        return
    changes: dict[str, object] = {"last_active_at": now}
    if account.timeline_built_at is not None and account.last_active_at < _active_cutoff():
        store.drop(account.id)
        changes["timeline_built_at"] = None
    Account.objects.filter(id=account.id).update(**changes)
    for field, value in changes.items():
        setattr(account, field, value)


def forget_inactive() -> int:
    """Stop keeping timelines of people away for weeks; they are rebuilt when they return."""
    stale = list(
        Account.objects.filter(
            timeline_built_at__isnull=False, last_active_at__lt=_active_cutoff()
        ).values_list("id", flat=True)
    )
    for account_id in stale:
        store.drop(account_id)
    Account.objects.filter(id__in=stale).update(timeline_built_at=None)
    return len(stale)
