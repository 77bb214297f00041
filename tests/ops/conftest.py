from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tidings.accounts.models import Account
from tidings.ops import services as ops
from tidings.orgs import services as orgs
from tidings.orgs.models import Organisation


@dataclass
class Team:
    """An official account (@示範客服) and the people around it."""

    org: Organisation
    account: Account
    admin: Account  # an owner of the organisation: may do everything a manager may
    manager: Account
    editor: Account
    responder: Account
    analyst: Account
    employee: Account  # works there, no role on the account
    rival: Account  # an admin of another organisation
    customer: Account  # nobody's employee


@pytest.fixture
def team(make_account: Callable[..., Account]) -> Team:
    admin = make_account("老闆")
    people = {name: make_account(name) for name in ("經理", "編輯", "客服員", "分析師", "員工")}
    rival, customer = make_account("對手"), make_account("顧客")
    org = orgs.create_organisation(slug="demo", name="示範科技", owner=admin)
    orgs.create_organisation(slug="rival", name="對手公司", owner=rival)
    for person in people.values():
        orgs.add_member(org, person, actor=admin)
    account = make_account("示範客服")
    orgs.register_official_account(org, account, actor=admin)
    account.refresh_from_db()
    for name, role in (
        ("經理", "manager"),
        ("編輯", "editor"),
        ("客服員", "responder"),
        ("分析師", "analyst"),
    ):
        ops.grant(account, actor=admin, handle=name, role=role)
    return Team(
        org,
        account,
        admin,
        people["經理"],
        people["編輯"],
        people["客服員"],
        people["分析師"],
        people["員工"],
        rival,
        customer,
    )
