"""Fixtures of the search tests: posts published with their events run (so the worker has
indexed them, as it would have a moment after), and an organisation with a group."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tidings.accounts.models import Account
from tidings.groups import services as groups
from tidings.groups.models import Group
from tidings.orgs import services as orgs
from tidings.orgs.models import Organisation
from tidings.posts import services as posts
from tidings.posts.models import Post
from tidings.search import monitors
from tidings.search.models import Monitor
from tidings.search.selectors import Results

from ..api.conftest import api_for  # noqa: F401 - the API's client with a token, for test_search_api


@pytest.fixture(autouse=True)
def _many_writes(settings: Any) -> None:
    settings.WRITES_PER_MINUTE = 1000


@pytest.fixture
def say(run_hooks: Callable[[], Any]) -> Callable[..., Post]:
    """say(author, "text", audience=..., ...) -> the post, published and indexed."""

    def make(author: Account, text: str, **fields: Any) -> Post:
        with run_hooks():
            return posts.publish(author, text=text, **fields)

    return make


def texts(results: Results) -> list[str]:
    return [view.post.text for view in results.items]


@dataclass
class Company:
    org: Organisation
    group: Group  # a private group of the organisation: only its members read it
    admin: Account  # an insider, not in the group
    member: Account  # an insider, in the group
    outsider: Account  # an employee of another organisation
    stranger: Account  # in no organisation


@pytest.fixture
def company(make_account: Callable[..., Account]) -> Company:
    admin, member = make_account("戴爾主管"), make_account("戴爾工程師")
    outsider, stranger = make_account("別家員工"), make_account("路人甲")
    org = orgs.create_organisation(slug="dell", name="戴爾", owner=admin)
    other = orgs.create_organisation(slug="other", name="別家公司", owner=outsider)
    orgs.add_member(org, member, actor=admin)
    assert other.id != org.id
    group = groups.create_group(org, actor=member, name="研發部", kind="private")
    return Company(org, group, admin, member, outsider, stranger)


# --- an official account and the people around it (the monitors' tests) ----------------------------


@dataclass
class Brand:
    org: Organisation
    official: Account  # the brand's official account
    admin: Account  # runs it (an admin of the organisation)
    employee: Account  # an insider who does not run it
    rival_admin: Account  # an admin of another organisation
    customer: Account


@pytest.fixture
def brand(make_account: Callable[..., Account]) -> Brand:
    admin, employee = make_account("品牌主管", email="boss@demo.example"), make_account("員工")
    rival_admin, customer = make_account("對手主管"), make_account("顧客")
    org = orgs.create_organisation(slug="demo", name="示範科技", owner=admin)
    orgs.create_organisation(slug="rival", name="對手公司", owner=rival_admin)
    orgs.add_member(org, employee, actor=admin)
    official = make_account("示範官方", email="brand@demo.example")
    orgs.register_official_account(org, official, actor=admin)
    official.refresh_from_db()
    return Brand(org, official, admin, employee, rival_admin, customer)


def watch(brand: Brand, query: str = "示範 OR X14", **fields: Any) -> Monitor:
    return monitors.create(brand.admin, brand.official, name="品牌聲量", query=query, **fields)
