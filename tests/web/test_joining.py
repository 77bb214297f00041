"""Ways into an organisation besides an invitation, and a forgotten password: real mail over
SMTP to a real local server, links that work once and in time, clear errors otherwise."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.test import Client

from tidings.orgs import services as orgs
from tidings.orgs.joining import SALT
from tidings.orgs.models import AuditEntry, JoinRequest, Membership

from .helpers import EN

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://\S+")


@pytest.fixture
def acme(make_account):
    owner = make_account("老闆")
    return orgs.create_organisation(slug="acme", name="Acme 科技", owner=owner, domains=["acme.example"])


def english(client: Client) -> Client:
    client.defaults.update(EN)
    return client


def link_path(body: str) -> str:
    return LINK.search(body).group().replace("http://127.0.0.1:8000", "")


def test_a_work_email_link_joins_the_organisation(acme, make_account, client_for, mailbox, run_hooks):
    person = make_account("新人")
    client = english(client_for(person))
    with run_hooks():
        response = client.post("/join/email/", {"email": "xin@acme.example"})
    assert response.status_code == 200
    assert [m["To"] for m in mailbox.messages] == ["xin@acme.example"]
    path = link_path(mailbox.bodies()[0])
    assert client.get(path).status_code == 200  # opening the link changes nothing by itself
    assert not Membership.objects.filter(organisation=acme, account=person).exists()
    assert client.post(path).url == "/o/acme/"
    assert Membership.objects.get(organisation=acme, account=person).role == "member"
    assert AuditEntry.objects.filter(organisation=acme, action="member.join_email").exists()


def test_an_unverified_domain_is_refused_and_no_mail_is_sent(
    acme, make_account, client_for, mailbox, run_hooks
):
    client = english(client_for(make_account("路人")))
    with run_hooks():
        response = client.post("/join/email/", {"email": "me@elsewhere.example"})
    assert response.status_code == 400
    assert "has verified the domain elsewhere.example" in response.content.decode()
    assert mailbox.messages == []


def test_the_link_works_only_for_the_account_it_was_sent_for(acme, make_account, client_for):
    person, other = make_account("本人"), make_account("別人")
    token = signing.dumps({"a": person.id, "o": acme.id, "e": "ben@acme.example"}, salt=SALT)
    response = english(client_for(other)).post(f"/join/email/{token}/")
    assert response.status_code == 400
    assert "another account" in response.content.decode()
    assert not Membership.objects.filter(account=other, organisation=acme).exists()


def test_a_tampered_or_foreign_link_is_refused(acme, make_account, client_for):
    client = english(client_for(make_account("本人")))
    for token in ("garbage", signing.dumps({"a": 1, "o": acme.id, "e": "x@acme.example"}, salt="other")):
        response = client.post(f"/join/email/{token}/")
        assert response.status_code == 400
    assert Membership.objects.count() == 1


def test_asking_to_join_waits_for_an_admin_who_lets_the_person_in(acme, make_account, client_for):
    person = make_account("想加入")
    client = english(client_for(person))
    assert client.post("/brand/acme/ask/", {"message": "我是新來的業務"}).status_code == 200
    assert client.post("/brand/acme/ask/").status_code == 409  # asking twice
    owner = english(client_for(Membership.objects.get(role="owner").account))
    assert "我是新來的業務" in owner.get("/o/acme/admin/").content.decode()
    owner.post("/o/acme/admin/approve-join/", {"handle": "想加入"})
    assert Membership.objects.filter(organisation=acme, account=person, is_active=True).exists()
    assert not JoinRequest.objects.exists()


def test_a_forgotten_password_is_reset_by_a_mailed_link_once(make_account, mailbox, run_hooks):
    from tests.conftest import PASSWORD

    person = make_account("健忘", email="forget@example.com")
    client = english(Client())
    with run_hooks():
        response = client.post("/password-reset/", {"login": "健忘"})
    assert response.status_code == 200
    path = link_path(mailbox.bodies()[0])
    assert client.post(path, {"password": "a brand new passphrase"}).status_code == 302
    person.refresh_from_db()
    assert person.check_password("a brand new passphrase") and not person.check_password(PASSWORD)
    again = client.post(path, {"password": "yet another passphrase"})
    assert again.status_code == 400
    assert "not valid any more" in again.content.decode()


def test_a_reset_for_an_unknown_account_answers_the_same_and_sends_nothing(db, mailbox, run_hooks):
    client = english(Client())
    with run_hooks():
        response = client.post("/password-reset/", {"login": "nobody-here"})
    assert response.status_code == 200
    assert "If an account with an email address matches" in response.content.decode()
    assert mailbox.messages == []


def test_reset_links_are_limited_per_account(make_account, mailbox, run_hooks):
    make_account("常忘", email="often@example.com")
    client = english(Client())
    for _ in range(5):
        with run_hooks():
            client.post("/password-reset/", {"login": "常忘"})
    assert len(mailbox.messages) == 3


def test_a_removed_member_cannot_come_back_by_an_old_join_link(acme, make_account, client_for):
    person = make_account("離職員工")
    token = signing.dumps({"a": person.id, "o": acme.id, "e": "gone@acme.example"}, salt=SALT)
    client = english(client_for(person))
    assert client.post(f"/join/email/{token}/").status_code == 302
    orgs.remove_member(acme, person, actor=None)
    again = client.post(f"/join/email/{token}/")
    assert again.status_code == 400
    assert not Membership.objects.get(organisation=acme, account=person).is_active


# --- a new domain, proved by mail ------------------------------------------------------------


@pytest.fixture
def staff(acme, make_account, client_for):
    admin, outsider = make_account("管理員"), make_account("別家管理員")
    orgs.add_member(acme, admin, role="admin")
    orgs.create_organisation(slug="other", name="Other", owner=outsider)
    return english(client_for(admin)), english(client_for(outsider))


def test_a_new_domain_counts_only_once_the_mailed_link_is_confirmed(
    acme, staff, make_account, client_for, mailbox, run_hooks
):
    from tidings.orgs.models import Domain

    admin, _outsider = staff
    with run_hooks():
        admin.post("/o/acme/admin/domain-add/", {"domain": "Acme-TW.example", "email": "it@acme-tw.example"})
    assert Domain.objects.get(domain="acme-tw.example").verified is False
    assert [m["To"] for m in mailbox.messages] == ["it@acme-tw.example"]
    newcomer = english(client_for(make_account("新同事")))
    assert newcomer.post("/join/email/", {"email": "me@acme-tw.example"}).status_code == 400  # not yet

    path = link_path(mailbox.bodies()[0])
    assert admin.get(path).status_code == 200  # opening the link changes nothing by itself
    assert Domain.objects.get(domain="acme-tw.example").verified is False
    assert admin.post(path).status_code == 302

    assert Domain.objects.get(domain="acme-tw.example").verified is True
    assert AuditEntry.objects.filter(organisation=acme, action="domain.verify").exists()
    with run_hooks():
        assert newcomer.post("/join/email/", {"email": "me@acme-tw.example"}).status_code == 200


def test_only_the_organisations_staff_can_confirm_its_domain(
    acme, staff, make_account, client_for, mailbox, run_hooks
):
    from tidings.orgs.models import Domain

    admin, outsider = staff
    with run_hooks():
        admin.post("/o/acme/admin/domain-add/", {"domain": "acme-tw.example", "email": "it@acme-tw.example"})
    path = link_path(mailbox.bodies()[0])
    member = make_account("員工")
    orgs.add_member(acme, member)
    missing = path.replace("/o/acme/", "/o/nothere/")

    for client in (outsider, english(client_for(member))):
        refused = client.post(path)
        assert refused.status_code == 404 or refused.status_code == 403
        assert client.post(missing).status_code == 404
    assert Client().post(path).status_code == 302  # to log in
    assert Domain.objects.get(domain="acme-tw.example").verified is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"domain": "acme-tw.example", "email": "it@elsewhere.example"}, "must be at acme-tw.example"),
        ({"domain": "acme-tw.example", "email": "not an address"}, "valid email address"),
        ({"domain": "not a domain", "email": "it@x.example"}, "not a valid domain"),
    ],
)
def test_a_domain_without_a_good_address_is_refused_and_nothing_is_sent(acme, staff, mailbox, data, message):
    from tidings.orgs.models import Domain

    admin, _outsider = staff
    admin.post("/o/acme/admin/domain-add/", data)
    page = admin.get("/o/acme/admin/").content.decode()

    assert message in page
    assert not Domain.objects.exclude(domain="acme.example").exists()
    assert mailbox.messages == []


def test_a_tampered_or_expired_link_verifies_nothing(acme, staff, mailbox, run_hooks):
    from tidings.orgs.domains import SALT as DOMAIN_SALT
    from tidings.orgs.models import Domain

    admin, _outsider = staff
    with run_hooks():
        admin.post("/o/acme/admin/domain-add/", {"domain": "acme-tw.example", "email": "it@acme-tw.example"})
    forged = signing.dumps({"o": acme.id, "d": "acme-tw.example"}, salt="another salt")
    admin.post(f"/o/acme/admin/domains/{forged}/")

    assert "not valid any more" in admin.get("/o/acme/admin/").content.decode()
    assert Domain.objects.get(domain="acme-tw.example").verified is False
    assert DOMAIN_SALT != "another salt"
