"""Two-factor authentication (RFC 6238 TOTP plus recovery codes) and the sessions a person can end."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from tests.conftest import PASSWORD

from tidings.accounts import services, sessions, twofactor
from tidings.accounts.models import Account, AccountSession, RecoveryCode, TwoFactor
from tidings.core.errors import Conflict, Invalid, NotFound, RateLimited
from tidings.orgs.models import Membership, Organisation

pytestmark = pytest.mark.django_db


class Clock:
    """A stand-in for the time module inside tidings.accounts.twofactor."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(1_700_000_010.0)  # 10 s into a 30-second step
    monkeypatch.setattr(twofactor, "time", clock)
    return clock


def code_at(secret: str, clock: Clock, steps: int = 0) -> str:
    return twofactor.totp(twofactor.secret_key(secret), clock.now + steps * twofactor.PERIOD)


def enable(account: Account, clock: Clock) -> tuple[str, list[str]]:
    """Two-factor on, confirmed with the previous step's code so the current one is still unused."""
    setup = twofactor.begin_setup(account)
    codes = twofactor.confirm_setup(account, code_at(setup.secret, clock, -1))
    return setup.secret, codes


# --- RFC 4226 and RFC 6238 test vectors ---------------------------------------------------------------

RFC4226_SECRET = b"12345678901234567890"
RFC4226_HOTP = [
    "755224",
    "287082",
    "359152",
    "969429",
    "338314",
    "254676",
    "287922",
    "162583",
    "399871",
    "520489",
]


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC4226_HOTP)))
def test_hotp_matches_the_rfc_4226_test_vectors(counter: int, expected: str) -> None:
    assert twofactor.hotp(RFC4226_SECRET, counter) == expected


RFC6238_SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC6238_VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC6238_VECTORS)
def test_totp_matches_the_rfc_6238_test_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    for digest, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        assert twofactor.totp(RFC6238_SEEDS[digest], at, digits=8, digest=digest) == expected, digest


def test_the_six_digit_code_is_the_last_six_digits_of_the_rfc_value() -> None:
    assert twofactor.totp(RFC6238_SEEDS["sha1"], 59) == "287082"


def test_a_base32_secret_round_trips_to_the_same_key() -> None:
    secret = twofactor.new_secret()
    assert len(secret) == 32 and secret.isalnum() and secret == secret.upper()
    assert len(twofactor.secret_key(secret)) == 20
    assert twofactor.secret_key(twofactor.grouped(secret).lower()) == twofactor.secret_key(secret)


# --- setting up ---------------------------------------------------------------------------------------


