"""Handles: what is accepted, what is refused and why, and which handles look alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from tidings.core.errors import Invalid
from tidings.core.handles import clean_handle, handle_key, handle_skeleton


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "handle",
    ["戴爾中國", "dell", "Dell_CN", "dell-tw", "Привет", "小明2024", "école", "नमस्ते", "r2", "ab"],
)
def test_valid_handles_are_kept(handle: str) -> None:
    assert clean_handle(handle) == handle


def test_clean_handle_strips_and_composes() -> None:
    assert clean_handle("  e\u0301cole ") == "\u00e9cole"


def refusal(handle: str) -> str:
    with pytest.raises(Invalid) as error:
        clean_handle(handle)
    assert error.value.field == "handle"
    return str(error.value)


@pytest.mark.parametrize("handle", ["", "   "])
def test_an_empty_handle_is_refused(handle: str) -> None:
    assert refusal(handle) == "Choose a handle."


@pytest.mark.parametrize(("handle", "length"), [("a", 1), ("戴", 1), ("a" * 31, 31)])
def test_too_short_or_too_long_handles_are_refused(handle: str, length: int) -> None:
    assert refusal(handle) == f"A handle must be 2 to 30 characters long; this one has {length}."


def test_thirty_characters_is_allowed() -> None:
    assert clean_handle("戴" * 30) == "戴" * 30


@pytest.mark.parametrize(
    ("handle", "named"),
    [
        ("dell cn", "a space (U+0020)"),
        ("@dell", "“@” (U+0040)"),
        ("dell.cn", "“.” (U+002E)"),
        ("de\u200bll", "U+200B"),
        ("de\u200dll", "U+200D"),
        ("de\u202ell", "U+202E"),
        ("de\u2066ll", "U+2066"),
        ("dell😀", "“😀” (U+1F600)"),
        ("\u0301dell", "U+0301"),
        ("dell\x00", "U+0000"),
    ],
)
def test_characters_other_than_letters_digits_underscore_dash_are_refused(handle: str, named: str) -> None:
    message = refusal(handle)
    assert message.startswith("A handle may hold only letters, digits, “_” and “-”")
    assert named in message


@pytest.mark.parametrize("handle", ["2024", "__", "-_-", "12-34"])
def test_a_handle_needs_a_letter(handle: str) -> None:
    assert refusal(handle) == "A handle needs at least one letter."


@pytest.mark.parametrize("handle", ["admin", "Admin", "ＡＰＩ", "static", "topics", "well-known", "adm1n"])
def test_reserved_words_and_their_look_alikes_are_refused(handle: str) -> None:
    assert refusal(handle) == f"“{handle}” is reserved; choose another handle."


def test_handle_key_folds_case_width_and_chinese_script() -> None:
    assert handle_key("Dell") == handle_key("ＤＥＬＬ") == "dell"
    assert handle_key("戴爾中國") == handle_key("戴尔中国")


@pytest.mark.parametrize(
    "look_alike",
    ["deII", "DELL", "de11", "d\u0435ll", "ԁеⅼⅼ", "ｄｅｌｌ", "dеIl"],
)
def test_confusable_handles_share_a_skeleton(look_alike: str) -> None:
    assert handle_skeleton(look_alike) == handle_skeleton("dell")


def test_zero_and_o_share_a_skeleton() -> None:
    assert handle_skeleton("g00gle") == handle_skeleton("google") == handle_skeleton("gооgle")


def test_traditional_and_simplified_share_a_skeleton() -> None:
    assert handle_skeleton("戴爾中國") == handle_skeleton("戴尔中国")


@pytest.mark.parametrize(("a", "b"), [("dell", "dall"), ("dell", "bell"), ("rat", "tat"), ("戴爾", "戴尔a")])
def test_different_looking_handles_have_different_skeletons(a: str, b: str) -> None:
    assert handle_skeleton(a) != handle_skeleton(b)
