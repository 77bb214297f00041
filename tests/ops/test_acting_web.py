"""Acting as an official account in the browser: switching, what goes out as the account, what
stays the person's, the role's limits, and the record of who did what."""

from __future__ import annotations

from tests.web.helpers import english, publish
from tidings.ops import services as ops
from tidings.ops.models import Deed
from tidings.orgs import services as orgs
from tidings.posts.models import Like, Post


def acting_client(client_for, person, account):
    client = english(client_for(person))
    response = client.post("/ops/act-as/", {"account": account.id, "next": "/"})
    assert response.status_code == 302
    return client


def test_an_editor_switches_and_posts_as_the_account_and_their_name_is_kept(team, client_for):
    client = acting_client(client_for, team.editor, team.account)

    page = client.get("/").content.decode()
    assert "Acting as 示範客服 @示範客服" in page
    client.post("/compose/", {"text": "官方帳號的第一則貼文", "audience": "public", "as": team.account.id})

    post = Post.objects.get(text="官方帳號的第一則貼文")
    assert post.author_id == team.account.id
    deed = Deed.objects.get(account=team.account, verb="compose")
    assert (deed.person_id, deed.object_id) == (team.editor.id, post.id)
    team_page = english(client_for(team.manager)).get(f"/ops/@{team.account.handle}/team/").content.decode()
    assert "@編輯 · posted" in team_page


def test_a_responder_answers_and_likes_as_the_account_but_cannot_post(team, client_for):
    question = publish(team.customer, "請問保固多久?")
    client = acting_client(client_for, team.responder, team.account)

    as_account = {"as": team.account.id}
    refused = client.post("/compose/", {"text": "不該發出", "audience": "public", **as_account})
    client.post(f"/p/{question.id}/comment/", {"text": "您好,保固兩年", **as_account})
    client.post(f"/p/{question.id}/like/", as_account)

    assert refused.status_code == 403
    assert "does not let you post as it" in refused.content.decode()
    assert not Post.objects.filter(text="不該發出").exists()
    answer = Post.objects.get(text="您好,保固兩年")
    assert answer.author_id == team.account.id and answer.root_id == question.id
    assert Like.objects.filter(account=team.account, post=question).exists()
    assert not Like.objects.filter(account=team.responder).exists()


def test_with_approvals_required_nothing_is_posted_directly_as_the_account(team, client_for):
    ops.update_desk(
        team.account, actor=team.admin, category="", time_zone="Asia/Taipei", approvals_required=1
    )
    client = acting_client(client_for, team.manager, team.account)

    refused = client.post("/compose/", {"text": "跳過審核", "audience": "public", "as": team.account.id})

    assert refused.status_code == 403 and "need approval" in refused.content.decode()
    assert not Post.objects.filter(text="跳過審核").exists()


def test_settings_and_security_pages_stay_the_persons_own(team, client_for):
    client = acting_client(client_for, team.editor, team.account)

    page = client.get("/settings/").content.decode()

    assert 'value="編輯"' in page or "@編輯" in page
    assert 'value="示範客服"' not in page


def test_nobody_switches_to_an_account_they_have_no_writing_role_on(team, client_for):
    for person in (team.analyst, team.employee, team.rival, team.customer):
        client = english(client_for(person))
        response = client.post("/ops/act-as/", {"account": team.account.id})
        assert response.status_code == 403
        client.post("/compose/", {"text": f"{person.handle} 的貼文", "audience": "public"})
        assert Post.objects.get(text=f"{person.handle} 的貼文").author_id == person.id


def test_a_lapsed_role_ends_the_acting_at_the_next_page(team, client_for):
    client = acting_client(client_for, team.editor, team.account)
    orgs.remove_member(team.org, team.editor, actor=team.admin)

    page = client.get("/").content.decode()
    client.post("/compose/", {"text": "離職後的貼文", "audience": "public", "as": team.account.id})

    assert "Acting as" not in page
    assert Post.objects.get(text="離職後的貼文").author_id == team.editor.id


def test_switching_back_posts_as_the_person_again(team, client_for):
    client = acting_client(client_for, team.editor, team.account)
    client.post("/ops/act-as/", {"account": ""})

    client.post("/compose/", {"text": "我自己的貼文", "audience": "public", "as": team.account.id})

    assert Post.objects.get(text="我自己的貼文").author_id == team.editor.id
    assert not Deed.objects.exists()


def test_forms_on_the_persons_own_pages_stay_theirs_while_acting(team, client_for):
    """Acting follows the page a form is on: the company space's share button, with no mark of
    the account, shares from the person's own account."""
    launch = publish(team.account, "新品上市")
    client = acting_client(client_for, team.editor, team.account)

    page = client.get("/").content.decode()
    client.post(f"/p/{launch.id}/repost/", {"text": "推薦!"})

    assert f'name="as" value="{team.account.id}"' in page  # the home page is shown as the account
    share = Post.objects.get(kind=Post.Kind.REPOST)
    assert share.author_id == team.editor.id
    assert not Deed.objects.exists()


def test_a_form_from_before_a_switch_does_not_act_as_the_new_account(team, client_for, make_account):
    other = make_account("示範優選")
    orgs.register_official_account(team.org, other, actor=team.admin)
    client = acting_client(client_for, team.admin, other)

    client.post("/compose/", {"text": "舊頁面的表單", "audience": "public", "as": team.account.id})

    assert Post.objects.get(text="舊頁面的表單").author_id == team.admin.id
