"""Follow, unfollow, block, mute."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core import events, ratelimit
from tidings.core.errors import Invalid, NotFound
from tidings.social.models import Block, Follow, Mute


def _target(account_id: int) -> Account:
    target = Account.objects.filter(id=account_id, is_active=True).first()
    if target is None:
        raise NotFound()
    return target


def follow(follower: Account, *, account_id: int) -> Follow:
    target = _target(account_id)
    if target.id == follower.id:
        raise Invalid(_("You cannot follow yourself."))
    if Block.objects.filter(blocker_id=target.id, blocked_id=follower.id).exists():
        raise NotFound()
    if Block.objects.filter(blocker_id=follower.id, blocked_id=target.id).exists():
        raise Invalid(_("You have blocked this account. Unblock it first."))
    if not Follow.objects.filter(follower=follower, followee=target).exists():
        ratelimit.hit(f"follow:{follower.id}", limit=settings.FOLLOWS_PER_HOUR, window_seconds=3600)
    with transaction.atomic():
        relation, created = Follow.objects.get_or_create(follower=follower, followee=target)
        if created:
            Account.objects.filter(id=follower.id).update(following_count=F("following_count") + 1)
            Account.objects.filter(id=target.id).update(followers_count=F("followers_count") + 1)
            events.emit("account.followed", follower_id=follower.id, followee_id=target.id)
    return relation


def _drop_follow(follower_id: int, followee_id: int) -> bool:
    deleted, _ = Follow.objects.filter(follower_id=follower_id, followee_id=followee_id).delete()
    if deleted:
        Account.objects.filter(id=follower_id).update(following_count=F("following_count") - 1)
        Account.objects.filter(id=followee_id).update(followers_count=F("followers_count") - 1)
        events.emit("account.unfollowed", follower_id=follower_id, followee_id=followee_id)
    return bool(deleted)


def unfollow(follower: Account, *, account_id: int) -> None:
    with transaction.atomic():
        _drop_follow(follower.id, account_id)


def block(blocker: Account, *, account_id: int) -> None:
    """Blocking also ends following in both directions."""
    target = _target(account_id)
    if target.id == blocker.id:
        raise Invalid(_("You cannot block yourself."))
    with transaction.atomic():
        Block.objects.get_or_create(blocker=blocker, blocked=target)
        _drop_follow(blocker.id, target.id)
        _drop_follow(target.id, blocker.id)


def unblock(blocker: Account, *, account_id: int) -> None:
    Block.objects.filter(blocker=blocker, blocked_id=account_id).delete()


def mute(muter: Account, *, account_id: int) -> None:
    target = _target(account_id)
    if target.id == muter.id:
        raise Invalid(_("You cannot mute yourself."))
    Mute.objects.get_or_create(muter=muter, muted=target)


def unmute(muter: Account, *, account_id: int) -> None:
    Mute.objects.filter(muter=muter, muted_id=account_id).delete()
