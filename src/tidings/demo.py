"""The demo company 示範科技: three official accounts, an executive, five employees, ten
customers, and a few dozen posts with topics, mentions, reposts, comments and likes.
Loading twice changes nothing: it stops if the brand account already exists."""

from __future__ import annotations

from django.db import transaction

PASSWORD = "tidings-demo-2026"

OFFICIAL = [
    ("示範科技", "示範科技 Demo Tech", "示範科技官方微博:新品、活動與公司消息。"),
    ("示範客服", "示範科技客服", "7×24 小時在線,有問題請 @示範客服 或私信我們。"),
    ("示範優選", "示範優選 Outlet", "每日限量特價,整新機與配件。"),
]
EXECUTIVE = ("林志遠", "林志遠", "示範科技大中華區總經理。個人觀點。")
EMPLOYEES = [
    ("王小明", "王小明", "產品經理"),
    ("陳美玲", "陳美玲", "客服主管"),
    ("張偉", "張偉", "工程師"),
    ("李佳穎", "李佳穎", "市場部"),
    ("黃志豪", "黃志豪", "物流與供應鏈"),
]
CUSTOMERS = [
    ("小雨", "小雨"),
    ("阿傑", "阿傑"),
    ("咖啡不加糖", "咖啡不加糖"),
    ("techfan", "Tech Fan"),
    ("周末去爬山", "周末去爬山"),
    ("老張修電腦", "老張修電腦"),
    ("lily_chen", "Lily Chen"),
    ("設計師阿寶", "設計師阿寶"),
    ("學生黨", "學生黨"),
    ("北京的秋天", "北京的秋天"),
]

