"""Following, blocking and muting, and what each does to counts, timelines and notifications."""

from __future__ import annotations

import pytest

from tidings.accounts.models import Account
from tidings.core.errors import Invalid, NotFound
from tidings.notifications.models import Notification
from tidings.posts import selectors
from tidings.posts import services as posts
from tidings.social import selectors as relations
from tidings.social import services as social
from tidings.social.models import Block, Follow, Mute
from tidings.timelines.selectors import home_timeline

pytestmark = pytest.mark.django_db


def counts(account: Account) -> tuple[int, int]:
    """(followers, following) as stored."""
    fresh = Account.objects.get(id=account.id)
    return fresh.followers_count, fresh.following_count


def ids(page: selectors.Page) -> list[int]:
    return [v.post.id for v in page.items]


def test_following_raises_both_counts_once(make_account) -> None:
    fan, star = make_account("fan"), make_account("star")
    social.follow(fan, account_id=star.id)
    social.follow(fan, account_id=star.id)  # following twice is one follow
    assert Follow.objects.filter(follower=fan, followee=star).count() == 1
    assert counts(star) == (1, 0)
    assert counts(fan) == (0, 1)
    assert relations.relationship(fan, star.id).following
    assert relations.relationship(star, fan.id).followed_by


def test_unfollowing_lowers_both_counts_once(make_account) -> None:
    fan, star = make_account("fan"), make_account("star")
    social.follow(fan, account_id=star.id)
    social.unfollow(fan, account_id=star.id)
    social.unfollow(fan, account_id=star.id)
    assert not Follow.objects.exists()
    assert counts(star) == (0, 0)
    assert counts(fan) == (0, 0)


def test_one_cannot_follow_oneself(make_account) -> None:
    me = make_account("自己")
    with pytest.raises(Invalid):
        social.follow(me, account_id=me.id)
    assert not Follow.objects.exists()
    assert counts(me) == (0, 0)


def test_following_a_missing_or_deactivated_account_is_not_found(make_account) -> None:
    fan, gone = make_account("fan"), make_account("gone")
    Account.objects.filter(id=gone.id).update(is_active=False)
    for target in (gone.id, 12345):
        with pytest.raises(NotFound):
            social.follow(fan, account_id=target)
    assert not Follow.objects.exists()
    assert counts(fan) == (0, 0)


def test_someone_blocked_cannot_follow_and_is_told_not_found(make_account) -> None:
    star, pest = make_account("star"), make_account("pest")
    social.block(star, account_id=pest.id)
    with pytest.raises(NotFound):
        social.follow(pest, account_id=star.id)
    assert not Follow.objects.exists()
    assert counts(star) == (0, 0)
    assert counts(pest) == (0, 0)


def test_one_cannot_follow_an_account_one_blocked_before_unblocking_it(make_account) -> None:
    me, other = make_account("自己"), make_account("other")
    social.block(me, account_id=other.id)
    with pytest.raises(Invalid):
        social.follow(me, account_id=other.id)
    assert not Follow.objects.exists()
    social.unblock(me, account_id=other.id)
    social.follow(me, account_id=other.id)
    assert counts(other) == (1, 0)


def test_blocking_ends_following_in_both_directions_and_fixes_the_counts(make_account) -> None:
    a, b = make_account("aaa"), make_account("bbb")
    social.follow(a, account_id=b.id)
    social.follow(b, account_id=a.id)
    social.block(a, account_id=b.id)
    assert not Follow.objects.exists()
    assert counts(a) == (0, 0)
    assert counts(b) == (0, 0)
    assert Block.objects.filter(blocker=a, blocked=b).exists()
    assert relations.relationship(a, b.id).blocking


def test_one_cannot_block_or_mute_oneself(make_account) -> None:
    me = make_account("自己")
    with pytest.raises(Invalid):
        social.block(me, account_id=me.id)
    with pytest.raises(Invalid):
        social.mute(me, account_id=me.id)
    assert not Block.objects.exists()
    assert not Mute.objects.exists()


