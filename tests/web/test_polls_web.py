"""A poll made from a client shows on its card; people vote with a plain form."""

from __future__ import annotations

import pytest
from django.test import Client

from tidings.groups import services as groups
from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.posts.models import Poll, PollVote, Post
from tidings.posts.polls import PollSpec

from .helpers import english

pytestmark = pytest.mark.django_db


def test_a_poll_is_voted_on_from_its_card_and_then_shows_the_shares(make_account, client_for):
    author, voter = make_account("author"), make_account("voter")
    post = posts.publish(author, text="午餐?", poll=PollSpec(["便當", "麵"], expires_in=3600))
    client = english(client_for(voter))

    before = client.get(f"/p/{post.id}/").content.decode()
    voted = client.post(f"/p/{post.id}/vote/", {"choice": "1"})
    after = client.get(f"/p/{post.id}/").content.decode()

    assert 'name="choice"' in before and "便當" in before
    assert voted.status_code == 302
    assert list(PollVote.objects.values_list("account_id", "choice")) == [(voter.id, 1)]
    assert 'name="choice"' not in after and "100%" in after and "1 person voted" in after


def test_a_bad_vote_from_the_card_is_refused_with_the_reason(make_account, client_for):
    author, voter = make_account("author"), make_account("voter")
    post = posts.publish(author, text="午餐?", poll=PollSpec(["便當", "麵"], expires_in=3600))

    response = english(client_for(voter)).post(f"/p/{post.id}/vote/", {"choice": "9"})

    assert response.status_code == 400
    assert "Choose one of the poll" in response.content.decode()
    assert not PollVote.objects.exists()


def test_a_poll_is_made_from_the_compose_form_with_its_choices(make_account, client_for):
    author = make_account("author")
    client = english(client_for(author))

    response = client.post(
        "/compose/",
        {
            "text": "週五聚餐吃什麼?",
            "poll_option": ["火鍋", "燒肉", "", ""],
            "poll_duration": "3600",
            "poll_multiple": "on",
            "poll_hide": "on",
        },
    )

    assert response.status_code == 302
    poll = Poll.objects.get(post__author=author)
    assert poll.options == ["火鍋", "燒肉"] and poll.multiple and poll.hide_totals
    assert 3599 < (poll.expires_at - poll.post.created_at).total_seconds() < 3601
    page = client.get(f"/p/{poll.post_id}/").content.decode()
    assert 'type="checkbox" name="choice"' in page and "燒肉" in page


def test_a_poll_in_a_group_is_voted_on_by_members_and_missing_for_everyone_else(make_account, client_for):
    admin, member, outsider = make_account("boss"), make_account("member"), make_account("outsider")
    org = orgs.create_organisation(slug="acme", name="Acme", owner=admin)
    orgs.add_member(org, member)
    group = groups.create_group(org, actor=admin, name="研發", kind="open")
    groups.join(group, member)

    english(client_for(admin)).post(
        "/compose/",
        {
            "text": "下一版先做哪個?",
            "audience": "group",
            "group": str(group.id),
            "poll_option": ["搜尋", "報表"],
            "poll_duration": "86400",
        },
    )
    poll = Poll.objects.get(post__author=admin)

    assert poll.post.group_id == group.id
    assert english(client_for(member)).post(f"/p/{poll.post_id}/vote/", {"choice": "0"}).status_code == 302
    for client in (english(client_for(outsider)), english(Client())):
        response = client.post(f"/p/{poll.post_id}/vote/", {"choice": "1"})
        assert response.status_code in (302, 404)
        assert response.status_code == 404 or "/login" in response["Location"]
    assert list(PollVote.objects.values_list("account_id", "choice")) == [(member.id, 0)]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"poll_option": ["只有一個"], "poll_duration": "3600"}, "A poll needs 2 to 4 options."),
        ({"poll_option": ["甲", "乙", "丙", "丁", "戊"], "poll_duration": "3600"}, "A poll needs 2 to 4"),
        ({"poll_option": ["甲", "甲"], "poll_duration": "3600"}, "cannot be the same"),
        ({"poll_option": ["甲", "乙"], "poll_duration": "60"}, "from 5 minutes to 31 days"),
        ({"poll_option": ["甲", "乙"], "poll_duration": "abc"}, "from 5 minutes to 31 days"),
        ({"poll_option": ["甲", "乙" * 51], "poll_duration": "3600"}, "1 to 50 characters"),
    ],
)
def test_a_bad_poll_is_refused_with_the_form_kept_and_nothing_posted(
    make_account, client_for, fields, message
):
    author = make_account("author")

    response = english(client_for(author)).post("/compose/", {"text": "投票?", **fields})

    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "投票?" in body and f'value="{fields["poll_option"][0]}"' in body
    assert not Post.objects.exists() and not Poll.objects.exists()
