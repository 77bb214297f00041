"""Each page renders for the right person and shows the right things."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client

from tidings.accounts.models import Account
from tidings.notifications import services as messages
from tidings.posts import services as posts
from tidings.social import services as social

from .helpers import EN, anonymous, english, png_upload, publish

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def post_ids_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-post="(\d+)"', html)]


# --- public square and home -----------------------------------------------------------------------


def test_public_square_shows_public_posts_to_a_logged_out_visitor_but_not_followers_only_ones(
    make_account,
):
    brand = make_account("示範科技")
    publish(brand, "#新品發布# 示範筆電 X14 今天正式開賣!")
    publish(brand, "只給粉絲看的內部預告", audience="followers")

    response = anonymous().get("/public/")

    assert response.status_code == 200
    html = text_of(response)
    assert "示範筆電 X14 今天正式開賣" in html
    assert "@示範科技" in html
    assert "只給粉絲看的內部預告" not in html
    assert "Sign up" in html  # the welcome card for visitors


def test_logged_out_root_shows_the_public_square(make_account):
    brand = make_account("示範優選")
    publish(brand, "#每日特價# 整新 X13 只要 NT$19,900")

    response = anonymous().get("/")

    assert response.status_code == 200
    assert "tidings/public.html" in [t.name for t in response.templates]
    assert "整新 X13 只要" in text_of(response)
    assert 'data-live="' not in text_of(response)  # no event stream for visitors


def test_home_shows_posts_of_followed_accounts_and_own_posts_but_not_strangers(
    make_account, client_for, run_hooks
):
    reader = make_account("小雨")
    followed = make_account("示範客服")
    stranger = make_account("路人甲")
    social.follow(reader, account_id=followed.id)
    client = english(client_for(reader))
    assert client.get("/").status_code == 200  # builds the home timeline

    with run_hooks():
        publish(followed, "官網訂單查詢系統今晚維護")
        publish(followed, "只有粉絲看得到的客服公告", audience="followers")
        publish(stranger, "陌生人的貼文")
        publish(reader, "我自己的貼文")

    response = client.get("/")
    html = text_of(response)
    assert response.status_code == 200
    assert "tidings/home.html" in [t.name for t in response.templates]
    assert "官網訂單查詢系統今晚維護" in html
    assert "只有粉絲看得到的客服公告" in html
    assert "我自己的貼文" in html
    assert "陌生人的貼文" not in html
    assert "data-compose" in html


def test_public_square_pages_with_max_id_show_older_posts_without_overlap(make_account):
    author = make_account("話多的人")
    created = [publish(author, f"第 {n} 則貼文") for n in range(25)]
    client = anonymous()

    first = text_of(client.get("/public/"))
    first_ids = post_ids_in(first)
    assert first_ids == [p.id for p in reversed(created)][:20]
    next_max_id = re.search(r'href="\?max_id=(\d+)"', first)
    assert next_max_id is not None

    second = text_of(client.get(f"/public/?max_id={next_max_id.group(1)}"))
    second_ids = post_ids_in(second)
    assert second_ids == [p.id for p in reversed(created)][20:]
    assert not set(first_ids) & set(second_ids)
    assert 'class="more button"' not in second  # the last page offers no more


def test_home_pages_with_max_id_show_older_posts_without_overlap(make_account, client_for, run_hooks):
    reader = make_account("讀者")
    author = make_account("作者")
    social.follow(reader, account_id=author.id)
    client = client_for(reader)
    client.get("/")
    with run_hooks():
        created = [publish(author, f"動態 {n}") for n in range(12)]
        created += [publish(reader, f"自己的動態 {n}") for n in range(12)]
    newest_first = sorted((p.id for p in created), reverse=True)

    first = text_of(client.get("/"))
    first_ids = post_ids_in(first)
    more = re.search(r'class="more button" href="\?max_id=(\d+)"', first)
    assert more is not None
    second_ids = post_ids_in(text_of(client.get(f"/?max_id={more.group(1)}")))

    assert first_ids == newest_first[:20]
    assert second_ids == newest_first[20:]


def test_profile_pages_with_max_id_show_older_posts_without_overlap(make_account):
    author = make_account("寫手")
    created = [publish(author, f"記事 {n}") for n in range(23)]
    client = anonymous()
    url = "/@" + quote("寫手") + "/"

    first_ids = post_ids_in(text_of(client.get(url)))
    second_ids = post_ids_in(text_of(client.get(f"{url}?max_id={first_ids[-1]}")))

    assert first_ids + second_ids == [p.id for p in reversed(created)]


# --- profiles and follow lists -------------------------------------------------------------------


def test_profile_of_a_chinese_handle_is_reachable_url_encoded(make_account):
    person = make_account("王小明", display_name="王小明 PM")
    publish(person, "X14 的鍵盤我們改了七版")

    response = Client(**EN).get("/@" + quote("王小明") + "/")

    assert response.status_code == 200
    html = text_of(response)
    assert "王小明 PM" in html
    assert "@王小明" in html
    assert "X14 的鍵盤我們改了七版" in html
    assert "Log in to follow" in html


def test_profile_shows_followers_only_posts_to_followers_only(make_account, client_for):
    author = make_account("陳美玲")
    follower = make_account("粉絲一號")
    stranger = make_account("路人乙")
    social.follow(follower, account_id=author.id)
    publish(author, "客服團隊內部小記", audience="followers")
    url = "/@" + quote("陳美玲") + "/"

    assert "客服團隊內部小記" in text_of(client_for(follower).get(url))
    assert "客服團隊內部小記" not in text_of(client_for(stranger).get(url))
    assert "客服團隊內部小記" not in text_of(anonymous().get(url))


def test_profile_of_an_unknown_handle_is_not_found(db):
    assert anonymous().get("/@" + quote("沒有這個人") + "/").status_code == 404


def test_followers_and_following_lists_name_the_right_people(make_account):
    brand = make_account("示範科技")
    fan = make_account("小雨")
    other = make_account("阿傑")
    social.follow(fan, account_id=brand.id)
    social.follow(brand, account_id=other.id)
    client = anonymous()

    followers = text_of(client.get("/@" + quote("示範科技") + "/followers/"))
    following = text_of(client.get("/@" + quote("示範科技") + "/following/"))

    assert "@小雨" in followers and "@阿傑" not in followers
    assert "@阿傑" in following and "@小雨" not in following


# --- topics ---------------------------------------------------------------------------------------


def test_topic_page_lists_its_posts_under_traditional_and_simplified_names(make_account):
    author = make_account("設計師阿寶")
    publish(author, "#戴爾# 的新螢幕色準不錯")
    publish(author, "跟話題無關的貼文")
    client = anonymous()

    traditional = client.get("/topics/" + quote("戴爾") + "/")
    simplified = client.get("/topics/" + quote("戴尔") + "/")

    for response in (traditional, simplified):
        assert response.status_code == 200
        html = text_of(response)
        assert "的新螢幕色準不錯" in html
        assert "跟話題無關的貼文" not in html
        assert "#戴爾#" in html  # the name as first written


def test_topic_page_hides_followers_only_posts_from_strangers(make_account, client_for):
    author = make_account("李佳穎")
    stranger = make_account("路人丙")
    publish(author, "#新品體驗會# 場地佈置完成")
    publish(author, "#新品體驗會# 內部彩排照片", audience="followers")
    url = "/topics/" + quote("新品體驗會") + "/"

    for client in (anonymous(), client_for(stranger)):
        html = text_of(client.get(url))
        assert "場地佈置完成" in html
        assert "內部彩排照片" not in html


def test_an_unknown_topic_shows_an_empty_page_so_internal_topics_cannot_be_probed(db):
    response = anonymous().get("/topics/" + quote("從來沒有") + "/")
    assert response.status_code == 200
    assert "<article" not in response.content.decode()


# --- one post -------------------------------------------------------------------------------------


def test_post_page_shows_the_post_its_comments_and_its_reposts(make_account):
    author = make_account("示範科技")
    commenter = make_account("咖啡不加糖")
    reposter = make_account("techfan")
    post = publish(author, "韌體 1.2 修好了睡眠喚醒的問題")
    posts.comment(commenter, post_id=post.id, text="更新後果然正常了")
    posts.repost(reposter, post_id=post.id, comment="Confirmed, works great")

    response = Client(**EN).get(f"/p/{post.id}/")

    assert response.status_code == 200
    html = text_of(response)
    assert "韌體 1.2 修好了睡眠喚醒的問題" in html
    assert "更新後果然正常了" in html
    assert "Reposts" in html
    assert "@techfan" in html
    assert "Confirmed, works great" in html


def test_post_page_of_a_comment_shows_its_thread_with_the_comment_highlighted(make_account):
    author = make_account("張偉")
    commenter = make_account("老張修電腦")
    post = publish(author, "拆機很友善")
    comment = posts.comment(commenter, post_id=post.id, text="點個讚")

    html = text_of(anonymous().get(f"/p/{comment.id}/"))

    assert "拆機很友善" in html
    assert f'class="comment highlight" id="c{comment.id}"' in html


def test_post_card_is_a_fragment_with_the_post(make_account):
    author = make_account("示範優選")
    post = publish(author, "限量 30 台,先搶先贏")

    response = anonymous().get(f"/p/{post.id}/card/")

    assert response.status_code == 200
    html = text_of(response).strip()
    assert html.startswith("<article")
    assert f'data-post="{post.id}"' in html
    assert "限量 30 台,先搶先贏" in html
    assert "<html" not in html


def test_edit_history_shows_the_current_text_and_the_earlier_versions(make_account):
    author = make_account("黃志豪")
    post = publish(author, "包裹明天出倉")
    posts.edit(author, post_id=post.id, text="包裹已經全部出倉")

    response = Client(**EN).get(f"/p/{post.id}/history/")

    assert response.status_code == 200
    html = text_of(response)
    assert html.index("包裹已經全部出倉") < html.index("包裹明天出倉")
    assert "Edit history" in html


# --- private pages --------------------------------------------------------------------------------


def test_notifications_page_shows_who_liked_and_commented(make_account, client_for, run_hooks):
    author = make_account("林志遠")
    fan = make_account("學生黨")
    post = publish(author, "坦誠的雙向溝通比任何廣告都重要")
    with run_hooks():
        posts.like(fan, post_id=post.id)
        posts.comment(fan, post_id=post.id, text="說得好")

    response = english(client_for(author)).get("/notifications/")

    assert response.status_code == 200
    html = text_of(response)
    assert "liked your post" in html
    assert "commented" in html
    assert "@學生黨" in html or "學生黨" in html
    assert "說得好" in html


def test_messages_list_and_conversation_show_the_messages(make_account, client_for):
    customer = make_account("阿傑")
    support = make_account("示範客服")
    messages.send_message(customer, recipient_id=support.id, text="訂單三天還沒到")
    messages.send_message(support, recipient_id=customer.id, text="幫您查詢中")
    client = english(client_for(support))

    listing = client.get("/messages/")
    conversation = client.get("/messages/@" + quote("阿傑") + "/")

    assert listing.status_code == 200
    assert "@阿傑" in text_of(listing)
    assert "幫您查詢中" in text_of(listing)  # the last message as an excerpt
    assert conversation.status_code == 200
    html = text_of(conversation)
    assert html.index("訂單三天還沒到") < html.index("幫您查詢中")


def test_sending_a_message_from_the_conversation_page_shows_it(make_account, client_for):
    customer = make_account("lily_chen")
    support = make_account("示範客服")
    client = client_for(customer)
    url = "/messages/@" + quote("示範客服") + "/"

    response = client.post(url, {"text": "Is the X14 in Hong Kong yet?"})

    assert response.status_code == 302
    assert "Is the X14 in Hong Kong yet?" in text_of(client.get(url))
    assert "Is the X14 in Hong Kong yet?" in text_of(client_for(support).get("/messages/@lily_chen/"))


def test_favourites_page_shows_saved_posts_only(make_account, client_for):
    reader = make_account("周末去爬山")
    author = make_account("示範科技")
    saved = publish(author, "這週末在台北信義店有體驗會")
    publish(author, "沒有收藏的貼文")
    posts.favourite(reader, post_id=saved.id)

    response = english(client_for(reader)).get("/favourites/")

    assert response.status_code == 200
    html = text_of(response)
    assert "這週末在台北信義店有體驗會" in html
    assert "沒有收藏的貼文" not in html


def test_settings_page_shows_and_saves_the_profile(make_account, client_for):
    account = make_account("北京的秋天", display_name="北京的秋天")
    client = english(client_for(account))

    page = client.get("/settings/")
    saved = client.post("/settings/", {"display_name": "秋天", "bio": "喜歡爬山", "language": ""})

    assert page.status_code == 200
    assert 'value="北京的秋天"' in text_of(page)
    assert saved.status_code == 302 and saved.url == "/settings/"
    account.refresh_from_db()
    assert (account.display_name, account.bio) == ("秋天", "喜歡爬山")


def test_a_language_chosen_in_settings_stays_after_logging_out(make_account, client_for):
    account = make_account("techfan")
    client = client_for(account)

    saved = client.post("/settings/", {"display_name": "Tech Fan", "bio": "", "language": "en"})
    client.post("/logout/")
    page = client.get("/public/")  # no Accept-Language: only the remembered choice says English

    assert saved.status_code == 302
    assert saved.cookies["django_language"].value == "en"
    assert "_auth_user_id" not in client.session
    assert '<html lang="en">' in text_of(page)


def test_choosing_as_my_browser_says_forgets_the_remembered_language(make_account, client_for):
    account = make_account("techfan")
    client = client_for(account)
    client.post("/settings/", {"display_name": "Tech Fan", "bio": "", "language": "en"})

    cleared = client.post("/settings/", {"display_name": "Tech Fan", "bio": "", "language": ""})
    page = client.get("/public/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert cleared.status_code == 302
    assert '<html lang="zh-Hans">' in text_of(page)


def test_compose_publishes_and_returns_home(make_account, client_for):
    author = make_account("小雨")

    response = client_for(author).post("/compose/", {"text": "剛收到 X14,好輕!", "audience": "public"})

    assert response.status_code == 302
    assert response.url == "/"
    assert author.posts.get().text == "剛收到 X14,好輕!"


# --- sign-up and log-in ---------------------------------------------------------------------------


def test_signup_and_login_forms_render(db):
    client = anonymous()

    signup = client.get("/signup/")
    login = client.get("/login/")

    assert signup.status_code == 200
    assert 'name="handle"' in text_of(signup) and 'name="password"' in text_of(signup)
    assert login.status_code == 200
    assert 'name="login"' in text_of(login) and 'name="password"' in text_of(login)


def test_signing_up_creates_the_account_and_logs_in(db):
    client = anonymous()

    response = client.post("/signup/", {"handle": "新來的", "password": "a long enough passphrase"})

    assert response.status_code == 302
    account = Account.objects.get(handle="新來的")
    assert int(client.session["_auth_user_id"]) == account.id


def test_logging_in_goes_to_next_when_it_is_ours(make_account):
    make_account("小雨")
    client = anonymous()

    response = client.post(
        "/login/", {"login": "@小雨", "password": "correct horse battery staple", "next": "/favourites/"}
    )
    offsite = anonymous().post(
        "/login/",
        {"login": "小雨", "password": "correct horse battery staple", "next": "https://evil.example/"},
    )

    assert response.status_code == 302 and response.url == "/favourites/"
    assert client.get("/favourites/").status_code == 200
    assert offsite.status_code == 302 and offsite.url == "/"


def test_an_uploaded_avatar_shows_on_the_profile_and_is_served_to_anyone(make_account, client_for):
    account = make_account("設計師阿寶")

    response = client_for(account).post("/settings/avatar/", {"avatar": png_upload(size=(300, 200))})

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.avatar.startswith("avatars/")
    profile = text_of(anonymous().get("/@" + quote("設計師阿寶") + "/"))
    assert f'src="/media/{account.avatar}"' in profile
    served = anonymous().get(f"/media/{account.avatar}")
    assert served.status_code == 200
    assert served["Cache-Control"].startswith("public")
    assert served["X-Content-Type-Options"] == "nosniff"


def test_html_in_posts_bios_and_messages_reaches_every_page_escaped(make_account, client_for, run_hooks):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    author = make_account("示範科技")
    reader = make_account("讀者")
    author.bio = evil
    author.save(update_fields=["bio"])
    with run_hooks():
        post = publish(author, f"@讀者 {evil} #話題#")
        posts.edit(author, post_id=post.id, text=f"@讀者 {evil} (edited) #話題#")
        posts.comment(author, post_id=post.id, text=evil)
    messages.send_message(author, recipient_id=reader.id, text=evil)
    client = client_for(reader)

    urls = [
        "/public/",
        f"/p/{post.id}/",
        f"/p/{post.id}/card/",
        f"/p/{post.id}/history/",
        "/@" + quote("示範科技") + "/",
        "/topics/" + quote("話題") + "/",
        "/notifications/",
        "/messages/",
        "/messages/@" + quote("示範科技") + "/",
    ]
    for url in urls:
        html = text_of(client.get(url))
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;" in html or "&lt;img" in html, url
