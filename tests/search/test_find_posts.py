"""Finding posts: folded (case, width, Traditional/Simplified), Chinese cut into words and
pairs so one and two characters are found, phrases kept whole, the rest of the search language,
ranking and paging."""

from __future__ import annotations

import datetime as dt
import time
import types

import pytest
from django.utils import timezone

from tidings.accounts import services as accounts
from tidings.core import ids
from tidings.core.errors import Invalid
from tidings.groups import services as groups
from tidings.orgs import policy
from tidings.search.selectors import find_posts
from tidings.social import services as social

from .conftest import texts

pytestmark = pytest.mark.django_db


def found(viewer, text, **options) -> list[str]:
    return texts(find_posts(viewer, text, limit=50, **options))


# --- folding and Chinese -------------------------------------------------------------------------


def test_simplified_finds_traditional(make_account, say):
    author = make_account()
    say(author, "戴爾中國今天發布新品")
    say(author, "聯想中國今天也發布了")

    assert found(author, "戴尔") == ["戴爾中國今天發布新品"]
    assert found(author, "戴爾") == ["戴爾中國今天發布新品"]


def test_case_and_width_fold(make_account, say):
    author = make_account()
    say(author, "DELL 客服")
    say(author, "asus 客服")
    say(author, "找 dell 問問")

    assert found(author, "Dell", order="latest") == ["找 dell 問問", "DELL 客服"]
    assert found(author, "ＤＥＬＬ", order="latest") == ["找 dell 問問", "DELL 客服"]


@pytest.mark.parametrize("character", ["戴", "國", "天", "品"])
def test_one_character_is_found_anywhere_in_a_run(make_account, say, character):
    author = make_account()
    say(author, "戴爾中國今天發布新品")  # 品 ends the run; 戴 starts it
    say(author, "完全無關的話")

    assert found(author, character) == ["戴爾中國今天發布新品"]


def test_one_character_at_the_end_of_a_run_before_latin_text(make_account, say):
    author = make_account()
    say(author, "買了新品 XPS 13")

    assert found(author, "品") == ["買了新品 XPS 13"]
    assert found(author, "xps") == ["買了新品 XPS 13"]


def test_two_characters_are_found_across_jiebas_words(make_account, say):
    author = make_account()
    say(author, "戴爾中國今天發布新品")  # jieba: 戴尔 / 中国 / 今天 ...
    say(author, "大陸的朋友")

    assert found(author, "中國") == ["戴爾中國今天發布新品"]
    assert found(author, "爾中") == ["戴爾中國今天發布新品"]  # across two words of jieba
    assert found(author, "國今") == ["戴爾中國今天發布新品"]
    assert found(author, "中文") == []


def test_unquoted_words_are_found_apart_but_a_phrase_only_together(make_account, say):
    author = make_account()
    say(author, "戴爾的電腦很好")
    say(author, "戴爾電腦")

    assert sorted(found(author, "戴尔电脑")) == sorted(["戴爾的電腦很好", "戴爾電腦"])
    assert found(author, '"戴尔电脑"') == ["戴爾電腦"]


def test_an_english_phrase_keeps_its_order(make_account, say):
    author = make_account()
    say(author, "great customer service today")
    say(author, "service for customer only")

    assert found(author, '"customer service"') == ["great customer service today"]
    assert sorted(found(author, "customer service")) == sorted(
        ["great customer service today", "service for customer only"]
    )


def test_a_word_is_not_found_inside_a_longer_latin_word(make_account, say):
    author = make_account()
    say(author, "Wendell says hi")

    assert found(author, "dell") == []


def test_punctuation_and_fts_syntax_in_a_query_are_only_words(make_account, say):
    author = make_account()
    say(author, "戴爾 NEAR 客服")

    assert found(author, "(戴尔) AND 客服*") == ["戴爾 NEAR 客服"]
    assert found(author, 'near "戴爾"') == ["戴爾 NEAR 客服"]
    assert found(author, "戴尔:客服^") == ["戴爾 NEAR 客服"]


# --- who finds what --------------------------------------------------------------------------------


