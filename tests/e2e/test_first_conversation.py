"""The whole core loop in a real browser against a real server and worker: sign up, post,
follow, see it arrive live, repost with a comment, comment, like, and get the notifications."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e
PASSWORD = "a long demo passphrase"
LIKED = "article.post form[action$='/unlike/'] button[aria-pressed=true]"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def sign_up(page: Page, server: str, handle: str) -> None:
    page.goto(server + "/signup/")
    page.fill("input[name=handle]", handle)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/signup/'] button[type=submit]")
    expect(page.locator("#compose-text")).to_be_visible()


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def test_two_people_post_follow_see_it_live_repost_comment_like_and_get_notified(
    browser: Browser, server: str
) -> None:
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    first, second = desktop.new_page(), phone.new_page()
    try:
        sign_up(first, server, "阿明")
        sign_up(second, server, "小華")

        second.goto(f"{server}/@{quote('阿明')}/")
        second.click("form[action$='/follow/'] button")
        expect(second.locator("form[action$='/unfollow/'] button")).to_be_visible()
        second.goto(server + "/")
        expect(second.locator("body[data-live-state=open]")).to_have_count(1, timeout=30_000)

        first.fill("#compose-text", "你好 #測試#")
        # 4 CJK characters count 1 each, the space and two # count 1/2 each: 5.5, rounded up to 6.
        expect(first.locator("#compose-count")).to_have_text("134")
        first.click("form[data-compose] button[type=submit]")
        mine = first.locator("article.post", has_text="你好")
        expect(mine).to_be_visible()
        expect(mine.locator("a.topic")).to_have_text("#測試#")

        # The follower's open home page receives it without a reload.
        live = second.locator("article.post", has_text="你好")
        expect(live).to_be_visible(timeout=30_000)
        shot(second, "home-360-live")

        live.locator("a[data-action=repost]").click()
        second.fill("#repost-text", "說得好 @阿明")
        second.click("form[action$='/repost/'] button[type=submit]")
        expect(second.locator("article.post.is-repost", has_text="說得好")).to_be_visible()

        second.goto(server + first.locator("article.post a.when").first.get_attribute("href"))
        second.fill("#comment-text", "歡迎加入!")
        second.click(".comment-form button[type=submit]")
        expect(second.locator("li.comment", has_text="歡迎加入")).to_be_visible()
        like = second.locator("article.post form[action$='/like/'] button").first
        like.click()
        expect(
            second.locator("article.post form[action$='/unlike/'] button[aria-pressed=true]")
        ).to_have_count(1)
        shot(second, "post-360")

        # The author hears of all of it: a live badge, then the list.
        expect(first.locator("[data-badge=notifications]")).to_be_visible(timeout=30_000)
        # The worker may still be writing the last ones: look again until all five are listed.
        kinds = ("follow", "repost", "mention", "comment", "like")
        deadline = time.monotonic() + 45
        while True:
            first.goto(server + "/notifications/")
            found = {k: first.locator(f"li.notification[data-kind={k}]").count() for k in kinds}
            if all(found.values()) or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert found == dict.fromkeys(kinds, 1), found
        shot(first, "notifications-1280")

        first.goto(server + "/")
        first.locator("article.post a.topic").first.click()
        expect(first.locator("h1")).to_have_text("#測試#")
        expect(first.locator("article.post", has_text="你好")).to_have_count(1)
        shot(first, "topic-1280")
    finally:
        desktop.close()
        phone.close()


def test_the_public_square_reads_well_on_a_phone_and_a_wide_screen_in_light_and_dark(
    browser: Browser, server: str
) -> None:
    for scheme in ("light", "dark"):
        for width in (360, 1280):
            context = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme, locale="zh-TW"
            )
            page = context.new_page()
            page.goto(server + "/public/")
            # Nothing sticks out sideways on a phone.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{width}px {scheme}: page is {overflow}px wider than the screen"
            shot(page, f"public-{width}-{scheme}")
            context.close()


def test_everything_works_as_plain_forms_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 780})
    page = context.new_page()
    try:
        sign_up(page, server, "no_js_user")
        page.fill("#compose-text", "沒有 JavaScript 也能發 #測試#")
        page.click("form[data-compose] button[type=submit]")
        card = page.locator("article.post", has_text="沒有 JavaScript")
        expect(card).to_be_visible()
        card.locator("form[action$='/like/'] button").click()
        expect(page.locator("article.post form[action$='/unlike/'] button[aria-pressed=true]")).to_have_count(
            1
        )
        too_long = "長" * 141
        page.fill("#compose-text", too_long)
        page.click("form[data-compose] button[type=submit]")
        expect(page.locator("p.error")).to_contain_text("1")
    finally:
        context.close()
