"""The response desk: what the public says to an official account becomes cases, triaged,
routed to the person responsible or on duty, answered in public or by message, timed and
escalated, closed with a rating; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.core.errors import Conflict, Invalid, NotFound
from tidings.notifications import services as messages
from tidings.notifications.models import Notification
from tidings.ops import answers, desk
from tidings.ops.models import Case, CaseEvent, Level, Shift
from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.posts.models import Audience, Post

State = Case.State


def on_duty_now(team, person):
    Shift.objects.create(
        account=team.account,
        person=person,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=7),
    )


def say(run_hooks, author, text, **kw):
    with run_hooks():
        return posts.publish(author, text=text, **kw)


def test_a_complaint_opens_a_critical_case_and_alerts_the_person_on_duty(team, run_hooks, mailbox):
    Account.objects.filter(id=team.responder.id).update(email="duty@demo.example")
    on_duty_now(team, team.responder)

    post = say(run_hooks, team.customer, "@示範客服 我要投訴,筆電充電時冒煙了!")

    case = Case.objects.get(account=team.account)
    assert (case.level, case.state, case.customer_id, case.assignee_id) == (
        Level.CRITICAL,
        State.NEW,
        team.customer.id,
        team.responder.id,
    )
    assert "投訴" in case.level_reason and "冒煙" in case.level_reason
    assert case.response_due == case.opened_at + dt.timedelta(minutes=15)
    alert = Notification.objects.get(recipient=team.responder, kind="case")
    assert alert.post_id == post.id and alert.link == f"/ops/cases/{case.id}/"
    assert any(f"/ops/cases/{case.id}/" in body for body in mailbox.bodies())


def test_the_rules_suggest_secondary_and_general_and_the_accounts_own_rules_replace_them(team, run_hooks):
    say(run_hooks, team.customer, "@示範客服 我想辦理退款")
    say(run_hooks, team.employee, "@示範客服 請問新品什麼時候上市?")
    levels = dict(Case.objects.values_list("customer__handle", "level"))
    assert levels == {"顧客": Level.SECONDARY, "員工": Level.GENERAL}

    desk.add_rule(
        team.account,
        person=team.manager,
        level="critical",
        words="上市",
        negative=False,
        min_followers="",
        assignee="經理",
    )
    other = say(run_hooks, team.rival, "@示範客服 上市日期?")

    case = Case.objects.get(customer=team.rival)
    assert (case.level, case.assignee_id) == (Level.CRITICAL, team.manager.id)
    assert CaseEvent.objects.get(case=case, kind="incoming").post_id == other.id


def test_bad_rules_and_shifts_are_refused_and_change_nothing(team):
    for fields, message in (
        ({"level": "urgent", "words": "x"}, "Choose critical"),
        ({"level": "critical", "words": ""}, "needs words"),
        ({"level": "critical", "words": "x", "assignee": "顧客"}, "does not answer"),
        ({"level": "critical", "words": "x", "min_followers": "many"}, "whole number"),
    ):
        values = {"negative": False, "min_followers": "", "assignee": "", **fields}
        with pytest.raises(Invalid, match=message):
            desk.add_rule(team.account, person=team.manager, **values)
    soon = (timezone.localtime(timezone.now() + dt.timedelta(hours=1))).strftime("%Y-%m-%dT%H:%M")
    later = (timezone.localtime(timezone.now() + dt.timedelta(hours=9))).strftime("%Y-%m-%dT%H:%M")
    with pytest.raises(Invalid, match="does not answer"):
        desk.add_shift(team.account, person=team.manager, handle="分析師", starts_at=soon, ends_at=later)
    with pytest.raises(Invalid, match="ends after it starts"):
        desk.add_shift(team.account, person=team.manager, handle="客服員", starts_at=later, ends_at=soon)
    assert not Shift.objects.exists()
    from tidings.ops.models import DeskRule

    assert not DeskRule.objects.exists()


def test_each_persons_comments_under_the_accounts_post_are_their_own_case(team, run_hooks):
    notice = posts.publish(team.account, text="本週門市公告")
    with run_hooks():
        posts.comment(team.customer, post_id=notice.id, text="門市幾點開?")
        posts.comment(team.employee, post_id=notice.id, text="我的訂單還沒到")
        posts.comment(team.customer, post_id=notice.id, text="還有,週日有開嗎?")

    cases = {c.customer.handle: c for c in Case.objects.select_related("customer")}
    assert set(cases) == {"顧客", "員工"}
    assert cases["顧客"].events.filter(kind="incoming").count() == 2


def test_the_accounts_answer_in_the_thread_is_the_first_response(team, run_hooks):
    question = say(run_hooks, team.customer, "@示範客服 保固多久?")
    case = Case.objects.get()

    with run_hooks():
        posts.comment(team.account, post_id=question.id, text="兩年喔")

    case.refresh_from_db()
    assert case.state == State.PROGRESS and case.first_response_at is not None
    assert case.events.filter(kind="response").count() == 1


def test_acknowledge_progress_resolve_and_the_customers_rating(team, run_hooks):
    question = say(run_hooks, team.customer, "@示範客服 我的筆電壞了要維修")
    case = Case.objects.get()
    assert case.level == Level.SECONDARY

    with run_hooks():
        desk.acknowledge(case, person=team.responder)
    with pytest.raises(Conflict):
        desk.acknowledge(case, person=team.responder)
    with run_hooks():
        desk.progress(case, person=team.responder, text="已安排收件,明天到府")
        desk.resolve(case, person=team.responder, text="維修完成,已寄回")

    answers_in_public = list(
        Post.objects.filter(author=team.account, root=question).order_by("id").values_list("text", flat=True)
    )
    assert answers_in_public == [
        "收到,我們正在處理,進度會在這裡更新。",
        "已安排收件,明天到府",
        "維修完成,已寄回",
    ]
    case.refresh_from_db()
    assert case.state == State.RESOLVED and case.first_response_at is not None
    survey = Post.objects.get(author=team.account, audience=Audience.DIRECT)
    assert f"/cases/{case.id}/rate/" in survey.text

    with pytest.raises(Invalid, match="1 to 5"):
        desk.rate(case, customer=team.customer, rating="7")
    with pytest.raises(NotFound):
        desk.rate(case, customer=team.employee, rating=5)
    desk.rate(case, customer=team.customer, rating="5")
    with pytest.raises(Conflict, match="already rated"):
        desk.rate(case, customer=team.customer, rating=1)
    case.refresh_from_db()
    assert case.rating == 5
    with pytest.raises(Conflict, match="resolved"):
        desk.reply(case, person=team.responder, text="再補充")


def test_a_message_to_the_account_is_a_case_answered_by_message(team, run_hooks):
    with run_hooks():
        messages.send_message(team.customer, recipient_id=team.account.id, text="私訊:訂單編號 123 還沒出貨")
    case = Case.objects.get()
    assert case.thread.startswith("dm:")

    with run_hooks():
        desk.reply(case, person=team.responder, text="已查詢,今天出貨")

    answer = Post.objects.get(author=team.account, text="已查詢,今天出貨")
    assert answer.audience == Audience.DIRECT and answer.conversation_id == int(case.thread[3:])
    case.refresh_from_db()
    assert case.first_response_at is not None


def test_internal_posts_never_reach_the_desk(team, run_hooks):
    say(run_hooks, team.employee, "@示範客服 內部討論", audience="org", organisation_id=team.org.id)

    assert not Case.objects.exists()


def test_a_case_goes_only_to_someone_who_answers_for_the_account(team, run_hooks):
    say(run_hooks, team.customer, "@示範客服 你好")
    case = Case.objects.get()
    orgs.remove_member(team.org, team.responder, actor=team.admin)

    for who in (team.responder, team.analyst, team.customer):
        with pytest.raises(Invalid, match="answers for"):
            desk.assign(case, person=team.manager, assignee_id=who.id)
    case.refresh_from_db()
    assert case.assignee_id is None
    desk.assign(case, person=team.manager, assignee_id=team.editor.id)
    case.refresh_from_db()
    assert case.assignee_id == team.editor.id


def test_a_late_case_escalates_along_the_list_once_per_breach(team, run_hooks):
    desk.set_escalation(team.account, person=team.manager, handles="@客服員 @經理")
    say(run_hooks, team.customer, "@示範客服 有人在嗎")
    case = Case.objects.get()
    late = case.response_due + dt.timedelta(minutes=1)

    assert desk.escalate_due(late) == 1
    assert desk.escalate_due(late) == 0
    case.refresh_from_db()
    assert (case.assignee_id, case.escalations) == (team.responder.id, 1)
    assert Notification.objects.filter(recipient=team.responder, kind="case").exists()

    assert desk.escalate_due(late + dt.timedelta(hours=5)) == 1
    case.refresh_from_db()
    assert (case.assignee_id, case.escalations) == (team.manager.id, 2)
    assert case.response_breached(late) and not case.response_breached(case.opened_at)


def test_the_library_fills_variables_suggests_answers_and_refuses_unknown_ones(team, run_hooks):
    with pytest.raises(Invalid, match=r"Unknown variable \{訂單\}"):
        answers.write(team.account, person=team.editor, title="出貨", body="{customer} 您好,{訂單} 已出貨")
    answers.write(
        team.account,
        person=team.editor,
        title="保固期限",
        body="{customer} 您好,筆電保固兩年。",
        tags="保固",
        public=True,
    )
    answers.write(team.account, person=team.editor, title="門市時間", body="門市每天十點營業。", tags="門市")
    say(run_hooks, team.customer, "@示範客服 請問筆電的保固是多久?")
    case = Case.objects.get()

    suggested = answers.suggest(case)

    assert [a.title for a in suggested][:1] == ["保固期限"]
    assert answers.fill(suggested[0], case) == f"{team.customer.display_name} 您好,筆電保固兩年。"
    assert [a.title for a in answers.search(team.account, "门市")] == [
        "門市時間"
    ]  # Simplified finds Traditional
    assert [a.title for a in answers.faq(team.account)] == ["保固期限"]


def test_the_remit_answer_is_worded_by_the_organisations_admins(team, run_hooks):
    from tidings.core.errors import Forbidden

    with pytest.raises(Forbidden):
        answers.set_remit(team.account, person=team.manager, body="不歸我們管")
    answers.set_remit(team.account, person=team.admin, body="這不在本帳號的服務範圍,請洽門市。")
    say(run_hooks, team.customer, "@示範客服 隔壁店家很吵")
    case = Case.objects.get()

    with run_hooks():
        desk.resolve(case, person=team.responder, text=answers.remit_text(team.account))

    assert Post.objects.filter(author=team.account, text="這不在本帳號的服務範圍,請洽門市。").exists()


def test_figures_give_median_times_per_level_and_person(team, run_hooks):
    say(run_hooks, team.customer, "@示範客服 我要退款")
    say(run_hooks, team.employee, "@示範客服 請問營業時間")
    refund, hours = Case.objects.get(customer=team.customer), Case.objects.get(customer=team.employee)
    Case.objects.filter(id=hours.id).update(opened_at=timezone.now() - dt.timedelta(days=1))
    hours.refresh_from_db()
    desk.set_level(hours, person=team.responder, level="general")  # the deadlines follow
    desk.assign(refund, person=team.manager, assignee_id=team.responder.id)
    Case.objects.filter(id=refund.id).update(
        first_response_at=refund.opened_at + dt.timedelta(minutes=30),
        resolved_at=refund.opened_at + dt.timedelta(minutes=90),
        state="resolved",
        rating=4,
    )

    from tidings.ops.selectors import figures

    f = figures(team.account)

    levels = {level: s for level, _label, s in f["levels"]}
    assert (levels["secondary"]["first_response"], levels["secondary"]["resolution"]) == (30.0, 90.0)
    assert levels["general"]["open"] == 1 and levels["general"]["breaches"] == 1  # a day without an answer
    people = dict(f["people"])
    assert people["客服員"]["rating"] == 4 and f["open_now"] == 1


def test_braces_name_variables_and_nothing_else(team):
    for body in ("{customer:>999999999}", "{customer!r}", "{customer.__class__}"):
        with pytest.raises(Invalid, match="Unknown variable"):
            answers.write(team.account, person=team.editor, title="格式", body=body)
    answer = answers.write(team.account, person=team.editor, title="括號", body="{customer} 您好")

    assert answers.faq_text(answer, team.account) == "you 您好"


def test_only_the_organisations_admins_change_shared_answers(team):
    from tidings.core.errors import Forbidden

    with pytest.raises(Forbidden):
        answers.write(team.account, person=team.editor, title="共用", body="大家都用", shared=True)
    shared = answers.write(team.account, person=team.admin, title="共用", body="大家都用", shared=True)
    with pytest.raises(Forbidden):
        answers.write(team.account, person=team.editor, title="改掉", body="改掉", answer_id=shared.id)
    with pytest.raises(Forbidden):
        answers.remove(team.account, person=team.editor, answer_id=shared.id)
    shared.refresh_from_db()
    assert shared.title == "共用"


def test_the_survey_is_not_an_answer_to_another_open_case(team, run_hooks):
    say(run_hooks, team.customer, "@示範客服 保固多久?")
    public = Case.objects.get()
    with run_hooks():
        messages.send_message(team.customer, recipient_id=team.account.id, text="另外私訊問一下發票")
    message_case = Case.objects.exclude(id=public.id).get()

    with run_hooks():
        desk.resolve(public, person=team.responder, text="兩年")

    message_case.refresh_from_db()
    assert message_case.first_response_at is None and message_case.state == State.NEW
    assert public.events.filter(kind="survey").count() == 1


def test_a_post_taken_in_twice_opens_no_second_case(team, run_hooks):
    post = say(run_hooks, team.customer, "@示範客服 在嗎")
    case = Case.objects.get()
    desk.resolve(case, person=team.responder)

    desk.on_post_published(post.id)

    assert Case.objects.count() == 1


def test_a_reopened_case_is_watched_again(team, run_hooks):
    say(run_hooks, team.customer, "@示範客服 還是不行")
    case = desk.resolve(Case.objects.get(), person=team.responder)
    assert case.next_escalation_at is None and case.first_response_at is None  # closed without a word

    case = desk.reopen(case, person=team.responder)

    assert case.state == State.PROGRESS and case.next_escalation_at is not None


def test_a_post_that_speaks_to_no_account_costs_the_desk_one_query(team, django_assert_num_queries):
    post = posts.publish(team.customer, text="今天天氣很好")

    with django_assert_num_queries(1):
        desk.on_post_published(post.id)

    assert not Case.objects.exists()