def test_followers_only_posts_are_found_by_followers_only(make_account, say):
    author, fan, stranger = make_account(), make_account(), make_account()
    social.follow(fan, account_id=author.id)
    say(author, "新品 只給粉絲", audience="followers")
    say(author, "新品 公開")

    assert sorted(found(fan, "新品")) == ["新品 公開", "新品 只給粉絲"]
    assert found(stranger, "新品") == ["新品 公開"]
    assert found(None, "新品") == ["新品 公開"]


def test_muted_and_blocking_authors_are_not_found(make_account, say):
    reader, muted, blocker = make_account(), make_account(), make_account()
    say(muted, "新品 被靜音的人說")
    say(blocker, "新品 封鎖我的人說")
    social.mute(reader, account_id=muted.id)
    social.block(blocker, account_id=reader.id)

    assert found(reader, "新品") == []
    assert sorted(found(None, "新品")) == ["新品 封鎖我的人說", "新品 被靜音的人說"]


def test_a_deactivated_authors_posts_are_not_found(make_account, say):
    author = make_account()
    say(author, "新品 要走了")

    accounts.deactivate_account(author)

    assert found(None, "新品") == []


def test_a_held_post_is_found_by_its_author_only(company, say):
    policy.add_rule(
        company.org, actor=company.admin, pattern="falcon", is_regex=False, action="hold", reason="代號"
    )
    say(company.member, "falcon 新品 進度")

    assert found(company.member, "falcon") == ["falcon 新品 進度"]
    assert found(company.admin, "falcon") == []
    assert found(None, "新品") == []


# --- the search language -------------------------------------------------------------------------


def test_or_takes_either_word(make_account, say):
    author = make_account()
    say(author, "要求退款")
    say(author, "我要投訴")
    say(author, "謝謝你們")

    assert sorted(found(author, "退款 OR 投訴")) == ["我要投訴", "要求退款"]


def test_minus_and_not_leave_posts_out(make_account, say):
    author = make_account()
    say(author, "戴爾新品上市")
    say(author, "戴爾新品廣告")
    say(author, "戴爾新品 spam")

    assert found(author, "戴尔 -廣告 NOT spam") == ["戴爾新品上市"]
    assert sorted(found(author, "戴尔 -广告")) == ["戴爾新品 spam", "戴爾新品上市"]


def test_an_exclusion_applies_beside_a_filter_alone(make_account, say):
    author = make_account("dell_cn")
    say(author, "戴爾新品上市")
    say(author, "戴爾新品廣告")

    assert found(author, "from:dell_cn -廣告") == ["戴爾新品上市"]


def test_from_narrows_to_one_author(make_account, say):
    dell, asus = make_account("dell_cn"), make_account("華碩")
    say(dell, "新品上市")
    say(asus, "新品上市了")

    assert found(asus, "新品 from:Dell_CN") == ["新品上市"]
    assert found(asus, "新品 from:@dell_cn") == ["新品上市"]
    assert found(dell, "新品 from:华硕") == ["新品上市了"]
    assert found(dell, "from:dell_cn") == ["新品上市"]  # a filter alone is a query


@pytest.mark.parametrize("written", ["#新品#", "#新品", "#新品# 戴尔"])
def test_a_topic_narrows_to_posts_tagged_with_it(make_account, say, written):
    author = make_account()
    say(author, "戴爾 #新品# 上市")
    say(author, "戴爾 新品 沒有標籤")

    assert found(author, written) == ["戴爾 #新品# 上市"]


def test_a_topic_is_folded_too(make_account, say):
    author = make_account()
    say(author, "#戴爾# 上市")

    assert found(author, "#戴尔#") == ["#戴爾# 上市"]


def test_in_a_group_is_for_its_members_only(company, say):
    say(company.member, "研發進度 第一週", audience="group", group_id=company.group.id)
    say(company.member, "研發進度 公開版")

    assert found(company.member, "研發 in:研發部") == ["研發進度 第一週"]
    assert found(company.member, "研發 in:研发部") == ["研發進度 第一週"]
    for someone in (company.admin, company.outsider, company.stranger):
        with pytest.raises(Invalid) as refused:
            find_posts(someone, "研發 in:研發部")
        assert refused.value.message == "You are in no group or organisation called 研發部."
    with pytest.raises(Invalid) as refused:
        find_posts(None, "研發 in:研發部")
    assert refused.value.message == "Sign in to search inside a group or an organisation."