# (author, text) in publishing order; later entries refer to earlier ones by index.
POSTS = [
    ("示範科技", "#新品發布# 示範筆電 X14 今天正式開賣!14 吋、1.1 公斤、續航 18 小時。感謝大家一路的支持 🎉"),
    ("示範科技", "這週末在台北信義店有 #新品體驗會#,歡迎帶朋友來玩,現場還有有獎問答!"),
    ("示範客服", "提醒大家:官網訂單查詢系統今晚 23:00–24:00 維護,期間如需協助請私信 @示範客服 。"),
    ("示範優選", "#每日特價# 整新 X13 只要 NT$19,900,限量 30 台,先搶先贏 https://example.com/outlet/x13"),
    (
        "林志遠",
        "中國將是我們繼美國以後,通過社會性媒體和用戶溝通的另一個前沿陣地。坦誠的雙向溝通比任何廣告都重要。",
    ),
    ("王小明", "X14 的鍵盤我們改了七版,終於滿意了。大家用起來覺得怎樣? #新品發布#"),
    ("陳美玲", "客服團隊今天處理了 312 個問題,平均回覆時間 6 分鐘。謝謝每一位耐心等待的朋友 🙏"),
    ("張偉", "韌體 1.2 修好了睡眠喚醒的問題,更新說明在這裡 https://example.com/firmware/1.2 #韌體更新#"),
    ("李佳穎", "#新品體驗會# 場地佈置完成!明天見~"),
    ("黃志豪", "雙十一的包裹已經全部出倉,大部分地區明天可以收到。"),
    ("小雨", "剛收到 X14,好輕!開機速度也很快 #新品發布#"),
    ("阿傑", "@示範客服 我的訂單顯示已出貨三天了還沒到,可以幫忙查一下嗎?"),
    ("咖啡不加糖", "在咖啡店用 X14 寫了一下午的稿,電池還剩 60%,滿意。"),
    ("techfan", "Benchmarked the X14 today: fast SSD, quiet fans, great screen. #新品發布#"),
    ("周末去爬山", "有人去過 #新品體驗會# 嗎?想知道現場人多不多"),
    ("老張修電腦", "幫客戶換了 X13 的電池,拆機很友善,點個讚。"),
    ("lily_chen", "Is the X14 available in Hong Kong yet? @示範科技"),
    ("設計師阿寶", "X14 的螢幕色準不錯,修圖夠用了。#戴爾 vs 示範# 這種比較大家別吵了哈哈"),
    ("學生黨", "#每日特價# 學生預算友善,已下單整新機!"),
    ("北京的秋天", "天冷了,筆電放包裡記得別跟保溫杯擠在一起 ☕"),
]
REPOSTS = [
    ("陳美玲", 0, "我們家的新寶貝,大家多多指教!"),
    ("王小明", 10, "謝謝喜歡!鍵盤手感有什麼建議都可以告訴我"),
    ("示範科技", 13, "Thanks for the thorough review!"),
    ("李佳穎", 1, ""),
    ("小雨", 3, "手慢無,已經搶到一台"),
    ("techfan", 21, "Agree with this"),
]
COMMENTS = [
    (0, "阿傑", "價格多少?"),
    (0, "示範客服", "@阿傑 X14 起售價 NT$32,900,詳情請看官網喔。"),
    (11, "示範客服", "@阿傑 已私信您,請提供訂單號,我們馬上查詢。"),
    (11, "阿傑", "收到,謝謝回覆這麼快!"),
    (5, "小雨", "鍵盤回饋很紮實,比上一代好太多"),
    (14, "李佳穎", "@周末去爬山 下午兩點前人比較少,歡迎來!"),
    (16, "示範科技", "@lily_chen Coming to Hong Kong next month. Stay tuned!"),
    (7, "老張修電腦", "更新後睡眠問題確實沒了 👍"),
]
LIKES = [
    (0, ["小雨", "阿傑", "techfan", "王小明", "陳美玲", "咖啡不加糖", "學生黨"]),
    (4, ["王小明", "陳美玲", "張偉", "李佳穎"]),
    (6, ["林志遠", "小雨", "阿傑"]),
    (10, ["示範科技", "王小明"]),
    (13, ["示範科技", "張偉"]),
]
# The internal spaces: 示範科技 (slug demo-tech) and its supplier 宏遠電子 (slug hongyuan), who
# share a cross-company group.
SUPPLIER_PEOPLE = [
    ("宏遠電子", "宏遠電子", "official"),
    ("劉建國", "劉建國", "personal"),
    ("王思涵", "王思涵", "personal"),
]
INTERNAL_POSTS = [
    ("王小明", "X14 下一批的鍵盤背光色溫改成 4000K,設計稿在共享盤 #X14#"),
    ("陳美玲", "本週客服值班表已更新,週六由 @張偉 支援技術問題,謝謝!"),
    ("林志遠", "感謝大家這個季度的努力!週五下午茶我請客 ☕"),
    ("李佳穎", "#新品體驗會# 內部預演明天 10:00 在三樓會議室,請產品和客服同事參加。"),
]
GROUP_POSTS = [
    ("產品研發", "張偉", "韌體 1.3 的測試版已經放到內部測試伺服器,請大家幫忙回報問題。"),
    ("產品研發", "王小明", "@張偉 收到,我今天下午跑一輪睡眠喚醒測試。"),
    ("X14 供應鏈", "黃志豪", "@劉建國 下個月的鍵盤模組可以提前一週交貨嗎?"),
    ("X14 供應鏈", "劉建國", "@黃志豪 可以,我們產線已經排好了,週三前確認數量。"),
]
SUPPLIER_POSTS = [("王思涵", "宏遠內部:年終盤點下週一開始,請各部門提前準備。")]

LOGINS_TEXT = f"""
Demo logins (password for all: {PASSWORD})
  official accounts : @示範科技  @示範客服  @示範優選
  executive         : @林志遠
  employees         : @王小明  @陳美玲  @張偉  @李佳穎  @黃志豪
  customers         : @小雨  @阿傑  @techfan  @lily_chen  ... (ten in all)
  supplier 宏遠電子   : @王思涵 (owner)  @劉建國, guests in the group "X14 供應鏈"
Internal spaces: /o/demo-tech/ (示範科技) and /o/hongyuan/ (宏遠電子); brand page /brand/demo-tech/
Brand monitor of @示範科技 (also for 林志遠, who owns the company): /monitors/
Official accounts at work: /ops/ (陳美玲 admin; 李佳穎 editor of @示範科技, whose posts need an
  approval; 黃志豪 responder of @示範客服, on duty now; 張偉 analyst); the desk: /ops/@示範客服/inbox/
Apps: Tasks and Projects for 示範科技 (/o/demo-tech/admin/apps/); the group 產品研發 has a task board
  and the project "X15 筆電"; your own apps and post-by-email addresses: /settings/apps/
Activities: /ops/@示範科技/activities/ (a quiz, a drawn lottery of @示範優選, a donation campaign,
  a survey of @示範客服, a live replay); ideas: /@示範科技/ideas/; analytics: /ops/@示範科技/analytics/
  and /o/demo-tech/analytics/
""".rstrip()


