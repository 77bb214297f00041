"""The text rules: length (from the shared table), topics, mentions, links, folding, characters."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from tidings.core.errors import Invalid
from tidings.core.text import (
    Token,
    bad_characters,
    clean_post_text,
    extract_mentions,
    extract_topics,
    fold,
    post_length,
    tokenize,
)

CASES = json.loads((Path(__file__).parent / "text_cases.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_the_length_table_has_enough_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_post_length_matches_the_shared_table(case: dict) -> None:
    assert post_length(case["text"]) == case["length"]


# --- folding


def test_fold_joins_traditional_and_simplified_chinese() -> None:
    assert fold("#戴爾#") == fold("#戴尔#")


def test_fold_joins_width_and_case() -> None:
    assert fold("ＤＥＬＬ") == fold("dell") == fold("Dell")


def test_fold_collapses_and_strips_whitespace() -> None:
    assert fold("  新品\u3000 \t發布會\n") == "新品 发布会"


# --- topics


@pytest.mark.parametrize(
    ("text", "topics"),
    [
        ("你好 #測試#", ["測試"]),
        ("#foo and #bar", ["foo", "bar"]),
        ("#foo #bar#", ["foo", "bar"]),
        ("#新品 發布會#", ["新品 發布會"]),
        ("今天#新品#很好", ["新品"]),
        ("a#b", []),
        ("##", []),
        ("# 新品#", []),
        ("#新品 #", ["新品"]),
        ("#tag, more", ["tag"]),
        ("#" + "字" * 32 + "#", ["字" * 32]),
        ("#" + "a" * 33, []),
        ("#第一行\n第二行#", ["第一行"]),
    ],
)
def test_extract_topics(text: str, topics: list[str]) -> None:
    assert extract_topics(text) == topics


def test_topics_are_deduplicated_by_fold_keeping_the_first_spelling() -> None:
    assert extract_topics("#戴爾# #戴尔# #Dell #DELL#") == ["戴爾", "Dell"]


# --- mentions


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("謝謝@戴爾中國", ["戴爾中國"]),
        ("@dell hi", ["dell"]),
        ("hi @dell-cn, @dell_tw.", ["dell-cn", "dell_tw"]),
        ("寫信到 bob@dell.com 吧", []),
        ("a.b+c@dell.com", []),
        ("轉發 //@name: text", ["name"]),
        ("好 //@戴爾中國: 轉發 //@小明:原文", ["戴爾中國", "小明"]),
        ("@" + "a" * 30, ["a" * 30]),
        ("@" + "a" * 31, []),
        ("@ alone", []),
    ],
)
def test_extract_mentions(text: str, mentions: list[str]) -> None:
    assert extract_mentions(text) == mentions


def test_mentions_are_deduplicated_by_fold() -> None:
    assert extract_mentions("@Dell @dell @ＤＥＬＬ @戴爾 @戴尔") == ["Dell", "戴爾"]


# --- tokens


def test_tokenize_joins_back_to_the_text() -> None:
    text = "見 https://a.com/x)。 #新品# @戴爾中國 //@bob: ok #tag"
    assert "".join(t.raw for t in tokenize(text)) == text


def test_tokenize_gives_each_kind_with_its_value() -> None:
    assert tokenize("看 https://a.com/x) @dell #新品#") == [
        Token("text", "看 ", "看 "),
        Token("url", "https://a.com/x", "https://a.com/x"),
        Token("text", ") ", ") "),
        Token("mention", "@dell", "dell"),
        Token("text", " ", " "),
        Token("topic", "#新品#", "新品"),
    ]


def test_a_link_wins_over_mentions_and_topics_inside_it() -> None:
    assert tokenize("https://a.com/@x#y") == [Token("url", "https://a.com/@x#y", "https://a.com/@x#y")]


def test_a_topic_never_spans_a_link() -> None:
    assert extract_topics("#新品 https://a.com/x 發布會#") == ["新品"]


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("見 https://a.com/x)。", "https://a.com/x"),
        ("(https://a.com/x)", "https://a.com/x"),
        ("https://a.com/foo_(bar)", "https://a.com/foo_(bar)"),
        ("[https://a.com/x]", "https://a.com/x"),
        ("see https://a.com/x?q=1&r=2.", "https://a.com/x?q=1&r=2"),
        ("HTTP://A.COM", "HTTP://A.COM"),
        ("網址:https://a.com/中文", "https://a.com/"),
    ],
)
def test_links_are_trimmed_of_trailing_punctuation(text: str, url: str) -> None:
    assert [t.value for t in tokenize(text) if t.kind == "url"] == [url]


@pytest.mark.parametrize("text", ["https://", "https://.", "ftp://a.com", "javascript:alert(1)"])
def test_no_link_without_an_http_scheme_and_something_after_it(text: str) -> None:
    assert [t for t in tokenize(text) if t.kind == "url"] == []


# --- characters


def test_bad_characters_finds_controls_bidi_bom_and_private_use() -> None:
    text = "a\x00b\x1b\x7f\x85\u202e\u2067\ufeff\ue000\ud800\U000e0000z"
    assert bad_characters(text) == [
        "\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2067", "\ufeff", "\ue000", "\ud800", "\U000e0000",
    ]  # fmt: skip


def test_bad_characters_lists_each_character_once() -> None:
    assert bad_characters("\u202ex\u202e") == ["\u202e"]


def test_bad_characters_allows_newline_tab_zwj_and_emoji() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert bad_characters(f"第一行\n\t{family} 🫎 ❤\ufe0f") == []


# --- clean_post_text


def test_clean_post_text_normalises_line_endings_and_strips() -> None:
    assert clean_post_text("  \r\n第一行\r\n第二行\r第三行 \n", max_length=140) == "第一行\n第二行\n第三行"


@pytest.mark.parametrize("text", ["", "   ", "\n\r\n\t", "\u3000"])
def test_clean_post_text_refuses_an_empty_post(text: str) -> None:
    with pytest.raises(Invalid) as error:
        clean_post_text(text, max_length=140)
    assert error.value.field == "text"
    assert str(error.value) == "Write something first."


def test_clean_post_text_names_the_bad_characters() -> None:
    with pytest.raises(Invalid) as error:
        clean_post_text("看\u202e這裡\x00", max_length=140)
    assert "U+202E" in str(error.value)
    assert "U+0000" in str(error.value)


def test_clean_post_text_says_by_how_much_a_post_is_too_long() -> None:
    with pytest.raises(Invalid) as error:
        clean_post_text("中" * 152, max_length=140)
    assert str(error.value) == "This post is 152 characters; the limit is 140 (12 over)."


def test_clean_post_text_accepts_exactly_the_limit() -> None:
    assert clean_post_text("中" * 139 + "ab", max_length=140) == "中" * 139 + "ab"


def test_clean_post_text_counts_after_stripping() -> None:
    assert clean_post_text("中" * 140 + "   \n", max_length=140) == "中" * 140


def test_clean_post_text_honours_a_raised_limit() -> None:
    assert clean_post_text("中" * 500, max_length=500) == "中" * 500
    with pytest.raises(Invalid):
        clean_post_text("中" * 501, max_length=500)


def test_a_link_ending_in_a_long_run_of_brackets_is_measured_quickly_and_correctly():
    # Linear, not quadratic: 200 000 brackets would take minutes with a rescan per character.
    text = "http://a" + ")" * 200_000
    assert post_length(text) == 10 + math.ceil(200_000 / 2)


def test_text_far_beyond_any_post_is_refused_before_it_is_parsed():
    with pytest.raises(Invalid) as refused:
        clean_post_text("https://example.com/" + "a" * 10_000, max_length=140)
    assert "far too long" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"), [("123", True), ("", False), ("³", False), ("٣", False), ("1a", False)]
)
def test_only_ascii_digits_are_a_number(text, expected):
    from tidings.core.text import is_number

    assert is_number(text) is expected
