"""The internal space and its groups over HTTP: insiders get in, and every other viewer (a
member of another organisation, a guest, a removed member, a stranger, a logged-out visitor)
gets the same 404 page as for something that does not exist, on every route that shows or
acts on internal content."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.test import Client

from tidings.accounts.models import Account
from tidings.groups import services as groups
from tidings.groups.models import Group, GroupMember, PinnedPost
from tidings.orgs import services as orgs
from tidings.orgs.models import Membership, Organisation
from tidings.posts import services as posts
from tidings.posts.models import Like, Media, Post

from .helpers import EN, NOT_FOUND_MESSAGE, comparable, png_upload

pytestmark = pytest.mark.django_db


@dataclass
class Space:
    org: Organisation
    group: Group
    cross: Group
    internal: Post
    in_group: Post
    clients: dict[str, Client]
    people: dict[str, Account]


@pytest.fixture
def space(make_account, client_for) -> Space:
    people = {
        name: make_account(handle)
        for name, handle in [
            ("author", "內部作者"),
            ("colleague", "同事"),
            ("admin", "管理員"),
            ("other_org", "別家員工"),
            ("guest", "供應商"),
            ("removed", "離職員工"),
            ("stranger", "路人"),
        ]
    }
    org = orgs.create_organisation(slug="acme", name="Acme 科技", owner=people["admin"])
    other = orgs.create_organisation(slug="other", name="別家公司", owner=people["other_org"])
    assert other.id
    for name in ("author", "colleague", "removed"):
        orgs.add_member(org, people[name])
    group = groups.create_group(org, actor=people["author"], name="研發", kind="private")
    cross = groups.create_group(org, actor=people["author"], name="供應鏈", kind="cross")
    groups.invite(cross, people["guest"], actor=people["author"])
    groups.invite(group, people["removed"], actor=people["author"])
    internal = posts.publish(
        people["author"], text="內部 #機密# 消息", audience="org", organisation_id=org.id
    )
    in_group = posts.publish(people["author"], text="群組裡的消息", audience="group", group_id=group.id)
    orgs.remove_member(org, people["removed"], actor=people["admin"])
    clients = {name: client_for(account) for name, account in people.items()}
    clients["anonymous"] = Client()
    for client in clients.values():
        client.defaults.update(EN)
    return Space(org, group, cross, internal, in_group, clients, people)


OUTSIDERS = ["other_org", "guest", "removed", "stranger"]


def not_found_body(client: Client, path: str, *variable: object) -> str:
    response = client.get(path)
    assert response.status_code == 404, path
    return comparable(response.content, *variable)


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_the_internal_space_and_its_people_are_refused_like_an_unknown_organisation(space, viewer):
    client = space.clients[viewer]
    for suffix in ("", "members/", "groups/new/"):
        missing = not_found_body(client, f"/o/nosuchorg/{suffix}", "nosuchorg")
        assert not_found_body(client, f"/o/acme/{suffix}", "acme") == missing
        assert NOT_FOUND_MESSAGE in missing


def test_a_logged_out_visitor_is_sent_to_log_in_for_the_internal_space(space):
    for path in ("/o/acme/", "/o/acme/members/", f"/o/acme/g/{space.group.id}/", "/spaces/"):
        response = space.clients["anonymous"].get(path)
        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_insiders_see_the_internal_timeline_people_and_groups(space):
    html = space.clients["colleague"].get("/o/acme/").content.decode()
    assert "內部 #機密# 消息".split()[0] in html
    assert f'id="p{space.internal.id}"' in html
    assert "研發" in html
    assert "群組裡的消息" not in html  # group posts stay in the group
    people = space.clients["colleague"].get("/o/acme/members/").content.decode()
    assert "內部作者" in people and "路人" not in people


@pytest.mark.parametrize("viewer", [*OUTSIDERS, "colleague"])
def test_a_private_groups_posts_are_refused_to_everyone_outside_it(space, viewer):
    client = space.clients[viewer]
    response = client.get(f"/o/acme/g/{space.group.id}/")
    if viewer == "colleague":  # an employee sees the group exists and may ask to join, not its posts
        assert response.status_code == 200
        assert "群組裡的消息" not in response.content.decode()
        return
    missing = not_found_body(client, f"/o/acme/g/{space.group.id + 1}/", space.group.id + 1)
    assert not_found_body(client, f"/o/acme/g/{space.group.id}/", space.group.id) == missing


@pytest.mark.parametrize("viewer", OUTSIDERS)
@pytest.mark.parametrize("which", ["internal", "in_group"])
@pytest.mark.parametrize("suffix", ["", "card/", "history/"])
def test_internal_and_group_posts_are_refused_like_missing_ones(space, viewer, which, suffix):
    post = getattr(space, which)
    client = space.clients[viewer]
    missing_id = post.id + 7
    missing = not_found_body(client, f"/p/{missing_id}/{suffix}", missing_id)
    assert not_found_body(client, f"/p/{post.id}/{suffix}", post.id) == missing


@pytest.mark.parametrize("viewer", OUTSIDERS)
def test_outsiders_cannot_act_on_internal_posts_and_nothing_changes(space, viewer):
    client = space.clients[viewer]
    before = (Post.objects.count(), Like.objects.count(), PinnedPost.objects.count())
    for path, data in [
        (f"/p/{space.internal.id}/comment/", {"text": "偷看"}),
        (f"/p/{space.internal.id}/repost/", {"text": "外流"}),
        (f"/p/{space.internal.id}/like/", {}),
        (f"/p/{space.internal.id}/pin/", {}),
        (f"/p/{space.in_group.id}/comment/", {"text": "偷看"}),
        (f"/p/{space.in_group.id}/like/", {}),
    ]:
        assert client.post(path, data).status_code == 404, path
    assert (Post.objects.count(), Like.objects.count(), PinnedPost.objects.count()) == before


def test_a_repost_of_an_internal_post_stays_inside(space):
    response = space.clients["colleague"].post(f"/p/{space.internal.id}/repost/", {"text": "同意"})
    assert response.status_code == 302
    repost = Post.objects.get(kind="repost", author=space.people["colleague"])
    assert (repost.audience, repost.organisation_id) == ("org", space.org.id)
    public = space.clients["anonymous"].get("/public/").content.decode()
    assert "同意" not in public and "機密" not in public


def test_an_internal_topic_shows_nothing_to_outsiders(space):
    url = "/topics/" + quote("機密") + "/"
    for viewer in [*OUTSIDERS, "anonymous"]:
        html = space.clients[viewer].get(url).content.decode()
        assert f'id="p{space.internal.id}"' not in html
    assert f'id="p{space.internal.id}"' in space.clients["colleague"].get(url).content.decode()


def test_a_picture_posted_inside_is_served_only_to_insiders(space):
    response = space.clients["author"].post(
        "/compose/",
        {"text": "內部照片", "audience": "org", "organisation": str(space.org.id), "images": [png_upload()]},
    )
    assert response.status_code == 302
    media = Media.objects.get(post__text="內部照片")
    url = f"/media/{media.file}"
    assert space.clients["colleague"].get(url).status_code == 200
    gone = url.replace(".", "x.")
    for viewer in [*OUTSIDERS, "anonymous"]:
        missing = comparable(space.clients[viewer].get(gone).content, gone)
        response = space.clients[viewer].get(url)
        assert response.status_code == 404
        assert comparable(response.content, url) == missing


def test_posting_into_an_organisation_one_is_not_in_is_refused_and_nothing_is_created(space):
    before = Post.objects.count()
    for viewer in OUTSIDERS:
        response = space.clients[viewer].post(
            "/compose/", {"text": "混進來", "audience": "org", "organisation": str(space.org.id)}
        )
        assert response.status_code == 404
        response = space.clients[viewer].post(
            "/compose/", {"text": "混進來", "audience": "group", "group": str(space.group.id)}
        )
        assert response.status_code == 404
    assert Post.objects.count() == before


def test_a_guest_sees_the_cross_company_group_but_not_the_company_feed(space):
    guest = space.clients["guest"]
    post = posts.publish(space.people["author"], text="給供應商", audience="group", group_id=space.cross.id)
    html = guest.get(f"/o/acme/g/{space.cross.id}/").content.decode()
    assert f'id="p{post.id}"' in html
    assert guest.get("/o/acme/").status_code == 404
    spaces = guest.get("/spaces/").content.decode()
    assert "供應鏈" in spaces and "研發" not in spaces


def test_joining_an_open_group_and_asking_to_join_a_private_one(space):
    open_group = groups.create_group(space.org, actor=space.people["author"], name="讀書會", kind="open")
    colleague = space.clients["colleague"]
    assert colleague.post(f"/o/acme/g/{open_group.id}/join/").status_code == 302
    assert colleague.post(f"/o/acme/g/{space.group.id}/join/").status_code == 302
    states = dict(
        GroupMember.objects.filter(account=space.people["colleague"]).values_list("group_id", "state")
    )
    assert states == {open_group.id: "active", space.group.id: "pending"}
    author = space.clients["author"]
    page = author.get(f"/o/acme/g/{space.group.id}/").content.decode()
    assert "同事" in page  # the manager sees who is waiting
    assert author.post(f"/o/acme/g/{space.group.id}/approve/", {"handle": "同事"}).status_code == 302
    assert GroupMember.objects.get(group=space.group, account=space.people["colleague"]).state == "active"


def test_an_outsider_cannot_act_on_a_group(space):
    for viewer in OUTSIDERS:
        for action in ("join", "leave", "approve", "invite", "notify"):
            response = space.clients[viewer].post(f"/o/acme/g/{space.group.id}/{action}/", {"handle": "同事"})
            assert response.status_code == 404, (viewer, action)
    assert GroupMember.objects.filter(group=space.group, state="active").count() == 1


def test_the_brand_page_is_public_and_shows_only_public_posts(space):
    official = space.people["colleague"]
    orgs.register_official_account(space.org, official)
    public = posts.publish(official, text="官方公告")
    html = space.clients["anonymous"].get("/brand/acme/").content.decode()
    assert "Acme 科技" in html and f'id="p{public.id}"' in html
    assert "機密" not in html
    assert space.clients["anonymous"].get("/brand/nosuch/").status_code == 404


def test_an_invitation_link_adds_the_person_once(space, make_account, client_for):
    token = orgs.create_invitation(space.org, actor=space.people["admin"], role="member")
    newcomer = make_account("新同事")
    client = client_for(newcomer)
    assert client.get(f"/join/{token}/").status_code == 200
    response = client.post(f"/join/{token}/")
    assert response.status_code == 302 and response.url == "/o/acme/"
    assert Membership.objects.filter(organisation=space.org, account=newcomer, is_active=True).exists()
    again = client_for(make_account("第二個人")).post(f"/join/{token}/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "already used or expired" in again.content.decode()


def test_an_internal_posts_page_says_it_is_inside_the_organisation(space):
    html = space.clients["colleague"].get(f"/p/{space.internal.id}/").content.decode()
    assert "band-internal" in html and "Acme 科技" in html
    assert "band-public" not in html
    public = posts.publish(space.people["colleague"], text="公開的")
    assert "band-public" in space.clients["colleague"].get(f"/p/{public.id}/").content.decode()


def test_the_repost_form_of_an_internal_post_says_it_stays_inside(space):
    html = space.clients["colleague"].get(f"/p/{space.internal.id}/repost/").content.decode()
    assert "stays inside" in html and "band-internal" in html
    assert "Reposts are public." not in html


def test_an_admin_pins_an_internal_post_from_its_page_and_it_shows_on_top(space):
    admin = space.clients["admin"]
    page = admin.get(f"/p/{space.internal.id}/").content.decode()
    assert "Pin to the top" in page
    assert "Pin to the top" not in space.clients["colleague"].get(f"/p/{space.internal.id}/").content.decode()
    assert admin.post(f"/p/{space.internal.id}/pin/").status_code == 302
    assert PinnedPost.objects.filter(post=space.internal).exists()
    timeline = space.clients["colleague"].get("/o/acme/").content.decode()
    assert timeline.index("Pinned") < timeline.index(f'id="p{space.internal.id}"')
    assert "Unpin" in admin.get(f"/p/{space.internal.id}/").content.decode()


def test_a_group_page_lists_its_members_to_members(space):
    html = space.clients["author"].get(f"/o/acme/g/{space.group.id}/").content.decode()
    assert "內部作者" in html