def load() -> bool:
    from tidings.accounts.models import Account

    created = False
    if not Account.objects.filter(handle_key="示范科技").exists():
        _load_public()
        created = True
    from tidings.orgs.models import Organisation

    if not Organisation.objects.filter(slug="demo-tech").exists():
        _load_spaces()
        _load_desk()
        created = True
    from tidings.activities.models import Activity

    if not Activity.objects.exists():
        _load_activities()
        created = True
    from tidings.extensions.models import Installation

    if not Installation.objects.exists():
        _load_apps()
        created = True
    return created


def _load_public() -> None:
    from tidings.accounts import services as accounts
    from tidings.accounts.models import Account
    from tidings.posts import services as posts
    from tidings.social import services as social

    with transaction.atomic():
        people: dict[str, Account] = {}
        for handle, name, bio in OFFICIAL:
            people[handle] = accounts.sign_up(
                handle=handle, display_name=name, password=PASSWORD, kind="official"
            )
            accounts.update_profile(people[handle], bio=bio)
        handle, name, bio = EXECUTIVE
        people[handle] = accounts.sign_up(
            handle=handle, display_name=name, password=PASSWORD, kind="executive"
        )
        accounts.update_profile(people[handle], bio=bio)
        for handle, name, bio in EMPLOYEES:
            people[handle] = accounts.sign_up(handle=handle, display_name=name, password=PASSWORD)
            accounts.update_profile(people[handle], bio=bio)
        for handle, name in CUSTOMERS:
            people[handle] = accounts.sign_up(handle=handle, display_name=name, password=PASSWORD)
        official = [h for h, _, _ in OFFICIAL]
        for handle, account in people.items():
            for target in [*official, EXECUTIVE[0]]:
                if target != handle:
                    social.follow(account, account_id=people[target].id)
        # What the brand hears of itself: the worker fills this monitor as the posts below go out.
        from tidings.search import monitors

        brand = people[OFFICIAL[0][0]]
        monitors.create(brand, brand, name="X14 口碑", query="X14 OR 示範 OR 筆電 -特價", notify=False)
        for handle, _, _ in EMPLOYEES:
            for other, _, _ in EMPLOYEES:
                if other != handle:
                    social.follow(people[handle], account_id=people[other].id)
        for handle, _ in CUSTOMERS[:5]:
            social.follow(people["示範客服"], account_id=people[handle].id)

        published = [posts.publish(people[a], text=t) for a, t in POSTS]
        for author, index, text in REPOSTS:
            published.append(posts.repost(people[author], post_id=published[index].id, comment=text))
        for index, author, text in COMMENTS:
            posts.comment(people[author], post_id=published[index].id, text=text)
        for index, likers in LIKES:
            for liker in likers:
                posts.like(people[liker], post_id=published[index].id)


