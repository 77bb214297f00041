"""Bad input gets a clear error in the user's language and changes nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tidings.accounts.models import Account
from tidings.posts import services as posts
from tidings.posts.models import Like, Media, Post

from .helpers import EN, anonymous, english, missing_post_id, png_upload, publish

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'


@pytest.fixture
def author(make_account) -> Account:
    return make_account("小雨")


@pytest.fixture
def client(author, client_for) -> Client:
    return english(client_for(author))


def error_of(response) -> str:
    """The message of the form's error (role="alert")."""
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', response.content.decode(), re.S)
    assert found is not None, response.content.decode()
    return found.group(1)


# --- posts --------------------------------------------------------------------------------------


def test_an_over_long_post_is_refused_saying_how_much_over(client, author):
    response = client.post("/compose/", {"text": "字" * 150, "audience": "public"})

    assert response.status_code == 400
    assert error_of(response) == "This post is 150 characters; the limit is 140 (10 over)."
    assert "字" * 150 in response.content.decode()  # the text is kept for fixing
    assert not Post.objects.exists()


def test_an_empty_post_is_refused(client):
    response = client.post("/compose/", {"text": "  \n ", "audience": "public"})

    assert response.status_code == 400
    assert error_of(response) == "Write something first."
    assert not Post.objects.exists()


def test_a_post_with_a_bidi_override_is_refused_naming_the_character(client):
    response = client.post("/compose/", {"text": "付款給 \u202egnp.exe", "audience": "public"})

    assert response.status_code == 400
    assert "U+202E" in error_of(response)
    assert "not allowed" in error_of(response)
    assert not Post.objects.exists()


def test_an_unknown_audience_is_refused(client):
    response = client.post("/compose/", {"text": "你好", "audience": "everyone-and-their-dog"})

    assert response.status_code == 400
    assert error_of(response) == "Unknown audience."
    assert not Post.objects.exists()


def test_an_over_long_edit_is_refused_and_the_post_keeps_its_text(client, author):
    post = publish(author, "原本的文字")

    response = client.post(f"/p/{post.id}/edit/", {"text": "字" * 141})

    assert response.status_code == 400
    assert "(1 over)" in error_of(response)
    post.refresh_from_db()
    assert post.text == "原本的文字"
    assert not post.edits.exists()


def test_an_empty_comment_is_refused(client, author):
    post = publish(author, "有人要留言嗎")

    response = client.post(f"/p/{post.id}/comment/", {"text": ""})

    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    assert Post.objects.count() == 1


@pytest.mark.parametrize("action", ["comment", "repost"])
def test_comment_or_repost_on_a_missing_post_is_not_found(client, author, action):
    post = publish(author, "存在的貼文")
    missing = missing_post_id(post.id)

    response = client.post(f"/p/{missing}/{action}/", {"text": "有人嗎"})

    assert response.status_code == 404
    assert "This page does not exist, or you may not see it." in response.content.decode()
    assert Post.objects.count() == 1


def test_reposting_a_followers_only_post_is_refused(make_account, client_for, author):
    from tidings.social import services as social

    follower = make_account("粉絲")
    social.follow(follower, account_id=author.id)
    post = publish(author, "只給粉絲", audience="followers")

    response = english(client_for(follower)).post(f"/p/{post.id}/repost/", {"text": ""})

    assert response.status_code == 400
    assert error_of(response) == "Followers-only posts cannot be reposted."
    assert Post.objects.count() == 1


def test_reposting_twice_without_words_is_a_conflict(make_account, client_for, author):
    fan = make_account("粉絲")
    post = publish(author, "轉發我")
    client = english(client_for(fan))

    first = client.post(f"/p/{post.id}/repost/", {"text": ""})
    second = client.post(f"/p/{post.id}/repost/", {"text": ""})

    assert first.status_code == 302
    assert second.status_code == 409
    assert error_of(second) == "You have already reposted this."
    assert Post.objects.filter(kind="repost").count() == 1


# --- pictures -----------------------------------------------------------------------------------


def test_an_svg_uploaded_as_a_picture_is_refused_and_no_post_is_made(client):
    svg = SimpleUploadedFile("logo.png", SVG, content_type="image/png")

    response = client.post("/compose/", {"text": "看看這張圖", "audience": "public", "images": [svg]})

    assert response.status_code == 400
    assert "not a picture we accept" in error_of(response)
    assert not Post.objects.exists()
    assert not Media.objects.exists()


def test_ten_pictures_are_refused_and_no_post_is_made(client, settings):
    pictures = [png_upload(f"p{n}.png") for n in range(settings.POST_MAX_IMAGES + 1)]

    response = client.post("/compose/", {"text": "十張圖", "audience": "public", "images": pictures})

    assert response.status_code == 400
    assert error_of(response) == "A post can hold at most 9 pictures."
    assert not Post.objects.exists()
    assert not Media.objects.exists()


def test_a_good_picture_with_a_bad_one_leaves_nothing_behind(client, settings):
    from pathlib import Path

    svg = SimpleUploadedFile("b.png", SVG, content_type="image/png")

    response = client.post(
        "/compose/", {"text": "兩張圖", "audience": "public", "images": [png_upload(), svg]}
    )

    assert response.status_code == 400
    assert not Post.objects.exists()
    assert not Media.objects.exists()
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == []


def test_an_svg_avatar_is_refused_and_the_avatar_is_unchanged(client, author):
    svg = SimpleUploadedFile("me.png", SVG, content_type="image/png")

    response = client.post("/settings/avatar/", {"avatar": svg})

    assert response.status_code == 400
    assert "not a picture we accept" in response.content.decode()
    author.refresh_from_db()
    assert author.avatar == ""


# --- sign-up and log-in -------------------------------------------------------------------------


