"""Two-factor at log-in, an organisation that requires it, and the list of sessions one can end,
through the pages (no JavaScript)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tidings.accounts import twofactor
from tidings.accounts.models import Account, AccountSession, TwoFactor
from tidings.orgs.models import Membership, Organisation
from tidings.web.views.accounts import PENDING_KEY

from .helpers import EN, anonymous, english

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(1_700_000_010.0)
    monkeypatch.setattr(twofactor, "time", clock)
    return clock


def code_at(secret: str, clock: Clock, steps: int = 0) -> str:
    return twofactor.totp(twofactor.secret_key(secret), clock.now + steps * twofactor.PERIOD)


def enable(account: Account, clock: Clock) -> tuple[str, list[str]]:
    setup = twofactor.begin_setup(account)
    return setup.secret, twofactor.confirm_setup(account, code_at(setup.secret, clock, -1))


def logged_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def password_step(client: Client, account: Account, **data: str):
    return client.post("/login/", {"login": account.handle, "password": PASSWORD, **data})


def log_in(account: Account, user_agent: str = FIREFOX, address: str = "192.0.2.10") -> Client:
    """A browser that logged in through the form (an account without two-factor)."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address, **EN)
    response = password_step(client, account)
    assert response.status_code == 302 and logged_in_as(client) == account.id
    return client


# --- logging in with two-factor -----------------------------------------------------------------------


def test_an_account_without_two_factor_logs_in_with_the_password_alone(make_account):
    account = make_account()
    client = anonymous()

    response = password_step(client, account)

    assert response.status_code == 302 and response.url == "/"
    assert logged_in_as(client) == account.id