def _load_spaces() -> None:
    from tidings.accounts import services as accounts
    from tidings.accounts.models import Account
    from tidings.groups import services as groups
    from tidings.orgs import services as orgs
    from tidings.posts import services as posts

    def person(handle: str) -> Account:
        return Account.objects.get(handle=handle)

    with transaction.atomic():
        owner = person(EXECUTIVE[0])
        tech = orgs.create_organisation(
            slug="demo-tech",
            name="示範科技",
            owner=owner,
            domains=["demo-tech.example"],
            about="示範科技:筆電與配件。官方帳號:品牌、客服、優選。",
        )
        for handle, _, _ in OFFICIAL:
            orgs.register_official_account(tech, person(handle))
        Account.objects.filter(handle=owner.handle).update(organisation=tech)
        for handle, _, _ in EMPLOYEES:
            orgs.add_member(tech, person(handle), role="admin" if handle == "陳美玲" else "member")
        for handle, _, _ in OFFICIAL:
            orgs.add_member(tech, person(handle))
        supplier_people = {}
        for handle, name, kind in SUPPLIER_PEOPLE:
            supplier_people[handle] = accounts.sign_up(
                handle=handle, display_name=name, password=PASSWORD, kind=kind
            )
        supplier = orgs.create_organisation(
            slug="hongyuan",
            name="宏遠電子",
            owner=supplier_people["王思涵"],
            domains=["hongyuan.example"],
            about="宏遠電子:鍵盤模組與精密零件供應商。",
        )
        orgs.add_member(supplier, supplier_people["劉建國"])
        orgs.register_official_account(supplier, supplier_people["宏遠電子"])

        made = {
            "產品研發": groups.create_group(tech, actor=person("王小明"), name="產品研發", kind="open"),
            "客服值班": groups.create_group(tech, actor=person("陳美玲"), name="客服值班", kind="private"),
            "X14 供應鏈": groups.create_group(
                tech,
                actor=person("黃志豪"),
                name="X14 供應鏈",
                kind="cross",
                description="與宏遠電子的共享群組",
            ),
        }
        groups.join(made["產品研發"], person("張偉"))
        groups.join(made["產品研發"], person("李佳穎"))
        groups.invite(made["客服值班"], person("張偉"), actor=person("陳美玲"))
        for handle in ("劉建國", "王思涵"):
            groups.invite(made["X14 供應鏈"], supplier_people[handle], actor=person("黃志豪"))
        groups.invite(made["X14 供應鏈"], person("王小明"), actor=person("黃志豪"))

        for author, text in INTERNAL_POSTS:
            posts.publish(person(author), text=text, audience="org", organisation_id=tech.id)
        for group, author, text in GROUP_POSTS:
            posts.publish(person(author), text=text, audience="group", group_id=made[group].id)
        for author, text in SUPPLIER_POSTS:
            posts.publish(person(author), text=text, audience="org", organisation_id=supplier.id)


ANSWERS = [
    (
        "保固期限",
        "{customer} 您好,示範筆電享兩年保固,電池一年。保固查詢:https://example.com/warranty",
        "保固 電池",
    ),
    ("訂單查詢", "{customer} 您好,請私信我們訂單編號,我們馬上為您查詢出貨進度。", "訂單 出貨 物流"),
    ("門市營業時間", "門市每天 11:00–21:30 營業,週末延長到 22:00。", "門市 時間"),
]