def test_sign_up_with_a_taken_handle_names_it(make_account):
    make_account("示範科技")

    response = anonymous().post("/signup/", {"handle": "示范科技", "password": "a long enough passphrase"})

    assert response.status_code in (400, 409)
    assert error_of(response) == "The handle @示范科技 is already taken."
    assert 'aria-invalid="true"' in response.content.decode()
    assert Account.objects.count() == 1


def test_sign_up_with_a_confusable_handle_names_both(make_account):
    make_account("dell")

    response = anonymous().post("/signup/", {"handle": "deIl", "password": "a long enough passphrase"})

    assert response.status_code in (400, 409)
    assert "@deIl" in error_of(response)
    assert "@dell" in error_of(response)
    assert Account.objects.count() == 1


def test_sign_up_with_bad_handle_characters_names_them(db):
    response = anonymous().post("/signup/", {"handle": "小 雨!", "password": "a long enough passphrase"})

    assert response.status_code == 400
    message = error_of(response)
    assert "A handle may hold only letters, digits" in message
    assert "U+0020" in message and "U+0021" in message
    assert 'value="小 雨!"' in response.content.decode()  # kept for fixing
    assert not Account.objects.exists()


def test_sign_up_with_a_weak_password_is_refused(db):
    response = anonymous().post("/signup/", {"handle": "小雨", "password": "12345678"})

    assert response.status_code == 400
    assert "password" in error_of(response).lower()
    assert not Account.objects.exists()


def test_a_wrong_password_is_refused_with_a_message(make_account):
    make_account("小雨")
    client = anonymous()

    response = client.post("/login/", {"login": "小雨", "password": "wrong password"})

    assert response.status_code == 400
    assert error_of(response) == "The handle or password is not right."
    assert "_auth_user_id" not in client.session


def test_the_eleventh_wrong_login_is_rate_limited_even_with_the_right_password(make_account):
    make_account("小雨")
    client = anonymous()

    statuses = [
        client.post("/login/", {"login": "小雨", "password": f"wrong {n}"}).status_code for n in range(10)
    ]
    eleventh = client.post("/login/", {"login": "小雨", "password": "correct horse battery staple"})

    assert statuses == [400] * 10
    assert eleventh.status_code == 429
    assert "Too many tries" in error_of(eleventh)
    assert "_auth_user_id" not in client.session


# --- request guards -----------------------------------------------------------------------------


def test_a_form_without_a_csrf_token_is_refused_with_our_message(author):
    client = Client(enforce_csrf_checks=True, **EN)
    client.force_login(author)

    response = client.post("/compose/", {"text": "偽造的請求", "audience": "public"})

    assert response.status_code == 403
    assert "This form has expired or was not sent from our page." in response.content.decode()
    assert not Post.objects.exists()


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(client, settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024

    response = client.post(
        "/compose/", {"text": "小小的內容", "audience": "public"}, CONTENT_LENGTH=str(1024 * 1024 + 1)
    )

    assert response.status_code == 413
    assert "The upload is too large: at most 1.0\xa0MB in one go." in response.content.decode()
    assert '<html lang="en">' in response.content.decode()  # in the visitor's language
    assert not Post.objects.exists()


def test_a_body_at_the_limit_is_accepted(client, settings, author):
    body = {"text": "剛好", "audience": "public"}
    settings.MAX_REQUEST_BYTES = 4096

    response = client.post("/compose/", body)

    assert response.status_code == 302
    assert author.posts.count() == 1


# --- inline (script) forms ----------------------------------------------------------------------


def test_an_inline_like_returns_the_updated_card(make_account, client_for, author):
    fan = make_account("粉絲")
    post = publish(author, "按個讚吧")

    response = english(client_for(fan)).post(
        f"/p/{post.id}/like/", {"card": str(post.id)}, HTTP_X_TIDINGS_INLINE="1"
    )

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith("<article")
    assert f'data-post="{post.id}"' in html
    assert 'aria-pressed="true"' in html
    assert "Liked" in html
    assert f'action="/p/{post.id}/unlike/"' in html
    assert Like.objects.filter(account=fan, post=post).exists()


def test_an_inline_like_of_a_repost_returns_the_reposts_card(make_account, client_for, author):
    fan = make_account("粉絲")
    reposter = make_account("轉發者")
    post = publish(author, "原文")
    repost = posts.repost(reposter, post_id=post.id)

    response = client_for(fan).post(
        f"/p/{post.id}/like/", {"card": str(repost.id)}, HTTP_X_TIDINGS_INLINE="1"
    )

    assert response.status_code == 200
    assert f'data-post="{repost.id}"' in response.content.decode()
    assert 'aria-pressed="true"' in response.content.decode()


def test_an_inline_error_is_json_with_the_message(client, author):
    response = client.post("/compose/", {"text": "", "audience": "public"}, HTTP_X_TIDINGS_INLINE="1")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "Write something first."
    assert not Post.objects.exists()


def test_an_inline_like_of_a_missing_post_is_json_not_found(client, author):
    post = publish(author, "在的")

    response = client.post(f"/p/{missing_post_id(post.id)}/like/", HTTP_X_TIDINGS_INLINE="1")

    assert response.status_code == 404
    assert response.json()["error"] == "This page does not exist, or you may not see it."
    assert not Like.objects.exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/p/1/", "javascript:alert(1)"])
def test_an_off_site_next_address_is_ignored_after_an_action(client, author, next_url):
    post = publish(author, "按讚後回到原頁")

    response = client.post(f"/p/{post.id}/like/", {"next": next_url})

    assert response.status_code == 302
    assert response.url == f"/p/{post.id}/"
    assert Like.objects.filter(post=post).count() == 1
