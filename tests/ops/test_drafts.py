"""Drafts of official accounts: approval by people other than the writer, scheduling in the
account's time zone, publishing by the worker exactly once, and every refusal leaving things as
they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tidings.core.errors import Conflict, Forbidden, Invalid
from tidings.ops import drafts
from tidings.ops import services as ops
from tidings.ops.models import Deed, Draft, Review
from tidings.orgs import policy
from tidings.posts.models import Post

Status = Draft.Status


def later(hours: float = 2) -> str:
    """A time ahead, as typed into the form, in the account's (default) time zone."""
    when = timezone.localtime(timezone.now() + dt.timedelta(hours=hours), dt.timezone(dt.timedelta(hours=8)))
    return when.strftime("%Y-%m-%dT%H:%M")


def approvals(team, n):
    ops.update_desk(
        team.account, actor=team.admin, category="", time_zone="Asia/Taipei", approvals_required=n
    )


def test_without_approvals_a_submitted_draft_goes_out_at_once_as_the_account(team):
    draft = drafts.write(team.account, person=team.editor, text="雙十一客服時間延長到晚上十點 #客服#")

    drafts.submit(draft, person=team.editor)

    draft.refresh_from_db()
    post = Post.objects.get(id=draft.post_id)
    assert draft.status == Status.PUBLISHED
    assert post.author_id == team.account.id and post.text.startswith("雙十一")
    assert Deed.objects.filter(
        account=team.account, person=team.editor, verb="post", object_id=post.id
    ).exists()


def test_two_approvals_by_people_other_than_the_writer(team, make_account):
    approvals(team, 2)
    draft = drafts.submit(
        drafts.write(team.account, person=team.manager, text="新品發表會改到週五"), person=team.manager
    )
    assert draft.status == Status.REVIEW

    with pytest.raises(Forbidden, match="other than the writer"):
        drafts.review(draft, person=team.manager, decision="approve")
    with pytest.raises(Forbidden, match="Only a manager"):
        drafts.review(draft, person=team.editor, decision="approve")
    drafts.review(draft, person=team.admin, decision="approve")
    with pytest.raises(Conflict, match="already approved"):
        drafts.review(draft, person=team.admin, decision="approve")
    draft.refresh_from_db()
    assert draft.status == Status.REVIEW and not Post.objects.filter(author=team.account).exists()

    ops.grant(team.account, actor=team.admin, handle="員工", role="manager")
    drafts.review(draft, person=team.employee, decision="approve", comment="可以")

    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert Post.objects.filter(author=team.account, text="新品發表會改到週五").count() == 1


def test_sending_back_needs_a_reason_and_editing_starts_the_approvals_again(team):
    approvals(team, 1)
    draft = drafts.submit(
        drafts.write(team.account, person=team.editor, text="週末門市營業時間調整"), person=team.editor
    )

    with pytest.raises(Invalid, match="Say why"):
        drafts.review(draft, person=team.manager, decision="reject")
    drafts.review(draft, person=team.manager, decision="reject", comment="請加上門市地址")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    drafts.edit(draft, person=team.editor, text="週末台北門市營業時間調整", audience="public", publish_at="")
    drafts.submit(draft, person=team.editor)
    assert not Review.objects.filter(draft=draft, current=True).exists()
    drafts.review(draft, person=team.manager, decision="approve")

    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED and draft.post.text == "週末台北門市營業時間調整"


def test_a_time_is_read_in_the_accounts_time_zone_and_must_be_ahead(team):
    day = (timezone.now() + dt.timedelta(days=60)).date()
    draft = drafts.write(team.account, person=team.editor, text="跨年活動預告", publish_at=f"{day}T09:30")
    assert draft.publish_at == dt.datetime(day.year, day.month, day.day, 1, 30, tzinfo=dt.UTC)  # Taipei is +8

    for bad, message in (("2020-01-01 09:00", "already passed"), ("明天早上", "2026-12-01 09:30")):
        with pytest.raises(Invalid, match=message):
            drafts.write(team.account, person=team.editor, text="錯的時間", publish_at=bad)
    with pytest.raises(Invalid, match="a year ahead"):
        drafts.edit(
            draft, person=team.editor, text="跨年活動預告", audience="public", publish_at="2199-01-01 00:00"
        )
    assert Draft.objects.filter(account=team.account).count() == 1
    draft.refresh_from_db()
    assert draft.publish_at.date() == day


