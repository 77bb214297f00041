"""Finding people, organisations, groups and topics by any part of their names, folded; groups
only by those who may see them, topics only by what was said in public."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tidings.accounts import services as accounts
from tidings.core.errors import Invalid
from tidings.groups import services as groups
from tidings.orgs import services as orgs
from tidings.search.selectors import find_groups, find_organisations, find_people, find_topics
from tidings.social import services as social

pytestmark = pytest.mark.django_db


def handles(people) -> list[str]:
    return [a.handle for a in people]


def test_people_are_found_by_any_part_of_their_handle_folded(make_account):
    make_account("戴爾中國")
    make_account("聯想中國")

    assert handles(find_people("戴尔")) == ["戴爾中國"]
    assert handles(find_people("爾中")) == ["戴爾中國"]
    assert sorted(handles(find_people("中国"))) == sorted(["戴爾中國", "聯想中國"])


def test_people_are_found_by_their_display_name(make_account):
    make_account("dell_cn", display_name="戴爾中國 官方")
    make_account("ＤＥＬＬ_fans")

    assert handles(find_people("戴尔")) == ["dell_cn"]
    assert sorted(handles(find_people("dell"))) == ["dell_cn", "ＤＥＬＬ_fans"]


def test_a_renamed_person_is_found_by_the_new_name(make_account):
    person = make_account("someone", display_name="舊名字")

    accounts.update_profile(person, display_name="戴爾客服")

    assert handles(find_people("戴尔客服")) == ["someone"]
    assert find_people("旧名字") == []


def test_the_exact_handle_comes_first_then_by_followers(make_account):
    dell = make_account("dell")
    fans = make_account("dell_fans")
    news = make_account("dellnews")
    for n in range(3):
        reader = make_account(f"reader{n}")
        social.follow(reader, account_id=fans.id)
        if n < 2:
            social.follow(reader, account_id=news.id)

    assert handles(find_people("DELL")) == ["dell", "dell_fans", "dellnews"]
    assert handles(find_people("@dell")) == ["dell", "dell_fans", "dellnews"]
    assert dell.followers_count == 0


def test_a_deactivated_person_is_not_found(make_account):
    gone = make_account("戴爾前員工")

    accounts.deactivate_account(gone)

    assert find_people("戴尔") == []


def test_a_name_search_with_nothing_to_look_for_says_so(db):
    with pytest.raises(Invalid) as refused:
        find_people("@")
    assert refused.value.message == "Type something to search for."


def test_organisations_are_found_by_name_or_slug(make_account):
    orgs.create_organisation(slug="dell", name="戴爾")
    orgs.create_organisation(slug="lenovo", name="聯想")

    assert [o.slug for o in find_organisations("戴尔")] == ["dell"]
    assert [o.slug for o in find_organisations("DELL")] == ["dell"]
    assert [o.slug for o in find_organisations("想")] == ["lenovo"]


def test_an_organisations_group_is_found_only_by_those_who_may_see_it(company, make_account):
    guest = make_account("訪客")
    orgs.add_member(company.org, guest, role="guest", actor=company.admin)

    for nobody in (None, AnonymousUser(), company.stranger, company.outsider, guest):
        assert find_groups(nobody, "研發") == []
    assert [g.name for g in find_groups(company.member, "研發")] == ["研發部"]
    assert [g.name for g in find_groups(company.member, "研发部")] == ["研發部"]
    # An employee may find the organisation's groups to ask to join them.
    assert [g.name for g in find_groups(company.admin, "研發")] == ["研發部"]


def test_a_cross_company_group_is_found_by_the_guest_invited_into_it(company, make_account):
    chain = groups.create_group(company.org, actor=company.admin, name="供應鏈協作", kind="cross")
    invited, colleague = make_account("供應商"), make_account("供應商同事")
    partner = orgs.create_organisation(slug="partner", name="夥伴", owner=invited)
    orgs.add_member(partner, colleague, actor=invited)

    groups.invite(chain, invited, actor=company.admin)

    assert [g.id for g in find_groups(invited, "供应链")] == [chain.id]
    assert find_groups(colleague, "供应链") == []  # the same supplier, not invited
    assert find_groups(invited, "研發") == []  # a guest in one group sees none of the others


def test_a_group_whose_organisation_one_left_is_not_found(company):
    orgs.remove_member(company.org, company.member, actor=company.admin)

    assert find_groups(company.member, "研發") == []


def test_topics_are_found_by_any_part_folded_those_that_start_with_it_first(make_account, say):
    author = make_account()
    say(author, "#戴爾新品# 上市")
    say(author, "#新品# 一")
    say(author, "#新品# 二")
    say(author, "#舊品#")

    assert [t.name for t in find_topics("新品")] == ["新品", "戴爾新品"]
    assert [t.name for t in find_topics("#戴尔")] == ["戴爾新品"]


def test_a_topic_only_said_inside_an_organisation_is_not_found(company, say):
    say(company.member, "#併購案# 進度", audience="org", organisation_id=company.org.id)
    say(company.member, "#研發週報#", audience="group", group_id=company.group.id)

    assert find_topics("併購") == []
    assert find_topics("週報") == []


def test_a_cross_company_group_is_not_found_by_employees_outside_it(company):
    secret = groups.create_group(company.org, actor=company.member, name="機密併購", kind="cross")

    assert find_groups(company.admin, "併購") == []  # as the group's page answers them: not found
    assert [g.id for g in find_groups(company.member, "併購")] == [secret.id]


def test_the_exact_handle_is_found_even_behind_many_better_followed_names(make_account):
    exact = make_account("dell")
    for n in range(5):
        loud = make_account(f"dell_fan{n}")
        for m in range(n + 1):
            social.follow(make_account(f"f{n}_{m}"), account_id=loud.id)

    assert find_people("dell", limit=3)[0].id == exact.id
    assert len(find_people("dell", limit=3)) == 3
