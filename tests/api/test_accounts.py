"""Accounts through Mastodon's API: who I am and changing it, finding people, relationships,
and the conversation list of direct messages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tidings.accounts.models import Account
from tidings.notifications import services as messages
from tidings.orgs import services as orgs
from tidings.social import services as social
from tidings.social.models import Block, Follow, Mute

from ..web.helpers import png_bytes

pytestmark = pytest.mark.django_db


def test_update_credentials_changes_name_bio_language_and_avatar(make_account, api_for):
    alice = make_account("alice")
    api = api_for(alice)
    avatar = SimpleUploadedFile("me.png", png_bytes(size=(64, 64)), content_type="image/png")

    named = api.patch("/api/v1/accounts/update_credentials", {"display_name": "愛麗絲", "note": "你好"})
    pictured = api.client.patch(
        "/api/v1/accounts/update_credentials",
        data=_multipart({"avatar": avatar}),
        content_type="multipart/form-data; boundary=BoUnDaRy",
        headers={"Authorization": f"Bearer {api.token}"},
    )

    assert named.status_code == 200 and named.json()["display_name"] == "愛麗絲"
    assert named.json()["source"]["note"] == "你好"
    assert pictured.status_code == 200, pictured.content
    assert "/media/avatars/" in pictured.json()["avatar"]
    stored = Account.objects.get(id=alice.id)
    assert (stored.display_name, stored.bio) == ("愛麗絲", "你好") and stored.avatar


def test_a_bio_reaches_clients_with_its_links_mentions_and_topics_as_the_web_shows_them(
    make_account, api_for
):
    make_account("bob")
    alice = make_account("alice")
    api = api_for(alice)

    api.patch(
        "/api/v1/accounts/update_credentials", {"note": "<b>客服</b> @bob #新品# https://example.com/x"}
    )
    note = api.get(f"/api/v1/accounts/{alice.id}").json()["note"]

    assert note.startswith("<p>&lt;b&gt;客服&lt;/b&gt; ") and note.endswith("</p>")
    assert '<a href="https://example.com/x"' in note
    assert 'href="http://testserver/@bob/"' in note and "#新品#</a>" in note


def _multipart(files: dict[str, object]) -> bytes:
    from django.test.client import encode_multipart

    return encode_multipart("BoUnDaRy", files)


def test_a_bad_profile_change_is_refused_and_nothing_changes(make_account, api_for):
    alice = make_account("alice")

    response = api_for(alice).patch("/api/v1/accounts/update_credentials", {"note": "字" * 161})

    assert response.status_code == 422
    assert Account.objects.get(id=alice.id).bio == ""


def test_lookup_get_and_search_find_people_by_handle_folded(make_account, api_for):
    dell = make_account("戴爾中國")
    api = api_for(None)

    assert api.get("/api/v1/accounts/lookup", {"acct": "戴爾中國"}).json()["id"] == str(dell.id)
    assert api.get(f"/api/v1/accounts/{dell.id}").json()["username"] == "戴爾中國"
    assert [a["id"] for a in api.get("/api/v1/accounts/search", {"q": "戴尔"}).json()] == [str(dell.id)]
    assert api.get("/api/v1/accounts/lookup", {"acct": "nobody-here"}).status_code == 404


def test_an_official_account_shows_its_verified_organisation(make_account, api_for):
    owner, official = make_account("owner"), make_account("示範客服", kind="official")
    org = orgs.create_organisation(slug="demo", name="示範科技", owner=owner)
    orgs.register_official_account(org, official)

    shown = api_for(None).get(f"/api/v1/accounts/{official.id}").json()

    assert shown["tidings"] == {"kind": "official", "organisation": "demo"}
    assert shown["fields"][0]["verified_at"] and "示範科技" in shown["fields"][0]["value"]


def test_follow_block_mute_and_relationships(make_account, api_for):
    alice, bob = make_account("alice"), make_account("bob")
    api = api_for(alice)

    followed = api.post(f"/api/v1/accounts/{bob.id}/follow").json()
    again = api.post(f"/api/v1/accounts/{bob.id}/follow")
    muted = api.post(f"/api/v1/accounts/{bob.id}/mute").json()
    relation = api.get("/api/v1/accounts/relationships", {"id[]": [str(bob.id)]}).json()
    followers = api_for(None).get(f"/api/v1/accounts/{bob.id}/followers").json()
    blocked = api.post(f"/api/v1/accounts/{bob.id}/block").json()

    assert followed["following"] is True and again.status_code == 200
    assert muted["muting"] is True
    assert relation[0]["following"] and relation[0]["muting"] and not relation[0]["blocking"]
    assert [a["id"] for a in followers] == [str(alice.id)]
    assert blocked["blocking"] is True and blocked["following"] is False
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    assert not Follow.objects.filter(follower=alice, followee=bob).exists()
    api.post(f"/api/v1/accounts/{bob.id}/unblock")
    api.post(f"/api/v1/accounts/{bob.id}/unmute")
    assert not Block.objects.exists() and not Mute.objects.exists()


def test_more_parameters_than_a_request_may_carry_is_a_json_400(make_account, api_for):
    api = api_for(make_account("alice"))

    response = api.get("/api/v1/accounts/relationships", {"id[]": [str(n) for n in range(201)]})

    assert response.status_code == 400 and response.json() == {"error": "Too many parameters"}


def test_following_oneself_or_a_blocker_is_refused(make_account, api_for):
    alice, bob = make_account("alice"), make_account("bob")
    social.block(bob, account_id=alice.id)
    api = api_for(alice)

    assert api.post(f"/api/v1/accounts/{alice.id}/follow").status_code == 422
    refused = api.post(f"/api/v1/accounts/{bob.id}/follow")
    missing = api.post(f"/api/v1/accounts/{bob.id + 7}/follow")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert not Follow.objects.exists()


def test_conversations_list_and_mark_read(make_account, api_for):
    alice, bob = make_account("alice"), make_account("bob")
    messages.send_message(alice, recipient_id=bob.id, text="在嗎?")
    api = api_for(bob)

    [row] = api.get("/api/v1/conversations").json()
    read = api.post(f"/api/v1/conversations/{row['id']}/read").json()

    assert row["unread"] is True and row["accounts"][0]["username"] == "alice"
    assert read["unread"] is False
    assert api.get("/api/v1/conversations").json()[0]["unread"] is False
    outsider = api_for(make_account("carol"))
    assert outsider.post(f"/api/v1/conversations/{row['id']}/read").status_code == 404


def test_a_bad_avatar_leaves_the_name_as_it_was(make_account, api_for):
    alice = make_account("alice")
    api = api_for(alice)
    fake = SimpleUploadedFile("me.png", b"<svg onload=alert(1)>", content_type="image/png")

    response = api.client.patch(
        "/api/v1/accounts/update_credentials",
        data=_multipart({"display_name": "新名字", "avatar": fake}),
        content_type="multipart/form-data; boundary=BoUnDaRy",
        headers={"Authorization": f"Bearer {api.token}"},
    )

    assert response.status_code == 422
    stored = Account.objects.get(id=alice.id)
    assert (stored.display_name, stored.avatar) == ("alice", "")
