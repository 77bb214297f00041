"""Security headers on every kind of answer of a real `tidings serve`, HSTS only when the operator
says the site is on TLS, and `tidings manage check --deploy` clean with the production settings
the README gives (with what the OAuth settings behind that clean check really do)."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model
from PIL import Image

from tests.api.test_oauth import REDIRECT, authorize_url, consent, register
from tests.security.conftest import Answer, LiveServer
from tidings.accounts.tokens import create_token
from tidings.core import images

GB = 1024**3
HSTS = "max-age=31536000; includeSubDomains; preload"


def planted_avatar(server: LiveServer) -> str:
    """An avatar as set_avatar stores it (our re-encoding, a name of ours) in the server's media
    folder: avatars are served without a database lookup, and these servers have no tables."""
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "orange").save(out, "PNG")
    processed = images.process_avatar(out.getvalue(), max_bytes=10 * 2**20, max_pixels=40_000_000)
    relative = f"avatars/1/{secrets.token_urlsafe(16)}.png"
    path = server.data_dir / "media" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(processed.data)
    return relative


def _page(server: LiveServer, headers: dict[str, str]) -> Answer:
    return server.request("GET", "/login/", headers=headers)


def _json(server: LiveServer, headers: dict[str, str]) -> Answer:
    return server.request("GET", "/api/tidings/v1/openapi.json", headers=headers)


def _api_error(server: LiveServer, headers: dict[str, str]) -> Answer:
    return server.request("GET", "/api/v1/accounts/verify_credentials", headers=headers)


def _media(server: LiveServer, headers: dict[str, str]) -> Answer:
    return server.request("GET", f"/media/{planted_avatar(server)}", headers=headers)


def _not_found(server: LiveServer, headers: dict[str, str]) -> Answer:
    return server.request("GET", "/no-such-page/", headers=headers)


def _too_large(server: LiveServer, headers: dict[str, str]) -> Answer:
    return server.request(
        "POST",
        "/compose/",
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(GB)},
        body=b"text=" + b"x" * 1024,
    )


def _csrf_failure(server: LiveServer, headers: dict[str, str]) -> Answer:
    # For https, Django's CSRF check also wants a Referer of our own: send one, so that what fails
    # is the missing token and cookie alone.
    return server.request(
        "POST",
        "/login/",
        headers={
            **headers,
            "Referer": "https://127.0.0.1/login/",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=b"login=a&password=b",
    )


KINDS: dict[str, tuple[Callable[[LiveServer, dict[str, str]], Answer], int, str]] = {
    "page": (_page, 200, "text/html; charset=utf-8"),
    "json": (_json, 200, "application/json"),
    "api-error": (_api_error, 401, "application/json"),
    "media": (_media, 200, "image/png"),
    "404": (_not_found, 404, "text/html; charset=utf-8"),
    "413": (_too_large, 413, "text/html; charset=utf-8"),
    "csrf-failure": (_csrf_failure, 403, "text/html; charset=utf-8"),
}


def assert_guarded(answer: Answer) -> None:
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy or "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy or "default-src 'none'" in policy  # no inline script
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_answer_on_plain_http_carries_the_security_headers_but_no_hsts(
    plain_server: LiveServer, kind
):
    send, status, content_type = KINDS[kind]

    answer = send(plain_server, {"Accept-Language": "en"})

    assert (answer.status, answer.headers["content-type"]) == (status, content_type)
    assert_guarded(answer)
    assert "strict-transport-security" not in answer.headers


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_answer_over_tls_carries_the_security_headers_and_hsts(tls_server: LiveServer, kind):
    send, status, content_type = KINDS[kind]

    answer = send(tls_server, {"Accept-Language": "en", "X-Forwarded-Proto": "https"})

    assert (answer.status, answer.headers["content-type"]) == (status, content_type)
    assert_guarded(answer)
    assert answer.headers["strict-transport-security"] == HSTS


def test_media_has_a_policy_of_its_own_that_runs_nothing(plain_server: LiveServer):
    answer = _media(plain_server, {})

    assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'; sandbox"
    assert answer.headers["content-disposition"] == "inline"
    assert answer.body.startswith(b"\x89PNG\r\n\x1a\n")


def test_cookies_over_tls_are_secure_and_plain_http_is_sent_to_https(tls_server: LiveServer):
    secure = tls_server.request("GET", "/login/", headers={"X-Forwarded-Proto": "https"})
    plain = tls_server.request("GET", "/login/?next=/settings/")

    assert "csrftoken=" in secure.headers["set-cookie"] and "Secure" in secure.headers["set-cookie"]
    assert plain.status == 301
    assert plain.headers["location"] == "https://127.0.0.1/login/?next=/settings/"
    assert "strict-transport-security" not in plain.headers  # only ever sent over https
    assert "set-cookie" not in plain.headers


def test_the_health_check_of_a_tls_site_still_answers_the_proxy_over_plain_http(tls_server: LiveServer):
    answer = tls_server.request("GET", "/healthz")

    assert (answer.status, answer.body) == (200, b"ok")


def test_a_plain_http_site_believes_no_client_that_claims_https(plain_server: LiveServer):
    answer = plain_server.request("GET", "/login/", headers={"X-Forwarded-Proto": "https"})

    assert answer.status == 200
    assert "strict-transport-security" not in answer.headers
    assert "Secure" not in answer.headers["set-cookie"]


# --- check --deploy -----------------------------------------------------------------------------


def production_env(data_dir: Path, **changes: str) -> dict[str, str]:
    """The environment README.md ("In production") tells an operator to set, and nothing of the
    test run's (its settings module, its data directory)."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    # On PostgreSQL and Redis when the suite runs there (the checks do not connect to them).
    env |= {
        name: os.environ[name] for name in ("TIDINGS_DATABASE_URL", "TIDINGS_REDIS_URL") if name in os.environ
    }
    env |= {
        "TIDINGS_DATA_DIR": str(data_dir),
        "TIDINGS_SECRET_KEY": secrets.token_urlsafe(50),
        "TIDINGS_ALLOWED_HOSTS": "tidings.example.com",
        "TIDINGS_SITE_URL": "https://tidings.example.com",
        "TIDINGS_TLS": "1",
        "TIDINGS_DEBUG": "0",
    }
    return env | changes


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tidings.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    done = check_deploy(production_env(tmp_path / "data"))

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("System check identified no issues")


