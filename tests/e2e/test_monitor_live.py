"""Brand monitoring in a real browser against `tidings serve` and `tidings worker`: an admin of the
company makes a monitor for its official account; a customer's matching post appears in the open
monitor column while it is open, without a reload; search finds it highlighted. Screenshots of
both pages on a phone and a wide screen, in light and dark."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import people
from tests.e2e.looks import look_at
from tests.e2e.test_first_conversation import PASSWORD, shot
from tests.e2e.test_internal_space import log_in

pytestmark = pytest.mark.e2e

OFFICIAL = """
from tidings.accounts.models import Account
from tidings.orgs.models import Organisation
from tidings.orgs.services import register_official_account
register_official_account(Organisation.objects.get(slug="shifan"), Account.objects.get(handle="示範官方"))
"""


def test_a_matching_post_appears_in_an_open_monitor_without_a_reload(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    people(tidings, "品牌經理", "示範官方", "挑剔顧客", password=PASSWORD)
    tidings("org", "create", "shifan", "--name", "示範科技", "--owner", "品牌經理")
    tidings("manage", "shell", "-c", OFFICIAL)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    manager, customer = desk.new_page(), phone.new_page()
    try:
        log_in(manager, server, "品牌經理")
        log_in(customer, server, "挑剔顧客")

        manager.goto(server + "/monitors/")
        manager.fill("input[name=name]", "X14 口碑")
        manager.fill("input[name=query]", "示範 OR X14 -廣告")
        manager.click("form.monitor-form button[type=submit]")
        expect(manager.locator("h1")).to_contain_text("X14 口碑")
        expect(manager.locator("body[data-monitor-state=open]")).to_have_count(1, timeout=30_000)
        monitor_url = manager.url

        customer.fill("#compose-text", "示範的 X14 電池一天就沒電了,客服也不回,太差了 #X14#")
        customer.click("form[data-compose] button[type=submit]")
        expect(customer.locator("article.post", has_text="電池一天就沒電")).to_be_visible()
        # Live, not on a reload. How fast is the bench's to measure (a time asserted here failed
        # when CI's other tests loaded both cores); this wait only bounds a hung page.
        card = manager.locator("[data-monitor-column] article.post", has_text="電池一天就沒電")
        expect(card).to_be_visible(timeout=10_000)

        customer.fill("#compose-text", "示範 廣告:X14 限時特價")
        customer.click("form[data-compose] button[type=submit]")
        expect(customer.locator("article.post", has_text="限時特價")).to_be_visible()
        manager.wait_for_timeout(1500)
        expect(manager.locator("[data-monitor-column] article.post", has_text="限時特價")).to_have_count(0)

        # Reloaded: the figures count it, with the tone and its caveat.
        manager.reload()
        expect(manager.locator(".tones")).to_contain_text("100%")
        expect(manager.locator(".figures .trends").first).to_contain_text("挑剔顧客")
        expect(manager.locator("img.chart")).to_be_visible()
        shot(manager, "monitor-1280-light")

        customer.goto(server + "/search/?q=" + "示范 电池")  # Simplified finds Traditional
        expect(customer.locator("article.post mark").first).to_be_visible()
        assert set(customer.locator("article.post mark").all_inner_texts()) >= {"示範", "電池"}
        shot(customer, "search-360-light")
    finally:
        desk.close()
        phone.close()

    look_at(
        browser, server, [("monitor", monitor_url), ("search", server + "/search/?q=X14")], handle="品牌經理"
    )
