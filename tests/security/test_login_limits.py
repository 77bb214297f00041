"""Limits on guessing, end to end: password log-in, the two-factor code step and password-reset
requests are limited per account however many addresses the tries come from, and a burst of
parallel tries against a real `tidings serve` cannot get more checks than the limit.

The client address is REMOTE_ADDR. X-Forwarded-For is believed only from the reverse proxies the
operator names (TIDINGS_TRUSTED_PROXIES), and then only its last address that is not a proxy. The
API has no password log-in: its token endpoint refuses the password grant.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model

from tests.api.conftest import Api
from tests.conftest import PASSWORD
from tests.e2e.conftest import _free_port, _wait_until_up
from tests.installations import POSTGRES, Migrated
from tidings.accounts import services, twofactor
from tidings.accounts.models import Account, AccountSession, TwoFactor

pytestmark = pytest.mark.django_db

NOT_RIGHT = "The handle or password is not right."
WRONG_CODE = "The code is not right."
TOO_MANY = "Too many tries."
PROXY = "10.0.0.5"

# How the tries reach the server: straight from many addresses; from many addresses that also
# write an X-Forwarded-For of their choosing; through the operator's proxy for many people.
MODES = ["direct", "forged-forwarded-for", "through-the-operators-proxy"]


@pytest.fixture
def browser_from(request: pytest.FixtureRequest, settings: Any) -> Callable[[int], Client]:
    """browser_from(n): a new browser (English) at the n-th address of the test's mode."""
    mode = request.node.callspec.params["mode"]
    if mode == "through-the-operators-proxy":
        settings.TRUSTED_PROXIES = [PROXY]

    def make(n: int) -> Client:
        if mode == "direct":
            where = {"REMOTE_ADDR": f"198.51.100.{n}"}
        elif mode == "forged-forwarded-for":
            where = {"REMOTE_ADDR": f"198.51.100.{n}", "HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
        else:
            where = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.1, 203.0.113.{n}"}
        return Client(HTTP_ACCEPT_LANGUAGE="en", **where)

    return make


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def nothing_happened_to(account: Account) -> bool:
    account.refresh_from_db()
    return account.last_login is None and not AccountSession.objects.filter(account=account).exists()


def enable_two_factor(account: Account) -> str:
    secret = twofactor.begin_setup(account).secret
    twofactor.confirm_setup(account, twofactor.totp(twofactor.secret_key(secret)))
    return secret


def right_code(secret: str) -> str:
    """The app's next code (the current one confirmed the setup; one step ahead is accepted)."""
    return twofactor.totp(twofactor.secret_key(secret), time.time() + twofactor.PERIOD)


def wrong_code(secret: str) -> str:
    key = twofactor.secret_key(secret)
    near = {twofactor.totp(key, time.time() + k * twofactor.PERIOD) for k in range(-3, 4)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in near)


# --- per account, from many addresses -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_wrong_passwords_from_many_addresses_lock_the_account_even_for_the_right_password(
    make_account, browser_from, mode
):
    account = make_account("被猜", email="guessed@example.com")
    for n in range(1, services.LOGIN_TRIES_PER_ACCOUNT + 1):
        answer = browser_from(n).post("/login/", {"login": "被猜", "password": f"guess {n}"})
        assert answer.status_code == 400 and NOT_RIGHT in answer.content.decode()

    for spelling in ("被猜", "@被猜", "GUESSED@example.com"):
        browser = browser_from(100 + len(spelling))
        answer = browser.post("/login/", {"login": spelling, "password": PASSWORD})
        assert answer.status_code == 429 and TOO_MANY in answer.content.decode()
        assert not logged_in(browser)
    assert nothing_happened_to(account)


