"""Installing apps for an organisation, for one of its groups, or for oneself: who may, where the
app's places then appear, who reaches its pages, and what removing it takes away."""

from __future__ import annotations

import pytest
from django.test import Client

from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.extensions import services
from tidings.extensions.models import Installation
from tidings.orgs.models import AuditEntry
from tidings.posts import services as posts


def cite_url(post):
    return f"/apps/cite/?post={post.id}"


def test_an_admin_installs_an_app_for_the_company_and_its_employees_get_its_post_action(team, client_for):
    note = posts.publish(team.manager, text="季度報告 #內部#", audience="org", organisation_id=team.org.id)
    services.install(team.admin, "cite", organisation=team.org)

    page = client_for(team.employee).get(f"/p/{note.id}/")
    assert f'href="{cite_url(note)}"' in page.content.decode()

    cited = client_for(team.employee).get(cite_url(note))
    assert cited.status_code == 200
    body = cited.content.decode()
    assert "季度報告 #內部#" in body and f"/p/{note.id}/" in body and "@經理" in body
    assert AuditEntry.objects.filter(organisation=team.org, action="app-install", detail__app="cite").exists()


def test_people_the_app_is_not_on_for_neither_see_its_action_nor_reach_its_pages(team, client_for):
    public = posts.publish(team.manager, text="公開的消息")
    services.install(team.admin, "cite", organisation=team.org)

    for outsider in (team.customer, team.rival):
        client = client_for(outsider)
        assert cite_url(public) not in client.get(f"/p/{public.id}/").content.decode()
        assert client.get(cite_url(public)).status_code == 404
        assert client.get("/apps/cite/").status_code == 404
        assert client.get("/apps/no-such-app/").status_code == 404
    anonymous = Client().get(cite_url(public))
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")


def test_an_app_page_reads_a_post_only_through_the_audience_check(team, client_for):
    inside = posts.publish(team.manager, text="只給員工看", audience="org", organisation_id=team.org.id)
    services.install_for_myself(team.customer, "cite")
    client = client_for(team.customer)
    # The customer has the app, but the post is not theirs to see: as if it did not exist.
    missing = client.get(cite_url(inside))
    assert missing.status_code == 404 and "只給員工看" not in missing.content.decode()
    assert client.get("/apps/cite/?post=12345").status_code == 404
    assert client.get("/apps/cite/?post=abc").status_code == 404


def test_a_group_install_is_on_only_for_the_groups_members_and_on_its_posts(team, group, client_for):
    in_group = posts.publish(team.manager, text="組內討論", audience="group", group_id=group.id)
    outside = posts.publish(team.manager, text="全公司", audience="org", organisation_id=team.org.id)
    services.install(team.admin, "cite", organisation=team.org, group_id=group.id)

    member = client_for(team.manager)
    assert cite_url(in_group) in member.get(f"/p/{in_group.id}/").content.decode()
    assert cite_url(outside) not in member.get(f"/p/{outside.id}/").content.decode()
    assert member.get(cite_url(in_group)).status_code == 200
    # An employee outside the group: the app is not on for them.
    assert client_for(team.employee).get(cite_url(outside)).status_code == 404


def test_only_the_organisations_admins_install_and_nothing_changes_when_refused(team, group):
    with pytest.raises(Forbidden):
        services.install(team.employee, "cite", organisation=team.org)
    with pytest.raises(NotFound):
        services.install(team.rival, "cite", organisation=team.org)
    with pytest.raises(NotFound):
        services.install(team.customer, "cite", organisation=team.org, group_id=group.id)
    assert not Installation.objects.exists()


def test_bad_installs_are_refused_with_the_reason(team, group):
    from tidings.groups import services as groups
    from tidings.orgs.models import Organisation

    services.install(team.admin, "cite", organisation=team.org)
    with pytest.raises(Invalid, match="already installed"):
        services.install(team.admin, "cite", organisation=team.org)
    with pytest.raises(NotFound, match="no such app"):
        services.install(team.admin, "no-such-app", organisation=team.org)
    theirs = groups.create_group(Organisation.objects.get(slug="rival"), actor=team.rival, name="別人的組")
    with pytest.raises(Invalid, match="organisation's groups"):
        services.install(team.admin, "cite", organisation=team.org, group_id=theirs.id)
    with pytest.raises(Invalid, match="organisation's groups"):
        services.install(team.admin, "cite", organisation=team.org, group_id="x")
    assert Installation.objects.count() == 1


