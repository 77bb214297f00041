"""Polls through Mastodon's API: made with a post, one vote per account, results from the votes,
hidden totals until the close, and every bad vote refused."""

from __future__ import annotations

import datetime as dt

import pytest

from tidings.posts.models import Poll, PollVote, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(make_account, api_for):
    author = api_for(make_account("author"))
    made = author.post(
        "/api/v1/statuses",
        {"status": "午餐吃什麼?", "poll": {"options": ["便當", "麵", "火鍋"], "expires_in": 3600}},
    )
    assert made.status_code == 200, made.content
    return made.json()["poll"]


def test_a_poll_is_made_with_its_post_and_counts_each_vote(poll, make_account, api_for):
    voter = api_for(make_account("voter"))

    voted = voter.post(f"/api/v1/polls/{poll['id']}/votes", {"choices": ["1"]})

    assert [o["title"] for o in poll["options"]] == ["便當", "麵", "火鍋"]
    assert voted.status_code == 200
    body = voted.json()
    assert [o["votes_count"] for o in body["options"]] == [0, 1, 0]
    assert body["voted"] is True and body["own_votes"] == [1] and body["voters_count"] == 1
    assert voter.get(f"/api/v1/polls/{poll['id']}").json()["own_votes"] == [1]


def test_one_vote_per_account_and_one_choice_unless_multiple(poll, make_account, api_for):
    voter = api_for(make_account("voter"))
    url = f"/api/v1/polls/{poll['id']}/votes"

    two = voter.post(url, {"choices": ["0", "2"]})
    bad = voter.post(url, {"choices": ["7"]})
    first = voter.post(url, {"choices": ["0"]})
    again = voter.post(url, {"choices": ["2"]})

    assert [r.status_code for r in (two, bad, first, again)] == [422, 422, 200, 422]
    assert "already voted" in again.json()["error"]
    assert list(PollVote.objects.values_list("choice", flat=True)) == [0]


def test_a_closed_poll_takes_no_vote(poll, make_account, api_for):
    Poll.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    response = api_for(make_account("voter")).post(f"/api/v1/polls/{poll['id']}/votes", {"choices": ["0"]})

    assert response.status_code == 422 and "closed" in response.json()["error"]
    assert not PollVote.objects.exists()


def test_hidden_totals_stay_hidden_from_voters_until_the_close(make_account, api_for):
    author = api_for(make_account("author"))
    made = author.post(
        "/api/v1/statuses",
        {"status": "投票", "poll": {"options": ["甲", "乙"], "expires_in": 600, "hide_totals": True}},
    ).json()
    voter = api_for(make_account("voter"))
    voter.post(f"/api/v1/polls/{made['poll']['id']}/votes", {"choices": ["0"]})

    assert [o["votes_count"] for o in voter.get(f"/api/v1/polls/{made['poll']['id']}").json()["options"]] == [
        None,
        None,
    ]
    assert [
        o["votes_count"] for o in author.get(f"/api/v1/polls/{made['poll']['id']}").json()["options"]
    ] == [1, 0]


@pytest.mark.parametrize(
    "poll",
    [
        {"options": ["只有一個"], "expires_in": 3600},
        {"options": ["一", "二", "三", "四", "五"], "expires_in": 3600},
        {"options": ["同", "同"], "expires_in": 3600},
        {"options": ["甲", "乙"], "expires_in": 10},
        {"options": ["甲", "乙"], "expires_in": "soon"},
        {"options": ["甲", "字" * 51], "expires_in": 3600},
        "not a poll",
    ],
)
def test_a_bad_poll_is_refused_and_no_post_is_made(make_account, api_for, poll):
    response = api_for(make_account("author")).post("/api/v1/statuses", {"status": "投票", "poll": poll})

    assert response.status_code == 422
    assert not Post.objects.exists() and not Poll.objects.exists()


def test_a_poll_given_as_form_fields_works_as_in_mastodon(make_account, api_for):
    api = api_for(make_account("author"))

    made = api.post(
        "/api/v1/statuses",
        {
            "status": "表單投票",
            "poll[options][]": ["是", "否"],
            "poll[expires_in]": "300",
            "poll[multiple]": "true",
        },
        form=True,
    )

    assert made.status_code == 200, made.content
    assert made.json()["poll"]["multiple"] is True
