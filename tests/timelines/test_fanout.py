"""Fan-out on write into followers' home timelines, the hybrid for big accounts, rebuilding the
timelines of people who come back, paging, and the constant cost of reading a page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from tidings.accounts.models import Account
from tidings.core.ids import next_id
from tidings.posts import services as posts
from tidings.posts.selectors import Page
from tidings.social import services as social
from tidings.timelines import services, store
from tidings.timelines.selectors import home_timeline

pytestmark = pytest.mark.django_db


def stored(account: Account) -> list[int]:
    # A timeline not kept reads as nothing: None from Redis (no marker), no rows from the table.
    return store.read(account.id, max_id=None, limit=1000) or []


def ids(page: Page) -> list[int]:
    return [v.post.id for v in page.items]


def fresh(account: Account) -> Account:
    return Account.objects.get(id=account.id)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def follow(run_hooks, follower: Account, *followees: Account) -> None:
    with run_hooks():
        for followee in followees:
            social.follow(follower, account_id=followee.id)


def test_fan_out_writes_only_into_the_kept_timelines_of_active_followers(make_account, run_hooks):
    author = make_account("作者")
    active, never_read, away, stranger = (make_account(h) for h in ("常客", "新人", "離開的人", "路人"))
    for reader in (active, away, stranger):
        home_timeline(reader)  # their timelines are kept from now on
    for reader in (active, never_read, away):
        follow(run_hooks, reader, author)
    Account.objects.filter(id=away.id).update(last_active_at=timezone.now() - dt.timedelta(days=60))
    with run_hooks():
        post = posts.publish(author, text="新消息")
    assert stored(active) == [post.id]
    assert stored(never_read) == []
    assert stored(away) == []
    assert stored(stranger) == []
    assert stored(author) == []  # the author's own posts are merged in at read
    assert ids(home_timeline(fresh(author))) == [post.id]
    assert fresh(never_read).timeline_built_at is None


def test_a_returning_followers_timeline_is_rebuilt_from_the_database(make_account, run_hooks):
    author, reader = make_account("作者"), make_account("讀者")
    home_timeline(reader)
    follow(run_hooks, reader, author)
    with run_hooks():
        before = posts.publish(author, text="離開前")
    assert stored(reader) == [before.id]
    Account.objects.filter(id=reader.id).update(last_active_at=timezone.now() - dt.timedelta(days=60))
    with run_hooks():
        missed = posts.publish(author, text="離開時")
    assert stored(reader) == [before.id]  # not written for someone away
    assert services.forget_inactive() == 1
    assert fresh(reader).timeline_built_at is None
    assert stored(reader) == []  # the kept timeline is dropped
    Account.objects.filter(id=reader.id).update(last_active_at=timezone.now())
    back = fresh(reader)
    assert ids(home_timeline(back)) == [missed.id, before.id]
    assert fresh(reader).timeline_built_at is not None
    assert stored(reader) == [missed.id, before.id]
    with run_hooks():
        after = posts.publish(author, text="回來後")
    assert ids(home_timeline(fresh(reader))) == [after.id, missed.id, before.id]


def test_someone_back_before_the_nightly_clean_up_still_sees_what_was_posted_while_away(
    make_account, run_hooks, client_for
):
    author, reader = make_account("作者"), make_account("讀者")
    home_timeline(reader)
    follow(run_hooks, reader, author)
    Account.objects.filter(id=reader.id).update(last_active_at=timezone.now() - dt.timedelta(days=60))
    with run_hooks():
        missed = posts.publish(author, text="離開時發的")
    assert stored(reader) == []
    response = client_for(fresh(reader)).get("/")  # the first request notes the return
    assert response.status_code == 200
    assert f'id="p{missed.id}"' in response.content.decode()


def test_forget_inactive_keeps_the_timelines_of_people_still_around(make_account, run_hooks):
    author, reader = make_account("作者"), make_account("讀者")
    home_timeline(reader)
    follow(run_hooks, reader, author)
    with run_hooks():
        post = posts.publish(author, text="新消息")
    assert services.forget_inactive() == 0
    assert fresh(reader).timeline_built_at is not None
    assert stored(reader) == [post.id]


def test_posts_of_a_big_account_are_not_fanned_out_but_still_reach_followers_homes(
    make_account, run_hooks, settings
):
    settings.FANOUT_FOLLOWER_THRESHOLD = 1
    star, small = make_account("明星"), make_account("小號")
    fan1, fan2 = make_account("粉絲一"), make_account("粉絲二")
    for fan in (fan1, fan2):
        home_timeline(fan)
    follow(run_hooks, fan1, star, small)
    follow(run_hooks, fan2, star)
    assert services.is_big(fresh(star)) and not services.is_big(fresh(small))
    with run_hooks():
        star_post = posts.publish(star, text="大家好")
        small_post = posts.publish(small, text="我也是")
    assert stored(fan1) == [small_post.id]
    assert stored(fan2) == []
    assert ids(home_timeline(fresh(fan1))) == [small_post.id, star_post.id]
    assert ids(home_timeline(fresh(fan2))) == [star_post.id]
    # A rebuilt timeline leaves the big account out of the store and still shows its posts.
    Account.objects.filter(id=fan2.id).update(timeline_built_at=None)
    assert ids(home_timeline(fresh(fan2))) == [star_post.id]
    assert stored(fan2) == []
    # Followers-only posts of a big account reach its followers only.
    with run_hooks():
        private = posts.publish(star, text="粉絲限定", audience="followers")
    assert ids(home_timeline(fresh(fan2)))[0] == private.id
    outsider = make_account("路人")
    assert ids(home_timeline(outsider)) == []


def test_fanning_out_twice_writes_the_same_entries(make_account, run_hooks):
    author, reader = make_account("作者"), make_account("讀者")
    home_timeline(reader)
    follow(run_hooks, reader, author)
    with run_hooks():
        post = posts.publish(author, text="一次")
    assert stored(reader) == [post.id]
    assert services.fan_out(post.id) == 1
    assert services.fan_out(post.id) == 1
    assert stored(reader) == [post.id]
    assert ids(home_timeline(fresh(reader))) == [post.id]


def test_comments_are_not_fanned_out(make_account, run_hooks):
    author, reader = make_account("作者"), make_account("讀者")
    home_timeline(reader)
    follow(run_hooks, reader, author)
    post = posts.publish(author, text="原文")
    with run_hooks():
        remark = posts.comment(author, post_id=post.id, text="自己留言")
    assert services.fan_out(remark.id) == 0
    assert stored(reader) == []


def test_reposts_are_fanned_out_to_the_reposters_followers(make_account, run_hooks):
    author, reposter, reader = make_account("作者"), make_account("轉發者"), make_account("讀者")
    home_timeline(reader)
    follow(run_hooks, reader, reposter)
    post = posts.publish(author, text="原文")
    with run_hooks():
        shared = posts.repost(reposter, post_id=post.id)
    page = home_timeline(fresh(reader))
    assert ids(page) == [shared.id]
    assert page.items[0].original.id == post.id


def test_unfollowing_removes_the_authors_posts_from_the_timeline(make_account, run_hooks):
    author, other, reader = make_account("作者"), make_account("別人"), make_account("讀者")
    home_timeline(reader)
    follow(run_hooks, reader, author, other)
    with run_hooks():
        gone = [posts.publish(author, text=f"作者 {i}") for i in range(3)]
        kept = posts.publish(other, text="別人")
    assert set(stored(reader)) == {*(p.id for p in gone), kept.id}
    with run_hooks():
        social.unfollow(reader, account_id=author.id)
    assert stored(reader) == [kept.id]
    assert ids(home_timeline(fresh(reader))) == [kept.id]


def test_following_brings_the_followed_accounts_recent_posts_in(make_account, run_hooks):
    author, reader = make_account("作者"), make_account("讀者")
    home_timeline(reader)
    older = [posts.publish(author, text=f"舊 {i}") for i in range(3)]
    follow(run_hooks, reader, author)
    assert ids(home_timeline(fresh(reader))) == [p.id for p in reversed(older)]


def test_a_deleted_post_leaves_the_followers_timelines(make_account, run_hooks):
    author, reader = make_account("作者"), make_account("讀者")
    home_timeline(reader)
    follow(run_hooks, reader, author)
    with run_hooks():
        post = posts.publish(author, text="會刪")
    with run_hooks():
        posts.delete(author, post_id=post.id)
    assert stored(reader) == []
    assert ids(home_timeline(fresh(reader))) == []


def test_the_home_timeline_pages_by_max_id_without_overlap_or_gaps(make_account, run_hooks, settings):
    settings.FANOUT_FOLLOWER_THRESHOLD = 1
    reader, other_fan = make_account("讀者"), make_account("另一粉絲")
    small1, small2, star = make_account("小一"), make_account("小二"), make_account("明星")
    home_timeline(reader)
    follow(run_hooks, reader, small1, small2, star)
    follow(run_hooks, other_fan, star)  # two followers: over the threshold, merged at read
    everything = []
    with run_hooks():
        for i in range(9):
            everything.append(posts.publish(small1, text=f"小一 {i}"))
            everything.append(posts.publish(small2, text=f"小二 {i}"))
            everything.append(posts.publish(star, text=f"明星 {i}"))
            if i % 3 == 0:
                everything.append(posts.publish(reader, text=f"自己 {i}"))
    reader = fresh(reader)
    seen: list[int] = []
    max_id = None
    pages = 0
    while True:
        page = home_timeline(reader, max_id=max_id, limit=7)
        pages += 1
        assert page.items
        assert len(page.items) <= 7
        seen.extend(ids(page))
        if page.next_max_id is None:
            break
        assert page.next_max_id == page.items[-1].post.id
        max_id = page.next_max_id
    assert seen == sorted((p.id for p in everything), reverse=True)
    assert len(seen) == len(set(seen)) == 30
    assert pages == 5


def test_timeline_entries_made_in_the_same_millisecond_page_without_gaps(make_account):
    # Ids of one millisecond differ only in their last bits; the store must still cut between them.
    reader = make_account("讀者")
    first = next_id()
    same_ms = [first + i for i in range(1, 9)]
    store.fill(reader.id, [])  # kept from now on, as fan-out only writes into kept timelines
    for post_id in same_ms:
        store.add([reader.id], post_id, 1)
    newest_first = same_ms[::-1]
    assert store.read(reader.id, max_id=None, limit=10) == newest_first
    assert store.read(reader.id, max_id=same_ms[4], limit=10) == newest_first[4:]
    assert store.read(reader.id, max_id=same_ms[4], limit=2) == newest_first[4:6]
    assert store.read(reader.id, max_id=same_ms[0], limit=10) == []


@pytest.fixture
def crowded_home(make_account, run_hooks) -> Account:
    """A reader following 20 authors, whose newest posts mix plain posts, posts with pictures,
    and reposts (with and without words) of pictured originals by someone the reader does not follow."""
    reader, source = make_account("讀者"), make_account("原作者")
    home_timeline(reader)
    authors = [make_account(f"作者{i}") for i in range(20)]
    follow(run_hooks, reader, *authors)
    originals = []
    for i in range(4):
        picture = posts.upload_media(source, data=png(), description=f"原圖 {i}")
        originals.append(posts.publish(source, text=f"原文 {i}", media_ids=[picture.id]))
    with run_hooks():
        for i, author in enumerate(authors):
            if i % 3 == 0:
                posts.repost(author, post_id=originals[i % 4].id, comment="推" if i % 2 else "")
            elif i % 3 == 1:
                posts.publish(author, text=f"有圖 {i}", images_data=[png()])
            else:
                posts.publish(author, text=f"文字 {i} #話題#")
    reader = fresh(reader)
    page = home_timeline(reader, limit=20)  # warm-up: the timeline is built and kept
    assert len({v.post.author_id for v in page.items}) == 20
    return reader


def _read_page(reader: Account, limit: int) -> list[tuple[str, str | None, int, int]]:
    """Everything a page of the timeline shows, touched as the template would touch it."""
    page = home_timeline(reader, limit=limit)
    return [
        (
            v.post.author.handle,
            v.original.author.handle if v.original else None,
            len(v.media) + len(v.original_media),
            int(v.liked) + int(v.favourited) + int(v.reposted),
        )
        for v in page.items
    ]


def test_a_home_timeline_page_costs_the_same_queries_for_5_or_20_posts(
    crowded_home, django_assert_num_queries
):
    reader = crowded_home
    with CaptureQueriesContext(connection) as twenty:
        shown = _read_page(reader, 20)
    with CaptureQueriesContext(connection) as five:
        shown_five = _read_page(reader, 5)
    assert len(shown) == 20 and len(shown_five) == 5
    for page in (shown, shown_five):  # both pages hold reposts with originals and pictures
        assert any(original for _, original, _, _ in page)
        assert any(pictures for _, original, pictures, _ in page if original is None)
    assert len(twenty.captured_queries) == len(five.captured_queries)
    # The store (a table embedded, Redis at scale), the big accounts followed, the merged own and
    # big accounts' posts, the ids the reader may see less hidden authors, the posts with their
    # cards, visible originals, pictures, polls, and the reader's likes, favourites and reposts.
    expected = 8 if django_settings.REDIS_URL else 9
    with django_assert_num_queries(expected):
        _read_page(reader, 20)


def test_a_muted_author_is_not_announced_live_nor_served_as_a_card(make_account, run_hooks, client_for):
    from tidings.core import pubsub

    author, muter, fan = make_account("吵鬧的人"), make_account("靜音者"), make_account("粉絲")
    for reader in (muter, fan):
        home_timeline(reader)
        follow(run_hooks, reader, author)
    social.mute(muter, account_id=author.id)
    before = pubsub.position([muter.id, fan.id])
    with run_hooks():
        post = posts.publish(author, text="大聲說話")
    assert [e.kind for e in pubsub.read(fan.id, before, timeout=0)] == ["post"]
    assert pubsub.read(muter.id, before, timeout=0) == []
    assert client_for(muter).get(f"/p/{post.id}/card/").status_code == 404
    assert client_for(fan).get(f"/p/{post.id}/card/").status_code == 200


def test_an_internal_post_is_announced_live_to_the_space_and_to_no_follower_outside(make_account, run_hooks):
    from tidings.core import pubsub
    from tidings.orgs import services as orgs

    author, colleague, fan = make_account("內部作者"), make_account("同事"), make_account("外部粉絲")
    org = orgs.create_organisation(slug="live-co", name="Live Co", owner=author)
    orgs.add_member(org, colleague)
    follow(run_hooks, fan, author)
    home_timeline(fan)
    before = pubsub.position([colleague.id, fan.id])
    with run_hooks():
        post = posts.publish(author, text="內部快訊", audience="org", organisation_id=org.id)
    heard = pubsub.read(colleague.id, before, timeout=0)
    assert [(e.kind, e.data) for e in heard] == [
        ("space-post", {"id": str(post.id), "space": f"org:{org.id}"})
    ]
    assert pubsub.read(fan.id, before, timeout=0) == []
    assert stored(fan) == []


def test_a_big_accounts_post_is_announced_once_and_heard_by_the_followers_who_did_not_mute_it(
    make_account, run_hooks, settings
):
    from tidings.core import pubsub
    from tidings.timelines.selectors import live_channels

    settings.FANOUT_FOLLOWER_THRESHOLD = 1
    star, fan, muter, stranger = (make_account(h) for h in ("大品牌", "粉絲", "靜音粉絲", "路人"))
    for reader in (fan, muter):
        home_timeline(reader)
        follow(run_hooks, reader, star)
    social.mute(muter, account_id=star.id)
    before = pubsub.position([fan.id, pubsub.author_channel(star.id)])
    with run_hooks():
        post = posts.publish(star, text="新品發布")
    # One event on the author's channel, whatever the number of followers; none of their own.
    heard = pubsub.read(pubsub.author_channel(star.id), before, timeout=0)
    assert [(e.kind, e.data) for e in heard] == [("post", {"id": str(post.id)})]
    assert pubsub.read(fan.id, before, timeout=0) == []
    # Who listens to it: the home streams of its followers, less those who muted it.
    assert live_channels(fan.id) == [fan.id, pubsub.author_channel(star.id)]
    assert live_channels(muter.id) == [muter.id]
    assert live_channels(stranger.id) == [stranger.id]
