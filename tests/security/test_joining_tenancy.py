"""Every way into a company (an invitation link, a work-email link, asking to join, a shared
group, signing up) makes a member of that company only: nothing in the request can name another,
and another company's admins cannot let anyone in here."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client

from tests.ops.conftest import Team, team
from tidings.accounts.models import Account
from tidings.groups import services as groups
from tidings.orgs import joining
from tidings.orgs import services as orgs
from tidings.orgs.models import Domain, JoinRequest, Membership
from tidings.posts import services as posts

__all__ = ["team"]

pytestmark = pytest.mark.django_db


def memberships() -> list[tuple[str, str, str, bool]]:
    return sorted(
        Membership.objects.values_list("organisation__slug", "account__handle", "role", "is_active")
    )


def web(account: Account) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(account)
    return client


def test_an_invitation_makes_a_member_of_its_own_company_only_whatever_the_form_says(
    team: Team, make_account
):
    token = orgs.create_invitation(team.org, actor=team.admin, role="member")
    newcomer = make_account("新人")
    before = memberships()

    response = web(newcomer).post(
        f"/join/{token}/", {"organisation": "rival", "slug": "rival", "organisation_id": "1", "role": "owner"}
    )

    assert response.status_code == 302
    assert sorted(set(memberships()) - set(before)) == [("demo", "新人", "member", True)]


def test_another_companys_owner_accepting_an_invitation_keeps_their_own_role_there(team: Team):
    token = orgs.create_invitation(team.org, actor=team.admin, role="guest")

    web(team.rival).post(f"/join/{token}/")

    assert ("rival", "對手", "owner", True) in memberships()
    assert ("demo", "對手", "guest", True) in memberships()


def test_another_companys_admin_cannot_let_in_someone_who_asked_to_join_here(team: Team, make_account):
    person = make_account("求職者")
    joining.ask(person, team.org, message="想加入")
    before = memberships()

    at_home = web(team.rival).post("/o/rival/admin/approve-join/", {"handle": "求職者"})
    here = web(team.rival).post("/o/demo/admin/approve-join/", {"handle": "求職者"})

    assert at_home.status_code == 404 and here.status_code == 404
    assert memberships() == before
    assert JoinRequest.objects.filter(organisation=team.org, account=person).exists()


def test_a_work_email_link_cannot_be_pointed_at_another_company(team: Team, make_account):
    Domain.objects.create(organisation=team.org, domain="demo.example", verified=True)
    rival_org = Membership.objects.get(account=team.rival).organisation
    Domain.objects.create(organisation=rival_org, domain="rival.example", verified=True)
    person = make_account("新同事")
    genuine = signing.dumps({"a": person.id, "o": team.org.id, "e": "new@demo.example"}, salt=joining.SALT)
    # The same signature over a payload naming the other company.
    forged_payload = signing.dumps(
        {"a": person.id, "o": rival_org.id, "e": "new@demo.example"}, salt=joining.SALT
    )
    forged = forged_payload.split(":")[0] + ":" + genuine.split(":", 1)[1]
    before = memberships()

    refused = web(person).post(f"/join/email/{forged}/")
    accepted = web(person).post(f"/join/email/{genuine}/")

    assert refused.status_code == 400
    assert accepted.status_code == 302 and accepted.url == "/o/demo/"
    assert sorted(set(memberships()) - set(before)) == [("demo", "新同事", "member", True)]


def test_a_shared_group_makes_another_companys_people_guests_who_see_that_group_only(team: Team):
    team.org.members_may_create_groups = True
    team.org.save(update_fields=["members_may_create_groups"])
    shared = groups.create_group(team.org, actor=team.manager, name="供應鏈", kind="cross")
    groups.invite(shared, team.rival, actor=team.manager)
    posts.publish(team.employee, text="只給員工:年終獎金", audience="org", organisation_id=team.org.id)
    before = memberships()

    space = web(team.rival).get("/o/demo/")
    members = web(team.rival).get("/o/demo/members/")

    assert memberships() == before
    assert Membership.objects.get(organisation=team.org, account=team.rival).role == "guest"  # of the group
    assert space.status_code == 404 and members.status_code == 404
    assert "年終獎金" not in web(team.rival).get("/").content.decode()


def test_signing_up_with_a_companys_work_address_joins_no_company(team: Team):
    Domain.objects.create(organisation=team.org, domain="demo.example", verified=True)
    before = memberships()

    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/signup/",
        {
            "handle": "冒充者",
            "display_name": "冒充者",
            "email": "ceo@demo.example",
            "password": "a long enough passphrase",
            "organisation": "demo",
            "role": "owner",
        },
    )

    assert response.status_code == 302
    assert Account.objects.filter(handle="冒充者").exists()
    assert memberships() == before
