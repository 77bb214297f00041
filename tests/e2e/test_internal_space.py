"""Leak prevention in a real browser: an employee posts inside the company with a photo; a
colleague sees both; a customer and an employee of another company see neither, by any URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import people
from tests.e2e.test_first_conversation import PASSWORD, shot

pytestmark = pytest.mark.e2e


def log_in(page: Page, server: str, handle: str) -> None:
    page.goto(server + "/login/")
    page.fill("input[name=login]", handle)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    expect(page.locator("#compose-text")).to_be_visible()


def test_an_internal_post_with_a_photo_reaches_colleagues_and_nobody_else(
    browser: Browser, server: str, tidings: Callable[..., str], tmp_path
) -> None:
    people(tidings, "員工甲", "員工乙", "顧客", "別家員工", password=PASSWORD)
    tidings("org", "create", "acme", "--name", "Acme 科技", "--owner", "員工甲")
    tidings("org", "add-member", "acme", "員工乙")
    tidings("org", "create", "rival", "--name", "別家公司", "--owner", "別家員工")

    photo = tmp_path / "whiteboard.png"
    from PIL import Image

    Image.new("RGB", (640, 360), (30, 140, 90)).save(photo)

    contexts = {
        name: browser.new_context(viewport=viewport, locale="zh-TW")
        for name, viewport in [
            ("author", {"width": 1280, "height": 900}),
            ("colleague", {"width": 360, "height": 780}),
            ("customer", {"width": 1280, "height": 900}),
            ("rival", {"width": 1280, "height": 900}),
        ]
    }
    pages = {name: context.new_page() for name, context in contexts.items()}
    try:
        for name, handle in [
            ("author", "員工甲"),
            ("colleague", "員工乙"),
            ("customer", "顧客"),
            ("rival", "別家員工"),
        ]:
            log_in(pages[name], server, handle)

        colleague = pages["colleague"]
        colleague.goto(server + "/o/acme/")  # open before the post is made: it must arrive live
        expect(colleague.locator("body[data-live-state=open]")).to_have_count(1, timeout=30_000)

        author = pages["author"]
        author.goto(server + "/o/acme/")
        expect(author.locator(".band-internal")).to_contain_text("Acme 科技")
        author.fill("#compose-text", "白板上的新路線圖 #機密#")
        author.set_input_files("form[data-compose] input[type=file]", str(photo))
        author.click("form[data-compose] button[type=submit]")
        card = author.locator("article.post", has_text="白板上的新路線圖")
        expect(card).to_be_visible()
        post_url = server + card.locator("a.when").get_attribute("href")
        image_url = server + card.locator(".media img").get_attribute("src")
        full_url = server + card.locator(".media a").get_attribute("href")
        shot(author, "internal-1280")

        mine = colleague.locator("article.post", has_text="白板上的新路線圖")
        expect(mine).to_be_visible(timeout=30_000)
        expect(mine.locator(".media img")).to_have_js_property("naturalWidth", 360)
        shot(colleague, "internal-360")

        for name in ("customer", "rival"):
            page = pages[name]
            for url in (server + "/o/acme/", post_url, image_url, full_url, post_url + "card/"):
                response = page.goto(url)
                assert response is not None and response.status == 404, (name, url)
            for url in (server + "/public/", server + "/topics/機密/", server + "/"):
                page.goto(url)
                expect(page.locator("article.post", has_text="白板上的新路線圖")).to_have_count(0)
        shot(pages["rival"], "internal-refused-1280")

        anonymous = browser.new_context()
        try:
            visitor = anonymous.new_page()
            for url in (image_url, full_url, post_url):
                response = visitor.goto(url)
                assert response is not None and response.status == 404, url
        finally:
            anonymous.close()
    finally:
        for context in contexts.values():
            context.close()