def test_the_worker_publishes_a_scheduled_post_at_its_time_and_only_once(team):
    draft = drafts.submit(
        drafts.write(team.account, person=team.editor, text="今晚八點直播開箱", publish_at=later()),
        person=team.editor,
    )
    assert draft.status == Status.SCHEDULED

    assert drafts.publish_due(draft.id) is None  # not yet
    assert drafts.due_ids() == []
    Draft.objects.filter(id=draft.id).update(publish_at=timezone.now() - dt.timedelta(seconds=1))
    assert drafts.due_ids() == [draft.id]

    first = drafts.publish_due(draft.id)
    second = drafts.publish_due(draft.id)

    assert first is not None and second is None
    assert Post.objects.filter(author=team.account, text="今晚八點直播開箱").count() == 1


def test_a_withdrawn_post_never_goes_out(team):
    draft = drafts.submit(
        drafts.write(team.account, person=team.editor, text="限時優惠", publish_at=later()),
        person=team.editor,
    )
    drafts.withdraw(draft, person=team.editor)
    Draft.objects.filter(id=draft.id).update(publish_at=timezone.now() - dt.timedelta(seconds=1))

    assert drafts.publish_due(draft.id) is None
    with pytest.raises(Conflict):
        drafts.submit(draft, person=team.editor)
    assert not Post.objects.filter(author=team.account).exists()


def test_the_organisations_rules_are_told_at_submission_and_at_publication(team):
    draft = drafts.write(team.account, person=team.editor, text="內部代號 藍鯨 即將發表", publish_at=later())
    policy.add_rule(
        team.org, actor=team.admin, pattern="藍鯨", reason="未公開的專案代號", action="block", is_regex=False
    )

    with pytest.raises(Invalid, match="未公開的專案代號"):
        drafts.submit(draft, person=team.editor)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    clean = drafts.submit(
        drafts.write(team.account, person=team.editor, text="新品即將發表", publish_at=later()),
        person=team.editor,
    )
    policy.add_rule(
        team.org, actor=team.admin, pattern="新品", reason="發表前不得預告", action="block", is_regex=False
    )
    Draft.objects.filter(id=clean.id).update(publish_at=timezone.now() - dt.timedelta(seconds=1))

    assert drafts.publish_due(clean.id) is None
    clean.refresh_from_db()
    assert clean.status == Status.FAILED and "發表前不得預告" in clean.error
    assert not Post.objects.filter(author=team.account).exists()


def test_people_without_a_writing_role_cannot_write_or_touch_drafts(team):
    draft = drafts.write(team.account, person=team.editor, text="草稿")

    for person in (team.responder, team.analyst):
        with pytest.raises(Forbidden):
            drafts.write(team.account, person=person, text="我來寫")
        with pytest.raises(Forbidden):
            drafts.withdraw(draft, person=person)
    with pytest.raises(Exception) as refused:
        drafts.access_draft(team.rival, draft.id)
    assert refused.type.__name__ == "NotFound"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_an_approval_after_a_withdrawal_or_a_send_back_changes_nothing(team):
    approvals(team, 1)
    draft = drafts.submit(
        drafts.write(team.account, person=team.editor, text="撤回的公告"), person=team.editor
    )
    stale = Draft.objects.get(id=draft.id)  # the page the manager has open
    drafts.withdraw(draft, person=team.editor)

    with pytest.raises(Conflict, match="not waiting"):
        drafts.review(stale, person=team.manager, decision="approve")
    with pytest.raises(Conflict, match="not waiting"):
        drafts.review(stale, person=team.manager, decision="reject", comment="晚了")
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    assert not Post.objects.filter(author=team.account).exists()
