"""Notifications (mention, comment, repost, like, follow) and direct messages: each made once, never
for one's own doing or for a post the recipient may not see, and each announced as a live event."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from tidings.accounts.models import Account
from tidings.core import pubsub
from tidings.core.errors import Invalid, NotFound
from tidings.notifications import selectors as inbox
from tidings.notifications import services
from tidings.notifications.models import Conversation, Notification
from tidings.posts import services as posts
from tidings.posts.models import Post
from tidings.posts.services import DIRECT_MAX_LENGTH
from tidings.social import services as social

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def received(account: Account) -> list[tuple[str, int, int | None]]:
    """(kind, actor, post) of each notification the account has, oldest first."""
    return list(
        Notification.objects.filter(recipient=account)
        .order_by("id")
        .values_list("kind", "actor_id", "post_id")
    )


def live(account: Account, after: str, kind: str = "notification") -> list[pubsub.Event]:
    return [e for e in pubsub.read(account.id, after, timeout=0) if e.kind == kind]


# --- mentions --------------------------------------------------------------------------------------


def test_a_mention_notifies_the_mentioned_once_even_if_the_handler_runs_again(make_account, run_hooks):
    author, ming = make_account("dell"), make_account("小明")
    before = pubsub.position([ming.id])
    with run_hooks():
        post = posts.publish(author, text="你好 @小明 和 @小明")
    services.on_post_published(post.id)
    services.on_post_published(post.id)
    assert received(ming) == [("mention", author.id, post.id)]
    notification = Notification.objects.get(recipient=ming)
    events = live(ming, before)
    assert [(e.kind, e.data) for e in events] == [
        ("notification", {"id": str(notification.id), "kind": "mention"})
    ]
    assert inbox.unread_count(ming) == 1
    assert [n.id for n in inbox.notifications(ming).items] == [notification.id]


def test_an_edit_that_adds_a_mention_notifies_the_newly_mentioned_only(make_account, run_hooks):
    author, ming, hua = make_account("dell"), make_account("小明"), make_account("小華")
    with run_hooks():
        post = posts.publish(author, text="你好 @小明")
    with run_hooks():
        posts.edit(author, post_id=post.id, text="你好 @小明 @小華")
    assert received(ming) == [("mention", author.id, post.id)]
    assert received(hua) == [("mention", author.id, post.id)]


def test_a_mention_in_a_followers_only_post_does_not_notify_someone_who_may_not_see_it(
    make_account, run_hooks
):
    author, fan, stranger = make_account("dell"), make_account("fan"), make_account("stranger")
    social.follow(fan, account_id=author.id)
    before = pubsub.position([stranger.id])
    with run_hooks():
        post = posts.publish(author, text="@fan @stranger 只給粉絲", audience="followers")
    assert received(fan) == [("mention", author.id, post.id)]
    assert received(stranger) == []
    assert live(stranger, before) == []


def test_mentioning_someone_who_was_blocked_by_the_author_does_not_notify_them(make_account, run_hooks):
    author, pest = make_account("dell"), make_account("pest")
    social.block(author, account_id=pest.id)
    with run_hooks():
        posts.publish(author, text="@pest 看不到")
    assert received(pest) == []


def test_mentioning_oneself_notifies_nobody(make_account, run_hooks):
    author = make_account("dell")
    with run_hooks():
        posts.publish(author, text="我是 @dell")
    assert not Notification.objects.exists()


# --- comments --------------------------------------------------------------------------------------


def test_a_comment_notifies_the_author_of_the_post(make_account, run_hooks):
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    before = pubsub.position([author.id])
    with run_hooks():
        remark = posts.comment(fan, post_id=post.id, text="好")
    services.on_post_published(remark.id)
    assert received(author) == [("comment", fan.id, remark.id)]
    assert len(live(author, before)) == 1


def test_a_reply_notifies_the_post_author_and_the_comment_author(make_account, run_hooks):
    author, a, b = make_account("dell"), make_account("aaa"), make_account("bbb")
    post = posts.publish(author, text="原文")
    first = posts.comment(a, post_id=post.id, text="第一")
    with run_hooks():
        reply = posts.comment(b, post_id=first.id, text="回覆")
    services.on_post_published(reply.id)
    assert received(author) == [("comment", b.id, reply.id)]
    assert received(a) == [("comment", b.id, reply.id)]
    assert received(b) == []


def test_the_post_author_replying_under_their_own_post_notifies_only_the_comment_author(
    make_account, run_hooks
):
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    remark = posts.comment(fan, post_id=post.id, text="問題")
    with run_hooks():
        answer = posts.comment(author, post_id=remark.id, text="回答")
        posts.comment(author, post_id=post.id, text="補充")
    assert received(fan) == [("comment", author.id, answer.id)]
    assert received(author) == []


def test_a_reply_to_a_comment_by_the_post_author_notifies_them_once(make_account, run_hooks):
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    own = posts.comment(author, post_id=post.id, text="自己留言")
    with run_hooks():
        reply = posts.comment(fan, post_id=own.id, text="回覆")
    assert received(author) == [("comment", fan.id, reply.id)]


# --- reposts, likes, follows -----------------------------------------------------------------------


def test_a_repost_notifies_the_original_author_once(make_account, run_hooks):
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    before = pubsub.position([author.id])
    with run_hooks():
        shared = posts.repost(fan, post_id=post.id)
    services.on_post_published(shared.id)
    assert received(author) == [("repost", fan.id, shared.id)]
    assert len(live(author, before)) == 1


def test_a_repost_of_a_repost_notifies_the_original_author_and_the_reposter(make_account, run_hooks):
    author, bob, carol = make_account("dell"), make_account("bob"), make_account("carol")
    post = posts.publish(author, text="原文")
    middle = posts.repost(bob, post_id=post.id, comment="推")
    with run_hooks():
        last = posts.repost(carol, post_id=middle.id, comment="再推")
    assert received(author) == [("repost", carol.id, last.id)]
    assert received(bob) == [("repost", carol.id, last.id)]


def test_reposting_ones_own_post_notifies_nobody(make_account, run_hooks):
    author = make_account("dell")
    post = posts.publish(author, text="原文")
    with run_hooks():
        posts.repost(author, post_id=post.id)
        posts.comment(author, post_id=post.id, text="自己留言")
        posts.like(author, post_id=post.id)
    assert not Notification.objects.exists()


def test_a_like_notifies_the_author_once_even_when_liked_again(make_account, run_hooks):
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    before = pubsub.position([author.id])
    with run_hooks():
        posts.like(fan, post_id=post.id)
    with run_hooks():
        posts.unlike(fan, post_id=post.id)
        posts.like(fan, post_id=post.id)
    services.on_liked(post.id, fan.id)
    assert received(author) == [("like", fan.id, post.id)]
    assert [e.data["kind"] for e in live(author, before)] == ["like"]


def test_a_follow_notifies_the_followed_once(make_account, run_hooks):
    fan, star = make_account("fan"), make_account("star")
    before = pubsub.position([star.id])
    with run_hooks():
        social.follow(fan, account_id=star.id)
    services.on_followed(fan.id, star.id)
    assert received(star) == [("follow", fan.id, None)]
    assert received(fan) == []
    notification = Notification.objects.get(recipient=star)
    assert [e.data for e in live(star, before)] == [{"id": str(notification.id), "kind": "follow"}]


def test_a_notification_about_a_post_no_longer_visible_is_left_out_of_the_list(make_account, run_hooks):
    author, fan = make_account("dell"), make_account("fan")
    social.follow(fan, account_id=author.id)
    with run_hooks():
        posts.publish(author, text="@fan 只給粉絲", audience="followers")
    assert len(inbox.notifications(fan).items) == 1
    social.unfollow(fan, account_id=author.id)
    assert inbox.notifications(fan).items == []


def test_marking_all_read_clears_the_unread_count(make_account, run_hooks):
    author, fan = make_account("dell"), make_account("fan")
    with run_hooks():
        social.follow(fan, account_id=author.id)
        posts.like(fan, post_id=posts.publish(author, text="原文").id)
    assert inbox.unread_count(author) == 2
    assert services.mark_all_read(author) == 2
    assert inbox.unread_count(author) == 0


# --- direct messages -------------------------------------------------------------------------------


def test_a_direct_message_starts_a_conversation_unread_by_the_recipient(make_account, run_hooks):
    alice, bob = make_account("alice"), make_account("bob")
    before = pubsub.position([bob.id])
    with run_hooks():
        message = services.send_message(alice, recipient_id=bob.id, text=" 你好 ")
    assert message.text == "你好"
    [bob_row] = inbox.conversations(bob)
    assert (bob_row.other.id, bob_row.last.id, bob_row.unread) == (alice.id, message.id, True)
    [alice_row] = inbox.conversations(alice)
    assert (alice_row.other.id, alice_row.last.id, alice_row.unread) == (bob.id, message.id, False)
    events = live(bob, before, kind="message")
    assert [e.data for e in events] == [{"id": str(message.id), "conversation": str(bob_row.conversation.id)}]
    services.mark_conversation_read(bob, bob_row.conversation)
    assert not inbox.conversations(bob)[0].unread


def test_replies_stay_in_one_conversation_and_the_newest_comes_first(make_account, run_hooks):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    services.send_message(alice, recipient_id=bob.id, text="一")
    services.send_message(bob, recipient_id=alice.id, text="二")
    services.send_message(carol, recipient_id=alice.id, text="三")
    assert Conversation.objects.count() == 2
    rows = inbox.conversations(alice)
    assert [(r.other.id, r.last.text, r.unread) for r in rows] == [
        (carol.id, "三", True),
        (bob.id, "二", True),
    ]
    assert [m.text for m in inbox.messages(alice, rows[1].conversation)] == ["一", "二"]
    with pytest.raises(NotFound):
        inbox.messages(carol, rows[1].conversation)
    assert [(r.other.id, r.unread) for r in inbox.conversations(bob)] == [(alice.id, False)]


def test_a_message_from_someone_the_recipient_blocked_is_refused_as_not_found(make_account):
    alice, pest = make_account("alice"), make_account("pest")
    social.block(alice, account_id=pest.id)
    with pytest.raises(NotFound):
        services.send_message(pest, recipient_id=alice.id, text="你好")
    with pytest.raises(Invalid):
        services.send_message(alice, recipient_id=pest.id, text="走開")
    assert not Post.objects.filter(audience="direct").exists()
    assert not Conversation.objects.exists()


def test_a_message_to_oneself_or_a_missing_account_is_refused(make_account):
    alice, gone = make_account("alice"), make_account("gone")
    Account.objects.filter(id=gone.id).update(is_active=False)
    with pytest.raises(Invalid):
        services.send_message(alice, recipient_id=alice.id, text="自言自語")
    for target in (gone.id, 12345):
        with pytest.raises(NotFound):
            services.send_message(alice, recipient_id=target, text="你好")
    assert not Post.objects.filter(audience="direct").exists()


@pytest.mark.parametrize("text", ["", "  \n ", "字" * (DIRECT_MAX_LENGTH + 1)])
def test_an_empty_or_over_long_message_is_refused_and_nothing_is_sent(make_account, run_hooks, text):
    alice, bob = make_account("alice"), make_account("bob")
    services.send_message(alice, recipient_id=bob.id, text="第一則")
    before = pubsub.position([bob.id])
    with run_hooks(), pytest.raises(Invalid):
        services.send_message(alice, recipient_id=bob.id, text=text)
    assert list(Post.objects.filter(audience="direct").values_list("text", flat=True)) == ["第一則"]
    assert inbox.conversations(bob)[0].last.text == "第一則"
    assert live(bob, before, kind="message") == []


def test_a_message_at_the_length_limit_is_sent(make_account):
    alice, bob = make_account("alice"), make_account("bob")
    services.send_message(alice, recipient_id=bob.id, text="字" * DIRECT_MAX_LENGTH)
    assert Post.objects.filter(audience="direct").get().text == "字" * DIRECT_MAX_LENGTH


def test_opening_notifications_marks_read_only_what_the_page_showed(make_account, client_for, run_hooks):
    from tidings.notifications.models import Notification as Note

    me = make_account("很紅的人")
    for n in range(35):
        with run_hooks():
            social.follow(make_account(f"粉絲{n}"), account_id=me.id)
    page = client_for(me).get("/notifications/")
    assert page.status_code == 200
    assert Note.objects.filter(recipient=me, read_at__isnull=True).count() == 5
    badge = client_for(me).get("/public/").content.decode()
    assert 'data-badge="notifications">5</span>' in badge