def test_check_deploy_warns_when_debug_is_on_or_tls_is_off(tmp_path):
    """The checks are really run: the same command fails on what an operator must not ship."""
    debug = check_deploy(production_env(tmp_path / "a", TIDINGS_DEBUG="1"))
    no_tls = check_deploy(production_env(tmp_path / "b", TIDINGS_TLS="0"))

    assert debug.returncode != 0 and "security.W018" in debug.stderr
    assert no_tls.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in no_tls.stderr  # HSTS, redirect to https, secure session and CSRF cookies


def test_no_django_security_check_is_silenced():
    from django.conf import settings

    assert not [name for name in settings.SILENCED_SYSTEM_CHECKS if name.startswith("security.")]


# --- what the OAuth settings behind a clean check do ----------------------------------------------


@pytest.mark.django_db
def test_an_api_token_is_kept_at_rest_only_as_its_checksum(make_account):
    token = create_token(make_account("金庫"), scopes="read")

    stored = get_access_token_model().objects.get()
    assert stored.token == ""
    assert stored.token_checksum == hashlib.sha256(token.encode()).hexdigest()
    answer = Client().get("/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


@pytest.mark.django_db
def test_the_consent_page_names_the_issuer_and_refuses_plain_pkce(make_account, client_for):
    person, app = make_account("授權者"), register()
    issuer = Client().get("/.well-known/oauth-authorization-server").json()["issuer"]

    allowed = consent(client_for(person), authorize_url(app, challenge="x" * 43))
    plain_url = authorize_url(app) + "&code_challenge=" + "x" * 43 + "&code_challenge_method=plain"
    plain = consent(client_for(person), plain_url)

    assert allowed.status_code == 302 and allowed.url.startswith(REDIRECT)
    assert parse_qs(urlsplit(allowed.url).query)["iss"] == [issuer]
    assert plain.status_code == 302 and "error=invalid_request" in plain.url and "code=" not in plain.url
