"""The browser's counter (count.js) counts exactly like the server, on the same table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
COUNT_JS = ROOT / "src/tidings/web/static/tidings/count.js"
CASES = json.loads((ROOT / "tests/core/text_cases.json").read_text(encoding="utf-8"))


def load_counter(page: Page) -> None:
    page.set_content("<html><body></body></html>")
    page.add_script_tag(path=str(COUNT_JS))


def test_js_post_length_matches_the_whole_shared_table(page: Page) -> None:
    load_counter(page)
    texts = [case["text"] for case in CASES]
    counted = page.evaluate("texts => texts.map(t => Tidings.postLength(t))", texts)
    mismatches = [
        f"{case['note']}: {case['text']!r} counted {got}, expected {case['length']}"
        for case, got in zip(CASES, counted, strict=True)
        if got != case["length"]
    ]
    assert not mismatches, "\n".join(mismatches)


def test_attach_counter_shows_what_is_left_and_flags_going_over(page: Page) -> None:
    load_counter(page)
    page.evaluate(
        """() => {
            document.body.innerHTML = '<textarea id="t"></textarea><output id="o"></output>';
            Tidings.attachCounter(document.getElementById("t"), document.getElementById("o"), 5);
        }"""
    )
    output = page.locator("#o")
    textarea = page.locator("#t")
    assert output.text_content() == "5"

    textarea.press_sequentially("你好ab")  # 2 + 1/2 + 1/2 = 3
    assert output.text_content() == "2"
    assert "over" not in (output.get_attribute("class") or "")
    assert textarea.get_attribute("aria-invalid") is None

    textarea.press_sequentially("世界了嗎")  # 7
    assert output.text_content() == "-2"
    assert "over" in (output.get_attribute("class") or "").split()
    assert textarea.get_attribute("aria-invalid") == "true"

    textarea.fill("https://example.com/a/long/link")  # a link counts 10
    assert output.text_content() == "-5"

    textarea.fill("ok")
    assert output.text_content() == "4"
    assert "over" not in (output.get_attribute("class") or "").split()
    assert textarea.get_attribute("aria-invalid") is None
