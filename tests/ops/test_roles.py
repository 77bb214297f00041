"""Roles on official accounts: who may be given one, who may give it, what each allows, and that
a role lapses when its holder leaves the organisation."""

from __future__ import annotations

import pytest

from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.ops import roles
from tidings.ops import services as ops
from tidings.ops.models import Desk, Grant
from tidings.orgs import services as orgs
from tidings.orgs.models import AuditEntry
from tidings.search import monitors


def test_each_role_allows_its_own_work_and_no_more(team):
    allowed = {
        who.handle: sorted(
            c for c in ("post", "reply", "review", "manage", "analyse") if roles.can(who, team.account, c)
        )
        for who in (team.admin, team.manager, team.editor, team.responder, team.analyst, team.employee)
    }

    assert allowed == {
        "老闆": ["analyse", "manage", "post", "reply", "review"],
        "經理": ["analyse", "manage", "post", "reply", "review"],
        "編輯": ["analyse", "post", "reply"],
        "客服員": ["reply"],
        "分析師": ["analyse"],
        "員工": [],
    }


def test_a_role_is_given_only_to_an_employee_and_says_so(team):
    with pytest.raises(Invalid, match="not an employee"):
        ops.grant(team.account, actor=team.manager, handle="顧客", role="editor")
    with pytest.raises(Invalid, match="nobody called"):
        ops.grant(team.account, actor=team.manager, handle="無此人", role="editor")
    with pytest.raises(Invalid, match="Choose a role"):
        ops.grant(team.account, actor=team.manager, handle="員工", role="owner")

    assert not Grant.objects.filter(person__in=[team.customer, team.employee]).exists()


def test_only_a_manager_or_an_admin_gives_roles_and_it_is_audited(team):
    with pytest.raises(Forbidden, match="Only a manager"):
        ops.grant(team.account, actor=team.editor, handle="員工", role="editor")
    with pytest.raises(NotFound):
        ops.grant(team.account, actor=team.rival, handle="員工", role="editor")
    assert not Grant.objects.filter(person=team.employee).exists()

    ops.grant(team.account, actor=team.manager, handle="@員工", role="responder")

    assert roles.role_of(team.employee, team.account) == "responder"
    entry = AuditEntry.objects.filter(action="account.grant").order_by("-id").first()
    assert entry.actor == team.manager and entry.detail["person"] == "員工"


def test_a_role_lapses_when_its_holder_leaves_the_organisation(team):
    assert roles.may_act_as(team.editor, team.account)

    orgs.remove_member(team.org, team.editor, actor=team.admin)

    assert roles.role_of(team.editor, team.account) is None
    assert not roles.may_act_as(team.editor, team.account)
    assert team.account not in [r.account for r in roles.runs_of(team.editor)]


def test_the_accounts_a_person_runs_are_listed_with_their_role(team, make_account):
    other = make_account("示範優選")
    orgs.register_official_account(team.org, other, actor=team.admin)

    assert [(r.account.handle, r.role) for r in roles.runs_of(team.responder)] == [("示範客服", "responder")]
    assert [(r.account.handle, r.role) for r in roles.runs_of(team.admin)] == [
        ("示範優選", "staff"),
        ("示範客服", "staff"),
    ]
    assert roles.runs_of(team.customer) == []
    assert not roles.may_act_as(team.analyst, team.account)  # an analyst reads, never writes as it


def test_people_with_a_role_share_the_accounts_monitors_and_nobody_else(team):
    assert monitors.runs(team.responder, team.account)
    assert monitors.runs(team.analyst, team.account)
    assert not monitors.runs(team.employee, team.account)
    assert not monitors.runs(team.rival, team.account)
    assert team.account in monitors.accounts_run_by(team.editor)


def test_settings_are_checked_and_a_bad_value_changes_nothing(team):
    with pytest.raises(Invalid, match="time zone"):
        ops.update_desk(
            team.account, actor=team.manager, category="客服", time_zone="Mars/Olympus", approvals_required=1
        )
    with pytest.raises(Invalid, match="from 0 to 3"):
        ops.update_desk(
            team.account, actor=team.manager, category="客服", time_zone="Asia/Taipei", approvals_required="9"
        )
    with pytest.raises(Forbidden):
        ops.update_desk(
            team.account, actor=team.editor, category="客服", time_zone="Asia/Taipei", approvals_required=1
        )
    assert not Desk.objects.filter(account=team.account).exists()

    ops.update_desk(
        team.account, actor=team.manager, category=" 客服 ", time_zone="Asia/Shanghai", approvals_required=2
    )

    desk = ops.desk_of(team.account)
    assert (desk.category.name, desk.time_zone, desk.approvals_required) == ("客服", "Asia/Shanghai", 2)
