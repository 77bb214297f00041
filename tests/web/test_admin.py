"""The admin console of an organisation: owners and admins only, every change audited, bad
input told clearly with nothing changed."""

from __future__ import annotations

import pytest
from django.test import Client

from tidings.orgs import services as orgs
from tidings.orgs.models import AuditEntry, Domain, Membership, Organisation, PolicyRule

from .helpers import EN, NOT_FOUND_MESSAGE, comparable

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_account, client_for):
    owner, member, outsider, guest = (make_account(h) for h in ("老闆", "員工", "外人", "訪客"))
    org = orgs.create_organisation(slug="acme", name="Acme", owner=owner)
    orgs.add_member(org, member)
    orgs.add_member(org, guest, role="guest")
    clients = {
        name: client_for(a)
        for name, a in [("owner", owner), ("member", member), ("outsider", outsider), ("guest", guest)]
    }
    clients["anonymous"] = Client()
    for c in clients.values():
        c.defaults.update(EN)
    return org, clients, {"owner": owner, "member": member, "outsider": outsider}


def console_text(client: Client) -> str:
    response = client.get("/o/acme/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_owner_opens_the_console_with_members_domains_rules_and_the_audit_log(acme):
    _org, clients, _people = acme
    html = console_text(clients["owner"])
    for section in (
        "Members and roles",
        "Invitations",
        "Email domains",
        "Leak prevention rules",
        "Audit log",
    ):
        assert section in html
    assert "org.create" in html


def test_a_member_is_told_only_admins_may_open_it(acme):
    _org, clients, _people = acme
    response = clients["member"].get("/o/acme/admin/")
    assert response.status_code == 403
    assert "Only the organisation" in response.content.decode()
    assert clients["member"].post("/o/acme/admin/settings/", {"post_max_length": "500"}).status_code == 403
    assert Organisation.objects.get(slug="acme").post_max_length == 140


@pytest.mark.parametrize("viewer", ["outsider", "guest"])
def test_outsiders_and_guests_get_the_same_404_as_for_no_organisation(acme, viewer):
    _org, clients, _people = acme
    client = clients[viewer]
    missing = comparable(client.get("/o/nothere/admin/").content, "nothere")
    response = client.get("/o/acme/admin/")
    assert response.status_code == 404
    assert comparable(response.content, "acme") == missing
    assert NOT_FOUND_MESSAGE in missing
    assert (
        client.post(
            "/o/acme/admin/domain-add/", {"domain": "evil.example", "email": "a@evil.example"}
        ).status_code
        == 404
    )
    assert not Domain.objects.exists()


def test_a_logged_out_visitor_is_sent_to_log_in(acme):
    _org, clients, _people = acme
    response = clients["anonymous"].get("/o/acme/admin/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_changes_are_made_and_audited_with_the_address(acme):
    org, clients, people = acme
    owner = clients["owner"]
    assert owner.post("/o/acme/admin/role/", {"handle": "員工", "role": "admin"}).status_code == 302
    assert Membership.objects.get(organisation=org, account=people["member"]).role == "admin"
    owner.post("/o/acme/admin/domain-add/", {"domain": "Acme.Example", "email": "it@acme.example"})
    assert list(Domain.objects.values_list("domain", flat=True)) == ["acme.example"]
    owner.post("/o/acme/admin/settings/", {"post_max_length": "300", "members_may_create_groups": "on"})
    org.refresh_from_db()
    assert (org.post_max_length, org.members_may_create_groups, org.require_two_factor) == (300, True, False)
    owner.post("/o/acme/admin/rule-add/", {"pattern": "機密", "rule_action": "block", "reason": "不得外流"})
    assert PolicyRule.objects.filter(organisation=org, pattern="機密").exists()
    actions = set(AuditEntry.objects.filter(organisation=org).values_list("action", flat=True))
    assert {"member.role", "domain.add", "settings.update", "policy.add"} <= actions
    assert AuditEntry.objects.filter(action="domain.add").get().address == "127.0.0.1"


def test_an_invitation_link_is_shown_once(acme):
    _org, clients, _people = acme
    owner = clients["owner"]
    owner.post("/o/acme/admin/invite/", {"role": "member", "days": "7"})
    first = console_text(owner)
    assert "/join/" in first
    assert "/join/" not in console_text(owner)


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("settings", {"post_max_length": "99999"}, "between 140 and 2000"),
        ("settings", {"post_max_length": "300", "client_audience": "mars"}, "either to the public or inside"),
        (
            "rule-add",
            {"pattern": "(oops", "is_regex": "on", "rule_action": "block", "reason": "x"},
            "does not compile",
        ),
        ("domain-add", {"domain": "not a domain", "email": "it@x.example"}, "not a valid domain"),
        ("remove", {"handle": "老闆"}, "at least one owner"),
        ("invite", {"role": "member", "days": "90"}, "between 1 and 30 days"),
    ],
)
def test_bad_input_is_told_clearly_and_changes_nothing(acme, action, data, message):
    org, clients, _people = acme
    before = (
        Organisation.objects.values_list("post_max_length", flat=True).get(id=org.id),
        PolicyRule.objects.count(),
        Domain.objects.count(),
        Membership.objects.filter(is_active=True).count(),
    )
    response = clients["owner"].post(f"/o/acme/admin/{action}/", data)
    assert response.status_code == 302
    assert message in console_text(clients["owner"])
    after = (
        Organisation.objects.values_list("post_max_length", flat=True).get(id=org.id),
        PolicyRule.objects.count(),
        Domain.objects.count(),
        Membership.objects.filter(is_active=True).count(),
    )
    assert after == before


def test_a_logo_is_uploaded_by_an_admin_shown_on_the_brand_page_and_an_svg_is_refused(acme):
    from .helpers import png_upload

    org, clients, _people = acme
    from django.core.files.uploadedfile import SimpleUploadedFile

    svg_bytes = b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    svg = SimpleUploadedFile("logo.png", svg_bytes, content_type="image/png")
    clients["owner"].post("/o/acme/admin/logo/", {"logo": svg})
    assert "not a picture we accept" in console_text(clients["owner"])
    org.refresh_from_db()
    assert org.logo == ""
    assert clients["member"].post("/o/acme/admin/logo/", {"logo": png_upload()}).status_code == 403
    clients["owner"].post("/o/acme/admin/logo/", {"logo": png_upload()})
    org.refresh_from_db()
    assert org.logo.startswith("logos/")
    brand = clients["anonymous"].get("/brand/acme/").content.decode()
    assert f"/media/{org.logo}" in brand
    assert clients["anonymous"].get(f"/media/{org.logo}").status_code == 200


def test_an_admin_sends_posts_of_apps_that_name_no_audience_inside(acme):
    org, clients, _people = acme

    clients["owner"].post("/o/acme/admin/settings/", {"post_max_length": "140", "client_audience": "org"})

    assert Organisation.objects.get(id=org.id).client_audience == "org"