def test_in_an_organisation_is_its_internal_space(company, say):
    say(company.admin, "季度目標 內部", audience="org", organisation_id=company.org.id)
    say(company.admin, "季度目標 公開")

    assert found(company.member, "季度 in:dell") == ["季度目標 內部"]
    assert found(company.member, "季度 in:戴尔") == ["季度目標 內部"]
    with pytest.raises(Invalid):
        find_posts(company.outsider, "季度 in:dell")


def test_a_group_member_who_leaves_cannot_search_in_it(company, say, make_account):
    say(company.member, "研發進度", audience="group", group_id=company.group.id)
    other = make_account()
    from tidings.orgs import services as orgs

    orgs.add_member(company.org, other, actor=company.admin)
    groups.invite(company.group, other, actor=company.member)
    assert found(other, "研發 in:研發部") == ["研發進度"]

    groups.leave(company.group, other)

    with pytest.raises(Invalid):
        find_posts(other, "研發 in:研發部")


def test_since_and_until_are_days_in_the_servers_time_zone(make_account, say):
    author = make_account()
    say(author, "今天的新品")
    today = timezone.localdate()
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)

    assert found(author, f"新品 since:{today}") == ["今天的新品"]
    assert found(author, f"新品 until:{today}") == ["今天的新品"]
    assert found(author, f"新品 since:{today} until:{today}") == ["今天的新品"]
    assert found(author, f"新品 until:{yesterday}") == []
    assert found(author, f"新品 since:{tomorrow}") == []


def test_dates_at_the_ends_of_the_calendar_are_dates_like_any(make_account, say):
    author = make_account()
    say(author, "今天的新品")

    assert found(author, "新品 since:0001-01-01 until:9999-12-31") == ["今天的新品"]
    assert found(author, "新品 since:9999-12-31") == []
    assert found(author, "新品 until:0001-01-01") == []


def test_a_nul_character_in_a_query_is_ignored(make_account, say):
    author = make_account("dell_cn")
    say(author, "戴爾新品")

    assert found(author, "戴\x00尔") == ["戴爾新品"]
    assert found(author, "from:dell\x00_cn") == ["戴爾新品"]


def at(seconds: float):
    """The id clock set to another time (ids are time-ordered: the date filters read them)."""
    return types.SimpleNamespace(time=lambda: seconds)


def test_since_and_until_tell_an_old_post_from_a_new_one(make_account, say, monkeypatch):
    author = make_account()
    with monkeypatch.context() as clock:
        clock.setattr(ids, "_last_ms", 0)
        clock.setattr(ids, "time", at(time.time() - 3 * 86400))
        say(author, "三天前的新品")
    say(author, "今天的新品")
    today = timezone.localdate()

    assert found(author, f"新品 since:{today}") == ["今天的新品"]
    assert found(author, f"新品 until:{today - dt.timedelta(days=1)}") == ["三天前的新品"]
    assert found(
        author, f"新品 since:{today - dt.timedelta(days=3)} until:{today - dt.timedelta(days=3)}"
    ) == ["三天前的新品"]
    assert found(author, "新品", order="latest") == ["今天的新品", "三天前的新品"]


def test_lang_narrows_to_the_language_the_client_said(make_account, run_hooks):
    from tidings.posts import services as posts

    author = make_account()
    with run_hooks():
        posts.publish(author, text="Dell news", language="en")
        posts.publish(author, text="Dell 新聞", language="zh-TW")
        posts.publish(author, text="Dell 没说", language="")

    assert found(author, "dell lang:en") == ["Dell news"]
    assert found(author, "dell lang:zh") == ["Dell 新聞"]
    assert found(author, "dell lang:ZH-tw") == ["Dell 新聞"]


# --- ranking and paging --------------------------------------------------------------------------


def test_top_ranks_a_word_said_twice_above_once(make_account, say):
    author = make_account()
    say(author, "客服 客服 電話")
    say(author, "客服 打不通 電話")

    assert found(author, "客服", order="top")[0] == "客服 客服 電話"


