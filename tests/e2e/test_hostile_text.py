"""Hostile text in a real browser: script tags, <img onerror>, javascript: links, quotes that try
to break out of an attribute, right-to-left text, zero-width characters and a wall of emoji are
posted through the web forms as a post, a comment, a display name, a bio, a topic and a group
name, then every page that shows them is opened on a phone and a wide screen, light and dark.
Nothing runs (each payload would set window.__pwned or open a dialog, and the page's CSP would
complain of a blocked inline script), everything is shown as the text it is, and nothing makes
the phone's page scroll sideways. What the rules forbid (a zero-width character in a handle, a
right-to-left override in a name, a post over 140) is refused with a message that says so."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, expect
from tests.e2e.conftest import SCREENSHOTS, people
from tests.e2e.test_first_conversation import PASSWORD, shot
from tests.e2e.test_internal_space import log_in
from tests.installations import SQLITE_PASS_ONLY

from tidings.core.text import fold, post_length

pytestmark = [pytest.mark.e2e, SQLITE_PASS_ONLY]

AUTHOR, READER, OFFICIAL, ORG = "惡意作者", "讀者甲", "惡意官方", "hostile-co"
TRAP = "window.__pwned=1"
SCRIPT = f"<script>{TRAP}</script>"
IMG = f'<img src=x onerror="{TRAP};alert(1)">'
TOPIC = "<img src=x onerror=alert(1)>"
POST = (
    f'{SCRIPT} {IMG} javascript:{TRAP} #{TOPIC}# @{READER} @{OFFICIAL} https://example.com/"onclick="{TRAP}'
)
COMMENT = f"<svg onload=alert(1)> '\"><b>粗體</b> data:text/html,{SCRIPT}"
RTL = "שלום עולם مرحبا بالعالم \u200f(123) 你好 abc"
LONG_WORD = "W" * 250  # 125 characters and no place to break a line
LONG_LINK = "https://example.com/" + "a" * 300
NAME = '" autofocus onfocus="__pwned=1'  # a display name may not hold "<" or ">"
BIO = f"{SCRIPT}{IMG} javascript:alert(1) مرحبا"
GROUP = f"{SCRIPT} 群組"
EMOJI = "👩‍👩‍👧‍👦🏳️‍🌈👍🏽🇹🇼😀" * 28  # 140 emoji: each counts 1, however many code points
TOO_MANY_EMOJI = "😀" * 10_000
OVERFLOW = "document.scrollingElement.scrollWidth - window.innerWidth"
LIVE_MARKUP = (
    "document.querySelectorAll('main script, main img[src=x], main svg, [onerror], [onload], [onclick],"
    " [onfocus], a[href^=javascript], a[href^=data]')"
    ".length"
)

SETUP = f"""
from tidings.accounts.models import Account
from tidings.orgs.models import Organisation
from tidings.orgs.services import add_member, register_official_account
org = Organisation.objects.get(slug="{ORG}")
register_official_account(org, Account.objects.get(handle="{OFFICIAL}"))
add_member(org, Account.objects.get(handle="{AUTHOR}"))
"""


class Watch:
    """Everything a page could do if a payload ran: a dialog, a console complaint of the CSP or
    a script error, a request for the payloads' image."""

    def __init__(self, page: Page) -> None:
        self.events: list[str] = []
        page.on("dialog", self.on_dialog)
        page.on("pageerror", lambda error: self.events.append(f"error {error}"))
        page.on("console", self.on_console)
        page.on("request", self.on_request)

    def on_dialog(self, dialog: Dialog) -> None:
        self.events.append(f"dialog {dialog.message}")
        dialog.dismiss()

    def on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused" in message.text:
            self.events.append(f"console {message.text}")

    def on_request(self, request: Request) -> None:
        if request.url.endswith("/x"):
            self.events.append(f"request {request.url}")

    def assert_nothing_ran(self, page: Page, where: str) -> None:
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", where
        assert page.evaluate(LIVE_MARKUP) == 0, where
        assert self.events == [], f"{where}: {self.events}"


