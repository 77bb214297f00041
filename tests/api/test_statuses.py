"""Posting and acting on posts through Mastodon's status API: the three body encodings, the
idempotency key, audiences beyond Mastodon's four, replies, quotes, edits, and bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from tidings.accounts.tokens import create_token
from tidings.groups import services as groups
from tidings.notifications import services as messages
from tidings.orgs import services as orgs
from tidings.orgs.models import Organisation
from tidings.posts import services as posts
from tidings.posts.models import Favourite, Like, Post, ProfilePin

from ..web.helpers import png_bytes
from .conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_account):
    return make_account("alice")


@pytest.fixture
def api(alice, api_for) -> Api:
    return api_for(alice)


def test_a_post_made_with_json_form_or_multipart_is_the_same_post(api):
    as_json = api.post("/api/v1/statuses", {"status": "JSON 發文", "language": "zh-TW"})
    as_form = api.post("/api/v1/statuses", {"status": "表單發文"}, form=True)
    multipart = api.client.post(
        "/api/v1/statuses", {"status": "多部分發文"}, headers={"Authorization": f"Bearer {api.token}"}
    )

    assert [r.status_code for r in (as_json, as_form, multipart)] == [200, 200, 200]
    assert as_json.json()["language"] == "zh-TW" and as_json.json()["visibility"] == "public"
    assert sorted(Post.objects.values_list("text", flat=True)) == ["JSON 發文", "多部分發文", "表單發文"]


def test_the_same_idempotency_key_gives_the_first_post_back(api):
    first = api.post("/api/v1/statuses", {"status": "只發一次"}, **{"Idempotency-Key": "k1"})
    again = api.post("/api/v1/statuses", {"status": "只發一次"}, **{"Idempotency-Key": "k1"})
    other = api.post("/api/v1/statuses", {"status": "只發一次!"}, **{"Idempotency-Key": "k2"})

    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert Post.objects.count() == 2


@pytest.mark.parametrize(
    ("visibility", "audience"), [("public", "public"), ("unlisted", "public"), ("private", "followers")]
)
def test_mastodons_visibilities_map_onto_our_audiences(api, visibility, audience):
    response = api.post("/api/v1/statuses", {"status": "看得到嗎", "visibility": visibility})

    assert response.json()["audience"] == audience
    assert Post.objects.get().audience == audience


@pytest.fixture
def acme(alice, make_account):
    owner = make_account("owner")
    org = orgs.create_organisation(slug="acme", name="Acme", owner=owner)
    orgs.add_member(org, alice, actor=owner)
    return org


def test_audience_wins_over_visibility_and_keeps_a_post_inside_its_space(api, alice, acme):
    team = groups.create_group(acme, actor=alice, name="研發部")

    inside = api.post("/api/v1/statuses", {"status": "內部", "audience": "org:acme", "visibility": "public"})
    in_group = api.post("/api/v1/statuses", {"status": "組內", "audience": f"group:{team.id}"})

    assert inside.json()["audience"] == "org:acme" and inside.json()["visibility"] == "private"
    assert in_group.json()["audience"] == f"group:{team.id}"
    assert Post.objects.get(text="內部").organisation_id == acme.id
    assert Post.objects.get(text="組內").group_id == team.id


def test_an_organisation_may_send_posts_of_clients_that_name_no_audience_inside(api, acme):
    Organisation.objects.filter(id=acme.id).update(client_audience="org")

    silent = api.post("/api/v1/statuses", {"status": "沒說給誰看"})
    explicit = api.post("/api/v1/statuses", {"status": "明說公開", "visibility": "public"})

    assert silent.json()["audience"] == "org:acme"
    assert explicit.json()["audience"] == "public"


@pytest.mark.parametrize("audience", ["org:nowhere", "org:acme", "group:12345", "group:abc"])
def test_posting_into_a_space_one_is_not_in_is_not_found_and_makes_nothing(
    make_account, api_for, acme, audience
):
    stranger = api_for(make_account("stranger"))

    response = stranger.post("/api/v1/statuses", {"status": "闖進去", "audience": audience})

    assert response.status_code == 404
    assert not Post.objects.exists()


def test_a_direct_status_goes_to_the_one_person_it_mentions(api, make_account, api_for):
    bob = make_account("bob")

    sent = api.post("/api/v1/statuses", {"status": "@bob 私下說", "visibility": "direct"})

    assert sent.status_code == 200 and sent.json()["visibility"] == "direct"
    assert sent.json()["audience"] == "direct"
    convo = api_for(bob).get("/api/v1/conversations").json()
    assert convo[0]["last_status"]["id"] == sent.json()["id"] and convo[0]["unread"] is True
    assert api_for(make_account("carol")).get(f"/api/v1/statuses/{sent.json()['id']}").status_code == 404


@pytest.mark.parametrize("text", ["沒有提到誰", "@bob @carol 兩個人"])
def test_a_direct_status_to_nobody_or_to_several_is_refused(api, make_account, text):
    make_account("bob"), make_account("carol")

    response = api.post("/api/v1/statuses", {"status": text, "visibility": "direct"})

    assert response.status_code == 422
    assert not Post.objects.exists()


def test_a_reply_is_a_comment_and_context_shows_the_thread(api, alice, make_account, api_for):
    bob = make_account("bob")
    root = posts.publish(bob, text="新品發布")
    reply = api.post("/api/v1/statuses", {"status": "恭喜", "in_reply_to_id": str(root.id)})
    answer = api_for(bob).post("/api/v1/statuses", {"status": "謝謝", "in_reply_to_id": reply.json()["id"]})

    assert reply.json()["in_reply_to_id"] == str(root.id)
    assert reply.json()["in_reply_to_account_id"] == str(bob.id)
    assert Post.objects.get(id=reply.json()["id"]).kind == Post.Kind.COMMENT
    context = api.get(f"/api/v1/statuses/{root.id}/context").json()
    assert [s["id"] for s in context["descendants"]] == [reply.json()["id"], answer.json()["id"]]
    of_reply = api.get(f"/api/v1/statuses/{reply.json()['id']}/context").json()
    assert [s["id"] for s in of_reply["ancestors"]] == [str(root.id)]
    assert [s["id"] for s in of_reply["descendants"]] == [answer.json()["id"]]
    of_answer = api.get(f"/api/v1/statuses/{answer.json()['id']}/context").json()
    assert [s["id"] for s in of_answer["ancestors"]] == [str(root.id), reply.json()["id"]]
    assert of_answer["descendants"] == []


def test_a_reply_to_a_message_stays_in_the_conversation(api, alice, make_account):
    bob = make_account("bob")
    message = messages.send_message(bob, recipient_id=alice.id, text="在嗎")

    reply = api.post("/api/v1/statuses", {"status": "在", "in_reply_to_id": str(message.id)})

    assert reply.json()["visibility"] == "direct"
    assert Post.objects.get(id=reply.json()["id"]).conversation_id == message.conversation_id


def test_a_quote_is_a_repost_with_words(api, make_account):
    original = posts.publish(make_account("bob"), text="原文")

    quote = api.post("/api/v1/statuses", {"status": "說得好", "quoted_status_id": str(original.id)}).json()

    assert quote["quote"]["quoted_status"]["id"] == str(original.id)
    assert Post.objects.get(id=quote["id"]).repost_of_id == original.id


def test_favourite_reblog_bookmark_and_pin_and_their_undoing(api, alice, make_account):
    original = posts.publish(make_account("bob"), text="好文")
    mine = posts.publish(alice, text="我的")
    base = f"/api/v1/statuses/{original.id}"

    assert api.post(f"{base}/favourite").json()["favourited"] is True
    assert api.post(f"{base}/favourite").status_code == 200  # twice is no error
    reblog = api.post(f"{base}/reblog").json()
    assert reblog["reblog"]["id"] == str(original.id) and reblog["reblog"]["reblogged"] is True
    assert api.post(f"{base}/bookmark").json()["bookmarked"] is True
    assert api.post(f"/api/v1/statuses/{mine.id}/pin").json()["pinned"] is True
    pinned = api.get(f"/api/v1/accounts/{alice.id}/statuses", {"pinned": "true"}).json()
    assert [s["id"] for s in pinned] == [str(mine.id)]
    assert [a["username"] for a in api.get(f"{base}/favourited_by").json()] == ["alice"]
    assert [a["username"] for a in api.get(f"{base}/reblogged_by").json()] == ["alice"]

    api.post(f"{base}/unfavourite")
    api.post(f"{base}/unreblog")
    api.post(f"{base}/unbookmark")
    api.post(f"/api/v1/statuses/{mine.id}/unpin")
    assert not Like.objects.exists() and not Favourite.objects.exists() and not ProfilePin.objects.exists()
    assert not Post.objects.filter(kind=Post.Kind.REPOST).exists()
    assert api.get(base).json()["favourites_count"] == 0


def test_pinning_someone_elses_post_is_refused(api, make_account):
    other = posts.publish(make_account("bob"), text="別人的")

    response = api.post(f"/api/v1/statuses/{other.id}/pin")

    assert response.status_code == 422
    assert not ProfilePin.objects.exists()


def test_edit_keeps_history_and_delete_gives_the_source_back(api):
    made = api.post("/api/v1/statuses", {"status": "初稿"}).json()

    edited = api.put(f"/api/v1/statuses/{made['id']}", {"status": "定稿"})
    history = api.get(f"/api/v1/statuses/{made['id']}/history").json()
    source = api.get(f"/api/v1/statuses/{made['id']}/source").json()
    deleted = api.delete(f"/api/v1/statuses/{made['id']}")

    assert edited.json()["edited_at"] and "定稿" in edited.json()["content"]
    assert ["初稿" in h["content"] for h in history] == [True, False]
    assert source["text"] == "定稿"
    assert deleted.status_code == 200 and deleted.json()["text"] == "定稿"
    assert not Post.objects.exists()


def test_someone_else_cannot_edit_or_delete_a_post(api, make_account, api_for):
    made = api.post("/api/v1/statuses", {"status": "我的"}).json()
    bob = api_for(make_account("bob"))

    assert bob.put(f"/api/v1/statuses/{made['id']}", {"status": "改了"}).status_code == 403
    assert bob.delete(f"/api/v1/statuses/{made['id']}").status_code == 403
    assert Post.objects.get().text == "我的"


def test_a_picture_is_uploaded_then_attached(api):
    upload = api.client.post(
        "/api/v2/media",
        {"file": _png(), "description": "一張紅圖"},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    media = upload.json()
    post = api.post("/api/v1/statuses", {"status": "看圖", "media_ids": [media["id"]]}).json()

    assert upload.status_code == 200 and media["type"] == "image" and media["description"] == "一張紅圖"
    assert post["media_attachments"][0]["id"] == media["id"]
    assert (
        Client().get(post["media_attachments"][0]["url"].replace("http://testserver", "")).status_code == 200
    )


def test_a_nul_character_in_a_text_field_is_a_422_and_nothing_is_stored(api):
    from tidings.posts.models import Media

    upload = api.client.post(
        "/api/v2/media",
        {"file": _png(), "description": "一張\x00紅圖"},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    made = api.post("/api/v1/statuses", {"status": "看\x00圖"})

    assert upload.status_code == 422 and "NUL" in upload.json()["error"]
    assert made.status_code == 422
    assert not Media.objects.exists() and not Post.objects.exists()


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("red.png", png_bytes(), content_type="image/png")


def test_a_file_that_is_not_an_image_is_refused(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = api.client.post(
        "/api/v2/media", {"file": fake}, headers={"Authorization": f"Bearer {api.token}"}
    )

    assert response.status_code == 422
    assert "error" in response.json()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ("status=hi", "text/plain", 415),
    ],
)
def test_a_malformed_body_is_refused_in_mastodons_format(api, body, content_type, status):
    response = api.client.post(
        "/api/v1/statuses", body, content_type=content_type, headers={"Authorization": f"Bearer {api.token}"}
    )

    assert response.status_code == status
    assert set(response.json()) == {"error"}
    assert not Post.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "字" * 141])
def test_an_empty_or_over_long_status_is_a_422_with_the_reason(api, text):
    response = api.post("/api/v1/statuses", {"status": text})

    assert response.status_code == 422
    assert response.json()["error"].startswith("Validation failed: ")
    assert not Post.objects.exists()


def test_errors_come_in_the_callers_language(api):
    chinese = api.post("/api/v1/statuses", {"status": ""}, **{"Accept-Language": "zh-Hant"})
    english = api.post("/api/v1/statuses", {"status": ""}, **{"Accept-Language": "en"})

    assert chinese.status_code == english.status_code == 422
    assert any("\u4e00" <= c <= "\u9fff" for c in chinese.json()["error"])
    assert english.json()["error"].isascii()


def test_statuses_of_a_deactivated_account_cannot_be_read(api, make_account):
    from tidings.accounts import services as accounts

    bob = make_account("bob")
    post = posts.publish(bob, text="再見")
    accounts.deactivate_account(bob)

    assert api.get(f"/api/v1/statuses/{post.id}").status_code == 404
    assert api.get(f"/api/v1/accounts/{bob.id}").status_code == 404


def test_a_token_for_one_person_never_acts_as_another(alice, make_account):
    bob = make_account("bob")
    bobs = posts.publish(bob, text="鮑伯的")
    alices = Api(create_token(alice, scopes="write"))

    alices.post(f"/api/v1/statuses/{bobs.id}/favourite")

    assert list(Like.objects.values_list("account_id", flat=True)) == [alice.id]


def test_an_idempotency_key_serves_a_day_then_is_forgotten(api):
    import datetime as dt

    from tidings.posts.models import IdempotencyKey
    from tidings.posts.services import forget_old_requests

    first = api.post("/api/v1/statuses", {"status": "昨天的"}, **{"Idempotency-Key": "k"}).json()
    IdempotencyKey.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    later = api.post("/api/v1/statuses", {"status": "今天的"}, **{"Idempotency-Key": "k"}).json()

    again = api.post("/api/v1/statuses", {"status": "今天的"}, **{"Idempotency-Key": "k"}).json()

    assert later["id"] != first["id"]
    assert again["id"] == later["id"]  # the key now stands for today's post
    assert forget_old_requests() == 0
    assert Post.objects.count() == 2


def test_at_most_five_posts_are_pinned(api, alice, settings):
    settings.WRITES_PER_MINUTE = 100
    made = [posts.publish(alice, text=f"第{n}則") for n in range(6)]
    for post in made[:5]:
        assert api.post(f"/api/v1/statuses/{post.id}/pin").status_code == 200

    refused = api.post(f"/api/v1/statuses/{made[5].id}/pin")

    assert refused.status_code == 422 and "at most 5" in refused.json()["error"]
    assert ProfilePin.objects.count() == 5


def test_the_context_of_a_post_costs_the_same_queries_for_3_or_12_comments(
    api, alice, make_account, acme, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.WRITES_PER_MINUTE = 100
    root = posts.publish(alice, text="內部討論", audience="org", organisation_id=acme.id)
    official = make_account("官方", kind="official")
    orgs.add_member(acme, official)

    def comment(count: int) -> int:
        for n in range(count):
            posts.comment(official if n % 2 else alice, post_id=root.id, text=f"第{n}則留言")
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get(f"/api/v1/statuses/{root.id}/context").json()["descendants"]) > 0
        return len(queries)

    assert comment(3) == comment(9)
