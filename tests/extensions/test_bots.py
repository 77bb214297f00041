"""Bots and incoming webhooks: another system posts through its address, as one bot account and to
one audience only; an expired, revoked or wrong token posts nothing; only admins make bots."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import Api
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.extensions import bots
from tidings.extensions.models import Bot
from tidings.posts.models import Post


def send(path, body, **headers):
    return Client().post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_a_chat_tool_posts_into_a_group_through_the_bots_address(team, group, client_for):
    bot, token = bots.create(
        team.admin, team.org, handle="ci-bot", display_name="建置機器人", audience="group", group_id=group.id
    )
    answer = send(f"/hooks/{bot.id}/{token}", {"text": "版本 2.3 建置完成 ✅"})
    assert answer.status_code == 201, answer.content
    post = Post.objects.get(id=answer.json()["id"])
    assert (post.author_id, post.audience, post.group_id) == (bot.account_id, "group", group.id)
    assert "版本 2.3 建置完成" in client_for(team.manager).get(f"/o/demo/g/{group.id}/").content.decode()
    # Members of the group read it; the rest of the organisation does not.
    assert client_for(team.employee).get(f"/p/{post.id}/").status_code == 404


def test_the_token_as_a_bearer_header_works_and_the_call_cannot_choose_another_audience(team):
    bot, token = bots.create(team.admin, team.org, handle="shop-bot", audience="org")
    answer = send(
        f"/hooks/{bot.id}",
        {"text": "今日訂單 120 筆", "audience": "public", "account": "老闆"},
        Authorization=f"Bearer {token}",
    )
    assert answer.status_code == 201
    post = Post.objects.get(id=answer.json()["id"])
    assert (post.author_id, post.audience, post.organisation_id) == (bot.account_id, "org", team.org.id)


def test_a_wrong_revoked_or_expired_token_posts_nothing(team):
    bot, token = bots.create(team.admin, team.org, handle="old-bot", audience="org", days=30)
    assert send(f"/hooks/{bot.id}/wrong", {"text": "x"}).status_code == 401
    assert send(f"/hooks/{bot.id + 1}/{token}", {"text": "x"}).status_code == 401
    Bot.objects.filter(id=bot.id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = send(f"/hooks/{bot.id}/{token}", {"text": "x"}, **{"Accept-Language": "en"})
    assert expired.status_code == 401 and "expired" in expired.json()["error"]

    fresh, fresh_token = bots.create(team.admin, team.org, handle="new-bot", audience="org")
    bots.revoke(team.admin, team.org, fresh.id)
    assert send(f"/hooks/{fresh.id}/{fresh_token}", {"text": "x"}).status_code == 401
    assert not Post.objects.exists()


def test_the_bots_token_is_no_key_to_the_api(team):
    _bot, token = bots.create(team.admin, team.org, handle="api-bot", audience="org")
    assert Api(token).get("/api/v1/accounts/verify_credentials").status_code == 401
    assert Api(token).post("/api/v1/statuses", {"status": "x"}).status_code == 401


def test_bad_posts_through_a_hook_are_refused_with_the_reason(team):
    bot, token = bots.create(team.admin, team.org, handle="bad-bot", audience="org")
    url = f"/hooks/{bot.id}/{token}"
    headers = {"Accept-Language": "en"}
    assert send(url, {"text": ""}, **headers).status_code == 422
    too_long = send(url, {"text": "長" * 141}, **headers)
    assert too_long.status_code == 422 and too_long.json()["error"]
    assert Client().post(url, "{not json", content_type="application/json").status_code == 400
    assert send(url, ["a list"], **headers).status_code == 422
    assert Client().get(url).status_code == 405
    assert not Post.objects.exists()


def test_only_the_organisations_admins_make_bots_and_bad_bots_are_refused(team, group):
    with pytest.raises(Forbidden):
        bots.create(team.employee, team.org, handle="my-bot", audience="org")
    with pytest.raises(NotFound):
        bots.create(team.rival, team.org, handle="spy-bot", audience="org")
    with pytest.raises(Invalid, match="one group"):
        bots.create(team.admin, team.org, handle="x-bot", audience="everyone")
    with pytest.raises(Invalid, match="groups"):
        bots.create(team.admin, team.org, handle="x-bot", audience="group", group_id="nope")
    with pytest.raises(Invalid, match="3650"):
        bots.create(team.admin, team.org, handle="x-bot", audience="org", days=-1)
    assert not Bot.objects.exists()


def test_the_admin_page_makes_a_bot_and_shows_its_address_once(team, client_for):
    client = client_for(team.admin)
    client.post("/o/demo/admin/apps/bot-add/", {"handle": "page-bot", "audience": "org", "days": "0"})
    page = client.get("/o/demo/admin/apps/").content.decode()
    bot = Bot.objects.get()
    assert f"/hooks/{bot.id}/tdb_" in page and 'data-bot="page-bot"' in page
    assert "/hooks/" not in client.get("/o/demo/admin/apps/").content.decode()  # once
    client.post("/o/demo/admin/apps/bot-revoke/", {"bot": bot.id})
    bot.refresh_from_db()
    assert bot.revoked_at is not None


def test_the_bots_address_is_not_put_in_the_page_title_and_revoking_keeps_its_posts(team, client_for):
    client = client_for(team.admin)
    client.post("/o/demo/admin/apps/bot-add/", {"handle": "title-bot", "audience": "org", "days": "0"})
    page = client.get("/o/demo/admin/apps/").content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert "/hooks/" not in title and 'id="bots"' in page[page.index("</title>") :]
    bot = Bot.objects.get()
    token = page.split(f"/hooks/{bot.id}/")[1].split('"')[0]
    posted = send(f"/hooks/{bot.id}/{token}", {"text": "留下來的公告"})
    bots.revoke(team.admin, team.org, bot.id)
    assert client_for(team.employee).get(f"/p/{posted.json()['id']}/").status_code == 200
