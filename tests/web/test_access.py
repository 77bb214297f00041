"""Who is refused what. Every route that shows or acts on a post, on an account's private data
or on a conversation is tried by a logged-out visitor, a stranger (logged in, not a follower) and
an account the author blocked. Reads of what one may not see answer exactly like a missing id."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern

from tidings.accounts.models import Account
from tidings.notifications import services as messages
from tidings.notifications.models import Notification
from tidings.posts import services as posts
from tidings.posts.models import Favourite, Like, Media, Post, PostEdit
from tidings.social import services as social
from tidings.social.models import Follow
from tidings.web import urls as web_urls

from .helpers import NOT_FOUND_MESSAGE, anonymous, comparable, english, missing_post_id, png_upload, publish

pytestmark = pytest.mark.django_db


@dataclass
class World:
    author: Account
    follower: Account
    stranger: Account
    blocked: Account
    hidden: Post  # followers only
    hidden_comment: Post  # a follower's comment under it
    public: Post
    clients: dict[str, Client]


@pytest.fixture
def world(make_account, client_for) -> World:
    author = make_account("示範科技")
    follower = make_account("忠實粉絲")
    stranger = make_account("路人")
    blocked = make_account("酸民")
    social.follow(follower, account_id=author.id)
    social.follow(blocked, account_id=author.id)  # following once does not help after a block
    social.block(author, account_id=blocked.id)
    hidden = publish(author, "只給粉絲:下季新品代號 X15", audience="followers")
    posts.edit(author, post_id=hidden.id, text="只給粉絲:下季新品代號 X15(修正)")
    hidden_comment = posts.comment(follower, post_id=hidden.id, text="粉絲的悄悄話")
    public = publish(author, "公開的新品發布會消息")
    clients = {
        "anonymous": anonymous(),
        "stranger": english(client_for(stranger)),
        "blocked": english(client_for(blocked)),
        "follower": english(client_for(follower)),
        "author": english(client_for(author)),
    }
    return World(author, follower, stranger, blocked, hidden, hidden_comment, public, clients)


def snapshot(world: World) -> tuple[object, ...]:
    """Everything a refused action could have changed."""
    return (
        sorted(Post.objects.values_list("id", "text", "likes_count", "reposts_count", "comments_count")),
        Like.objects.count(),
        Favourite.objects.count(),
        PostEdit.objects.count(),
        Follow.objects.count(),
    )


def assert_like_missing(client: Client, method: str, url: str, post_id: int, data=None, **extra) -> None:
    """The answer for `post_id` is a 404 indistinguishable from the one for an id nobody has."""
    missing = missing_post_id(post_id)
    send = getattr(client, method)
    refused = send(url.format(id=post_id), data or {}, **extra)
    absent = send(url.format(id=missing), data or {}, **extra)
    assert refused.status_code == 404, (url, refused.status_code)
    assert absent.status_code == 404
    assert refused["Content-Type"] == absent["Content-Type"]
    assert comparable(refused.content, post_id) == comparable(absent.content, missing)


# --- reads of a followers-only post -------------------------------------------------------------

READS = ["/p/{id}/", "/p/{id}/card/", "/p/{id}/history/"]


@pytest.mark.parametrize("url", READS)
def test_followers_only_post_is_shown_to_a_follower(world, url):
    response = world.clients["follower"].get(url.format(id=world.hidden.id))

    assert response.status_code == 200
    assert "下季新品代號 X15" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "stranger", "blocked"])
@pytest.mark.parametrize("url", READS)
def test_followers_only_post_reads_answer_like_a_missing_post(world, who, url):
    client = world.clients[who]

    assert_like_missing(client, "get", url, world.hidden.id)
    assert_like_missing(client, "get", url, world.hidden_comment.id)
    body = client.get(url.format(id=world.hidden.id)).content.decode()
    assert "X15" not in body and "粉絲的悄悄話" not in body


def test_not_found_page_says_not_found_in_english(world):
    body = world.clients["stranger"].get(f"/p/{world.hidden.id}/").content.decode()

    assert NOT_FOUND_MESSAGE in body


@pytest.mark.parametrize("url", READS)
def test_a_blocked_account_cannot_read_even_public_posts_of_the_blocker(world, url):
    assert_like_missing(world.clients["blocked"], "get", url, world.public.id)


@pytest.mark.parametrize("who", ["anonymous", "stranger", "blocked"])
def test_followers_only_posts_stay_off_lists_for_those_who_may_not_see_them(world, who):
    client = world.clients[who]
    pages = [
        "/public/",
        "/",
        "/@" + quote(world.author.handle) + "/",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "X15" not in body, url
        assert "粉絲的悄悄話" not in body, url


def test_a_blocked_account_sees_none_of_the_blockers_posts_on_lists(world, run_hooks):
    with run_hooks():
        publish(world.author, "#發布會# 公開的話題貼文")
    client = world.clients["blocked"]

    for url in ["/public/", "/", "/@" + quote(world.author.handle) + "/", "/topics/" + quote("發布會") + "/"]:
        body = client.get(url).content.decode()
        assert "公開的新品發布會消息" not in body, url
        assert "公開的話題貼文" not in body, url


# --- actions on a post --------------------------------------------------------------------------

ACTIONS = [
    ("post", "/p/{id}/comment/", {"text": "路過留言"}),
    ("get", "/p/{id}/repost/", None),
    ("post", "/p/{id}/repost/", {"text": "轉發一下"}),
    ("get", "/p/{id}/edit/", None),
    ("post", "/p/{id}/edit/", {"text": "被改掉了"}),
    ("post", "/p/{id}/delete/", None),
    ("post", "/p/{id}/like/", None),
    ("post", "/p/{id}/unlike/", None),
    ("post", "/p/{id}/favourite/", None),
    ("post", "/p/{id}/unfavourite/", None),
    ("post", "/p/{id}/vote/", {"choice": "0"}),
]
ACTION_IDS = [f"{m}:{u.split('/')[3]}" for m, u, _ in ACTIONS]


@pytest.mark.parametrize(("method", "url", "data"), ACTIONS, ids=ACTION_IDS)
def test_a_logged_out_visitor_is_sent_to_log_in_for_every_post_action(world, method, url, data):
    before = snapshot(world)
    target = url.format(id=world.public.id)

    response = getattr(world.clients["anonymous"], method)(target, data or {})

    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")
    assert snapshot(world) == before


@pytest.mark.parametrize(("method", "url", "data"), ACTIONS, ids=ACTION_IDS)
@pytest.mark.parametrize("who", ["stranger", "blocked"])
def test_post_actions_on_a_followers_only_post_answer_like_a_missing_post(world, who, method, url, data):
    before = snapshot(world)

    assert_like_missing(world.clients[who], method, url, world.hidden.id, data)
    assert_like_missing(world.clients[who], method, url, world.hidden_comment.id, data)
    assert snapshot(world) == before


@pytest.mark.parametrize(("method", "url", "data"), ACTIONS, ids=ACTION_IDS)
def test_a_blocked_account_cannot_act_on_public_posts_of_the_blocker(world, method, url, data):
    before = snapshot(world)

    assert_like_missing(world.clients["blocked"], method, url, world.public.id, data)
    assert snapshot(world) == before


def test_an_inline_action_on_a_hidden_post_answers_like_a_missing_post(world):
    inline = {"HTTP_X_TIDINGS_INLINE": "1"}
    before = snapshot(world)

    assert_like_missing(world.clients["stranger"], "post", "/p/{id}/like/", world.hidden.id, **inline)
    response = world.clients["stranger"].post(f"/p/{world.hidden.id}/like/", **inline)
    assert response.json() == {"error": NOT_FOUND_MESSAGE, "code": "not_found"}
    assert snapshot(world) == before


def test_a_like_cannot_bring_back_the_card_of_a_hidden_post(world):
    """The inline like answers with a card; naming a hidden post as the card must not show it."""
    response = world.clients["stranger"].post(
        f"/p/{world.public.id}/like/", {"card": str(world.hidden.id)}, HTTP_X_TIDINGS_INLINE="1"
    )

    assert response.status_code == 404
    assert "X15" not in response.content.decode()


@pytest.mark.parametrize("who", ["stranger", "follower"])
def test_editing_someone_elses_visible_post_is_refused_and_changes_nothing(world, who):
    client = world.clients[who]
    before = snapshot(world)

    edit_form = client.get(f"/p/{world.public.id}/edit/")
    edited = client.post(f"/p/{world.public.id}/edit/", {"text": "被改掉了"})
    edited_hidden = world.clients["follower"].post(f"/p/{world.hidden.id}/edit/", {"text": "被改掉了"})

    assert edit_form.status_code in (403, 404)
    assert edited.status_code in (403, 404)
    assert edited_hidden.status_code in (403, 404)
    assert snapshot(world) == before


@pytest.mark.parametrize("who", ["stranger", "follower"])
def test_deleting_someone_elses_visible_post_is_refused_and_changes_nothing(world, who):
    client = world.clients[who]
    before = snapshot(world)

    deleted = client.post(f"/p/{world.public.id}/delete/")
    deleted_hidden = world.clients["follower"].post(f"/p/{world.hidden.id}/delete/")

    assert deleted.status_code in (403, 404)
    assert deleted_hidden.status_code in (403, 404)
    assert snapshot(world) == before


def test_the_author_may_edit_and_delete_their_own_post(world):
    client = world.clients["author"]

    edited = client.post(f"/p/{world.public.id}/edit/", {"text": "公開的新品發布會消息(更新)"})
    deleted = client.post(f"/p/{world.hidden.id}/delete/")

    assert edited.status_code == 302
    assert Post.objects.get(id=world.public.id).text == "公開的新品發布會消息(更新)"
    assert deleted.status_code == 302
    assert not Post.objects.filter(id=world.hidden.id).exists()


# --- media --------------------------------------------------------------------------------------


@pytest.fixture
def hidden_picture(world) -> Media:
    response = world.clients["author"].post(
        "/compose/", {"text": "粉絲限定照片", "audience": "followers", "images": [png_upload()]}
    )
    assert response.status_code == 302
    return Media.objects.get(post__text="粉絲限定照片")


def test_a_picture_of_a_followers_only_post_is_served_to_a_follower_safely(world, hidden_picture):
    for relative in (hidden_picture.file, hidden_picture.thumbnail):
        response = world.clients["follower"].get(f"/media/{relative}")

        assert response.status_code == 200
        assert response["Content-Type"] in ("image/png", "image/webp")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert response["Cache-Control"].startswith("private")
        assert b"".join(response.streaming_content)[:4] in (b"\x89PNG", b"RIFF")


@pytest.mark.parametrize("who", ["anonymous", "stranger", "blocked"])
def test_a_picture_of_a_followers_only_post_answers_like_a_missing_file(world, hidden_picture, who):
    client = world.clients[who]
    for relative in (hidden_picture.file, hidden_picture.thumbnail):
        folder, name = relative.split("/")
        stem, extension = name.rsplit(".", 1)
        missing = f"{folder}/{'A' * len(stem)}.{extension}"

        refused = client.get(f"/media/{relative}")
        absent = client.get(f"/media/{missing}")

        assert refused.status_code == absent.status_code == 404
        assert comparable(refused.content, relative) == comparable(absent.content, missing)


def test_an_unattached_upload_is_served_to_its_owner_only(world):
    media = posts.upload_media(world.author, data=png_upload().read())

    assert world.clients["author"].get(f"/media/{media.file}").status_code == 200
    assert world.clients["follower"].get(f"/media/{media.file}").status_code == 404
    assert world.clients["anonymous"].get(f"/media/{media.file}").status_code == 404


def test_paths_outside_the_media_folders_are_not_found(world, settings, hidden_picture):
    from pathlib import Path

    secret = Path(settings.MEDIA_ROOT).parent / "secret_key"
    secret.write_text("do-not-serve")
    (Path(settings.MEDIA_ROOT) / "avatars").mkdir(parents=True, exist_ok=True)
    client = world.clients["stranger"]
    paths = [
        "/media/../secret_key",
        "/media/posts/../../secret_key",
        "/media/avatars/../../secret_key",
        "/media/avatars/%2e%2e/%2e%2e/secret_key",
        "/media/avatars/..%2f..%2fsecret_key",
        f"/media/avatars/../{hidden_picture.file}",
        f"/media/avatars/%2e%2e/{hidden_picture.file}",
        f"/media/avatars/./../{hidden_picture.thumbnail}",
        f"/media/avatars//../{hidden_picture.file}",
        "/media/avatars/",
        "/media/secret_key",
    ]
    for path in paths:
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 404, path
        assert b"do-not-serve" not in body, path


# --- conversations and private pages ------------------------------------------------------------


def test_a_third_person_only_ever_sees_their_own_conversations(world):
    messages.send_message(world.author, recipient_id=world.follower.id, text="內部消息:X15 延期")
    messages.send_message(world.follower, recipient_id=world.author.id, text="收到,保密")
    client = world.clients["stranger"]

    pages = [
        "/messages/",
        "/messages/@" + quote(world.author.handle) + "/",
        "/messages/@" + quote(world.follower.handle) + "/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "X15 延期" not in body and "收到,保密" not in body, url
    assert "收到,保密" in world.clients["follower"].get("/messages/").content.decode()


def test_a_blocked_account_cannot_open_or_write_to_a_conversation_with_the_blocker(world):
    url = "/messages/@" + quote(world.author.handle) + "/"
    client = world.clients["blocked"]

    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "為什麼封鎖我"}).status_code == 404
    assert "為什麼封鎖我" not in world.clients["author"].get("/messages/").content.decode()


def test_a_stranger_sees_none_of_another_accounts_favourites_or_notifications(world, run_hooks):
    with run_hooks():
        posts.favourite(world.follower, post_id=world.public.id)
        posts.like(world.follower, post_id=world.public.id)
    client = world.clients["stranger"]

    favourites = client.get("/favourites/").content.decode()
    notifications = client.get("/notifications/").content.decode()
    marked = client.post("/notifications/read/")

    assert "公開的新品發布會消息" not in favourites
    assert "liked your post" not in notifications and "忠實粉絲" not in notifications
    assert marked.status_code == 302
    assert Notification.objects.filter(recipient=world.author, read_at__isnull=True).exists()
    assert "公開的新品發布會消息" in world.clients["follower"].get("/favourites/").content.decode()


def test_a_blocked_account_cannot_follow_the_blocker(world):
    before = snapshot(world)

    response = world.clients["blocked"].post("/@" + quote(world.author.handle) + "/follow/")

    assert response.status_code == 404
    assert snapshot(world) == before


# Every route, by who may use it. A new route must be added here (and get its refusal tests).
OPEN_ROUTES = {"home", "public", "healthz", "signup", "login", "logout", "profile", "followers", "following"}
OPEN_ROUTES |= {"security_txt"}  # tests/security/test_security_txt.py
OPEN_ROUTES |= {"topic"}  # lists filtered by audience, tested above
OPEN_ROUTES |= {"password_reset", "password_reset_confirm"}  # tests/web/test_joining.py
OPEN_ROUTES |= {"login_two_factor"}  # only after a right password: tests/web/test_twofactor_web.py
OPEN_ROUTES |= {"search"}  # what a viewer may see, any page of results: tests/search/
POST_ROUTES = {"post", "post_card", "post_history", "comment", "repost", "edit", "delete", "toggle", "vote"}
MEDIA_ROUTES = {"media"}
PRIVATE_ROUTES = {
    # name: (method, path) a logged-out visitor is refused
    "settings": ("get", "/settings/"),
    "join_by_email": ("post", "/join/email/"),
    "confirm_email": ("get", "/join/email/some-token/"),
    "ask_to_join": ("post", "/brand/acme/ask/"),
    "avatar": ("post", "/settings/avatar/"),
    "compose": ("post", "/compose/"),
    "favourites": ("get", "/favourites/"),
    "notifications": ("get", "/notifications/"),
    "notifications_read": ("post", "/notifications/read/"),
    "messages": ("get", "/messages/"),
    "conversation": ("get", "/messages/@示範科技/"),
    "relation": ("post", "/@示範科技/follow/"),
    "password": ("post", "/settings/password/"),
    "two_factor": ("get", "/settings/two-factor/"),
    "two_factor_disable": ("post", "/settings/two-factor/disable/"),
    "two_factor_recovery": ("post", "/settings/two-factor/recovery-codes/"),
    "sessions": ("get", "/settings/sessions/"),
    "session_revoke": ("post", "/settings/sessions/1/revoke/"),
    "sessions_revoke_others": ("post", "/settings/sessions/revoke-others/"),
    "app_revoke": ("post", "/settings/apps/1/revoke/"),  # tests/api/test_oauth.py
    "monitors": ("get", "/monitors/"),
}
# One monitor's pages: only those who run its account; anyone else as for a missing monitor.
MONITOR_ROUTES = {
    "monitor",
    "monitor_edit",
    "monitor_delete",
    "monitor_volume",
    "monitor_events",
}  # tests/search/
STREAM_ROUTES = {"events"}  # tests/web/test_stream.py
OPS_ROUTES = {  # tests/ops/test_ops_web.py
    "ops",
    "act_as",
    "ops_account",
    "ops_calendar",
    "ops_team",
    "ops_draft",
    "ops_draft_action",
    "ops_inbox",  # tests/ops/test_desk_web.py
    "ops_desk",
    "ops_figures",
    "ops_answers",
    "ops_case",
    "ops_case_action",
    "case_rating",
    "faq",
    "ops_share",  # tests/ops/test_ambassadors.py
}
ACTIVITY_ROUTES = {  # tests/activities/test_activities_web.py
    "ops_activities",
    "activity",
    "activity_answer",
    "activity_draw",
    "activity_record",
    "activity_pledge",
    "activity_decide",
    "activity_respond",
    "activity_results",
    "activity_results_csv",
    "activity_chart",
    "activity_comment",  # tests/activities/test_live.py
    "activity_live",
    "activity_events",
    "ops_analytics",  # tests/analytics/test_analytics_web.py
    "ops_analytics_chart",
    "org_analytics",
    "org_analytics_chart",
    "ideas",  # tests/activities/test_ideas.py
    "idea",
    "idea_vote",
    "idea_answer",
}
SPACE_ROUTES = {  # tests/web/test_spaces.py
    "spaces",
    "space",
    "members",
    "group_create",
    "group",
    "group_action",
    "pin",
    "unpin",
    "brand",
    "accept_invitation",
    "admin",
    "admin_action",
    "verify_domain",  # tests/web/test_admin.py
    "mark_read",  # the forum routes: tests/web/test_forum.py
    "receipts",
    "accept_answer",
}


APP_ROUTES = {  # tests/extensions/
    "my_apps",
    "app",
    "app_page",
    "admin_apps",
    "admin_apps_action",
    "admin_webhook",
}


def test_every_route_is_classified_for_access_tests():
    names = {p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern)}

    classified = OPEN_ROUTES | POST_ROUTES | MEDIA_ROUTES | set(PRIVATE_ROUTES) | STREAM_ROUTES | SPACE_ROUTES
    classified |= MONITOR_ROUTES | OPS_ROUTES | ACTIVITY_ROUTES | APP_ROUTES
    assert names == classified


@pytest.mark.parametrize("name", sorted(PRIVATE_ROUTES))
def test_a_logged_out_visitor_is_sent_to_log_in_for_private_pages(world, name):
    method, path = PRIVATE_ROUTES[name]
    before = snapshot(world)

    response = getattr(world.clients["anonymous"], method)(path, {"text": "x"} if method == "post" else {})

    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")
    assert snapshot(world) == before