def test_a_right_password_asks_for_the_code_and_does_not_log_in_yet(make_account, clock):
    account = make_account()
    enable(account, clock)
    client = anonymous()

    response = password_step(client, account)

    assert response.status_code == 302 and response.url == "/login/two-factor/"
    assert logged_in_as(client) is None
    page = client.get("/login/two-factor/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Code from your authenticator app" in body
    assert "recovery codes" in body
    assert 'autocomplete="one-time-code"' in body
    assert client.get("/settings/").status_code == 302


def test_a_wrong_password_never_reaches_the_code_step(make_account, clock):
    account = make_account()
    enable(account, clock)
    client = anonymous()

    response = client.post("/login/", {"login": account.handle, "password": "not it at all"})

    assert response.status_code == 400
    assert PENDING_KEY not in client.session
    assert "took too long" in client.get("/login/two-factor/").content.decode()


def test_a_wrong_code_is_refused_with_a_clear_message(make_account, clock):
    account = make_account()
    secret, _ = enable(account, clock)
    client = anonymous()
    password_step(client, account)
    wrong = "000000" if code_at(secret, clock) != "000000" else "111111"

    response = client.post("/login/two-factor/", {"code": wrong})

    assert response.status_code == 400
    assert "The code is not right." in response.content.decode()
    assert logged_in_as(client) is None


def test_the_right_code_logs_in_and_records_the_session(make_account, clock):
    account = make_account()
    secret, _ = enable(account, clock)
    client = Client(HTTP_USER_AGENT=FIREFOX, **EN)
    password_step(client, account, next="/settings/")

    response = client.post("/login/two-factor/", {"code": code_at(secret, clock)})

    assert response.status_code == 302 and response.url == "/settings/"
    assert logged_in_as(client) == account.id
    assert PENDING_KEY not in client.session
    row = AccountSession.objects.get(account=account)
    assert row.session_key == client.session.session_key
    assert row.user_agent == FIREFOX and row.ip == "127.0.0.1"


def test_a_code_used_once_cannot_log_in_a_second_browser(make_account, clock):
    account = make_account()
    secret, _ = enable(account, clock)
    first, second = anonymous(), anonymous()
    password_step(first, account)
    password_step(second, account)
    code = code_at(secret, clock)

    assert first.post("/login/two-factor/", {"code": code}).status_code == 302
    refused = second.post("/login/two-factor/", {"code": code})

    assert refused.status_code == 400 and logged_in_as(second) is None


def test_a_recovery_code_logs_in_once(make_account, clock):
    account = make_account()
    _, codes = enable(account, clock)
    first, second = anonymous(), anonymous()
    password_step(first, account)
    password_step(second, account)

    assert first.post("/login/two-factor/", {"code": codes[0]}).status_code == 302
    assert logged_in_as(first) == account.id
    assert second.post("/login/two-factor/", {"code": codes[0]}).status_code == 400
    assert logged_in_as(second) is None


def test_the_code_step_expires_after_five_minutes(make_account, clock):
    account = make_account()
    secret, _ = enable(account, clock)
    client = anonymous()
    password_step(client, account)
    session = client.session
    pending = session[PENDING_KEY]
    assert 290 < pending["until"] - __import__("time").time() <= 300
    pending["until"] -= 301
    session[PENDING_KEY] = pending
    session.save()

    response = client.post("/login/two-factor/", {"code": code_at(secret, clock)})

    assert response.status_code == 400
    assert "Logging in took too long" in response.content.decode()
    assert logged_in_as(client) is None
    assert PENDING_KEY not in client.session
    assert TwoFactor.objects.get(account=account).last_used_step < twofactor.time_step(clock.now)


def test_the_code_step_without_a_password_first_sends_back_to_the_password(make_account):
    client = anonymous()

    page = client.get("/login/two-factor/")
    posted = client.post("/login/two-factor/", {"code": "123456"})

    assert page.status_code == 200 and "Logging in took too long, or was not started" in page.content.decode()
    assert posted.status_code == 400 and logged_in_as(client) is None


def test_wrong_codes_are_limited_per_account(make_account, clock):
    account = make_account()
    secret, _ = enable(account, clock)
    client = anonymous()
    password_step(client, account)
    for _ in range(5):
        assert client.post("/login/two-factor/", {"code": "12345"}).status_code == 400

    response = client.post("/login/two-factor/", {"code": code_at(secret, clock)})

    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert logged_in_as(client) is None


# --- setting up, turning off through the pages ----------------------------------------------------------


def test_setting_up_two_factor_through_the_settings_pages(make_account, client_for, clock):
    account = make_account()
    client = english(client_for(account))
    assert "Two-factor authentication" in client.get("/settings/").content.decode()

    page = client.get("/settings/two-factor/").content.decode()
    secret = TwoFactor.objects.get(account=account).secret
    assert twofactor.grouped(secret) in page
    assert f"otpauth://totp/Tidings:{account.handle}?secret={secret}&amp;issuer=Tidings" in page

    wrong = client.post("/settings/two-factor/", {"code": "12345"})
    assert wrong.status_code == 400 and "The code is not right." in wrong.content.decode()
    assert not twofactor.is_enabled(account)

    done = client.post("/settings/two-factor/", {"code": code_at(secret, clock)})
    body = done.content.decode()
    assert done.status_code == 200
    assert "Your recovery codes" in body
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", body)
    assert len(codes) == 10
    assert twofactor.is_enabled(account)
    again = client.get("/settings/two-factor/").content.decode()
    assert "Two-factor authentication is on" in again and "10 recovery codes left" in again
    assert codes[0] not in again  # shown only once


def test_turning_two_factor_off_through_the_page(make_account, client_for, clock):
    account = make_account()
    secret, _ = enable(account, clock)
    client = english(client_for(account))

    wrong = client.post(
        "/settings/two-factor/disable/", {"password": "not it", "code": code_at(secret, clock)}
    )
    assert wrong.status_code == 400 and "The password is not right." in wrong.content.decode()
    assert twofactor.is_enabled(account)

    done = client.post(
        "/settings/two-factor/disable/", {"password": PASSWORD, "code": code_at(secret, clock)}
    )
    assert done.status_code == 302
    assert not twofactor.is_enabled(account)


# --- an organisation that requires two-factor -------------------------------------------------------------


@pytest.fixture
def strict_member(make_account) -> Account:
    account = make_account()
    org = Organisation.objects.create(slug="strict", name="嚴格公司", require_two_factor=True)
    Membership.objects.create(organisation=org, account=account)
    return account


def test_a_member_without_two_factor_is_sent_to_set_it_up_from_every_page(strict_member, client_for):
    client = english(client_for(strict_member))

    for url in ["/", "/public/", "/settings/", "/settings/sessions/", "/notifications/", "/spaces/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == "/settings/two-factor/", url
    posted = client.post("/compose/", {"text": "hello"})
    assert posted.status_code == 302 and posted.url == "/settings/two-factor/"
    inline = client.post("/compose/", {"text": "hello"}, HTTP_X_TIDINGS_INLINE="1")
    assert inline.status_code == 403 and inline.json()["code"] == "two_factor_required"

    page = client.get("/settings/two-factor/")
    assert page.status_code == 200
    assert "嚴格公司 requires two-factor authentication. Set it up to continue" in page.content.decode()
    logout = client.post("/logout/")
    assert logout.status_code == 302 and logged_in_as(client) is None


def test_once_set_up_the_member_uses_every_page_again(strict_member, client_for, clock):
    client = english(client_for(strict_member))
    client.get("/settings/two-factor/")
    secret = TwoFactor.objects.get(account=strict_member).secret

    client.post("/settings/two-factor/", {"code": code_at(secret, clock)})

    assert client.get("/").status_code == 200
    assert client.get("/settings/").status_code == 200


def test_the_requirement_does_not_reach_people_outside_the_organisation(
    strict_member, make_account, client_for
):
    outsider = make_account()
    Membership.objects.filter(account=strict_member).update(is_active=False)

    assert client_for(outsider).get("/").status_code == 200
    assert client_for(strict_member).get("/").status_code == 200  # removed: no longer bound by it


# --- sessions -------------------------------------------------------------------------------------------


def row_of(client: Client) -> AccountSession:
    return AccountSession.objects.get(session_key=client.session.session_key)


def test_the_sessions_page_lists_each_login_and_marks_this_device(make_account):
    account = make_account()
    laptop = log_in(account, FIREFOX, "192.0.2.10")
    log_in(account, IPHONE, "198.51.100.7")

    response = laptop.get("/settings/sessions/")
    body = response.content.decode()

    assert response.status_code == 200
    assert "Firefox · Linux" in body and "Safari · iPhone" in body
    assert "192.0.2.10" in body and "198.51.100.7" in body
    assert body.count("This device") == 1
    assert body.index("This device") < body.index("Safari · iPhone")  # this one first
    assert "Log out everywhere else" in body
    assert body.count("/revoke/") == 2  # one button per session
    assert body.count("/settings/sessions/revoke-others/") == 1


def test_ending_a_session_logs_that_browser_out_at_once(make_account):
    account = make_account()
    laptop, phone = log_in(account, FIREFOX), log_in(account, IPHONE)
    assert phone.get("/settings/").status_code == 200

    response = laptop.post(f"/settings/sessions/{row_of(phone).id}/revoke/")

    assert response.status_code == 302 and response.url == "/settings/sessions/"
    refused = phone.get("/settings/")
    assert refused.status_code == 302 and refused.url.startswith("/login/")
    assert laptop.get("/settings/").status_code == 200
    assert "Safari · iPhone" not in laptop.get("/settings/sessions/").content.decode()


def test_log_out_everywhere_else_keeps_this_browser(make_account):
    account, other = make_account(), make_account()
    here = log_in(account, FIREFOX)
    elsewhere = [log_in(account, IPHONE), log_in(account, "curl/8.5.0")]
    someone_else = log_in(other)

    response = here.post("/settings/sessions/revoke-others/")

    assert response.status_code == 302
    assert here.get("/settings/").status_code == 200
    assert all(c.get("/settings/").status_code == 302 for c in elsewhere)
    assert someone_else.get("/settings/").status_code == 200
    assert list(AccountSession.objects.filter(account=account).values_list("session_key", flat=True)) == [
        here.session.session_key
    ]


def test_ending_this_very_session_logs_out(make_account):
    account = make_account()
    client = log_in(account)

    response = client.post(f"/settings/sessions/{row_of(client).id}/revoke/")

    assert response.status_code == 302 and response.url == "/login/"
    assert logged_in_as(client) is None
    assert not AccountSession.objects.exists()


def test_a_session_of_someone_else_answers_like_a_missing_one(make_account):
    account, other = make_account(), make_account()
    client, theirs = log_in(account), log_in(other)

    refused = client.post(f"/settings/sessions/{row_of(theirs).id}/revoke/")
    missing = client.post(f"/settings/sessions/{row_of(theirs).id + 1000}/revoke/")

    assert refused.status_code == missing.status_code == 404
    assert theirs.get("/settings/").status_code == 200


def test_logging_out_forgets_the_session(make_account):
    account = make_account()
    client = log_in(account)

    client.post("/logout/")

    assert not AccountSession.objects.exists()


def test_last_seen_is_written_at_most_every_five_minutes(make_account):
    import datetime as dt

    from tidings.accounts.sessions import SEEN_SESSION_KEY

    account = make_account()
    client = log_in(account)
    long_ago = row_of(client).last_seen_at - dt.timedelta(hours=1)
    AccountSession.objects.update(last_seen_at=long_ago)

    client.get("/settings/")
    assert row_of(client).last_seen_at == long_ago  # seen at log-in, less than five minutes ago

    session = client.session
    session[SEEN_SESSION_KEY] -= 301
    session.save()
    client.get("/settings/")
    assert row_of(client).last_seen_at > long_ago


def test_a_session_from_before_sessions_were_recorded_is_listed(make_account, client_for):
    account = make_account()
    client = english(client_for(account))
    AccountSession.objects.all().delete()
    session = client.session
    session.pop("tidings_seen", None)
    session.save()

    body = client.get("/settings/sessions/").content.decode()

    assert "This device" in body
    assert AccountSession.objects.filter(account=account).count() == 1


def test_a_new_password_logs_out_everywhere_else_but_not_here(make_account):
    account = make_account()
    here, elsewhere = log_in(account, FIREFOX), log_in(account, IPHONE)

    response = here.post("/settings/password/", {"current": PASSWORD, "password": "a brand new passphrase"})

    assert response.status_code == 302
    assert "Your password is changed" in here.get(response.url).content.decode()
    assert logged_in_as(here) == account.id
    assert here.get("/settings/").status_code == 200
    assert elsewhere.get("/settings/").status_code == 302
    assert list(AccountSession.objects.values_list("session_key", flat=True)) == [here.session.session_key]


def test_a_wrong_current_password_is_refused(make_account):
    account = make_account()
    client = log_in(account)

    response = client.post("/settings/password/", {"current": "nope", "password": "a brand new passphrase"})

    assert response.status_code == 400
    assert "The current password is not right." in response.content.decode()
    assert Account.objects.get(id=account.id).check_password(PASSWORD)
