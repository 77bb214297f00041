"""Posts: publishing, editing, deleting, reposting, commenting, liking and saving."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tidings.accounts.models import Account
from tidings.core.errors import Conflict, Forbidden, Invalid, NotFound
from tidings.notifications.models import Notification
from tidings.posts import selectors
from tidings.posts import services as posts
from tidings.posts.models import Favourite, Like, Mention, Post, PostEdit, PostTopic, Topic
from tidings.social import services as social

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def fresh(post: Post) -> Post:
    return Post.objects.get(id=post.id)


def posts_count(account: Account) -> int:
    return Account.objects.get(id=account.id).posts_count


def topic(name: str) -> Topic:
    return selectors.topic_by_name(name)


def topic_names(post: Post) -> set[str]:
    return set(PostTopic.objects.filter(post=post).values_list("topic__name", flat=True))


# --- publish ---------------------------------------------------------------------------------------


def test_a_post_of_140_chinese_characters_is_published(make_account) -> None:
    author = make_account("dell")
    post = posts.publish(author, text="字" * 140)
    assert fresh(post).text == "字" * 140
    assert fresh(post).kind == Post.Kind.POST
    assert fresh(post).audience == "public"
    assert posts_count(author) == 1


def test_280_ascii_characters_count_as_140_and_are_published(make_account) -> None:
    post = posts.publish(make_account("dell"), text="a" * 280)
    assert fresh(post).text == "a" * 280


def test_a_post_of_141_characters_is_refused_saying_by_how_much(make_account) -> None:
    author = make_account("dell")
    with pytest.raises(Invalid) as error:
        posts.publish(author, text="字" * 141)
    assert error.value.field == "text"
    assert str(error.value) == "This post is 141 characters; the limit is 140 (1 over)."
    with pytest.raises(Invalid) as error:
        posts.publish(author, text="字" * 150)
    assert "(10 over)" in str(error.value)
    assert not Post.objects.exists()
    assert posts_count(author) == 0


@pytest.mark.parametrize("text", ["", "   ", "\n\t \r\n"])
def test_an_empty_post_is_refused(make_account, text: str) -> None:
    author = make_account("dell")
    with pytest.raises(Invalid) as error:
        posts.publish(author, text=text)
    assert str(error.value) == "Write something first."
    assert not Post.objects.exists()
    assert posts_count(author) == 0


def test_an_unknown_audience_is_refused(make_account) -> None:
    with pytest.raises(Invalid):
        posts.publish(make_account("dell"), text="你好", audience="everyone")
    assert not Post.objects.exists()


def test_weibo_topics_and_hash_tags_are_linked_to_the_post(make_account) -> None:
    post = posts.publish(make_account("dell"), text="新品發表 #筆記型電腦# 今天 #XPS 見")
    assert topic_names(post) == {"筆記型電腦", "XPS"}
    assert topic("筆記型電腦").posts_count == 1
    assert topic("xps").posts_count == 1


def test_traditional_and_simplified_spellings_of_a_topic_are_one_topic(make_account) -> None:
    a, b = make_account("dell"), make_account("lenovo")
    first = posts.publish(a, text="#戴爾# 新品")
    second = posts.publish(b, text="我也喜歡 #戴尔#")
    third = posts.publish(b, text="#ＤＥＬＬ 全形 and #dell")
    assert Topic.objects.filter(key="戴尔").count() == 1
    assert topic("戴爾").id == topic("戴尔").id
    assert topic("戴爾").name == "戴爾"  # as first spelled
    assert topic("戴爾").posts_count == 2
    assert topic("dell").posts_count == 1  # two spellings in one post link it once
    shown = selectors.topic_posts(None, topic("戴尔"))
    assert [v.post.id for v in shown.items] == [second.id, first.id]
    assert third.id not in [v.post.id for v in shown.items]


def test_mentions_are_recorded_only_for_existing_active_accounts(make_account) -> None:
    author, ming = make_account("dell"), make_account("小明")
    gone = make_account("gone")
    Account.objects.filter(id=gone.id).update(is_active=False)
    post = posts.publish(author, text="@小明 @nobody @gone @dell 你好 @小明")
    assert list(Mention.objects.filter(post=post).values_list("account_id", flat=True)) == [ming.id]


def test_a_mention_matches_the_handle_after_folding(make_account) -> None:
    author, dai = make_account("dell"), make_account("戴爾")
    post = posts.publish(author, text="hi @戴尔")
    assert list(Mention.objects.filter(post=post).values_list("account_id", flat=True)) == [dai.id]


# --- edit ------------------------------------------------------------------------------------------


def test_editing_keeps_the_earlier_text_in_the_history(make_account) -> None:
    author = make_account("dell")
    post = posts.publish(author, text="第一版")
    posts.edit(author, post_id=post.id, text="第二版")
    posts.edit(author, post_id=post.id, text="第三版")
    assert fresh(post).text == "第三版"
    assert fresh(post).edited_at is not None
    assert list(PostEdit.objects.filter(post=post).order_by("id").values_list("text", flat=True)) == [
        "第一版",
        "第二版",
    ]
    _post, history = selectors.edit_history(None, post.id)
    assert [e.text for e in history] == ["第二版", "第一版"]


def test_editing_to_the_same_text_adds_no_history(make_account) -> None:
    author = make_account("dell")
    post = posts.publish(author, text="一樣")
    posts.edit(author, post_id=post.id, text="  一樣 ")
    assert not PostEdit.objects.filter(post=post).exists()
    assert fresh(post).edited_at is None


def test_only_the_author_may_edit_a_post(make_account) -> None:
    author, other = make_account("dell"), make_account("lenovo")
    post = posts.publish(author, text="原文")
    with pytest.raises(Forbidden):
        posts.edit(other, post_id=post.id, text="改掉")
    assert fresh(post).text == "原文"
    assert not PostEdit.objects.exists()


def test_editing_a_post_one_may_not_see_is_not_found(make_account) -> None:
    author, other = make_account("dell"), make_account("lenovo")
    post = posts.publish(author, text="只給粉絲", audience="followers")
    with pytest.raises(NotFound):
        posts.edit(other, post_id=post.id, text="改掉")
    assert fresh(post).text == "只給粉絲"


def test_an_edit_breaking_the_length_rule_is_refused_and_the_post_unchanged(make_account) -> None:
    author = make_account("dell")
    post = posts.publish(author, text="原文 #話題#")
    with pytest.raises(Invalid):
        posts.edit(author, post_id=post.id, text="字" * 141)
    assert fresh(post).text == "原文 #話題#"
    assert fresh(post).edited_at is None
    assert topic("話題").posts_count == 1
    assert not PostEdit.objects.exists()


def test_editing_relinks_the_topics(make_account) -> None:
    author = make_account("dell")
    post = posts.publish(author, text="#舊話題# 與 #共同#")
    posts.edit(author, post_id=post.id, text="#新話題# 與 #共同#")
    assert topic_names(post) == {"新話題", "共同"}
    assert topic("舊話題").posts_count == 0
    assert topic("新話題").posts_count == 1
    assert topic("共同").posts_count == 1
    assert selectors.topic_posts(None, topic("舊話題")).items == []
    assert [v.post.id for v in selectors.topic_posts(None, topic("新話題")).items] == [post.id]


def test_a_repost_cannot_be_edited(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    shared = posts.repost(fan, post_id=posts.publish(author, text="原文").id, comment="好")
    with pytest.raises(Invalid):
        posts.edit(fan, post_id=shared.id, text="改")
    assert fresh(shared).text == "好"


# --- delete ----------------------------------------------------------------------------------------


def test_deleting_a_post_lowers_the_authors_count_and_its_topics_counts(make_account) -> None:
    author = make_account("dell")
    kept = posts.publish(author, text="#話題# 一")
    gone = posts.publish(author, text="#話題# 二")
    posts.delete(author, post_id=gone.id)
    assert not Post.objects.filter(id=gone.id).exists()
    assert posts_count(author) == 1
    assert topic("話題").posts_count == 1
    assert Post.objects.filter(id=kept.id).exists()


def test_only_the_author_may_delete_a_post(make_account) -> None:
    author, other = make_account("dell"), make_account("lenovo")
    post = posts.publish(author, text="原文")
    with pytest.raises(Forbidden):
        posts.delete(other, post_id=post.id)
    assert Post.objects.filter(id=post.id).exists()
    assert posts_count(author) == 1


def test_plain_reposts_go_with_the_deleted_post(make_account) -> None:
    author, fan1, fan2 = make_account("dell"), make_account("fan1"), make_account("fan2")
    post = posts.publish(author, text="原文")
    plain1 = posts.repost(fan1, post_id=post.id)
    plain2 = posts.repost(fan2, post_id=plain1.id)  # a plain repost of a plain repost
    posts.delete(author, post_id=post.id)
    assert not Post.objects.filter(id__in=[post.id, plain1.id, plain2.id]).exists()
    assert posts_count(fan1) == posts_count(fan2) == posts_count(author) == 0


def test_reposts_with_a_comment_remain_when_the_original_is_deleted_and_still_render(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    quoted = posts.repost(fan, post_id=post.id, comment="說得好")
    posts.delete(author, post_id=post.id)
    assert fresh(quoted).repost_of_id is None
    assert fresh(quoted).text == "說得好"
    assert posts_count(fan) == 1
    view = selectors.post_view(None, quoted.id)
    assert view.original is None
    assert view.subject.id == quoted.id
    assert [v.post.id for v in selectors.profile_posts(None, fan.id).items] == [quoted.id]
    assert [v.post.id for v in selectors.public_posts(fan).items] == [quoted.id]
    html = render_to_string("tidings/_post.html", {"view": view})
    assert "說得好" in html
    assert "原文" not in html


def test_deleting_a_repost_lowers_the_reposts_count_of_the_original(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    shared = posts.repost(fan, post_id=post.id)
    assert fresh(post).reposts_count == 1
    posts.delete(fan, post_id=shared.id)
    assert fresh(post).reposts_count == 0
    assert posts_count(fan) == 0
    posts.repost(fan, post_id=post.id)  # may repost again once the first is gone
    assert fresh(post).reposts_count == 1


def test_deleting_a_repost_of_a_repost_lowers_both_counts_it_raised(make_account) -> None:
    author, fan1, fan2 = make_account("dell"), make_account("fan1"), make_account("fan2")
    post = posts.publish(author, text="原文")
    middle = posts.repost(fan1, post_id=post.id, comment="轉")
    last = posts.repost(fan2, post_id=middle.id)
    assert (fresh(post).reposts_count, fresh(middle).reposts_count) == (2, 1)
    posts.delete(fan2, post_id=last.id)
    assert (fresh(post).reposts_count, fresh(middle).reposts_count) == (1, 0)


def test_deleting_a_comment_lowers_the_comments_count_by_every_comment_that_goes(make_account) -> None:
    author, a, b = make_account("dell"), make_account("aaa"), make_account("bbb")
    post = posts.publish(author, text="原文")
    first = posts.comment(a, post_id=post.id, text="第一")
    posts.comment(b, post_id=first.id, text="回覆第一")
    posts.comment(a, post_id=post.id, text="第二")
    assert fresh(post).comments_count == 3
    posts.delete(a, post_id=first.id)  # its reply goes with it
    assert Post.objects.filter(root=post).count() == 1
    assert fresh(post).comments_count == 1
    assert posts_count(a) == 0  # comments are not posts of the profile


# --- repost ----------------------------------------------------------------------------------------


def test_a_plain_repost_counts_once_and_a_second_is_refused(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    shared = posts.repost(fan, post_id=post.id)
    assert (shared.kind, shared.text, shared.repost_of_id) == (Post.Kind.REPOST, "", post.id)
    with pytest.raises(Conflict):
        posts.repost(fan, post_id=post.id)
    with pytest.raises(Conflict):  # a plain repost of someone's plain repost is the same repost
        posts.repost(fan, post_id=posts.repost(make_account("other"), post_id=post.id).id)
    assert Post.objects.filter(author=fan, kind=Post.Kind.REPOST).count() == 1
    assert fresh(post).reposts_count == 2
    assert posts_count(fan) == 1


def test_a_repost_with_a_comment_keeps_the_comment_and_points_at_the_original(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    posts.repost(fan, post_id=post.id)
    quoted = posts.repost(fan, post_id=post.id, comment=" 推薦 #好物# @dell ")
    assert (quoted.text, quoted.repost_of_id, quoted.repost_parent_id) == (
        "推薦 #好物# @dell",
        post.id,
        post.id,
    )
    assert topic("好物").posts_count == 1
    assert fresh(post).reposts_count == 2


def test_reposting_a_repost_keeps_the_chain_and_points_at_the_original(make_account) -> None:
    author, bob, carol = make_account("dell"), make_account("bob"), make_account("carol")
    post = posts.publish(author, text="原文")
    middle = posts.repost(bob, post_id=post.id, comment="他的話")
    last = posts.repost(carol, post_id=middle.id, comment="我的話")
    assert last.text == "我的話//@bob: 他的話"
    assert (last.repost_of_id, last.repost_parent_id) == (post.id, middle.id)
    again = posts.repost(make_account("dave"), post_id=last.id)
    assert again.text == "//@carol: 我的話//@bob: 他的話"
    assert fresh(post).reposts_count == 3
    assert [p.id for p in selectors.repost_chain(None, post)] == [again.id, last.id, middle.id]


def test_a_repost_over_the_length_rule_is_refused(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    with pytest.raises(Invalid):
        posts.repost(fan, post_id=post.id, comment="字" * 141)
    assert fresh(post).reposts_count == 0
    assert not Post.objects.filter(kind=Post.Kind.REPOST).exists()


def test_a_followers_only_post_cannot_be_reposted_even_by_a_follower(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    social.follow(fan, account_id=author.id)
    post = posts.publish(author, text="只給粉絲", audience="followers")
    for who in (fan, author):
        with pytest.raises(Invalid) as error:
            posts.repost(who, post_id=post.id, comment="轉")
        assert str(error.value) == "Followers-only posts cannot be reposted."
    assert fresh(post).reposts_count == 0
    assert not Post.objects.filter(kind=Post.Kind.REPOST).exists()


def test_a_followers_only_post_one_may_not_see_cannot_be_reposted_and_is_not_found(make_account) -> None:
    author, stranger = make_account("dell"), make_account("stranger")
    post = posts.publish(author, text="只給粉絲", audience="followers")
    with pytest.raises(NotFound):
        posts.repost(stranger, post_id=post.id)
    assert not Post.objects.filter(kind=Post.Kind.REPOST).exists()


def test_a_comment_cannot_be_reposted(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    remark = posts.comment(fan, post_id=post.id, text="留言")
    with pytest.raises(Invalid) as error:
        posts.repost(author, post_id=remark.id)
    assert str(error.value) == "Comments cannot be reposted."
    assert fresh(remark).reposts_count == 0
    assert not Post.objects.filter(kind=Post.Kind.REPOST).exists()


# --- comment ---------------------------------------------------------------------------------------


def test_comments_thread_under_the_post_and_count_on_it(make_account) -> None:
    author, a, b = make_account("dell"), make_account("aaa"), make_account("bbb")
    post = posts.publish(author, text="原文")
    first = posts.comment(a, post_id=post.id, text="第一")
    reply = posts.comment(b, post_id=first.id, text="回覆")
    reply_to_reply = posts.comment(a, post_id=reply.id, text="再回覆")
    assert (first.root_id, first.reply_to_id) == (post.id, None)
    assert (reply.root_id, reply.reply_to_id) == (post.id, first.id)
    assert (reply_to_reply.root_id, reply_to_reply.reply_to_id) == (post.id, reply.id)
    assert fresh(post).comments_count == 3
    assert fresh(first).comments_count == 0
    page = selectors.comments(None, fresh(post))
    assert [v.post.id for v in page.items] == [first.id, reply.id, reply_to_reply.id]


def test_a_comment_inherits_the_audience_of_the_post(make_account) -> None:
    author, fan = make_account("dell"), make_account("fan")
    social.follow(fan, account_id=author.id)
    post = posts.publish(author, text="只給粉絲", audience="followers")
    remark = posts.comment(fan, post_id=post.id, text="留言")
    assert (remark.audience, remark.audience_owner_id) == ("followers", author.id)
    stranger = make_account("stranger")
    with pytest.raises(NotFound):
        selectors.post_view(stranger, remark.id)
    assert selectors.post_view(fan, remark.id).post.id == remark.id


def test_a_comment_on_a_post_you_may_not_see_is_refused_as_not_found(make_account) -> None:
    author, stranger = make_account("dell"), make_account("stranger")
    post = posts.publish(author, text="只給粉絲", audience="followers")
    for target in (post.id, 999, "not-an-id"):
        with pytest.raises(NotFound):
            posts.comment(stranger, post_id=target, text="留言")
    assert fresh(post).comments_count == 0
    assert not Post.objects.filter(kind=Post.Kind.COMMENT).exists()


def test_an_empty_comment_is_refused(make_account) -> None:
    author = make_account("dell")
    post = posts.publish(author, text="原文")
    with pytest.raises(Invalid):
        posts.comment(author, post_id=post.id, text="  ")
    assert fresh(post).comments_count == 0
    assert not Post.objects.filter(kind=Post.Kind.COMMENT).exists()


# --- like, favourite -------------------------------------------------------------------------------


def test_liking_twice_is_one_like_and_unliking_twice_is_none(make_account, run_hooks) -> None:
    author, fan = make_account("dell"), make_account("fan")
    post = posts.publish(author, text="原文")
    with run_hooks():
        posts.like(fan, post_id=post.id)
        posts.like(fan, post_id=post.id)
    assert fresh(post).likes_count == 1
    assert Like.objects.filter(post=post).count() == 1
    assert Notification.objects.filter(recipient=author, kind="like").count() == 1
    assert selectors.post_view(fan, post.id).liked
    posts.unlike(fan, post_id=post.id)
    posts.unlike(fan, post_id=post.id)
    assert fresh(post).likes_count == 0
    assert not Like.objects.exists()
    assert not selectors.post_view(fan, post.id).liked


def test_likes_from_several_people_add_up(make_account) -> None:
    author = make_account("dell")
    post = posts.publish(author, text="原文")
    for i in range(3):
        posts.like(make_account(f"fan{i}"), post_id=post.id)
    assert fresh(post).likes_count == 3


def test_a_post_one_may_not_see_cannot_be_liked_or_favourited(make_account) -> None:
    author, stranger = make_account("dell"), make_account("stranger")
    post = posts.publish(author, text="只給粉絲", audience="followers")
    with pytest.raises(NotFound):
        posts.like(stranger, post_id=post.id)
    with pytest.raises(NotFound):
        posts.favourite(stranger, post_id=post.id)
    assert fresh(post).likes_count == 0
    assert not Like.objects.exists()
    assert not Favourite.objects.exists()


def test_favourites_are_private_to_the_person_who_saved_them(make_account, run_hooks) -> None:
    author, fan, other = make_account("dell"), make_account("fan"), make_account("other")
    post = posts.publish(author, text="原文")
    with run_hooks():
        posts.favourite(fan, post_id=post.id)
        posts.favourite(fan, post_id=post.id)
    assert Favourite.objects.filter(account=fan, post=post).count() == 1
    assert [v.post.id for v in selectors.favourite_posts(fan).items] == [post.id]
    assert selectors.favourite_posts(other).items == []
    assert selectors.favourite_posts(author).items == []
    assert selectors.post_view(fan, post.id).favourited
    assert not selectors.post_view(author, post.id).favourited
    assert not Notification.objects.exists()  # the author is not told
    posts.unfavourite(fan, post_id=post.id)
    assert selectors.favourite_posts(fan).items == []


def test_posting_faster_than_the_per_minute_budget_is_refused_and_nothing_is_created(make_account, settings):
    from tidings.core.errors import RateLimited

    settings.WRITES_PER_MINUTE = 3
    author = make_account("話多的人")
    first = posts.publish(author, text="一")
    posts.comment(author, post_id=first.id, text="二")
    posts.repost(author, post_id=first.id, comment="三")
    with pytest.raises(RateLimited) as refused:
        posts.publish(author, text="四")
    assert "Too many tries" in str(refused.value)
    assert Post.objects.filter(author=author).count() == 3
    other = make_account("別人")
    assert posts.publish(other, text="我的額度是我自己的").id


def test_a_blocked_person_cannot_reach_the_blockers_post_through_someone_elses_repost(make_account):
    blocker, middle, blocked = make_account("封鎖者"), make_account("中間人"), make_account("被封鎖")
    original = posts.publish(blocker, text="原文")
    social.block(blocker, account_id=blocked.id)
    relay = posts.repost(middle, post_id=original.id, comment="轉一下")
    with pytest.raises(NotFound):
        posts.repost(blocked, post_id=relay.id, comment="我也轉")
    assert Post.objects.get(id=original.id).reposts_count == 1


def test_editing_counts_against_the_write_budget_and_drops_mentions_taken_out(make_account, settings):
    from tidings.core.errors import RateLimited

    settings.WRITES_PER_MINUTE = 2
    author, named = make_account("編輯者"), make_account("被提到")
    post = posts.publish(author, text="你好 @被提到")
    assert Mention.objects.filter(post=post, account=named).exists()
    posts.edit(author, post_id=post.id, text="你好")
    assert not Mention.objects.filter(post=post).exists()
    with pytest.raises(RateLimited):
        posts.edit(author, post_id=post.id, text="你好 @被提到")
    assert Post.objects.get(id=post.id).text == "你好"
