"""Activities in a real browser against `tidings serve` and `tidings worker`: a fan makes a poll
from the compose box and a friend votes in it; the brand's manager starts a prize quiz and a
lottery from the account's activities page; fans answer and repost on a phone; when the entries
have closed the manager draws; the winner is told, and anyone can read the seed and the entrants
to check the draw. Screenshots on a phone and a wide screen, in light and dark."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import people
from tests.e2e.looks import look_at
from tests.e2e.test_first_conversation import PASSWORD, shot
from tests.e2e.test_internal_space import log_in

pytestmark = pytest.mark.e2e

REGISTER = """
from tidings.accounts.models import Account
from tidings.orgs.models import Organisation
from tidings.orgs.services import register_official_account
register_official_account(Organisation.objects.get(slug="{slug}"), Account.objects.get(handle="{account}"))
"""


def company(
    tidings: Callable[..., str], *, slug: str, owner: str, account: str, fans: tuple[str, ...]
) -> None:
    """An organisation owned by `owner`, its official account, and people to take part."""
    people(tidings, owner, account, *fans, password=PASSWORD)
    tidings("org", "create", slug, "--name", f"{account}公司", "--owner", owner)
    tidings("manage", "shell", "-c", REGISTER.format(slug=slug, account=account))


CLOSE = """
from django.utils import timezone
from tidings.activities.models import Activity
Activity.objects.filter(host__handle="示範活動").update(closes_at=timezone.now())
"""


def test_a_poll_a_quiz_and_a_lottery_from_start_to_a_checked_draw(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    company(
        tidings,
        slug="shifan-act",
        owner="活動主管",
        account="示範活動",
        fans=(
            "熱心粉絲",
            "投票朋友",
        ),
    )

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    manager, fan = desk.new_page(), phone.new_page()
    try:
        # A poll from the compose box, voted on by a friend.
        log_in(fan, server, "熱心粉絲")
        fan.click(".compose-poll summary")
        fan.fill("#compose-text", "週末去哪裡?")
        options = fan.locator("input[name=poll_option]")
        options.nth(0).fill("海邊")
        options.nth(1).fill("山上")
        fan.select_option("select[name=poll_duration]", "3600")
        shot(fan, "poll-compose-360-light")
        fan.click(".compose button[type=submit]")
        poll_card = fan.locator("article.post", has_text="週末去哪裡").first
        expect(poll_card.locator(".poll")).to_contain_text("山上")
        friend_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
        friend = friend_context.new_page()
        log_in(friend, server, "投票朋友")
        friend.goto(server + "/@熱心粉絲/")
        friend.locator("article.post .poll label", has_text="山上").click()
        friend.locator("article.post .poll button[type=submit]").click()
        expect(friend.locator(".poll-results")).to_contain_text("100%")
        friend_context.close()

        # The manager starts a quiz and a lottery as the brand.
        log_in(manager, server, "活動主管")
        activities = server + "/ops/@示範活動/activities/"
        manager.goto(activities)
        manager.fill("input[name=title]", "新品猜猜看")
        manager.fill("textarea[name=text]", "猜猜 X15 的電池容量,答對抽耳機!")
        option_inputs = manager.locator("input[name=option]")
        for i, value in enumerate(["4000 mAh", "5000 mAh", "6000 mAh"]):
            option_inputs.nth(i).fill(value)
        manager.locator("input[name=answer][value='1']").check()
        manager.fill("input[name=closes_at]", "2099-01-01T10:00")
        manager.fill("input[name=prize]", "藍牙耳機")
        manager.click(".activity-form button[type=submit]")
        expect(manager.locator("p.error")).to_contain_text("90")  # too far ahead: refused, form kept
        expect(manager.locator("input[name=title]")).to_have_value("新品猜猜看")
        manager.fill("input[name=closes_at]", manager.evaluate(LATER))
        manager.click(".activity-form button[type=submit]")
        expect(manager.locator("article.activity h1")).to_have_text("新品猜猜看")
        quiz_url = manager.url

        manager.goto(activities + "?kind=lottery")
        manager.fill("input[name=title]", "轉發抽手機殼")
        manager.fill("textarea[name=text]", "轉發這則貼文抽 X14 手機殼")
        manager.fill("input[name=closes_at]", manager.evaluate(LATER))
        manager.uncheck("input[name=exclude_staff]")
        manager.click(".activity-form button[type=submit]")
        expect(manager.locator("article.activity")).to_contain_text("轉發活動貼文即可參加")
        lottery_url = manager.url
        manager.goto(activities)
        shot(manager, "activities-manage-1280-light")

        # A fan answers the quiz and reposts the lottery on a phone.
        fan.goto(quiz_url)
        fan.locator(".quiz label", has_text="5000 mAh").click()
        fan.click(".quiz button[type=submit]")
        expect(fan.locator(".quiz")).to_contain_text("你已作答")
        fan.goto(lottery_url)
        announcement = fan.locator("article.activity a", has_text="活動貼文").get_attribute("href")
        fan.goto(server + f"{announcement}repost/")
        fan.fill("textarea[name=text]", "抽我!")
        fan.click("main form button[type=submit].primary")
        expect(fan.locator("article.post", has_text="抽我").first).to_be_visible()
        shot(fan, "activity-quiz-360-light")

        # Entries close; the manager draws both; the fan is told and checks the draw.
        tidings("manage", "shell", "-c", CLOSE)
        for url in (quiz_url, lottery_url):
            manager.goto(url)
            manager.click("form[action$='/draw/'] button[type=submit]")
            expect(manager.locator("ol.winners")).to_contain_text("@熱心粉絲")
        fan.goto(server + "/notifications/")
        expect(fan.locator("li.notification[data-kind=won]").first).to_be_visible()
        fan.goto(quiz_url)
        expect(fan.locator(".quiz")).to_contain_text("答對了")
        record = json.loads(fan.request.get(quiz_url + "draw.json").text())
        assert record["winners"] and record["seed"]
        fan.click(".verify summary")
        expect(fan.locator(".verify")).to_contain_text(record["seed"])
        shot(fan, "activity-drawn-360-light")
    finally:
        desk.close()
        phone.close()

    look_at(browser, server, [("activity", lottery_url), ("activities", activities)], handle="活動主管")


# An hour from now in Taipei, as the form's datetime-local field takes it.
LATER = """(() => {
  const t = new Date(Date.now() + 3600e3 + 8 * 3600e3);
  return t.toISOString().slice(0, 16);
})()"""


def test_a_donation_campaign_and_a_survey_from_start_to_results(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    company(tidings, slug="shifan-good", owner="公益主管", account="示範公益", fans=("愛心粉絲",))

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    manager, fan = desk.new_page(), phone.new_page()
    try:
        log_in(manager, server, "公益主管")
        activities = server + "/ops/@示範公益/activities/"
        manager.goto(activities + "?kind=donation")
        manager.fill("input[name=title]", "偏鄉書箱")
        manager.fill("textarea[name=text]", "一起捐書到偏鄉小學")
        manager.fill("input[name=goal]", "200")
        manager.fill("input[name=unit]", "本")
        manager.fill("input[name=closes_at]", manager.evaluate(LATER))
        manager.click(".activity-form button[type=submit]")
        campaign_url = manager.url

        manager.goto(activities + "?kind=survey")
        manager.fill("input[name=title]", "門市滿意度")
        manager.fill("textarea[name=text]", "請為門市服務評分")
        manager.fill("input[name=qtext0]", "整體滿意度")
        manager.select_option("select[name=qkind1]", "choice")
        manager.fill("input[name=qtext1]", "最常去哪家門市?")
        manager.fill("textarea[name=qoptions1]", "台北\n台中\n高雄")
        manager.select_option("select[name=qkind2]", "text")
        manager.fill("input[name=qtext2]", "建議")
        manager.fill("input[name=closes_at]", manager.evaluate(LATER))
        manager.click(".activity-form button[type=submit]")
        survey_url = manager.url

        log_in(fan, server, "愛心粉絲")
        fan.goto(campaign_url)
        fan.fill("input[name=amount]", "0")
        fan.fill("input[name=amount]", "50")
        fan.fill("input[name=note]", "加油")
        fan.click(".donation button[type=submit]")
        expect(fan.locator(".donation").first).to_contain_text("你認捐了 50 本")
        fan.goto(survey_url)
        fan.locator(".rating label", has_text="4").click()
        fan.locator(".survey-form label", has_text="台中").click()
        fan.fill("textarea[name=q2]", "希望延長營業時間")
        shot(fan, "survey-360-light")
        fan.click(".survey-form button[type=submit]")
        expect(fan.locator("article.activity")).to_contain_text("謝謝")

        manager.goto(campaign_url)
        manager.click("button[name=decision][value=confirm]")
        expect(manager.locator(".donors")).to_contain_text("愛心粉絲")
        expect(manager.locator("progress")).to_have_attribute("value", "25")
        shot(manager, "donation-1280-light")
        manager.goto(survey_url + "results/")
        expect(manager.locator(".result").first).to_contain_text("4")
        expect(manager.locator("img.chart").first).to_be_visible()
        assert manager.evaluate("document.querySelector('img.chart').naturalWidth") > 0
        shot(manager, "survey-results-1280-light")
    finally:
        desk.close()
        phone.close()

    look_at(
        browser,
        server,
        [("donation", campaign_url), ("survey-results", survey_url + "results/")],
        handle="公益主管",
    )


def test_a_live_broadcast_reaches_an_open_page_and_stays_as_a_replay(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    company(tidings, slug="shifan-live", owner="直播主管", account="示範直播", fans=("直播觀眾",))

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    host, viewer = desk.new_page(), phone.new_page()
    try:
        log_in(host, server, "直播主管")
        host.goto(server + "/ops/@示範直播/activities/?kind=live")
        host.fill("input[name=title]", "X15 發表會")
        host.fill("textarea[name=text]", "X15 發表會直播開始!")
        host.fill("input[name=closes_at]", host.evaluate(LATER))
        host.click(".activity-form button[type=submit]")
        expect(host.locator(".pill-live")).to_be_visible()
        show_url = host.url

        log_in(viewer, server, "直播觀眾")
        viewer.goto(show_url)
        expect(viewer.locator("body[data-broadcast-state=open]")).to_have_count(1)
        host.fill(".live-section textarea[name=text]", "第一個亮點:電池 6000 mAh")
        host.click(".live-section form button.primary")
        # The update reaches the open page without a reload (through the worker and the stream).
        expect(viewer.locator("[data-live-updates] article.post")).to_contain_text(
            "電池 6000 mAh", timeout=10_000
        )
        viewer.fill("#live-comment", "太強了")
        viewer.click(".live-section form.form button[type=submit]")
        expect(host.locator("[data-live-comments] article.post")).to_contain_text("太強了", timeout=10_000)
        shot(viewer, "live-360-light")
        host.reload()
        host.locator("[data-live-comments] form button", has_text="釘選").first.click()
        expect(host.locator(".highlight")).to_contain_text("太強了")
        host.click("form[action$='/live/end/'] button")
        expect(host.locator("article.activity")).to_contain_text("重播")
        shot(host, "live-replay-1280-light")
    finally:
        desk.close()
        phone.close()

    look_at(browser, server, [("live", show_url)])


ACTIVITY = """
from tidings.accounts.models import Account
from tidings.posts import services as posts
from tidings.social import services as social
brand = Account.objects.get(handle="示範點子")
fan = Account.objects.get(handle="點子粉絲")
social.follow(fan, account_id=brand.id)
post = posts.publish(brand, text="新品上市 #X15#")
posts.like(fan, post_id=post.id)
posts.comment(fan, post_id=post.id, text="好想要")
"""


def test_an_idea_is_backed_and_answered_and_the_figures_come_from_the_worker(
    browser: Browser, server: str, tidings: Callable[..., str]
) -> None:
    company(tidings, slug="shifan-idea", owner="點子主管", account="示範點子", fans=("點子粉絲",))
    tidings("manage", "shell", "-c", ACTIVITY)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    manager, fan = desk.new_page(), phone.new_page()
    try:
        log_in(fan, server, "點子粉絲")
        fan.goto(server + "/@示範點子/")
        fan.click("a[href$='/ideas/']")
        fan.click("details summary")
        fan.fill("input[name=title]", "出深色模式")
        fan.fill("textarea[name=body]", "晚上看比較舒服")
        fan.click("details form button[type=submit]")
        expect(fan.locator("article.idea h1")).to_contain_text("出深色模式")
        idea_url = fan.url

        log_in(manager, server, "點子主管")
        manager.goto(idea_url)
        manager.select_option("select[name=state]", "planned")
        manager.fill("textarea[name=answer]", "已排入明年計畫")
        manager.click(".idea-answer form button[type=submit]")
        expect(manager.locator(".idea-answer").first).to_contain_text("已排入明年計畫")
        fan.goto(server + "/notifications/")
        expect(fan.locator("li.notification[data-kind=idea]")).to_be_visible(timeout=10_000)

        # The worker counted the follow, the post, the like and the comment.
        manager.goto(server + "/ops/@示範點子/analytics/")
        expect(manager.locator("ol.best")).to_contain_text("新品上市")
        expect(manager.locator(".figure table").first).to_be_attached()
        chart = manager.locator("img.chart").first
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_js_property("complete", True)
        assert chart.evaluate("img => img.naturalWidth") > 0
        shot(manager, "analytics-1280-light")
    finally:
        desk.close()
        phone.close()

    look_at(
        browser,
        server,
        [
            ("ideas", server + "/@示範點子/ideas/"),
            ("analytics", server + "/ops/@示範點子/analytics/"),
            ("org-analytics", server + "/o/shifan-idea/analytics/"),
        ],
        handle="點子主管",
    )
