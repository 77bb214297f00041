"""Employees as ambassadors: the account suggests its public posts, employees see them in the
company's space and may share them in their own words, and the account sees the reach."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.helpers import NOT_FOUND_MESSAGE, english
from tidings.accounts.models import Account
from tidings.core.errors import Conflict, Forbidden, Invalid
from tidings.ops import ambassadors
from tidings.ops.models import Suggestion
from tidings.posts import services as posts
from tidings.posts.models import Post


@pytest.fixture
def launch(team):
    return posts.publish(team.account, text="新品 X14 今天上市 #示範#")


def test_employees_see_a_suggestion_and_share_it_in_their_own_words(team, launch, client_for):
    ambassadors.suggest(team.account, person=team.editor, post_id=launch.id, note="歡迎分享給朋友")
    client = english(client_for(team.employee))

    space = client.get("/o/demo/").content.decode()
    client.post(f"/p/{launch.id}/repost/", {"text": "我們團隊做的,推薦!", "next": "/o/demo/"})
    after = client.get("/o/demo/").content.decode()

    assert "Suggested to share" in space and "新品 X14" in space and "歡迎分享給朋友" in space
    share = Post.objects.get(author=team.employee, kind=Post.Kind.REPOST)
    assert share.repost_of_id == launch.id and share.text.startswith("我們團隊做的")
    assert "Suggested to share" not in after  # shared already: not asked again


def test_the_account_sees_the_shares_and_the_reach_of_its_employees(team, launch, make_account):
    Account.objects.filter(id=team.employee.id).update(followers_count=120)
    Account.objects.filter(id=team.responder.id).update(followers_count=30)
    Account.objects.filter(id=team.customer.id).update(followers_count=5000)
    ambassadors.suggest(team.account, person=team.manager, post_id=launch.id)
    for person in (team.employee, team.responder, team.customer):
        posts.repost(Account.objects.get(id=person.id), post_id=launch.id, comment="推")

    [row] = ambassadors.reach(team.account)

    assert (row.shares, row.reach) == (2, 150)  # a customer's share is not an employee's


def test_only_public_posts_of_the_account_are_suggested_once_by_a_writer(team, launch):
    quiet = posts.publish(team.account, text="只給追蹤者", audience="followers")
    other = posts.publish(team.customer, text="顧客的貼文")

    for post in (quiet, other):
        with pytest.raises(Invalid, match="own public posts"):
            ambassadors.suggest(team.account, person=team.editor, post_id=post.id)
    with pytest.raises(Forbidden):
        ambassadors.suggest(team.account, person=team.responder, post_id=launch.id)
    ambassadors.suggest(team.account, person=team.editor, post_id=launch.id)
    with pytest.raises(Conflict):
        ambassadors.suggest(team.account, person=team.editor, post_id=launch.id)
    assert Suggestion.objects.count() == 1


def test_suggestions_stay_inside_the_company(team, launch, client_for):
    ambassadors.suggest(team.account, person=team.editor, post_id=launch.id, note="內部建議")

    for who in (team.rival, team.customer):
        assert ambassadors.for_employee(who, team.org.id) == []
        client = english(client_for(who))
        for path in ("/o/demo/", f"/ops/@{team.account.handle}/share/"):
            response = client.get(path)
            assert response.status_code == 404 and NOT_FOUND_MESSAGE in response.content.decode()
        before = Suggestion.objects.count()
        assert (
            client.post(
                f"/ops/@{team.account.handle}/share/", {"action": "suggest", "post": launch.id}
            ).status_code
            == 404
        )
        assert Suggestion.objects.count() == before
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert visitor.get(f"/ops/@{team.account.handle}/share/").url.startswith("/login/")


def test_the_share_page_suggests_and_withdraws(team, launch, client_for):
    client = english(client_for(team.editor))
    page = f"/ops/@{team.account.handle}/share/"

    assert "新品 X14" in client.get(page).content.decode()
    client.post(page, {"action": "suggest", "post": launch.id, "note": "請多分享"})
    suggestion = Suggestion.objects.get()
    client.post(page, {"action": "withdraw", "suggestion": suggestion.id})

    assert not Suggestion.objects.exists()


def test_a_suggestion_an_employee_may_not_see_is_not_shown_to_them(team, launch):
    from tidings.social.models import Block

    ambassadors.suggest(team.account, person=team.editor, post_id=launch.id)
    Block.objects.create(blocker=team.account, blocked=team.employee)

    assert ambassadors.for_employee(team.employee, team.org.id) == []
    assert len(ambassadors.for_employee(team.responder, team.org.id)) == 1