@pytest.mark.parametrize("mode", MODES)
def test_wrong_codes_from_many_addresses_lock_the_code_step_even_for_the_right_code(
    make_account, browser_from, mode
):
    account = make_account("雙重")
    secret = enable_two_factor(account)
    used = TwoFactor.objects.get(account=account).last_used_step
    for n in range(1, twofactor.TRIES_PER_ACCOUNT + 1):
        browser = browser_from(n)
        assert browser.post("/login/", {"login": "雙重", "password": PASSWORD}).status_code == 302
        answer = browser.post("/login/two-factor/", {"code": wrong_code(secret)})
        assert answer.status_code == 400 and WRONG_CODE in answer.content.decode()

    browser = browser_from(99)
    assert browser.post("/login/", {"login": "雙重", "password": PASSWORD}).status_code == 302
    answer = browser.post("/login/two-factor/", {"code": right_code(secret)})
    assert answer.status_code == 429 and TOO_MANY in answer.content.decode()
    assert not logged_in(browser)
    assert nothing_happened_to(account)
    assert TwoFactor.objects.get(account=account).last_used_step == used  # the right code is not spent


@pytest.mark.parametrize("mode", MODES)
def test_reset_links_are_limited_per_account_from_many_addresses(
    make_account, browser_from, mailbox, run_hooks, mode
):
    account = make_account("健忘", email="forgets@example.com")
    answers = []
    for n in range(1, services.RESET_TRIES_PER_ACCOUNT + 3):
        with run_hooks():
            answers.append(browser_from(n).post("/password-reset/", {"login": "健忘"}))
    assert [a.status_code for a in answers] == [200] * services.RESET_TRIES_PER_ACCOUNT + [429, 429]
    assert TOO_MANY in answers[-1].content.decode()
    assert len(mailbox.messages) == services.RESET_TRIES_PER_ACCOUNT
    before = account.password
    account.refresh_from_db()
    assert account.password == before


def test_the_reset_limit_answers_alike_whether_the_account_exists(make_account, mailbox, run_hooks):
    make_account("真的有", email="real@example.com")

    def asks(login: str) -> list[tuple[int, str]]:
        seen = []
        for n in range(1, services.RESET_TRIES_PER_ACCOUNT + 3):
            browser = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=f"198.51.100.{n}")
            with run_hooks():
                answer = browser.post("/password-reset/", {"login": login})
            text = answer.content.decode()
            seen.append(
                (answer.status_code, "sent" if "If an account" in text else TOO_MANY * (TOO_MANY in text))
            )
        return seen

    assert asks("真的有") == asks("沒這個人") == asks("nobody@example.com")


# --- the client address and X-Forwarded-For ------------------------------------------------------


def try_unknown(browser: Client, n: int) -> int:
    return int(browser.post("/login/", {"login": f"nobody{n}", "password": "guess"}).status_code)


