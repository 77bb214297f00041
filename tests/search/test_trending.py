"""Trending topics: counted over the last hours, in public, or inside one organisation's space
from its own internal posts, never from a private group's nor from public posts."""

from __future__ import annotations

import time
import types

import pytest

from tidings.core import ids
from tidings.orgs.models import Organisation
from tidings.search.selectors import trending_topics

pytestmark = pytest.mark.django_db


def counts(topics) -> list[tuple[str, int]]:
    return [(t.name, t.recent) for t in topics]


def test_public_topics_trend_by_how_many_posts_said_them(make_account, say):
    author, other = make_account(), make_account()
    for n in range(3):
        say(author, f"#雙十一# 第{n}則")
    say(other, "#雙十一# 也買了")
    say(other, "#戴爾新品# 上市")
    say(other, "#悄悄話# 只給粉絲", audience="followers")

    assert counts(trending_topics()) == [("雙十一", 4), ("戴爾新品", 1)]
    assert counts(trending_topics(limit=1)) == [("雙十一", 4)]


def test_posts_older_than_the_window_do_not_count(make_account, say, monkeypatch):
    author = make_account()
    with monkeypatch.context() as clock:
        clock.setattr(ids, "_last_ms", 0)
        clock.setattr(ids, "time", types.SimpleNamespace(time=lambda: time.time() - 30 * 3600))
        say(author, "#昨天的事#")
        say(author, "#雙十一# 昨天")
    say(author, "#雙十一# 今天")

    assert counts(trending_topics()) == [("雙十一", 1)]
    assert counts(trending_topics(hours=48)) == [("雙十一", 2), ("昨天的事", 1)]


def test_internal_topics_never_trend_in_public(company, say):
    say(company.member, "#併購案# 進度", audience="org", organisation_id=company.org.id)
    say(company.member, "#研發週報#", audience="group", group_id=company.group.id)

    assert trending_topics() == []


def test_an_organisations_trends_are_its_internal_posts_only(company, say, make_account):
    org, member = company.org, company.member
    say(member, "#年終尾牙# 報名", audience="org", organisation_id=org.id)
    say(company.admin, "#年終尾牙# 節目", audience="org", organisation_id=org.id)
    say(member, "#研發週報# 第一週", audience="group", group_id=company.group.id)
    say(member, "#研發週報# 第二週", audience="group", group_id=company.group.id)
    say(member, "#雙十一# 公開的", audience="public")
    say(member, "#雙十一# 再一則公開的", audience="public")
    say(member, "#雙十一# 第三則公開的", audience="public")
    other = Organisation.objects.get(slug="other")
    say(company.outsider, "#年終尾牙# 別家的", audience="org", organisation_id=other.id)

    assert counts(trending_topics(organisation=org)) == [("年終尾牙", 2)]
    assert counts(trending_topics()) == [("雙十一", 3)]


def test_a_space_page_shows_its_trends_to_employees_only(company, say, client_for, make_account):
    from tidings.orgs import services as orgs

    from ..web.helpers import english

    say(company.member, "#年終尾牙# 報名", audience="org", organisation_id=company.org.id)
    guest = make_account("供應商")
    orgs.add_member(company.org, guest, role="guest", actor=company.admin)

    inside = english(client_for(company.member)).get("/o/dell/").content.decode()
    assert "Trending inside" in inside and "#年終尾牙#" in inside
    for who in (guest, company.outsider, company.stranger):
        body = english(client_for(who)).get("/o/dell/").content.decode()
        assert "年終尾牙" not in body


def test_the_native_api_gives_an_organisations_trends_to_its_employees_only(company, say, make_account):
    from tidings.accounts.tokens import create_token
    from tidings.orgs import services as orgs

    from ..api.conftest import Api

    say(company.member, "#年終尾牙# 報名", audience="org", organisation_id=company.org.id)
    say(company.member, "#雙十一# 公開")
    guest = make_account("供應商")
    orgs.add_member(company.org, guest, role="guest", actor=company.admin)

    def trends(account, slug="dell"):
        api = Api(create_token(account, scopes="read")) if account else Api()
        return api.get(f"/api/tidings/v1/organisations/{slug}/trends")

    assert trends(company.member).json() == [{"name": "年終尾牙", "posts": 1}]
    assert Api().get("/api/tidings/v1/trends").json() == [{"name": "雙十一", "posts": 1}]
    missing = trends(company.member, slug="no-such-org")
    for who in (guest, company.outsider, company.stranger, None):
        refused = trends(who)
        assert refused.status_code == missing.status_code == 404
        assert refused.json() == missing.json()


def test_trends_are_counted_at_most_once_a_minute(make_account, say, settings, django_assert_num_queries):
    from django.core.cache import cache

    settings.TRENDS_CACHE_SECONDS = 60
    cache.clear()
    say(make_account(), "#雙十一# 開賣")
    assert counts(trending_topics()) == [("雙十一", 1)]
    with django_assert_num_queries(1):  # the topics themselves; the counting was kept
        assert counts(trending_topics()) == [("雙十一", 1)]
    cache.clear()