def _load_desk() -> None:
    """Roles on the official accounts, the desk's rota and library, a draft waiting for
    approval, a scheduled post, a suggestion to employees, and the cases the public opened."""
    import datetime as dt

    from django.utils import timezone

    from tidings.accounts.models import Account
    from tidings.ops import ambassadors, answers, desk, drafts
    from tidings.ops import services as ops
    from tidings.ops.models import Shift
    from tidings.posts import services as posts
    from tidings.posts.models import Audience, Post

    def person(handle: str) -> Account:
        return Account.objects.get(handle=handle)

    admin, brand, support = person("陳美玲"), person("示範科技"), person("示範客服")
    with transaction.atomic():
        ops.grant(brand, actor=admin, handle="李佳穎", role="editor")
        ops.grant(brand, actor=admin, handle="王小明", role="manager")
        ops.grant(support, actor=admin, handle="黃志豪", role="responder")
        ops.grant(support, actor=admin, handle="張偉", role="analyst")
        ops.update_desk(brand, actor=admin, category="品牌", time_zone="Asia/Taipei", approvals_required=1)
        ops.update_desk(support, actor=admin, category="客服", time_zone="Asia/Taipei", approvals_required=0)
        now = timezone.now()
        Shift.objects.create(
            account=support,
            person=person("黃志豪"),
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=7),
        )
        desk.set_escalation(support, person=admin, handles="@陳美玲")
        for title, body, tags in ANSWERS:
            answers.write(support, person=admin, title=title, body=body, tags=tags, public=True, shared=True)
        review = drafts.write(
            brand, person=person("李佳穎"), text="#新品體驗會# 下週六移師台中,報名從明天開始!"
        )
        drafts.submit(review, person=person("李佳穎"))
        tomorrow = timezone.localtime(now + dt.timedelta(days=1)).strftime("%Y-%m-%dT10:00")
        scheduled = drafts.write(
            brand, person=admin, text="早安!X14 今天補貨,官網與門市同步開賣。", publish_at=tomorrow
        )
        drafts.submit(scheduled, person=admin)
        drafts.review(scheduled, person=person("王小明"), decision="approve", comment="好")
        launch = Post.objects.filter(author=brand, text__startswith="#新品發布#").first()
        if launch is not None:
            ambassadors.suggest(brand, person=admin, post_id=launch.id, note="歡迎用自己的話分享給朋友")
        posts.publish(
            person("北京的秋天"), text="@示範客服 我要投訴!X14 充電器用了一週就冒煙,太危險了,請盡快處理"
        )
    # The cases of what customers said to the accounts (the worker does this as posts come in;
    # done here too so the desk is full whether or not a worker runs now; doing it twice is safe).
    customers = [h for h, _ in CUSTOMERS]
    public = Post.objects.filter(author__handle__in=customers, audience=Audience.PUBLIC).order_by("id")
    for post_id in public.values_list("id", flat=True):
        desk.on_post_published(post_id)


def _load_apps() -> None:
    """Tasks and Projects on for 示範科技, with a board and a project in 產品研發."""
    import datetime as dt

    from django.utils import timezone

    from tidings.accounts.models import Account
    from tidings.extensions import services as apps
    from tidings.extensions.projects import services as projects
    from tidings.extensions.taskboard import services as tasks
    from tidings.groups.models import Group
    from tidings.orgs.models import Organisation

    def person(handle: str) -> Account:
        return Account.objects.get(handle=handle)

    tech = Organisation.objects.get(slug="demo-tech")
    lab = Group.objects.get(organisation=tech, name="產品研發")
    for key in ("tasks", "projects"):
        apps.install(person("陳美玲"), key, organisation=tech)
    soon = timezone.localdate() + dt.timedelta(days=2)
    tasks.create(
        person("王小明"), group_id=lab.id, title="整理韌體 1.3 的測試回報", assignees=["張偉"], due_on=soon
    )
    tasks.create(person("張偉"), group_id=lab.id, title="睡眠喚醒測試", assignees=["王小明", "李佳穎"])
    done = tasks.create(person("李佳穎"), group_id=lab.id, title="更新產品頁規格表")
    tasks.update(person("李佳穎"), done.id, status="done")
    x15 = projects.create(person("王小明"), group_id=lab.id, name="X15 筆電", description="明年春季上市")
    projects.post_update(person("王小明"), x15.id, kind="status", text="外觀設計定稿,進入工程樣品階段")
    problem = projects.post_update(person("張偉"), x15.id, kind="problem", text="樣品待機耗電比目標高 20%")
    projects.post_update(
        person("李佳穎"), x15.id, kind="solution", text="關閉待機時的無線網卡喚醒", problem_id=problem.id
    )


