"""Donation campaigns: one pledge per person while open, confirmed or declined once by the
organiser; the progress bar counts confirmed gifts and the donor wall hides anonymous names."""

from __future__ import annotations

import pytest

from tidings.activities import donations
from tidings.activities.models import Activity, Pledge
from tidings.core.errors import Forbidden, Invalid, NotFound

from .conftest import soon

pytestmark = pytest.mark.django_db


def make_campaign(team, **fields):
    values = {
        "person": team.manager,
        "title": "偏鄉書箱",
        "text": "一起捐書到偏鄉",
        "goal": 1000,
        "unit": "本",
    }
    values.update(closes_at=soon(), **fields)
    return donations.create(team.account, **values)


def test_confirmed_gifts_fill_the_bar_and_the_wall_hides_anonymous_names(team, make_account):
    campaign = make_campaign(team)
    named, shy, pending, declined = (make_account(h) for h in ("愛書人", "無名氏", "還沒寄", "寄錯了"))
    gifts = {
        named: donations.pledge(named, campaign, amount=300, anonymous=False, note="加油"),
        shy: donations.pledge(shy, campaign, amount=200, anonymous=True),
        pending: donations.pledge(pending, campaign, amount=50, anonymous=False),
        declined: donations.pledge(declined, campaign, amount=70, anonymous=False),
    }
    for who in (named, shy):
        donations.decide(campaign, person=team.editor, pledge_id=gifts[who].id, confirm=True)
    donations.decide(campaign, person=team.manager, pledge_id=gifts[declined].id, confirm=False)

    progress = donations.progress(campaign)
    wall = donations.wall(campaign)

    assert (progress.confirmed, progress.pledged, progress.donors, progress.percent) == (500, 50, 2, 50)
    assert [(g.account_id, g.anonymous) for g in wall] == [(named.id, False), (shy.id, True)]
    assert [g.account_id for g in donations.waiting(campaign)] == [pending.id]


@pytest.mark.parametrize("amount", [0, -5, None, 1_000_000_001])
def test_a_pledge_that_is_not_a_positive_whole_amount_is_refused(team, make_account, amount):
    campaign = make_campaign(team)

    with pytest.raises(Invalid, match="whole amount from 1 to"):
        donations.pledge(make_account("粉絲"), campaign, amount=amount, anonymous=False)

    assert not Pledge.objects.exists()


def test_one_pledge_per_person_and_none_after_the_close(team, make_account, close):
    campaign = make_campaign(team)
    fan = make_account("粉絲")
    donations.pledge(fan, campaign, amount=10, anonymous=False)

    with pytest.raises(Invalid, match="already pledged"):
        donations.pledge(fan, campaign, amount=20, anonymous=False)
    close(campaign)
    with pytest.raises(Invalid, match="has closed"):
        donations.pledge(make_account("遲到"), campaign, amount=20, anonymous=False)

    assert list(Pledge.objects.values_list("amount", flat=True)) == [10]


def test_a_pledge_is_decided_once_and_only_by_those_who_run_the_account(team, make_account):
    campaign = make_campaign(team)
    gift = donations.pledge(make_account("粉絲"), campaign, amount=10, anonymous=False)

    with pytest.raises(NotFound):
        donations.decide(campaign, person=team.customer, pledge_id=gift.id, confirm=True)
    with pytest.raises(Forbidden):
        donations.decide(campaign, person=team.responder, pledge_id=gift.id, confirm=True)
    donations.decide(campaign, person=team.editor, pledge_id=gift.id, confirm=True)
    with pytest.raises(Invalid, match="already been decided"):
        donations.decide(campaign, person=team.manager, pledge_id=gift.id, confirm=False)
    with pytest.raises(NotFound):
        donations.decide(campaign, person=team.manager, pledge_id=gift.id + 1, confirm=True)

    assert Pledge.objects.get().status == Pledge.Status.CONFIRMED


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"goal": 0}, "whole amount"),
        ({"unit": ""}, "at most 12 characters"),
        ({"unit": "x" * 13}, "12 characters"),
    ],
)
def test_a_bad_campaign_is_refused_and_nothing_is_made(team, fields, message):
    with pytest.raises(Invalid, match=message):
        make_campaign(team, **fields)

    assert not Activity.objects.exists()