def test_setup_gives_a_secret_in_groups_of_four_and_an_otpauth_address(make_account) -> None:
    account = make_account("示範科技")

    setup = twofactor.begin_setup(account)

    groups = setup.grouped.split(" ")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert "".join(groups) == setup.secret
    parts = urlsplit(setup.uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/Tidings:%E7%A4%BA%E7%AF%84%E7%A7%91%E6%8A%80"
    query = parse_qs(parts.query)
    assert query == {
        "secret": [setup.secret],
        "issuer": ["Tidings"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
    assert not twofactor.is_enabled(account)


def test_asking_for_the_setup_again_keeps_the_same_secret_until_confirmed(make_account) -> None:
    account = make_account()

    assert twofactor.begin_setup(account).secret == twofactor.begin_setup(account).secret


def test_a_wrong_first_code_leaves_two_factor_off(make_account, clock) -> None:
    account = make_account()
    setup = twofactor.begin_setup(account)
    wrong = str((int(code_at(setup.secret, clock)) + 1) % 1_000_000).zfill(6)

    with pytest.raises(Invalid) as error:
        twofactor.confirm_setup(account, wrong)

    assert "The code is not right" in str(error.value)
    assert not twofactor.is_enabled(account)
    assert not RecoveryCode.objects.exists()


def test_confirming_without_starting_is_refused(make_account) -> None:
    with pytest.raises(Invalid, match="Start setting up"):
        twofactor.confirm_setup(make_account(), "123456")


def test_the_right_first_code_turns_it_on_with_ten_recovery_codes_kept_hashed(make_account, clock) -> None:
    account = make_account()
    setup = twofactor.begin_setup(account)

    codes = twofactor.confirm_setup(account, code_at(setup.secret, clock))

    assert twofactor.is_enabled(account)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not set(stored) & set(codes)
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    assert twofactor.recovery_codes_left(account) == 10


def test_setting_up_again_when_on_is_refused(make_account, clock) -> None:
    account = make_account()
    enable(account, clock)

    with pytest.raises(Conflict):
        twofactor.begin_setup(account)
    with pytest.raises(Conflict):
        twofactor.confirm_setup(account, code_at(TwoFactor.objects.get().secret, clock))


# --- verifying ----------------------------------------------------------------------------------------


def test_the_current_code_and_one_step_either_side_are_accepted(make_account, clock) -> None:
    for steps in (-1, 0, 1):
        account = make_account()
        secret, _ = enable(account, clock)
        clock.now += 2 * twofactor.PERIOD  # past the confirming code
        assert twofactor.verify(account, code_at(secret, clock, steps)) == "totp"
        clock.now -= 2 * twofactor.PERIOD


@pytest.mark.parametrize("steps", [-2, 2, 10])
def test_a_code_two_steps_or_more_away_is_refused(make_account, clock, steps) -> None:
    account = make_account()
    secret, _ = enable(account, clock)
    clock.now += 5 * twofactor.PERIOD

    with pytest.raises(Invalid):
        twofactor.verify(account, code_at(secret, clock, steps))


def test_a_code_with_spaces_is_accepted(make_account, clock) -> None:
    account = make_account()
    secret, _ = enable(account, clock)
    code = code_at(secret, clock)

    assert twofactor.verify(account, f" {code[:3]} {code[3:]} ") == "totp"


def test_the_same_code_cannot_be_used_twice(make_account, clock) -> None:
    account = make_account()
    secret, _ = enable(account, clock)
    code = code_at(secret, clock)

    assert twofactor.verify(account, code) == "totp"
    with pytest.raises(Invalid):
        twofactor.verify(account, code)


def test_an_older_code_is_refused_once_a_newer_one_was_used(make_account, clock) -> None:
    account = make_account()
    secret, _ = enable(account, clock)
    older = code_at(secret, clock)
    newer = code_at(secret, clock, 1)

    assert twofactor.verify(account, newer) == "totp"
    with pytest.raises(Invalid):
        twofactor.verify(account, older)


def test_the_confirming_code_cannot_be_replayed_to_log_in(make_account, clock) -> None:
    account = make_account()
    setup = twofactor.begin_setup(account)
    code = code_at(setup.secret, clock)
    twofactor.confirm_setup(account, code)

    with pytest.raises(Invalid):
        twofactor.verify(account, code)


def test_verifying_an_account_without_two_factor_is_refused(make_account) -> None:
    account = make_account()
    twofactor.begin_setup(account)  # started, never confirmed

    with pytest.raises(Invalid, match="not on"):
        twofactor.verify(account, "123456")


def test_a_recovery_code_works_once(make_account, clock) -> None:
    account = make_account()
    _, codes = enable(account, clock)

    assert twofactor.verify(account, codes[3]) == "recovery"
    assert twofactor.recovery_codes_left(account) == 9
    with pytest.raises(Invalid):
        twofactor.verify(account, codes[3])
    assert twofactor.verify(account, f"  {codes[4].upper().replace('-', ' ')} ") == "recovery"
    assert twofactor.recovery_codes_left(account) == 8


def test_a_recovery_code_of_another_account_does_not_work(make_account, clock) -> None:
    alice, bob = make_account(), make_account()
    enable(alice, clock)
    _, bobs = enable(bob, clock)

    with pytest.raises(Invalid):
        twofactor.verify(alice, bobs[0])
    assert twofactor.recovery_codes_left(bob) == 10


def test_five_wrong_codes_lock_the_account_for_a_while_even_for_the_right_code(make_account, clock) -> None:
    account, other = make_account(), make_account()
    secret, _ = enable(account, clock)
    other_secret, _ = enable(other, clock)

    for _ in range(5):
        with pytest.raises(Invalid):
            twofactor.verify(account, "000000" if code_at(secret, clock) != "000000" else "111111")
    with pytest.raises(RateLimited) as error:
        twofactor.verify(account, code_at(secret, clock))

    assert "Too many tries. Please wait 15 minutes" in str(error.value)
    assert TwoFactor.objects.get(account=account).last_used_step < twofactor.time_step(clock.now)
    assert twofactor.verify(other, code_at(other_secret, clock)) == "totp"  # counted per account


def test_a_right_code_starts_the_count_again(make_account, clock) -> None:
    account = make_account()
    secret, _ = enable(account, clock)
    for _round in range(3):
        for _ in range(4):
            with pytest.raises(Invalid):
                twofactor.verify(account, "abc")
        assert twofactor.verify(account, code_at(secret, clock)) == "totp"
        clock.now += twofactor.PERIOD


# --- turning off, new recovery codes ------------------------------------------------------------------


def test_turning_off_needs_the_password_and_a_code(make_account, clock) -> None:
    account = make_account()
    secret, _ = enable(account, clock)

    with pytest.raises(Invalid, match="password is not right"):
        twofactor.disable(account, password="wrong password", code=code_at(secret, clock))
    with pytest.raises(Invalid, match="code is not right"):
        twofactor.disable(account, password=PASSWORD, code="12345")
    assert twofactor.is_enabled(account)

    twofactor.disable(account, password=PASSWORD, code=code_at(secret, clock))

    assert not twofactor.is_enabled(account)
    assert not TwoFactor.objects.exists() and not RecoveryCode.objects.exists()


def test_turning_off_with_a_recovery_code(make_account, clock) -> None:
    account = make_account()
    _, codes = enable(account, clock)

    twofactor.disable(account, password=PASSWORD, code=codes[0])

    assert not twofactor.is_enabled(account)


def test_turning_off_is_refused_while_an_organisation_requires_it(make_account, clock) -> None:
    account = make_account()
    secret, _ = enable(account, clock)
    org = Organisation.objects.create(slug="acme", name="Acme 股份", require_two_factor=True)
    Membership.objects.create(organisation=org, account=account)

    with pytest.raises(Invalid) as error:
        twofactor.disable(account, password=PASSWORD, code=code_at(secret, clock))

    assert str(error.value) == "Acme 股份 requires two-factor authentication, so it cannot be turned off."
    assert twofactor.is_enabled(account)


def test_new_recovery_codes_replace_the_old_ones(make_account, clock) -> None:
    account = make_account()
    secret, old = enable(account, clock)

    new = twofactor.regenerate_recovery_codes(account, password=PASSWORD, code=code_at(secret, clock))

    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(Invalid):
        twofactor.verify(account, old[0])
    assert twofactor.verify(account, new[0]) == "recovery"


# --- organisation policy ------------------------------------------------------------------------------


def test_an_organisation_requiring_two_factor_makes_its_members_set_it_up(make_account, clock) -> None:
    member, guest, former, outsider = make_account(), make_account(), make_account(), make_account()
    strict = Organisation.objects.create(slug="strict", name="Strict", require_two_factor=True)
    relaxed = Organisation.objects.create(slug="relaxed", name="Relaxed")
    Membership.objects.create(organisation=strict, account=member)
    Membership.objects.create(organisation=strict, account=guest, role=Membership.Role.GUEST)
    Membership.objects.create(organisation=strict, account=former, is_active=False)
    Membership.objects.create(organisation=relaxed, account=outsider)

    assert twofactor.must_set_up(member) and twofactor.must_set_up(guest)
    assert not twofactor.must_set_up(former) and not twofactor.must_set_up(outsider)
    assert [o.slug for o in twofactor.required_by(member)] == ["strict"]

    twofactor.begin_setup(member)
    assert twofactor.must_set_up(member)  # started is not enough
    enable(guest, clock)
    assert not twofactor.must_set_up(guest)


# --- sessions -----------------------------------------------------------------------------------------


@pytest.fixture
def open_session() -> Callable[..., str]:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore

    def make(account: Account, user_agent: str = "") -> str:
        store = store_class()
        store["_auth_user_id"] = str(account.id)
        store.create()
        sessions.record(account, session_key=store.session_key, ip="192.0.2.1", user_agent=user_agent)
        return store.session_key

    return make


def alive(key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def test_end_all_sessions_ends_every_session_of_the_account_but_the_one_kept(make_account, open_session):
    account, other = make_account(), make_account()
    keys = [open_session(account) for _ in range(3)]
    theirs = open_session(other)

    ended = services.end_all_sessions(account, except_key=keys[0])

    assert ended == 2
    assert [alive(k) for k in keys] == [True, False, False]
    assert alive(theirs)
    assert set(AccountSession.objects.values_list("session_key", flat=True)) == {keys[0], theirs}


def test_a_new_password_ends_the_other_sessions(make_account, open_session) -> None:
    account = make_account()
    kept, other = open_session(account), open_session(account)

    services.change_password(account, current=PASSWORD, new="a brand new passphrase", keep_session_key=kept)

    assert alive(kept) and not alive(other)
    assert Account.objects.get(id=account.id).check_password("a brand new passphrase")


def test_a_wrong_current_password_changes_nothing(make_account, open_session) -> None:
    account = make_account()
    key = open_session(account)

    with pytest.raises(Invalid, match="current password"):
        services.change_password(account, current="nope", new="a brand new passphrase")
    with pytest.raises(Invalid):
        services.change_password(account, current=PASSWORD, new="short")

    assert alive(key)
    assert Account.objects.get(id=account.id).check_password(PASSWORD)


def test_deactivating_an_account_ends_all_its_sessions(make_account, open_session) -> None:
    account = make_account()
    keys = [open_session(account), open_session(account)]

    services.deactivate_account(account)

    assert not Account.objects.get(id=account.id).is_active
    assert not any(alive(k) for k in keys)
    assert not AccountSession.objects.exists()


def test_the_session_list_shows_live_sessions_with_a_short_browser_name(make_account, open_session) -> None:
    account = make_account()
    firefox = open_session(account, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    iphone = open_session(
        account,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    )
    expired = open_session(account, "curl/8.5.0")
    import_module(settings.SESSION_ENGINE).SessionStore(expired).delete()

    listed = sessions.list_for(account, current_key=iphone)

    assert [(s.device, s.current, s.ip) for s in listed] == [
        ("Safari · iPhone", True, "192.0.2.1"),
        ("Firefox · Linux", False, "192.0.2.1"),
    ]
    assert not AccountSession.objects.filter(session_key=expired).exists()
    assert firefox


def test_a_session_of_someone_else_cannot_be_ended(make_account, open_session) -> None:
    account, other = make_account(), make_account()
    theirs = open_session(other)

    with pytest.raises(NotFound):
        sessions.revoke(account, session_id=AccountSession.objects.get(session_key=theirs).id)

    assert alive(theirs)


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge · Windows",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36",
            "Chrome · macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome · Android",
        ),
        ("", ""),
        ("SomeBot/1.0", "SomeBot/1.0"),
    ],
)
def test_browser_names(user_agent: str, expected: str) -> None:
    assert sessions.describe_user_agent(user_agent) == expected


def test_housekeeping_drops_expired_sessions_and_their_rows(make_account, open_session) -> None:
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    account = make_account()
    live, expired, gone = open_session(account), open_session(account), open_session(account)
    Session.objects.filter(session_key=expired).update(expire_date=timezone.now() - dt.timedelta(days=1))
    Session.objects.filter(session_key=gone).delete()

    assert sessions.purge_ended() == 2

    assert list(AccountSession.objects.values_list("session_key", flat=True)) == [live]
    assert not Session.objects.filter(session_key=expired).exists()