def reload_until(page: Page, url: str, text: str, seconds: float = 30) -> None:
    """Open url until it shows text: the worker fans posts out and makes notifications and cases."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if text in page.inner_text("main"):
            return
        assert time.monotonic() < deadline, f"{url} never showed {text!r}"
        time.sleep(0.5)


def test_zero_width_characters_in_a_handle_are_refused_by_name(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="en")
    page = context.new_page()
    try:
        for invisible, code in (("\u200b", "U+200B"), ("\u200d", "U+200D"), ("\ufeff", "U+FEFF")):
            page.goto(server + "/signup/")
            page.fill("input[name=handle]", f"壞{invisible}人")
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action='/signup/'] button[type=submit]")
            expect(page.locator(".error[role=alert]")).to_contain_text(f"not {code}")
            expect(page.locator("#s-handle")).to_have_attribute("aria-invalid", "true")
        shot(page, "hostile-handle-360")
    finally:
        context.close()


def test_hostile_text_is_shown_as_text_runs_nothing_and_keeps_the_phone_layout(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    people(tidings, AUTHOR, READER, OFFICIAL, password=PASSWORD)
    tidings("org", "create", ORG, "--name", "惡意測試公司", "--owner", READER)
    tidings("manage", "shell", "-c", SETUP)
    assert post_length(EMOJI) == 140 and post_length(POST) <= 140 and post_length(LONG_WORD) <= 140

    reading, writing = (
        browser.new_context(viewport={"width": 1280, "height": 900}, locale="en") for _ in "rw"
    )
    try:
        reader, author = reading.new_page(), writing.new_page()
        log_in(reader, server, READER)
        reader.goto(f"{server}/@{quote(AUTHOR)}/")
        reader.click("form[action$='/follow/'] button")
        expect(reader.locator("form[action$='/unfollow/'] button")).to_be_visible()
        group_url = _make_groups(reader, server)

        log_in(author, server, AUTHOR)
        _write_profile(author, server)
        _refuse_too_many_emoji(author, server)
        for text in (EMOJI, RTL, LONG_WORD, LONG_LINK, POST):
            author.fill("#compose-text", text)
            author.click("form[data-compose] button[type=submit]")
            expect(author.locator("article.post .text").first).to_have_text(_shown(text))
        post_url = server + author.locator("article.post a.when").first.get_attribute("href")  # type: ignore[operator]
        author.goto(post_url)
        author.fill("#comment-text", COMMENT)
        author.click(".comment-form button[type=submit]")
        expect(author.locator("li.comment .text")).to_have_text(COMMENT)
    finally:
        reading.close()
        writing.close()

    pages = [
        ("home", server + "/", [SCRIPT, IMG, "W" * 250, RTL, EMOJI]),
        ("post", post_url, [SCRIPT, IMG, COMMENT, NAME]),
        ("profile", f"{server}/@{quote(AUTHOR)}/", [NAME, BIO, SCRIPT]),
        ("topic", f"{server}/topics/{quote(fold(TOPIC), safe='')}/", [TOPIC, SCRIPT]),
        ("search", f"{server}/search/?q={quote('script')}", [SCRIPT, IMG]),
        ("notifications", server + "/notifications/", [NAME]),
        ("group", group_url, [GROUP]),
        ("inbox", f"{server}/ops/@{quote(OFFICIAL)}/inbox/", [SCRIPT]),
    ]
    for scheme in ("light", "dark"):
        for width in (360, 1280):
            context = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme, locale="zh-TW"
            )
            try:
                page = context.new_page()
                watch = Watch(page)
                log_in(page, server, READER)
                for name, url, texts in pages:
                    where = f"{name} {width}px {scheme}"
                    reload_until(page, url, texts[0])
                    # The whole page: the long and right-to-left posts are below the fold.
                    page.screenshot(
                        path=str(SCREENSHOTS / f"hostile-{name}-{width}-{scheme}.png"), full_page=True
                    )
                    watch.assert_nothing_ran(page, where)
                    shown = page.inner_text("main")
                    for text in texts:
                        assert text in shown, f"{where}: {text!r} is not shown as text"
                    assert page.evaluate(OVERFLOW) <= 0, f"{where}: wider than the screen"
                    if name == "home":  # each post's text runs the way its own first letters do
                        direction = "e => getComputedStyle(e).direction"
                        texts_of = page.locator("article.post .text")
                        assert texts_of.filter(has_text="שלום").first.evaluate(direction) == "rtl"
                        assert texts_of.filter(has_text=EMOJI[:10]).first.evaluate(direction) == "ltr"
            finally:
                context.close()


def _shown(text: str) -> str:
    # A link shows without its scheme, cut to 32 characters and "…"; the post's own text otherwise.
    if text == LONG_LINK:
        return LONG_LINK.removeprefix("https://")[:32] + "…"
    if text == POST:
        return POST.replace("https://example.com/", "example.com/")
    return text


def _make_groups(page: Page, server: str) -> str:
    """A group name with a right-to-left override is refused; one with a script tag is kept as text."""
    page.goto(f"{server}/o/{ORG}/groups/new/")
    page.fill("#g-name", "\u202e群組 evil")
    page.click("form[action$='/groups/new/'] button[type=submit]")
    expect(page.locator(".error[role=alert]")).to_contain_text("U+202E")
    page.fill("#g-name", GROUP)
    page.click("form[action$='/groups/new/'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text(GROUP)
    return page.url


def _write_profile(page: Page, server: str) -> None:
    page.goto(server + "/settings/")
    page.fill("#s-name", "惡意\u202e作者")
    page.click("form[action='/settings/'] button[type=submit]")
    expect(page.locator(".error[role=alert]")).to_contain_text("characters that are not allowed")
    page.fill("#s-name", NAME)
    page.fill("#s-bio", BIO)
    page.click("form[action='/settings/'] button[type=submit]")
    page.goto(server + "/settings/")
    expect(page.locator("#s-name")).to_have_value(NAME)
    expect(page.locator("#s-bio")).to_have_value(BIO)


def _refuse_too_many_emoji(page: Page, server: str) -> None:
    """10 000 emoji: the counter says how far over the limit, and the server refuses it, saying why."""
    page.goto(server + "/")
    page.fill("#compose-text", TOO_MANY_EMOJI)
    expect(page.locator("#compose-count")).to_have_text(str(140 - 10_000))
    expect(page.locator("#compose-count")).to_have_class(re.compile(r"\bover\b"))
    expect(page.locator("#compose-text")).to_have_attribute("aria-invalid", "true")
    page.click("form[data-compose] button[type=submit]")
    expect(page.locator(".error[role=alert]")).to_contain_text("far too long: the limit is 140 characters")
    shot(page, "hostile-too-many-emoji-1280")
    page.goto(server + "/")
