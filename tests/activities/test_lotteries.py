"""Lotteries: who enters (reposts, comments, new follows inside the window), the filters, and a
draw that anyone can recompute from the stored entrants and the revealed seed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.activities import lotteries, services
from tidings.activities.models import Activity, Entrant, Lottery
from tidings.core.errors import Invalid, NotFound
from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.posts.models import Post
from tidings.social import services as social
from tidings.social.models import Follow

from .conftest import soon

pytestmark = pytest.mark.django_db


def make_lottery(team, **fields) -> Lottery:
    values = {
        "person": team.manager,
        "title": "轉發抽獎",
        "text": "轉發這則貼文,抽 3 位送 X14 手機殼!",
        "closes_at": soon(),
        "prizes": 3,
        "prize": "X14 手機殼",
    }
    values.update(fields)
    return lotteries.create(team.account, **values)


def recompute(record: dict) -> list[int]:
    """What a stranger would run on draw.json: written here from the rules, not with our code."""
    seed = record["seed"]
    assert hashlib.sha256(seed.encode()).hexdigest() == record["commitment"]

    def ticket(i: int) -> tuple[str, int]:
        return hashlib.sha256(f"{seed}:{i}".encode()).hexdigest(), i

    return sorted(record["eligible"], key=ticket)[: record["prizes"]]


def test_reposts_and_comments_in_the_window_enter_and_the_draw_recomputes_from_what_is_stored(
    team, make_account, close
):
    from tidings.activities import selectors

    lottery = make_lottery(team, by_repost=True, by_comment=True, prizes=3)
    fans = [make_account(f"粉絲{i}") for i in range(8)]
    for fan in fans[:5]:
        posts.repost(fan, post_id=lottery.post_id, comment="抽我!")
    for fan in fans[3:7]:
        posts.comment(fan, post_id=lottery.post_id, text="希望中獎")
    posts.repost(team.employee, post_id=lottery.post_id)  # staff
    before_close = set(services.candidates_of(lottery))
    close(lottery)
    posts.repost(fans[7], post_id=lottery.post_id)  # too late

    winners = services.draw_now(lottery, person=team.manager)

    assert before_close == {f.id for f in fans[:7]} | {team.employee.id}
    record = json.loads(json.dumps(selectors.draw_record(Lottery.objects.get(id=lottery.id))))
    assert record["winners"] == winners and len(winners) == 3
    assert sorted(record["eligible"]) == sorted(f.id for f in fans[:7])
    assert recompute(record) == winners
    assert {e["handle"] for e in record["entrants"] if not e["eligible"]} == {team.employee.handle}


def test_the_seed_stays_secret_until_the_draw_and_then_matches_the_published_commitment(
    team, make_account, close
):
    from tidings.activities import selectors

    lottery = make_lottery(team, prizes=1)
    posts.repost(make_account("粉絲"), post_id=lottery.post_id)
    published = selectors.draw_record(lottery)
    close(lottery)
    services.draw_now(lottery, person=team.manager)
    revealed = selectors.draw_record(Lottery.objects.get(id=lottery.id))

    assert published["seed"] is None and published["entrants"] == [] and published["winners"] == []
    assert revealed["commitment"] == published["commitment"]
    assert hashlib.sha256(revealed["seed"].encode()).hexdigest() == published["commitment"]


def test_a_record_with_another_seed_fails_the_check_against_the_commitment(team, make_account, close):
    """A seed chosen after the entries were known would not match the fingerprint published
    before them, so the organiser cannot pick the winners."""
    from tidings.activities import selectors

    lottery = make_lottery(team, prizes=1)
    for i in range(6):
        posts.repost(make_account(f"粉絲{i}"), post_id=lottery.post_id)
    close(lottery)
    services.draw_now(lottery, person=team.manager)
    record = selectors.draw_record(Lottery.objects.get(id=lottery.id))

    doctored = {**record, "seed": hashlib.sha256(b"chosen afterwards").hexdigest()}

    assert recompute(record) == record["winners"]
    with pytest.raises(AssertionError):
        recompute(doctored)


def test_new_followers_in_the_window_enter_and_must_follow_leaves_out_those_who_left(
    team, make_account, close
):
    early = make_account("老粉")
    social.follow(early, account_id=team.account.id)
    lottery = make_lottery(team, by_repost=True, by_follow=True, must_follow=True, prizes=1)
    follower, leaver, reposter = make_account("新粉"), make_account("路過"), make_account("只轉發")
    social.follow(follower, account_id=team.account.id)
    social.follow(leaver, account_id=team.account.id)
    posts.repost(leaver, post_id=lottery.post_id)
    posts.repost(reposter, post_id=lottery.post_id)
    social.unfollow(leaver, account_id=team.account.id)
    Follow.objects.filter(follower=early).update(created_at=timezone.now() - dt.timedelta(days=1))
    close(lottery)

    found = services.candidates_of(lottery)

    assert found == {follower.id: "", reposter.id: "unfollowed", leaver.id: "unfollowed"}


def test_accounts_younger_than_the_filter_and_staff_cannot_win(team, make_account, close):
    lottery = make_lottery(team, prizes=1, min_account_days=7)
    old, young = make_account("老帳號"), make_account("新帳號")
    Account.objects.filter(id=old.id).update(date_joined=timezone.now() - dt.timedelta(days=30))
    for person in (old, young, team.editor):
        posts.repost(person, post_id=lottery.post_id)
    close(lottery)

    assert services.draw_now(lottery, person=team.manager) == [old.id]
    reasons = dict(Entrant.objects.filter(activity_id=lottery.id).values_list("account_id", "reason"))
    assert reasons == {old.id: "", young.id: "new", team.editor.id: "staff"}


def test_staff_may_win_when_the_organiser_allows_it_but_never_the_account_itself(team, close):
    lottery = make_lottery(team, prizes=1, exclude_staff=False)
    posts.repost(team.editor, post_id=lottery.post_id)
    close(lottery)

    assert services.draw_now(lottery, person=team.manager) == [team.editor.id]


def test_more_prizes_than_entrants_is_refused_and_changes_nothing(team, make_account, close):
    lottery = make_lottery(team, prizes=3)
    posts.repost(make_account("粉絲"), post_id=lottery.post_id)
    close(lottery)

    with pytest.raises(Invalid) as refused:
        services.draw_now(lottery, person=team.manager)

    assert "3 prizes but only 1 eligible entrants" in str(refused.value.message)
    fresh = Lottery.objects.get(id=lottery.id)
    assert fresh.drawn_at is None and fresh.winners == [] and not Entrant.objects.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"by_repost": False}, "Choose how people enter"),
        ({"by_follow": True, "audience": {"audience": "org", "organisation_id": None}}, "only for a public"),
        ({"prizes": 1001}, "The number of prizes must be 1 to 1000."),
        ({"prize": "獎" * 101}, "at most 100 characters"),
    ],
)
def test_a_bad_lottery_is_refused_and_nothing_is_made(team, fields, message):
    with pytest.raises(Invalid) as refused:
        make_lottery(team, **fields)

    assert message in str(refused.value.message)
    assert not Activity.objects.exists() and not Post.objects.exists()


def test_an_employee_runs_an_internal_lottery_among_colleagues_that_nobody_outside_can_enter(
    team, make_account, close
):
    colleague = make_account("同事")
    orgs.add_member(team.org, colleague, actor=team.admin)
    lottery = lotteries.create(
        team.employee,
        person=team.employee,
        title="尾牙加碼",
        text="留言抽尾牙加碼獎",
        closes_at=soon(),
        prizes=1,
        by_repost=False,
        by_comment=True,
        exclude_staff=False,
        audience={"audience": "org", "organisation_id": team.org.id},
    )
    posts.comment(colleague, post_id=lottery.post_id, text="我要抽")
    for outsider in (team.customer, team.rival):
        with pytest.raises(NotFound):
            posts.comment(outsider, post_id=lottery.post_id, text="我也要")
    close(lottery)

    assert Post.objects.get(id=lottery.post_id).audience == "org"
    assert services.draw_now(lottery, person=team.employee) == [colleague.id]