def test_removing_an_app_takes_its_places_and_pages_away(team, client_for):
    note = posts.publish(team.manager, text="公開")
    made = services.install(team.admin, "cite", organisation=team.org)
    with pytest.raises(Forbidden):
        services.remove(team.employee, made.id)
    with pytest.raises(NotFound):
        services.remove(team.rival, made.id)

    services.remove(team.admin, made.id)

    client = client_for(team.employee)
    assert cite_url(note) not in client.get(f"/p/{note.id}/").content.decode()
    assert client.get(cite_url(note)).status_code == 404
    assert AuditEntry.objects.filter(organisation=team.org, action="app-remove").exists()


def test_an_app_reaching_for_a_permission_it_was_not_given_is_refused(team, client_for):
    note = posts.publish(team.manager, text="公開")
    made = services.install(team.admin, "cite", organisation=team.org)
    # Installed when the app asked for less (a newer version now reads posts).
    Installation.objects.filter(id=made.id).update(scopes="read:accounts")

    refused = client_for(team.employee).get(cite_url(note), headers={"Accept-Language": "en"})
    assert refused.status_code == 403
    assert "not given the permission" in refused.content.decode()


def test_a_person_installs_and_removes_a_personal_app_from_their_settings(team, client_for):
    note = posts.publish(team.manager, text="公開的消息")
    client = client_for(team.customer)
    page = client.get("/settings/apps/")
    assert 'data-app="cite"' in page.content.decode()

    client.post("/settings/apps/", {"app": "cite"})
    assert cite_url(note) in client.get(f"/p/{note.id}/").content.decode()
    assert client.get(cite_url(note)).status_code == 200

    mine = Installation.objects.get(account=team.customer)
    # Someone else's personal install is not theirs to remove.
    assert client_for(team.employee).post("/settings/apps/", {"installation": mine.id}).status_code == 404
    client.post("/settings/apps/", {"installation": mine.id})
    assert not Installation.objects.exists()
    assert client.get(cite_url(note)).status_code == 404


def test_the_admin_page_installs_and_removes_for_the_company_and_a_group(team, group, client_for):
    client = client_for(team.admin)
    page = client.get("/o/demo/admin/apps/").content.decode()
    assert 'data-app="cite"' in page and "產品組" in page

    client.post("/o/demo/admin/apps/install/", {"app": "cite"})
    client.post("/o/demo/admin/apps/install/", {"app": "cite", "group": group.id})
    assert Installation.objects.filter(organisation=team.org).count() == 2
    again = client.post(
        "/o/demo/admin/apps/install/", {"app": "cite"}, follow=True, headers={"Accept-Language": "en"}
    )
    assert "already installed" in again.content.decode()

    for made in Installation.objects.all():
        client.post("/o/demo/admin/apps/remove/", {"installation": made.id})
    assert not Installation.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/o/demo/admin/apps/"),
        ("post", "/o/demo/admin/apps/install/"),
        ("post", "/o/demo/admin/apps/webhook-add/"),
        ("get", "/o/demo/admin/webhooks/1/"),
    ],
)
def test_the_apps_admin_pages_refuse_strangers_other_organisations_and_logged_out_visitors(
    team, client_for, method, path
):
    data = {"app": "cite", "url": "https://example.com/", "events": ["post"]} if method == "post" else {}
    assert getattr(client_for(team.customer), method)(path, data).status_code == 404
    assert getattr(client_for(team.rival), method)(path, data).status_code == 404
    assert getattr(client_for(team.employee), method)(path, data).status_code == 403
    anonymous = getattr(Client(), method)(path, data)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    assert not Installation.objects.exists()


def test_an_admin_installs_tasks_and_projects_from_the_admin_page_and_removes_them(team, group, client_for):
    groups_client = client_for(team.manager)  # a member of the group
    client = client_for(team.admin)
    for key in ("tasks", "projects"):
        client.post("/o/demo/admin/apps/install/", {"app": key})
    installed = {i.app: i for i in Installation.objects.all()}
    assert set(installed) == {"tasks", "projects"}
    panel = groups_client.get(f"/o/demo/g/{group.id}/").content.decode()
    assert f"/apps/tasks/board/?group={group.id}" in panel and f"/apps/projects/?group={group.id}" in panel
    assert groups_client.get("/apps/tasks/").status_code == 200

    for made in installed.values():
        client.post("/o/demo/admin/apps/remove/", {"installation": made.id})
    assert not Installation.objects.exists()
    panel = groups_client.get(f"/o/demo/g/{group.id}/").content.decode()
    assert "/apps/tasks/" not in panel and "/apps/projects/" not in panel
    assert groups_client.get("/apps/tasks/").status_code == 404


def test_a_logged_out_visitor_is_sent_to_log_in_for_the_personal_apps_page(db):
    for method in ("get", "post"):
        answer = getattr(Client(), method)("/settings/apps/", {"app": "cite"} if method == "post" else {})
        assert answer.status_code == 302 and answer.url.startswith("/login/")
    assert not Installation.objects.exists()
