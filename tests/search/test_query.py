"""The search language refuses what is not a query with a message that says what to change,
in the person's language, and reads what is one: words, phrases, OR, exclusions, filters."""

from __future__ import annotations

import datetime as dt

import pytest

from tidings.core.errors import Invalid
from tidings.search.query import MAX_LENGTH, parse


def message_of(text: str) -> str:
    with pytest.raises(Invalid) as refused:
        parse(text)
    return str(refused.value.message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type something to search for."),
        ("   ", "Type something to search for."),
        ("的 了", "These words are too common to search for: 的 了. Add a less common word."),
        ("the", "These words are too common to search for: the. Add a less common word."),
        ('"戴尔 电脑', "A quotation mark is not closed."),
        ('戴尔 "客服" "', "A quotation mark is not closed."),
        (
            "戴尔 since:2026-11-27 until:2026-11-01",
            "The start date 2026-11-27 is after the end date 2026-11-01.",
        ),
        ("戴尔 since:27/11/2026", "Write dates as year-month-day, like 2026-11-27."),
        ("戴尔 until:2026-02-30", "Write dates as year-month-day, like 2026-11-27."),
        ("OR 退款", "OR needs a word on each side."),
        ("退款 OR", "OR needs a word on each side."),
        ("退款 OR OR 投訴", "OR needs a word on each side."),
        ("-廣告", "Say what to look for, not only what to leave out."),
        ("-廣告 NOT spam", "Say what to look for, not only what to leave out."),
        ("戴尔 NOT", "Say what NOT leaves out."),
        ("戴尔 from:", "Say what from: is, like from:something."),
    ],
)
def test_a_query_that_is_not_one_says_what_is_wrong(text, message):
    assert message_of(text) == message


def test_an_over_long_query_says_by_how_much():
    assert message_of("字" * (MAX_LENGTH + 1)) == "The search is 1 character too long (at most 200)."
    assert message_of("字" * (MAX_LENGTH + 5)) == "The search is 5 characters too long (at most 200)."
    assert parse("字" * MAX_LENGTH).has_text  # exactly the most is fine


@pytest.mark.parametrize("text", ["!!!", "-", "、。", "()"])
def test_punctuation_alone_asks_for_words_rather_than_calling_it_common(text):
    assert message_of(text) == "Type something to search for."


def test_common_words_beside_a_real_word_are_dropped_not_refused():
    query = parse("the 戴尔 的 客服")
    assert [[t.written for t in clause] for clause in query.clauses] == [["戴尔"], ["客服"]]


def test_words_or_and_exclusions_are_read():
    query = parse('戴尔 退款 OR 投訴 -廣告 NOT spam "customer service"')

    assert [[t.written for t in clause] for clause in query.clauses] == [
        ["戴尔"],
        ["退款", "投诉"],
        ["customer service"],
    ]
    assert [t.written for t in query.excluded] == ["广告", "spam"]


def test_filters_are_read_folded():
    query = parse("from:@Dell_CN in:研發部 #新品# #iPhone lang:EN since:2026-11-01 until:2026-11-27 客服")

    assert query.authors == ["Dell_CN"]
    assert query.places == ["研發部"]
    assert query.topics == ["新品", "iphone"]
    assert query.languages == ["en"]
    assert (query.since, query.until) == (dt.date(2026, 11, 1), dt.date(2026, 11, 27))


def test_a_filter_alone_is_a_query():
    assert parse("from:dell_cn").authors == ["dell_cn"]
    assert parse("#戴爾#").topics == ["戴尔"]


@pytest.mark.parametrize(
    "text", ["dell NOT from:bob", "dell OR from:bob", "-from:bob dell", "dell NOT #新品#"]
)
def test_not_or_and_minus_before_a_filter_are_refused_rather_than_misread(text):
    with pytest.raises(Invalid, match="go with words"):
        parse(text)


def test_the_reason_is_given_in_the_persons_language():
    from django.utils import translation

    with translation.override("zh-hant"):
        with pytest.raises(Invalid) as refused:
            parse('"戴爾')
        assert str(refused.value) == "有一個引號沒有閉合。"
    with translation.override("zh-hans"):
        with pytest.raises(Invalid) as refused:
            parse("的")
        assert str(refused.value) == "这些词太常见，无法搜索：的。请加上较特别的词。"
