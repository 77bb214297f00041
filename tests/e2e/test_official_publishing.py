"""An official account's post from draft to publication in a real browser, against `tidings
serve` and `tidings worker`: the owner gives an employee the editor's role and asks for one
approval; the editor writes a post on a phone for a set time; the owner approves it and sees it
on the calendar; the worker publishes it at its time with nobody logged in; then the owner acts
as the account and answers a customer as it. Screenshots of the pages on a phone and a wide
screen, in light and dark."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import people
from tests.e2e.test_first_conversation import PASSWORD, shot
from tests.e2e.test_internal_space import log_in

pytestmark = pytest.mark.e2e

OFFICIAL = """
from tidings.accounts.models import Account
from tidings.orgs.models import Organisation
from tidings.orgs.services import add_member, register_official_account
org = Organisation.objects.get(slug="shifan-ops")
register_official_account(org, Account.objects.get(handle="示範小幫手"))
add_member(org, Account.objects.get(handle="文案小編"))
"""


def seconds_ahead(seconds: int) -> dt.datetime:
    """A time in Taipei this many seconds from now, to the second (the form takes seconds)."""
    return (dt.datetime.now(zoneinfo.ZoneInfo("Asia/Taipei")) + dt.timedelta(seconds=seconds)).replace(
        microsecond=0
    )


def test_a_post_is_written_approved_scheduled_and_published_by_the_worker(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    people(tidings, "公關主管", "文案小編", "示範小幫手", "路過顧客", password=PASSWORD)
    tidings("org", "create", "shifan-ops", "--name", "示範營運", "--owner", "公關主管")
    tidings("manage", "shell", "-c", OFFICIAL)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    owner, editor = desk.new_page(), phone.new_page()
    account = server + "/ops/@示範小幫手/"
    try:
        log_in(owner, server, "公關主管")
        owner.goto(account + "team/")
        owner.fill("#g-handle", "文案小編")
        owner.select_option("select[name=role]", "editor")
        owner.click("#team button[type=submit]")
        expect(owner.locator("#team")).to_contain_text("@文案小編")
        owner.fill("#s-approvals", "1")
        owner.click("#settings button[type=submit]")
        expect(owner.locator("#s-approvals")).to_have_value("1")

        log_in(editor, server, "文案小編")
        editor.goto(account)
        when = seconds_ahead(20)  # time enough to approve it first
        editor.fill("#d-text", "週末門市延長營業到晚上十點 #示範門市#")
        editor.fill("input[name=publish_at]", when.strftime("%Y-%m-%dT%H:%M:%S"))
        editor.click("button[name=then][value=submit]")
        expect(editor.locator(".pill-review")).to_be_visible()
        shot(editor, "ops-draft-360-light")

        owner.goto(account)
        owner.locator("#review a", has_text="週末門市延長營業").click()
        owner.click("button[name=decision][value=approve]")
        expect(owner.locator(".pill-scheduled").first).to_be_visible()
        owner.goto(account + "calendar/")
        expect(owner.locator(".calendar-day")).to_contain_text(when.strftime("%H:%M"))
        shot(owner, "ops-calendar-1280-light")
        owner.goto(server + "/@示範小幫手/")
        expect(owner.locator("article.post", has_text="週末門市延長營業")).to_have_count(0)
    finally:
        desk.close()
        phone.close()

    # Nobody is logged in now: the worker publishes it at its time.
    visitor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW").new_page()
    wait = (when - dt.datetime.now(zoneinfo.ZoneInfo("Asia/Taipei"))).total_seconds()
    visitor.wait_for_timeout(max(wait, 0) * 1000)
    for _ in range(30):
        visitor.goto(server + "/@示範小幫手/")
        if visitor.locator("article.post", has_text="週末門市延長營業").count():
            break
        visitor.wait_for_timeout(1000)
    expect(visitor.locator("article.post", has_text="週末門市延長營業")).to_be_visible()
    late = (dt.datetime.now(zoneinfo.ZoneInfo("Asia/Taipei")) - when).total_seconds()
    assert late < 30, f"published {late:.0f} s after its time"
    visitor.context.close()

    # Acting as the account: the owner answers a customer's question as it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    customer = context.new_page()
    log_in(customer, server, "路過顧客")
    customer.fill("#compose-text", "請問示範門市週末開到幾點?")
    customer.click("form[data-compose] button[type=submit]")
    question = customer.locator("article.post", has_text="週末開到幾點")
    expect(question).to_be_visible()
    question_url = server + (question.locator("a[href^='/p/']").first.get_attribute("href") or "")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    owner = context.new_page()
    log_in(owner, server, "公關主管")
    owner.goto(server + "/ops/")
    owner.locator(".ops-list li", has_text="示範小幫手").locator("button[name=account]").click()
    expect(owner.locator(".band-acting")).to_contain_text("@示範小幫手")
    owner.goto(question_url)
    owner.fill("textarea[name=text]", "您好,週末開到晚上十點喔")
    owner.locator("form[action$='/comment/'] button[type=submit]").click()
    expect(owner.locator(".comment", has_text="週末開到晚上十點")).to_contain_text("示範小幫手")
    shot(owner, "ops-acting-1280-light")
    owner.goto(account + "team/")
    expect(owner.locator("#deeds")).to_contain_text("@公關主管")
    context.close()

    for scheme in ("light", "dark"):
        for width in (360, 1280):
            context = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme, locale="zh-TW"
            )
            page = context.new_page()
            log_in(page, server, "公關主管")
            for name, url in (
                ("ops", server + "/ops/"),
                ("ops-account", account),
                ("ops-team", account + "team/"),
            ):
                page.goto(url)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{name} {width}px {scheme}: {overflow}px wider than the screen"
                shot(page, f"{name}-{width}-{scheme}")
            context.close()