def test_a_forwarded_for_header_from_anyone_but_the_operators_proxy_is_ignored(db, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    limit = services.LOGIN_TRIES_PER_ADDRESS
    answers = [
        try_unknown(Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n % 250}"), n)
        for n in range(limit + 1)
    ]
    assert answers == [400] * limit + [429]  # one address, whatever the header said


def test_behind_the_operators_proxy_each_person_counts_under_their_own_address(db, settings):
    settings.TRUSTED_PROXIES = [PROXY, "10.1.0.0/16"]
    limit = services.LOGIN_TRIES_PER_ADDRESS

    def through_proxy(forwarded: str) -> Client:
        return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    # A second proxy hop (10.1.2.3) is skipped; what the client wrote before its own address is not believed.
    answers = [
        try_unknown(through_proxy(f"198.51.100.{n}, 203.0.113.1, 10.1.2.3"), n) for n in range(limit + 1)
    ]
    assert answers == [400] * limit + [429]
    assert try_unknown(through_proxy("203.0.113.2"), 900) == 400  # someone else behind the proxy
    assert try_unknown(through_proxy("203.0.113.1"), 901) == 429
    # The proxy's own address, for a request that names nobody, is another count.
    assert try_unknown(Client(REMOTE_ADDR=PROXY), 902) == 400
    # Without the operator's word, the same header from the same peer is not believed.
    settings.TRUSTED_PROXIES = []
    assert try_unknown(through_proxy("203.0.113.1"), 903) == 400


def test_a_mistyped_proxy_address_stops_the_server_from_starting_and_says_which(settings):
    from django.core.exceptions import ImproperlyConfigured
    from django.core.handlers.wsgi import WSGIHandler

    settings.TRUSTED_PROXIES = [PROXY, "10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match=r"TIDINGS_TRUSTED_PROXIES: .*10\.0\.0\.300"):
        WSGIHandler()  # what a web process builds as it starts (tidings.wsgi)


def test_only_the_operators_proxy_may_say_a_request_came_over_https(db, settings):
    # As TIDINGS_TLS sets them: the proxy's header is believed, and plain http is sent to https.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXIES = [PROXY]

    through_proxy = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https").get("/login/")
    straight = Client(REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https").get("/login/")

    assert through_proxy.status_code == 200
    assert straight.status_code == 301 and straight["Location"].startswith("https://")


def test_the_api_has_no_password_log_in(make_account):
    make_account("應用使用者")
    app = Api().post(
        "/api/v1/apps",
        {"client_name": "猜密碼", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"},
    )
    assert app.status_code == 200
    answer = Client().post(
        "/oauth/token",
        {
            "grant_type": "password",
            "username": "應用使用者",
            "password": PASSWORD,
            "client_id": app.json()["client_id"],
            "client_secret": app.json()["client_secret"],
            "scope": "read",
        },
    )
    assert answer.status_code in (400, 401) and "access_token" not in answer.json()
    assert not get_access_token_model().objects.exists()


# --- bursts against a real server -----------------------------------------------------------------


@dataclass
class Live:
    url: str
    env: dict[str, str]

    def tidings(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tidings.cli", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, migrated: Migrated) -> Iterator[Live]:
    """A real `tidings serve` on its own data (and its own PostgreSQL database and Redis prefix
    in scale-out mode), as tests/e2e/conftest.py starts one; no worker is needed here."""
    env = os.environ.copy()
    env.pop("TIDINGS_TASKS_IMMEDIATE", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TIDINGS_REDIS_PREFIX"] = prefix = f"tidings-limits-{os.getpid()}:"
    name = f"tidings_limits_{os.getpid()}" if POSTGRES else ""
    env.update(migrated.copy(tmp_path_factory.mktemp("limits-data"), name))
    command = [sys.executable, "-m", "tidings.cli"]
    port = _free_port()
    web = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--streaming-port", "0", "--workers", "1"],
        env={**env, "TIDINGS_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", web)
        yield Live(f"http://127.0.0.1:{port}", env)
    finally:
        web.send_signal(signal.SIGINT)
        try:
            web.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.kill()
        migrated.drop(name)
        if env.get("TIDINGS_REDIS_URL"):
            import redis

            client = redis.Redis.from_url(env["TIDINGS_REDIS_URL"])
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)


@dataclass
class Browser:
    """A browser of its own (cookies, CSRF token) that connects from one loopback address, so
    each browser is a different client address to the server."""

    url: str
    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        where = urlsplit(self.url)
        conn = http.client.HTTPConnection(
            where.hostname, where.port, timeout=120, source_address=(self.address, 0)
        )
        headers = {"Accept-Language": "en", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies["csrftoken"]})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            text = answer.read().decode()
            for cookie in answer.headers.get_all("Set-Cookie") or []:
                key, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = value.strip()
            return answer.status, text
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        return self.request("POST", path, form)


def browsers(live: Live, first: int, count: int) -> list[Browser]:
    made = [Browser(live.url, f"127.0.0.{first + i}") for i in range(count)]
    for browser in made:
        assert browser.get("/login/")[0] == 200  # its CSRF cookie
    return made


def burst(
    people: list[Browser], path: str, form: Callable[[], dict[str, str]], each: int
) -> list[tuple[int, str]]:
    """Every browser at once (a barrier starts them together), each sending `each` tries in a row."""
    start = threading.Barrier(len(people))

    def run(browser: Browser) -> list[tuple[int, str]]:
        start.wait()
        return [browser.post(path, form()) for _ in range(each)]

    with ThreadPoolExecutor(len(people)) as pool:
        return [answer for answers in pool.map(run, people) for answer in answers]


def make_live_account(live: Live, handle: str) -> None:
    live.tidings(
        "createuser", handle, "--email", f"{handle}@example.com", "--password-stdin", stdin=PASSWORD + "\n"
    )


@pytest.mark.e2e
def test_a_burst_of_parallel_wrong_passwords_gets_no_more_checks_than_the_limit(live):
    make_live_account(live, "burst-login")
    answers = burst(
        browsers(live, 10, 8),
        "/login/",
        lambda: {"login": "burst-login", "password": "not the password"},
        each=5,
    )
    checked = [a for a in answers if a[0] == 400 and NOT_RIGHT in a[1]]
    refused = [a for a in answers if a[0] == 429 and TOO_MANY in a[1]]
    assert (len(checked), len(refused)) == (
        services.LOGIN_TRIES_PER_ACCOUNT,
        40 - services.LOGIN_TRIES_PER_ACCOUNT,
    )

    late = browsers(live, 30, 1)[0]
    status, text = late.post("/login/", {"login": "burst-login", "password": PASSWORD})
    assert status == 429 and TOO_MANY in text
    assert "sessionid" not in late.cookies


@pytest.mark.e2e
def test_a_burst_of_parallel_wrong_codes_gets_no_more_checks_than_the_limit(live):
    make_live_account(live, "burst-code")
    owner = browsers(live, 40, 1)[0]
    assert owner.post("/login/", {"login": "burst-code", "password": PASSWORD})[0] == 302
    page = owner.get("/settings/two-factor/")[1]
    found = re.search(r'<p class="secret"><code>([A-Z2-7 ]+)</code>', page)
    assert found is not None
    secret = found.group(1).replace(" ", "")
    confirmed = owner.post("/settings/two-factor/", {"code": twofactor.totp(twofactor.secret_key(secret))})
    assert confirmed[0] == 200 and "recovery" in confirmed[1].lower()

    people = browsers(live, 50, 8)
    for browser in people:  # each at the code step, in its own session
        status, _ = browser.post("/login/", {"login": "burst-code", "password": PASSWORD})
        assert status == 302
    answers = burst(people, "/login/two-factor/", lambda: {"code": wrong_code(secret)}, each=5)
    checked = [a for a in answers if a[0] == 400 and WRONG_CODE in a[1]]
    refused = [a for a in answers if a[0] == 429 and TOO_MANY in a[1]]
    assert (len(checked), len(refused)) == (twofactor.TRIES_PER_ACCOUNT, 40 - twofactor.TRIES_PER_ACCOUNT)

    status, text = people[0].post("/login/two-factor/", {"code": right_code(secret)})
    assert status == 429 and TOO_MANY in text


def test_a_very_long_login_name_is_counted_like_any_other(db, settings):
    settings.REDIS_URL = ""  # the counters' own table, as on one machine without Redis
    from tidings.core import ratelimit
    from tidings.core.models import RateCounter

    name = "長" * 300
    assert Client().post("/login/", {"login": name, "password": "guess"}).status_code == 400
    assert Client().post("/login/", {"login": name, "password": "guess"}).status_code == 400

    counted = RateCounter.objects.filter(key__startswith="login:acct:").get()
    assert counted.count == 2 and len(counted.key) <= 200  # the column PostgreSQL enforces
    with pytest.raises(ratelimit.RateLimited):
        for _ in range(100):
            ratelimit.hit(f"login:acct:{name}", limit=50, window_seconds=60)


@pytest.mark.parametrize("redis", [False, True], ids=["table", "redis"])
def test_a_whole_office_behind_one_address_can_log_in_but_guesses_from_it_are_still_limited(
    make_account, settings, redis
):
    settings.REDIS_URL = (settings.REDIS_URL or "redis://127.0.0.1:6379/0") if redis else ""
    settings.REDIS_PREFIX = f"office-{uuid.uuid4().hex}:"  # counters of this test alone
    staff = [make_account(f"同事{n}") for n in range(services.LOGIN_TRIES_PER_ADDRESS + 5)]

    def from_office(login: str, password: str) -> Client:
        browser = Client(REMOTE_ADDR="198.51.100.200", HTTP_ACCEPT_LANGUAGE="en")
        browser.post("/login/", {"login": login, "password": password})
        return browser

    assert all(logged_in(from_office(person.handle, PASSWORD)) for person in staff)
    guessing = Client(REMOTE_ADDR="198.51.100.200", HTTP_ACCEPT_LANGUAGE="en")
    guesses = [
        guessing.post("/login/", {"login": f"猜{n}", "password": "wrong"}).content.decode()
        for n in range(services.LOGIN_TRIES_PER_ADDRESS + 1)
    ]
    assert all(NOT_RIGHT in answer for answer in guesses[:-1])
    assert TOO_MANY in guesses[-1]