def _load_activities() -> None:
    """A prize quiz still open, a lottery already drawn, a donation campaign, a survey with its
    answers, an idea board and the replay of a live broadcast; then the analytics counted from
    everything the demo holds (the worker counts as things happen; doing it here too is safe)."""
    import datetime as dt

    from django.utils import timezone

    from tidings.accounts.models import Account
    from tidings.activities import donations, ideas, live, lotteries, quizzes, surveys
    from tidings.activities import services as activities
    from tidings.activities.models import Activity
    from tidings.analytics import counting, origins
    from tidings.posts import services as posts
    from tidings.posts.models import Like, Post
    from tidings.social.models import Follow

    def person(handle: str) -> Account:
        return Account.objects.get(handle=handle)

    admin, brand, support, outlet = (
        person("陳美玲"),
        person("示範科技"),
        person("示範客服"),
        person("示範優選"),
    )
    fans = [person(h) for h, _ in CUSTOMERS]
    soon = timezone.now() + dt.timedelta(days=3)
    with transaction.atomic():
        quiz = quizzes.create(
            brand,
            person=admin,
            title="猜猜 X15 的電池容量",
            text="答對抽 3 位送藍牙耳機!",
            options=["4000 mAh", "5000 mAh", "6000 mAh"],
            answer=2,
            closes_at=soon,
            prizes=3,
            prize="藍牙耳機",
        )
        for i, fan in enumerate(fans[:6]):
            quizzes.enter(fan, quiz, choice=2 if i % 3 else 1)
        lottery = lotteries.create(
            outlet,
            person=admin,
            title="週年慶轉發抽獎",
            text="轉發這則貼文,抽 2 位送 X14 保護殼",
            closes_at=soon,
            prizes=2,
            prize="X14 保護殼",
            by_comment=True,
        )
        for fan in fans[:5]:
            posts.repost(fan, post_id=lottery.post_id, comment="抽我!")
        Activity.objects.filter(id=lottery.id).update(closes_at=timezone.now())
        lottery.refresh_from_db()
        activities.draw_now(lottery, person=admin)
        campaign = donations.create(
            brand,
            person=admin,
            title="偏鄉書箱",
            text="每捐一本書,我們再配捐一本",
            goal=500,
            unit="本",
            closes_at=soon + dt.timedelta(days=20),
        )
        for fan, amount, anonymous in ((fans[0], 30, False), (fans[1], 50, True), (fans[3], 20, False)):
            gift = donations.pledge(fan, campaign, amount=amount, anonymous=anonymous)
            donations.decide(campaign, person=admin, pledge_id=gift.id, confirm=True)
        donations.pledge(fans[4], campaign, amount=10, anonymous=False, note="下週寄出")
        survey = surveys.create(
            support,
            person=admin,
            title="客服滿意度調查",
            text="花一分鐘告訴我們服務得如何",
            closes_at=soon,
            questions=[
                {"kind": "rating", "text": "整體滿意度"},
                {"kind": "choice", "text": "您透過哪裡聯絡我們?", "options": ["私信", "留言", "電話"]},
                {"kind": "text", "text": "還有什麼建議?"},
            ],
        )
        for fan, answers in zip(
            fans[:5],
            (["5", "0", "回覆很快"], ["4", "1", ""], ["2", "0", "等了兩天"], ["5", "2", ""], ["4", "0", ""]),
            strict=True,
        ):
            surveys.respond(fan, survey, answers=answers)
        for author, title, backers in (
            (fans[2], "出深色模式的官方 App", fans[3:8]),
            (fans[3], "X15 加回耳機孔", fans[4:6]),
            (fans[5], "門市延長營業到晚上十點", fans[6:7]),
        ):
            idea = ideas.propose(author, brand, title=title)
            for backer in backers:
                ideas.vote(backer, idea, back=True)
        first = ideas.ideas(brand)[0]
        ideas.answer(first, person=admin, state="planned", text="已排入明年第一季,謝謝大家的支持!")
        show = live.create(
            brand, person=admin, title="X15 發表會直播", text="X15 發表會直播開始!", closes_at=soon
        )
        live.update(show, person=admin, text="第一個亮點:電池 6000 mAh,兩天一充")
        asked = live.comment(fans[0], show, text="什麼時候開賣?")
        live.update(show, person=admin, text="下週一開始預購,門市同步")
        live.highlight(show, person=admin, post_id=asked.id, pin=True)
        live.end(show, person=admin)
    for post_id in Post.objects.order_by("id").values_list("id", flat=True):
        counting.on_post_published(post_id)
    for post_id, account_id in Like.objects.values_list("post_id", "account_id"):
        counting.on_liked(post_id, account_id)
    for follower_id, followee_id in Follow.objects.values_list("follower_id", "followee_id"):
        counting.on_follow(follower_id, followee_id, followed=True)
    origins.refresh_all()
