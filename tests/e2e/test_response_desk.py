"""A day at the response desk in a real browser, against `tidings serve` and `tidings worker`:
the manager puts a responder on duty; a customer complains on a phone; the rule marks it
critical and the person on duty is alerted; they acknowledge in public, post progress and
resolve it; the customer sees each step on their post and rates the answer; the desk's figures
show it. Screenshots of the inbox and the case on a phone and a wide screen, light and dark."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import people
from tests.e2e.test_first_conversation import PASSWORD, shot
from tests.e2e.test_internal_space import log_in
from tests.installations import SQLITE_PASS_ONLY

pytestmark = [pytest.mark.e2e, SQLITE_PASS_ONLY]

SETUP = """
from tidings.accounts.models import Account
from tidings.orgs.models import Organisation
from tidings.orgs.services import add_member, register_official_account
org = Organisation.objects.get(slug="shifan-desk")
register_official_account(org, Account.objects.get(handle="示範服務"))
add_member(org, Account.objects.get(handle="值班客服"))
"""


def test_a_complaint_is_triaged_alerted_acknowledged_resolved_and_rated(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    people(tidings, "客服主管", "值班客服", "示範服務", "生氣顧客", password=PASSWORD)
    tidings("org", "create", "shifan-desk", "--name", "示範服務公司", "--owner", "客服主管")
    tidings("manage", "shell", "-c", SETUP)
    account = server + "/ops/@示範服務/"

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    manager, customer = desk.new_page(), phone.new_page()
    try:
        # Morning: the manager gives the responder the role and puts them on duty.
        log_in(manager, server, "客服主管")
        manager.goto(account + "team/")
        manager.fill("#g-handle", "值班客服")
        manager.select_option("select[name=role]", "responder")
        manager.click("#team button[type=submit]")
        expect(manager.locator("#team")).to_contain_text("@值班客服")
        now = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Taipei"))
        manager.goto(account + "desk/")
        manager.fill("#shift input[name=handle]", "值班客服")
        manager.fill("#shift input[name=starts_at]", (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        manager.fill("#shift input[name=ends_at]", (now + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
        manager.click("#shift button[type=submit]")
        expect(manager.locator("#shift")).to_contain_text("@值班客服")
        manager.close()

        responder = desk.new_page()
        log_in(responder, server, "值班客服")

        # A customer complains.
        log_in(customer, server, "生氣顧客")
        customer.fill("#compose-text", "@示範服務 我要投訴!新買的充電器冒煙了,太危險")
        customer.click("form[data-compose] button[type=submit]")
        complaint = customer.locator("article.post", has_text="充電器冒煙")
        expect(complaint).to_be_visible()

        # The person on duty is alerted and opens the case from the notification.
        expect(responder.locator("[data-badge=notifications]")).to_be_visible(timeout=15_000)
        responder.goto(server + "/notifications/")
        responder.locator("[data-kind=case] a", has_text="開啟案件").click()
        expect(responder.locator(".case-head .pill-critical")).to_be_visible()
        expect(responder.locator(".case-head")).to_contain_text("投訴")
        shot(responder, "desk-case-1280-light")

        responder.click("text=公開回覆收到")
        expect(responder.locator(".case-events")).to_contain_text("收到,我們正在處理")
        responder.fill("textarea[aria-label=你的回覆]", "已聯絡物流取回充電器,明天送檢")
        responder.click("button:has-text('發布為進度更新')")
        expect(responder.locator(".case-events")).to_contain_text("明天送檢")
        responder.fill("textarea[aria-label=你的回覆]", "檢驗完成,已寄出新品並全額退款,造成不便很抱歉")
        responder.click("button:has-text('回覆並結案')")
        expect(responder.locator(".case-head")).to_contain_text("已結案")

        # The customer sees every step on their post, and rates the answer.
        customer.goto(server + (complaint.locator("a[href^='/p/']").first.get_attribute("href") or ""))
        for words in ("收到,我們正在處理", "明天送檢", "全額退款"):
            expect(customer.locator(".comment", has_text=words)).to_contain_text("示範服務")
        for _ in range(15):
            customer.goto(server + "/messages/@示範服務/")
            if customer.locator("main a[href*='/cases/']").count():
                break
            customer.wait_for_timeout(1000)
        survey = customer.locator("main a[href*='/cases/']").first.get_attribute("href") or ""
        path = re.search(r"/cases/\d+/rate/$", survey)
        assert path and survey.startswith(server), survey  # a whole link, to this server
        customer.goto(survey)
        customer.click("button[name=rating][value='5']")
        expect(customer.locator(".rating")).to_contain_text("5")
        shot(customer, "desk-rating-360-light")

        # The figures count it.
        responder.goto(account + "figures/")
        expect(responder.locator(".stat-row")).to_contain_text("5")
        expect(responder.locator(".figures-desk table").first).to_contain_text("緊急")
        shot(responder, "desk-figures-1280-light")
    finally:
        desk.close()
        phone.close()

    for scheme in ("light", "dark"):
        for width in (360, 1280):
            context = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme, locale="zh-TW"
            )
            page = context.new_page()
            log_in(page, server, "值班客服")
            page.goto(account + "inbox/?state=resolved")
            page.locator(".cases a").first.click()
            case_url = page.url
            for name, url in (("desk-inbox", account + "inbox/?state=resolved"), ("desk-case", case_url)):
                page.goto(url)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{name} {width}px {scheme}: {overflow}px wider than the screen"
                shot(page, f"{name}-{width}-{scheme}")
            context.close()