def test_blocked_follower_no_longer_gets_the_blockers_posts_at_home(make_account, run_hooks) -> None:
    star, pest = make_account("star"), make_account("pest")
    home_timeline(pest)
    with run_hooks():
        social.follow(pest, account_id=star.id)
    with run_hooks():
        post = posts.publish(star, text="大家好")
    pest.refresh_from_db()
    assert ids(home_timeline(pest)) == [post.id]
    with run_hooks():
        social.block(star, account_id=pest.id)
    with run_hooks():
        posts.publish(star, text="第二篇")
    assert ids(home_timeline(pest)) == []


def test_muting_hides_the_muted_authors_posts_from_home_and_the_public_square(
    make_account, run_hooks
) -> None:
    me, loud, calm = make_account("自己"), make_account("loud"), make_account("calm")
    home_timeline(me)
    with run_hooks():
        social.follow(me, account_id=loud.id)
        social.follow(me, account_id=calm.id)
    with run_hooks():
        loud_post = posts.publish(loud, text="吵")
        calm_post = posts.publish(calm, text="靜")
    me.refresh_from_db()
    assert ids(home_timeline(me)) == [calm_post.id, loud_post.id]
    social.mute(me, account_id=loud.id)
    social.mute(me, account_id=loud.id)
    assert Mute.objects.count() == 1
    assert ids(home_timeline(me)) == [calm_post.id]
    assert ids(selectors.public_posts(me)) == [calm_post.id]
    # Muting is quiet: the muted one still follows along, and others still see the posts.
    assert Follow.objects.filter(follower=me, followee=loud).exists()
    assert ids(selectors.public_posts(calm)) == [calm_post.id, loud_post.id]
    assert ids(selectors.public_posts(None)) == [calm_post.id, loud_post.id]
    social.unmute(me, account_id=loud.id)
    assert ids(home_timeline(me)) == [calm_post.id, loud_post.id]


def test_no_notifications_come_from_a_muted_actor(make_account, run_hooks) -> None:
    me, loud = make_account("自己"), make_account("loud")
    post = posts.publish(me, text="我的貼文")
    social.mute(me, account_id=loud.id)
    with run_hooks():
        social.follow(loud, account_id=me.id)
        posts.like(loud, post_id=post.id)
        posts.comment(loud, post_id=post.id, text="留言 @自己")
        posts.repost(loud, post_id=post.id)
        posts.publish(loud, text="嗨 @自己")
    assert not Notification.objects.filter(recipient=me).exists()


def test_no_notifications_come_from_a_blocked_actor(make_account, run_hooks) -> None:
    me, pest = make_account("自己"), make_account("pest")
    social.block(me, account_id=pest.id)
    with run_hooks():
        posts.publish(pest, text="嗨 @自己")
    with pytest.raises(NotFound):
        social.follow(pest, account_id=me.id)
    assert not Notification.objects.filter(recipient=me).exists()


def test_notifications_still_come_from_others_while_one_is_muted(make_account, run_hooks) -> None:
    me, loud, friend = make_account("自己"), make_account("loud"), make_account("friend")
    post = posts.publish(me, text="我的貼文")
    social.mute(me, account_id=loud.id)
    with run_hooks():
        posts.like(loud, post_id=post.id)
        posts.like(friend, post_id=post.id)
    assert list(Notification.objects.filter(recipient=me).values_list("actor_id", "kind")) == [
        (friend.id, "like")
    ]


def test_following_faster_than_the_hourly_budget_is_refused(make_account, settings):
    from tidings.core.errors import RateLimited
    from tidings.social.models import Follow

    settings.FOLLOWS_PER_HOUR = 2
    fan = make_account("追星族")
    stars = [make_account(f"明星{n}") for n in range(3)]
    social.follow(fan, account_id=stars[0].id)
    social.follow(fan, account_id=stars[1].id)
    social.follow(fan, account_id=stars[1].id)  # already following: not counted again
    with pytest.raises(RateLimited):
        social.follow(fan, account_id=stars[2].id)
    assert Follow.objects.filter(follower=fan).count() == 2
