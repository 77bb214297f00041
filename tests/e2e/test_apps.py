"""Apps in a real browser against `tidings serve`: an organisation's owner installs the sample
third-party app (examples/tidings-cite, installed with pip) for the company from the admin page;
a colleague finds its "Cite" action on a post and opens the citation; a webhook to a private
address is refused on the page; the owner removes the app and the action is gone. Screenshots
on a phone and a wide screen, in light and dark."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.looks import look_at
from tests.e2e.test_first_conversation import PASSWORD, shot
from tests.e2e.test_internal_space import log_in

pytestmark = pytest.mark.e2e


def test_an_owner_installs_the_sample_app_a_colleague_cites_a_post_and_the_owner_removes_it(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    for handle in ("應用主管", "應用同事"):
        tidings("createuser", handle, "--password-stdin", stdin=PASSWORD + "\n")
    tidings("org", "create", "apps-co", "--name", "應用公司", "--owner", "應用主管")
    tidings("org", "add-member", "apps-co", "應用同事")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    owner, colleague = desk.new_page(), phone.new_page()
    try:
        log_in(owner, server, "應用主管")
        owner.goto(server + "/o/apps-co/admin/apps/")
        card = owner.locator('.app-card[data-app="cite"]')
        expect(card).to_contain_text("引用")
        expect(card).to_contain_text("讀取")  # the permission it asks for, in the reader's language
        card.locator("button.primary").click()
        expect(owner.locator('#installed tr[data-installation="cite"]')).to_be_visible()
        shot(owner, "apps-installed")

        # A webhook to this machine is refused with the reason, and nothing is added.
        owner.fill("#w-url", "http://127.0.0.1:9/hook")
        owner.check("input[name=events][value=post]")
        owner.click("#webhooks button.primary")
        expect(owner.locator(".error[role=alert]")).to_contain_text("私有或本機")
        expect(owner.locator("#webhooks table")).to_have_count(0)

        owner.goto(server + "/")
        owner.fill("#compose-text", "年度報告出爐了,請大家參考")
        owner.click(".compose button[type=submit]")
        expect(owner.locator("article.post").first).to_contain_text("年度報告出爐了")

        log_in(colleague, server, "應用同事")
        colleague.goto(server + "/@應用主管/")
        action = colleague.locator('article.post a[data-app="cite"]').first
        expect(action).to_be_visible()
        action.click()
        expect(colleague.locator("#cite-plain")).to_have_value(re.compile("應用主管.*年度報告出爐了"))
        shot(colleague, "apps-cite-phone")

        owner.goto(server + "/o/apps-co/admin/apps/")
        owner.once("dialog", lambda dialog: dialog.accept())
        owner.locator('#installed tr[data-installation="cite"] button.danger').click()
        expect(owner.locator('#installed tr[data-installation="cite"]')).to_have_count(0)

        colleague.goto(server + "/@應用主管/")
        expect(colleague.locator("article.post").first).to_contain_text("年度報告出爐了")
        expect(colleague.locator('a[data-app="cite"]')).to_have_count(0)
    finally:
        desk.close()
        phone.close()

    look_at(
        browser,
        server,
        [("apps-admin", server + "/o/apps-co/admin/apps/"), ("apps-mine", server + "/settings/apps/")],
        handle="應用主管",
    )
