"""External apps: registered by an organisation's admin from a manifest, they are OAuth clients that
may be granted only what the manifest asks for, only by people they are installed for; removing
them takes the tokens back."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from tests.api.conftest import Api
from tidings.core.errors import Forbidden, Invalid
from tidings.extensions import external, services
from tidings.extensions.models import ExternalApp, Installation
from tidings.posts import services as posts

MANIFEST = {
    "key": "crm-sync",
    "name": {"en": "CRM", "zh-hant": "客戶管理"},
    "icon": "📇",
    "scopes": ["read:statuses"],
    "places": [
        {"kind": "post_action", "label": {"en": "To CRM", "zh-hant": "存到客戶管理"}, "path": "import"}
    ],
}
SITE = "https://crm.example.com"


def register(team, **changes):
    fields = {
        "manifest": json.dumps(MANIFEST),
        "website": SITE,
        "redirect_uri": SITE + "/callback",
        **changes,
    }
    return external.register(team.admin, team.org, **fields)


def authorize(client, app, scope="read:statuses"):
    query = urlencode(
        {
            "client_id": app.client.client_id,
            "redirect_uri": SITE + "/callback",
            "response_type": "code",
            "scope": scope,
        }
    )
    return client.get(f"/oauth/authorize?{query}", headers={"Accept-Language": "en"})


def token_for(app, person, scope="read:statuses"):
    value = secrets.token_urlsafe(24)
    get_access_token_model().objects.create(
        user=person,
        application=app.client,
        token=value,
        scope=scope,
        expires=timezone.now() + dt.timedelta(days=1),
    )
    return value


def test_an_installed_external_app_plugs_its_post_action_and_is_authorized_by_employees(team, client_for):
    app, client_id, secret = register(team)
    assert app.client.scopes == "read:statuses" and client_id and secret
    services.install(team.admin, "crm-sync", organisation=team.org)
    note = posts.publish(team.manager, text="客戶想要報價")

    page = client_for(team.employee).get(f"/p/{note.id}/", headers={"Accept-Language": "en"}).content.decode()
    assert f'href="{SITE}/import?post={note.id}"' in page and "To CRM" in page

    consent = authorize(client_for(team.employee), app)
    assert consent.status_code == 200 and "read:statuses" in consent.content.decode()


def test_people_it_is_not_installed_for_cannot_authorize_it(team, client_for):
    app, _id, _secret = register(team)
    refused = authorize(client_for(team.employee), app)  # registered, not installed
    assert refused.status_code == 403 and "not installed for you" in refused.content.decode()
    services.install(team.admin, "crm-sync", organisation=team.org)
    assert authorize(client_for(team.customer), app).status_code == 403


def test_an_app_asking_for_a_permission_its_manifest_did_not_is_refused(team, client_for):
    app, _id, _secret = register(team)
    services.install(team.admin, "crm-sync", organisation=team.org)
    answer = authorize(client_for(team.employee), app, scope="read:statuses write:statuses")
    assert answer.status_code == 302 and "error=invalid_scope" in answer.url
    # A token it holds cannot reach further than it was given either.
    token = token_for(app, team.employee)
    assert Api(token).post("/api/v1/statuses", {"status": "偷發"}).status_code == 403


def test_removing_the_app_takes_back_the_tokens_of_those_it_no_longer_serves(team, client_for):
    app, _id, _secret = register(team)
    installed = services.install(team.admin, "crm-sync", organisation=team.org)
    token = token_for(app, team.employee)
    assert Api(token).get("/api/v1/timelines/home").status_code == 200

    services.remove(team.admin, installed.id)

    assert Api(token).get("/api/v1/timelines/home").status_code == 401
    assert not get_access_token_model().objects.filter(application=app.client).exists()


def test_unregistering_the_app_removes_its_client_installs_and_tokens(team):
    app, _id, _secret = register(team)
    services.install(team.admin, "crm-sync", organisation=team.org)
    token = token_for(app, team.employee)
    external.unregister(team.admin, team.org, app.id)
    assert not ExternalApp.objects.exists() and not Installation.objects.exists()
    assert Api(token).get("/api/v1/timelines/home").status_code == 401


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"manifest": json.dumps({**MANIFEST, "scopes": ["admin:all"]})}, "does not exist: admin:all"),
        ({"manifest": "{not json"}, "JSON object"),
        ({"manifest": json.dumps({**MANIFEST, "key": "cite"})}, "Another app has the key"),
        ({"website": "http://crm.example.com"}, "https"),
        ({"redirect_uri": "https://evil.example.com/callback"}, "its own site"),
        ({"manifest": json.dumps({**MANIFEST, "targets": ["personal"]})}, "organisation or its groups"),
    ],
)
def test_a_bad_external_app_is_refused_with_the_reason_and_nothing_is_made(team, changes, reason):
    with pytest.raises(Invalid, match=reason):
        register(team, **changes)
    assert not ExternalApp.objects.exists()


def test_only_the_organisations_admins_register_apps_and_only_it_installs_them(team):
    with pytest.raises(Forbidden):
        external.register(
            team.employee, team.org, manifest=MANIFEST, website=SITE, redirect_uri=SITE + "/callback"
        )
    register(team)
    from tidings.core.errors import NotFound
    from tidings.orgs.models import Organisation

    with pytest.raises(NotFound):
        services.install(team.rival, "crm-sync", organisation=Organisation.objects.get(slug="rival"))


def test_the_consent_form_cannot_be_posted_for_an_app_not_installed_for_the_person(team, client_for):
    app, _id, _secret = register(team)  # registered, not installed
    from oauth2_provider.models import get_application_model

    stock = get_application_model().objects.create(
        name="Stock client",
        redirect_uris=SITE + "/callback",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        client_secret="x" * 32,
        scopes="read",
    )
    query = urlencode(
        {"client_id": stock.client_id, "redirect_uri": SITE + "/callback", "response_type": "code"}
    )
    form = {
        "client_id": app.client.client_id,
        "redirect_uri": SITE + "/callback",
        "response_type": "code",
        "scope": "read:statuses",
        "allow": "Authorize",
    }
    answer = client_for(team.employee).post(f"/oauth/authorize?{query}", form)
    assert answer.status_code == 403
    from oauth2_provider.models import get_grant_model

    assert not get_grant_model().objects.filter(application=app.client).exists()
