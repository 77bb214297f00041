"""Who sees what: public and followers-only posts, and the comments under them, for the author,
a follower, someone who does not follow, an anonymous visitor, someone the author blocked, and
anyone once the author is deactivated. Every read path answers alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from tidings.accounts.models import Account
from tidings.core.audience import access_post, can_see
from tidings.core.errors import NotFound
from tidings.posts import selectors
from tidings.posts import services as posts
from tidings.posts.models import Post
from tidings.social import services as social
from tidings.timelines import store
from tidings.timelines.selectors import home_timeline

pytestmark = pytest.mark.django_db


@dataclass
class World:
    author: Account
    follower: Account
    stranger: Account
    blocked: Account
    public: Post
    followers_only: Post
    comment_on_public: Post
    comment_on_followers_only: Post

    def viewer(self, name: str) -> Any:
        if name == "anonymous (None)":
            return None
        if name == "anonymous (AnonymousUser)":
            return AnonymousUser()
        return getattr(self, name)

    def post(self, name: str) -> Post:
        return getattr(self, name)


@pytest.fixture
def world(make_account, run_hooks) -> World:
    author, follower = make_account("作者"), make_account("粉絲")
    stranger, blocked = make_account("路人"), make_account("黑名單")
    for account in (author, follower, stranger, blocked):
        home_timeline(account)  # everyone's timeline is kept, so fan-out writes to it
    with run_hooks():
        social.follow(follower, account_id=author.id)
        social.follow(blocked, account_id=author.id)
    with run_hooks():
        public = posts.publish(author, text="公開 #話題#")
        followers_only = posts.publish(author, text="粉絲限定 #話題#", audience="followers")
        comment_on_public = posts.comment(follower, post_id=public.id, text="公開的留言")
        comment_on_followers_only = posts.comment(follower, post_id=followers_only.id, text="限定的留言")
    social.block(author, account_id=blocked.id)  # no hooks: the blocked one's timeline keeps entries
    assert set(store.read(blocked.id, max_id=None, limit=10)) == {public.id, followers_only.id}
    return World(
        author,
        follower,
        stranger,
        blocked,
        public,
        followers_only,
        comment_on_public,
        comment_on_followers_only,
    )


ALL = {"public", "followers_only", "comment_on_public", "comment_on_followers_only"}
PUBLIC_ONLY = {"public", "comment_on_public"}
SEES = {
    "author": ALL,
    "follower": ALL,
    "stranger": PUBLIC_ONLY,
    "anonymous (None)": PUBLIC_ONLY,
    "anonymous (AnonymousUser)": PUBLIC_ONLY,
    "blocked": set(),
}
VIEWERS = list(SEES)
CASES = [(viewer, post) for viewer in VIEWERS for post in sorted(ALL)]


@pytest.mark.parametrize(("viewer", "post"), CASES)
def test_access_post_and_post_view_follow_the_audience(world: World, viewer: str, post: str) -> None:
    who, target = world.viewer(viewer), world.post(post)
    if post in SEES[viewer]:
        assert access_post(who, target.id).id == target.id
        assert access_post(who, str(target.id)).id == target.id
        assert selectors.post_view(who, target.id).post.id == target.id
        assert can_see(who, target.id)
    else:
        with pytest.raises(NotFound) as hidden:
            access_post(who, target.id)
        with pytest.raises(NotFound):
            selectors.post_view(who, target.id)
        assert not can_see(who, target.id)
        with pytest.raises(NotFound) as missing:
            access_post(who, target.id + 1)
        assert str(hidden.value) == str(missing.value)  # forbidden and missing look alike


def ids(page: selectors.Page) -> set[int]:
    return {v.post.id for v in page.items}


def expected(world: World, names: set[str]) -> set[int]:
    return {world.post(n).id for n in names}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_profile_and_the_topic_show_only_posts_the_viewer_may_see(world: World, viewer: str) -> None:
    who = world.viewer(viewer)
    wanted = expected(world, SEES[viewer] & {"public", "followers_only"})
    assert ids(selectors.profile_posts(who, world.author.id)) == wanted
    assert ids(selectors.topic_posts(who, selectors.topic_by_name("话题"))) == wanted


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_public_square_shows_public_posts_only(world: World, viewer: str) -> None:
    who = world.viewer(viewer)
    assert ids(selectors.public_posts(who)) == expected(world, SEES[viewer] & {"public"})


@pytest.mark.parametrize("viewer", VIEWERS)
def test_comments_are_shown_to_those_who_may_see_the_post_they_are_under(world: World, viewer: str) -> None:
    who = world.viewer(viewer)
    on_public = ids(selectors.comments(who, world.public))
    on_followers_only = ids(selectors.comments(who, world.followers_only))
    assert on_public | on_followers_only == expected(
        world, SEES[viewer] & {"comment_on_public", "comment_on_followers_only"}
    )


@pytest.mark.parametrize("viewer", ["author", "follower", "stranger", "blocked"])
def test_the_home_timeline_shows_only_posts_the_viewer_may_see(world: World, viewer: str) -> None:
    who = world.viewer(viewer)
    in_home = {"author": {"public", "followers_only"}, "follower": {"public", "followers_only"}}
    assert ids(home_timeline(who)) == expected(world, in_home.get(viewer, set()))


def test_a_follower_who_unfollowed_no_longer_sees_followers_only_posts_even_if_still_stored(
    world: World,
) -> None:
    social.unfollow(world.follower, account_id=world.author.id)  # no hooks: the entries stay
    assert world.followers_only.id in store.read(world.follower.id, max_id=None, limit=10)
    assert world.followers_only.id not in ids(home_timeline(world.follower))
    with pytest.raises(NotFound):
        access_post(world.follower, world.followers_only.id)
    # Nor the comments under it, their own included.
    assert ids(selectors.comments(world.follower, world.followers_only)) == set()
    assert ids(selectors.profile_posts(world.follower, world.author.id)) == {world.public.id}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_nothing_of_a_deactivated_author_is_shown_to_anyone(world: World, viewer: str) -> None:
    Account.objects.filter(id=world.author.id).update(is_active=False)
    who = world.viewer(viewer)
    if isinstance(who, Account):
        who.refresh_from_db()
    for name in ALL:
        with pytest.raises(NotFound):
            access_post(who, world.post(name).id)
    assert ids(selectors.profile_posts(who, world.author.id)) == set()
    assert ids(selectors.public_posts(who)) == set()
    assert ids(selectors.topic_posts(who, selectors.topic_by_name("話題"))) == set()
    assert ids(selectors.comments(who, world.public)) == set()
    if isinstance(who, Account) and who.is_active:
        assert ids(home_timeline(who)) == set()


def test_a_comment_by_a_deactivated_commenter_is_hidden_but_the_post_stays(world: World) -> None:
    Account.objects.filter(id=world.follower.id).update(is_active=False)
    assert ids(selectors.comments(world.stranger, world.public)) == set()
    assert access_post(world.stranger, world.public.id).id == world.public.id


def test_a_public_repost_does_not_show_its_original_to_someone_the_original_author_blocked(
    make_account, world: World
) -> None:
    fan = make_account("轉發者")
    quoted = posts.repost(fan, post_id=world.public.id, comment="轉")
    assert selectors.post_view(world.blocked, quoted.id).original is None
    assert selectors.post_view(world.blocked, quoted.id).post.text == "轉"
    assert selectors.post_view(world.stranger, quoted.id).original.id == world.public.id
    assert selectors.post_view(None, quoted.id).original.id == world.public.id