def test_top_ranks_a_whole_word_above_the_same_characters_across_words(make_account, say):
    author = make_account()
    say(author, "戴爾中國今天發布新品")  # jieba: 中国 is a word here
    say(author, "集中國力發展新品")  # 集中 / 国力: the same two characters, across two words

    assert found(author, "中國", order="top") == ["戴爾中國今天發布新品", "集中國力發展新品"]


def test_top_ranks_a_weaker_match_first_whatever_the_order_of_publishing(make_account, say):
    author = make_account()
    say(author, "戴爾中國今天發布新品")
    say(author, "集中國力發展新品")  # newer, weaker

    assert found(author, "中國", order="top")[0] == "戴爾中國今天發布新品"
    assert found(author, "中國", order="latest") == ["集中國力發展新品", "戴爾中國今天發布新品"]


def test_top_ranks_a_new_post_above_a_month_old_one_that_matches_a_little_better(
    make_account, say, monkeypatch
):
    author = make_account()
    say(author, "新品 今天")
    with monkeypatch.context() as clock:
        clock.setattr(ids, "_last_ms", 0)
        clock.setattr(ids, "time", at(time.time() - 30 * 86400))
        say(author, "新品 新品 上月")  # a better match, a month old

    assert found(author, "新品", order="top") == ["新品 今天", "新品 新品 上月"]


def test_latest_is_newest_first(make_account, say):
    author = make_account()
    for n in range(5):
        say(author, f"新品 第{n}則" + " 新品" * (4 - n))  # the oldest says it most

    assert found(author, "新品", order="latest") == [
        f"新品 第{n}則" + " 新品" * (4 - n) for n in range(4, -1, -1)
    ]


@pytest.mark.parametrize("order", ["top", "latest"])
def test_paging_returns_each_result_once(make_account, say, order):
    author = make_account()
    made = {say(author, f"新品 第{n}則" + " 新品" * (n % 3)).id for n in range(7)}
    say(author, "不相干")

    seen: list[int] = []
    pages = 0
    offset, max_id = 0, None
    while True:
        page = find_posts(author, "新品", order=order, limit=3, offset=offset, max_id=max_id)
        pages += 1
        seen += [v.post.id for v in page.items]
        if page.next_offset is None and page.next_max_id is None:
            break
        offset, max_id = page.next_offset or 0, page.next_max_id

    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == made
    assert pages == 3


def test_a_search_of_filters_only_pages_by_offset_too(make_account, say):
    """Mastodon's clients page search by offset, whatever the query."""
    from tidings.search.selectors import find_posts

    author = make_account("reporter")
    for n in range(5):
        say(author, f"第{n}則")
    first = find_posts(author, "from:reporter", limit=2)
    second = find_posts(author, "from:reporter", limit=2, offset=2)

    assert [v.post.text for v in first.items] == ["第4則", "第3則"]
    assert [v.post.text for v in second.items] == ["第2則", "第1則"]


@pytest.mark.parametrize("most", [8, 10_000])  # the widest window reached, or the plain join past it
def test_old_posts_one_may_see_are_found_behind_many_newer_ones_one_may_not(company, say, monkeypatch, most):
    """Both orders read the index's newest matches first: a window full of posts hidden from the
    viewer is widened (or, past the widest, the search joins every match) until the page is full."""
    from tidings.search import selectors

    monkeypatch.setattr(selectors, "RANK_WINDOW", 2)
    monkeypatch.setattr(selectors, "RANK_WINDOW_MOST", most)
    for n in range(3):
        say(company.outsider, f"新品 公開{n}")
    for n in range(12):
        say(company.member, f"新品 內部{n}", audience="org", organisation_id=company.org.id)

    for order in ("top", "latest"):
        seen: list[str] = []
        offset, max_id = 0, None
        for _ in range(5):
            page = selectors.find_posts(
                company.stranger, "新品", order=order, limit=2, offset=offset, max_id=max_id
            )
            seen += [v.post.text for v in page.items]
            if page.next_offset is None and page.next_max_id is None:
                break
            offset, max_id = page.next_offset or 0, page.next_max_id
        assert sorted(seen) == ["新品 公開0", "新品 公開1", "新品 公開2"], order
