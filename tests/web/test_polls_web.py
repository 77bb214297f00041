"""A poll made from a client shows on its card; people vote with a plain form."""

from __future__ import annotations

import pytest

from tidings.posts import services as posts
from tidings.posts.models import PollVote
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
