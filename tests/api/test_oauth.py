"""OAuth 2 as Mastodon's clients use it: register an app, send the person to the consent page,
trade the code (with PKCE) for a token, use it within its scopes, revoke it."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_application_model

from tidings.accounts import services as accounts
from tidings.accounts.tokens import create_token
from tidings.core.errors import Invalid

from .conftest import Api

pytestmark = pytest.mark.django_db

REDIRECT = "https://client.example/callback"


def register(scopes: str = "read write follow", redirect: str = REDIRECT) -> dict:
    response = Client().post(
        "/api/v1/apps",
        {
            "client_name": "小藍鳥",
            "redirect_uris": redirect,
            "scopes": scopes,
            "website": "https://client.example",
        },
    )
    assert response.status_code == 200, response.content
    return response.json()


def checksum(token: str) -> str:
    """How a token is found in the database: only its SHA-256 is kept (RFC 9700)."""
    return hashlib.sha256(token.encode()).hexdigest()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(
    app: dict, *, scope: str = "read write", challenge: str = "", redirect: str = REDIRECT
) -> str:
    query = {"response_type": "code", "client_id": app["client_id"], "redirect_uri": redirect, "scope": scope}
    if challenge:
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return "/oauth/authorize?" + "&".join(f"{k}={v}" for k, v in query.items())


def consent(browser: Client, url: str, *, allow: bool = True):
    page = browser.get(url)
    assert page.status_code == 200, page.content
    form = page.context["form"].initial
    data = {k: v for k, v in form.items() if v is not None}
    if allow:
        data["allow"] = "1"
    return browser.post(url, data)


def test_registering_an_app_gives_its_id_and_secret_and_keeps_only_a_hash(make_account):
    app = register()

    assert app["name"] == "小藍鳥"
    assert app["scopes"] == ["read", "write", "follow"]
    assert app["redirect_uris"] == [REDIRECT]
    stored = get_application_model().objects.get(client_id=app["client_id"])
    assert stored.client_secret != app["client_secret"]  # hashed at rest


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"redirect_uris": REDIRECT}, "name"),
        (
            {"client_name": "x", "redirect_uris": REDIRECT, "scopes": "read admin:everything"},
            "admin:everything",
        ),
        ({"client_name": "x", "redirect_uris": "javascript:alert(1)"}, "Redirect URI"),
        ({"client_name": "x"}, "Redirect URI"),
    ],
)
def test_a_bad_app_registration_is_refused_in_mastodons_format_and_nothing_is_made(data, message):
    response = Client().post("/api/v1/apps", data)

    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not get_application_model().objects.exists()


def test_the_code_flow_with_pkce_gives_a_token_that_works_for_that_person(make_account, client_for):
    alice = make_account("alice")
    app = register()
    verifier, challenge = pkce()

    page = client_for(alice).get(authorize_url(app, challenge=challenge))
    assert "小藍鳥" in page.content.decode() and "@alice" in page.content.decode()
    redirect = consent(client_for(alice), authorize_url(app, challenge=challenge))
    assert redirect.status_code == 302 and redirect.url.startswith(REDIRECT)
    code = parse_qs(urlsplit(redirect.url).query)["code"][0]
    token = Client().post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )

    assert token.status_code == 200, token.content
    body = token.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "read write" and body["created_at"] > 0
    me = Api(body["access_token"]).get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 200 and me.json()["username"] == "alice"


def test_a_code_cannot_be_used_with_the_wrong_verifier_nor_twice(make_account, client_for):
    alice = make_account("alice")
    app = register()
    verifier, challenge = pkce()
    redirect = consent(client_for(alice), authorize_url(app, challenge=challenge))
    code = parse_qs(urlsplit(redirect.url).query)["code"][0]
    trade = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": REDIRECT,
    }

    wrong = Client().post("/oauth/token", {**trade, "code_verifier": "x" * 50})
    right = Client().post("/oauth/token", {**trade, "code_verifier": verifier})
    again = Client().post("/oauth/token", {**trade, "code_verifier": verifier})

    assert wrong.status_code == 400
    assert right.status_code in (200, 400)  # a failed try may burn the code, as the RFC allows
    assert again.status_code == 400
    assert get_access_token_model().objects.count() <= 1


def test_the_token_endpoint_takes_json_as_mastodon_does(make_account, client_for):
    alice = make_account("alice")
    app = register(redirect="urn:ietf:wg:oauth:2.0:oob")

    shown = consent(client_for(alice), authorize_url(app, redirect="urn:ietf:wg:oauth:2.0:oob"))
    assert shown.status_code == 200  # no place to send it back to: the code is shown to copy
    code = shown.context["code"]
    assert code and code in shown.content.decode()
    token = Client().post(
        "/oauth/token",
        json.dumps(
            {
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
            }
        ),
        content_type="application/json",
    )

    assert token.status_code == 200, token.content


def test_denying_sends_the_client_an_error_and_makes_no_token(make_account, client_for):
    alice = make_account("alice")
    app = register()

    redirect = consent(client_for(alice), authorize_url(app), allow=False)

    assert redirect.status_code == 302 and "error=access_denied" in redirect.url
    assert not get_access_token_model().objects.exists()


def test_an_app_is_never_granted_more_than_it_registered_for(make_account, client_for):
    alice = make_account("alice")
    app = register(scopes="read")

    page = client_for(alice).get(authorize_url(app, scope="read write"))

    assert page.status_code in (302, 400)
    assert "invalid_scope" in (page.url if page.status_code == 302 else page.content.decode())


def test_the_consent_page_asks_a_logged_out_visitor_to_log_in_first():
    app = register()

    response = Client().get(authorize_url(app))

    assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_client_credentials_give_an_app_token_that_reads_public_things_but_is_no_one(make_account):
    app = register()
    token = (
        Client()
        .post(
            "/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "scope": "read",
            },
        )
        .json()["access_token"]
    )
    api = Api(token)

    assert api.get("/api/v1/apps/verify_credentials").json()["name"] == "小藍鳥"
    assert api.get("/api/v1/timelines/public").status_code == 200
    response = api.get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 422
    assert response.json() == {"error": "This method requires an authenticated user"}


def test_a_revoked_token_stops_working_at_once(make_account):
    alice = make_account("alice")
    app = register()
    token = create_token(alice, scopes="read")
    stored = get_access_token_model().objects.get(token_checksum=checksum(token))
    stored.application = get_application_model().objects.get(client_id=app["client_id"])
    stored.save()

    revoked = Client().post(
        "/oauth/revoke",
        {"token": token, "client_id": app["client_id"], "client_secret": app["client_secret"]},
    )

    assert revoked.status_code == 200 and revoked.json() == {}
    response = Api(token).get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}


@pytest.mark.parametrize("token", ["not-a-token", "x" * 600, ""])
def test_an_unknown_token_is_refused_even_where_none_is_needed(token):
    response = Client().get("/api/v1/timelines/public", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}


def test_an_expired_token_or_one_of_a_deactivated_account_is_refused(make_account):
    alice, bob = make_account("alice"), make_account("bob")
    old, gone = create_token(alice, scopes="read"), create_token(bob, scopes="read")
    get_access_token_model().objects.filter(token_checksum=checksum(old)).update(
        expires="2020-01-01T00:00:00Z"
    )
    accounts.deactivate_account(bob)

    for token in (old, gone):
        response = Api(token).get("/api/v1/accounts/verify_credentials")
        assert response.status_code == 401
    assert not get_access_token_model().objects.filter(user=bob).exists()


def test_a_token_with_a_narrower_scope_gets_403_and_changes_nothing(make_account):
    alice = make_account("alice")
    reader = Api(create_token(alice, scopes="read"))

    response = reader.post("/api/v1/statuses", {"status": "不該發出"})

    assert response.status_code == 403
    assert response.json() == {"error": "This action is outside the authorized scopes"}
    from tidings.posts.models import Post

    assert not Post.objects.exists()


def test_a_granular_scope_allows_just_its_part(make_account):
    alice = make_account("alice")
    api = Api(create_token(alice, scopes="read:statuses write:statuses"))

    assert api.post("/api/v1/statuses", {"status": "可以發"}).status_code == 200
    assert api.get("/api/v1/timelines/home").status_code == 200
    assert api.get("/api/v1/notifications").status_code == 403


def test_a_script_token_asks_for_known_scopes_only(make_account):
    alice = make_account("alice")

    with pytest.raises(Invalid):
        create_token(alice, scopes="read superpowers")


def test_the_server_metadata_names_the_endpoints_and_scopes():
    data = Client().get("/.well-known/oauth-authorization-server").json()

    assert data["authorization_endpoint"].endswith("/oauth/authorize")
    assert data["token_endpoint"].endswith("/oauth/token")
    assert data["revocation_endpoint"].endswith("/oauth/revoke")
    assert "S256" in data["code_challenge_methods_supported"]
    assert {"read", "write", "follow", "push", "read:statuses"} <= set(data["scopes_supported"])


def test_settings_list_the_apps_with_access_and_take_one_back(make_account, client_for):
    alice, mallory = make_account("alice"), make_account("mallory")
    token = create_token(alice, scopes="read write")
    stored = get_access_token_model().objects.get(token_checksum=checksum(token))
    page = client_for(alice).get("/settings/sessions/")

    assert "Tidings scripts" in page.content.decode() and "read write" in page.content.decode()
    assert client_for(mallory).post(f"/settings/apps/{stored.id}/revoke/").status_code == 404
    assert Api(token).get("/api/v1/accounts/verify_credentials").status_code == 200
    assert client_for(alice).post(f"/settings/apps/{stored.id}/revoke/").status_code == 302
    assert Api(token).get("/api/v1/accounts/verify_credentials").status_code == 401
