"""Accounts: signing up, logging in and changing one's profile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from tests.conftest import PASSWORD

from tidings.accounts import services
from tidings.accounts.models import Account
from tidings.core.errors import Conflict, Invalid, RateLimited

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.10"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def sign_up(handle: str, *, password: str = PASSWORD, **fields: str) -> Account:
    return services.sign_up(handle=handle, password=password, **fields)


# --- sign_up ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("handle", ["戴爾中國", "小明", "Dell_CN", "dell-tw", "école"])
def test_a_chinese_or_latin_handle_signs_up_with_the_handle_as_written(handle: str) -> None:
    account = sign_up(handle, email="someone@example.com")
    stored = Account.objects.get(id=account.id)
    assert stored.handle == handle
    assert stored.display_name == handle
    assert stored.email == "someone@example.com"
    assert stored.is_active
    assert stored.check_password(PASSWORD)
    assert stored.password != PASSWORD


def test_a_display_name_given_at_sign_up_is_kept() -> None:
    account = sign_up("xiaoming", display_name="  小明   同學 ")
    assert Account.objects.get(id=account.id).display_name == "小明 同學"


@pytest.mark.parametrize(
    ("first", "second"),
    [("戴爾", "戴尔"), ("DELL", "dell"), ("dell", "DELL"), ("ｄｅｌｌ", "dell")],
)
def test_a_handle_taken_after_folding_case_width_or_script_is_refused(first: str, second: str) -> None:
    sign_up(first)
    with pytest.raises(Conflict) as error:
        sign_up(second)
    assert error.value.field == "handle"
    assert str(error.value) == f"The handle @{second} is already taken."
    assert list(Account.objects.values_list("handle", flat=True)) == [first]


@pytest.mark.parametrize("lookalike", ["deII", "de1l", "dеll"])  # capital I, digit one, Cyrillic е
def test_a_handle_confusable_with_an_existing_one_is_refused_naming_the_other(lookalike: str) -> None:
    sign_up("dell")
    with pytest.raises(Conflict) as error:
        sign_up(lookalike)
    assert error.value.field == "handle"
    assert "@dell" in str(error.value)
    assert f"@{lookalike}" in str(error.value)
    assert "looks too much like" in str(error.value)
    assert Account.objects.count() == 1


@pytest.mark.parametrize("handle", ["dell cn", "@dell", "dell.cn", "de\u200bll", "<b>x</b>"])
def test_a_handle_with_characters_that_are_not_allowed_is_refused(handle: str) -> None:
    with pytest.raises(Invalid) as error:
        sign_up(handle)
    assert error.value.field == "handle"
    assert "A handle may hold only letters" in str(error.value)
    assert not Account.objects.exists()


@pytest.mark.parametrize("handle", ["a", "a" * 31, "admin", "12345"])
def test_a_handle_too_short_too_long_reserved_or_without_letters_is_refused(handle: str) -> None:
    with pytest.raises(Invalid) as error:
        sign_up(handle)
    assert error.value.field == "handle"
    assert not Account.objects.exists()


@pytest.mark.parametrize("password", ["short1", "password123", "12345678901", "qwertyuiop"])
def test_a_weak_password_is_refused(password: str) -> None:
    with pytest.raises(Invalid) as error:
        sign_up("dell", password=password)
    assert error.value.field == "password"
    assert str(error.value)
    assert not Account.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com"])
def test_a_bad_email_is_refused(email: str) -> None:
    with pytest.raises(Invalid) as error:
        sign_up("dell", email=email)
    assert error.value.field == "email"
    assert str(error.value) == "Enter a valid email address."
    assert not Account.objects.exists()


def test_an_unknown_language_at_sign_up_is_refused() -> None:
    with pytest.raises(Invalid) as error:
        sign_up("dell", language="xx")
    assert error.value.field == "language"
    assert not Account.objects.exists()


# --- check_login -----------------------------------------------------------------------------------


def test_logging_in_with_the_right_password_by_handle_with_or_without_at_sign() -> None:
    account = sign_up("戴爾", email="dell@example.com")
    assert services.check_login(login="戴爾", password=PASSWORD, address=ADDRESS).id == account.id
    assert services.check_login(login="@戴爾", password=PASSWORD, address=ADDRESS).id == account.id
    assert services.check_login(login=" @戴尔 ", password=PASSWORD, address=ADDRESS).id == account.id


def test_logging_in_by_email_in_any_case() -> None:
    account = sign_up("dell", email="Dell@Example.com")
    assert services.check_login(login="dell@example.com", password=PASSWORD, address=ADDRESS).id == account.id
    assert services.check_login(login="DELL@EXAMPLE.COM", password=PASSWORD, address=ADDRESS).id == account.id


def test_a_wrong_password_is_refused_with_the_same_words_as_an_unknown_handle() -> None:
    sign_up("dell")
    with pytest.raises(Invalid) as wrong:
        services.check_login(login="dell", password="not the password", address=ADDRESS)
    with pytest.raises(Invalid) as unknown:
        services.check_login(login="nobody", password=PASSWORD, address=ADDRESS)
    assert str(wrong.value) == str(unknown.value) == "The handle or password is not right."


def test_an_empty_login_or_password_is_refused() -> None:
    sign_up("dell")
    for login, password in [("", PASSWORD), ("dell", ""), ("   ", PASSWORD)]:
        with pytest.raises(Invalid):
            services.check_login(login=login, password=password, address=ADDRESS)


def test_a_deactivated_account_cannot_log_in_even_with_the_right_password() -> None:
    account = sign_up("dell", email="dell@example.com")
    Account.objects.filter(id=account.id).update(is_active=False)
    for login in ["dell", "dell@example.com"]:
        with pytest.raises(Invalid) as error:
            services.check_login(login=login, password=PASSWORD, address=ADDRESS)
        assert str(error.value) == "The handle or password is not right."


def test_after_ten_wrong_passwords_the_eleventh_try_is_refused_even_with_the_right_password() -> None:
    sign_up("dell")
    for i in range(services.LOGIN_TRIES_PER_ACCOUNT):
        with pytest.raises(Invalid):
            # From different addresses: the per-account limit holds whatever the address.
            services.check_login(login="dell", password="wrong guess", address=f"192.0.2.{i}")
    with pytest.raises(RateLimited) as error:
        services.check_login(login="dell", password=PASSWORD, address="198.51.100.1")
    assert error.value.status == 429
    assert "Too many tries" in str(error.value)


def test_the_per_account_limit_counts_tries_by_handle_and_by_email_together() -> None:
    sign_up("dell", email="dell@example.com")
    for i in range(services.LOGIN_TRIES_PER_ACCOUNT):
        login = "dell" if i % 2 else "dell@example.com"
        with pytest.raises(Invalid):
            services.check_login(login=login, password="wrong guess", address=f"192.0.2.{i}")
    for login in ["dell", "DELL", "dell@example.com"]:
        with pytest.raises(RateLimited):
            services.check_login(login=login, password=PASSWORD, address="198.51.100.1")


def test_a_successful_login_clears_the_wrong_tries_before_it() -> None:
    sign_up("dell")
    for _ in range(services.LOGIN_TRIES_PER_ACCOUNT - 1):
        with pytest.raises(Invalid):
            services.check_login(login="dell", password="wrong guess", address=ADDRESS)
    services.check_login(login="dell", password=PASSWORD, address=ADDRESS)
    for _ in range(services.LOGIN_TRIES_PER_ACCOUNT - 1):
        with pytest.raises(Invalid):
            services.check_login(login="dell", password="wrong guess", address=ADDRESS)
    assert services.check_login(login="dell", password=PASSWORD, address=ADDRESS).handle == "dell"


def test_one_address_is_limited_across_many_accounts() -> None:
    sign_up("dell")
    for i in range(services.LOGIN_TRIES_PER_ADDRESS):
        with pytest.raises(Invalid):
            services.check_login(login=f"nobody{i}", password="wrong guess", address=ADDRESS)
    with pytest.raises(RateLimited):
        services.check_login(login="dell", password=PASSWORD, address=ADDRESS)
    assert services.check_login(login="dell", password=PASSWORD, address="198.51.100.1").handle == "dell"


# --- update_profile --------------------------------------------------------------------------------


def test_a_display_name_is_saved_with_its_spaces_collapsed(make_account) -> None:
    account = make_account("dell")
    services.update_profile(account, display_name="  戴爾   台灣  ")
    assert Account.objects.get(id=account.id).display_name == "戴爾 台灣"


def test_a_display_name_of_thirty_characters_is_allowed(make_account) -> None:
    account = make_account("dell")
    services.update_profile(account, display_name="戴" * 30)
    assert Account.objects.get(id=account.id).display_name == "戴" * 30


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a display name."),
        ("   ", "Enter a display name."),
        ("戴" * 31, "A display name can be at most 30 characters."),
        ("De\u200bll", "The display name contains characters that are not allowed."),
        ("<script>", "The display name contains characters that are not allowed."),
        ("Dell\u202e", "The display name contains characters that are not allowed."),
        ("Dell\x07", "The display name contains characters that are not allowed."),
    ],
)
def test_a_bad_display_name_is_refused_and_the_old_one_kept(make_account, name: str, message: str) -> None:
    account = make_account("dell", display_name="戴爾")
    with pytest.raises(Invalid) as error:
        services.update_profile(account, display_name=name)
    assert error.value.field == "display_name"
    assert str(error.value) == message
    assert Account.objects.get(id=account.id).display_name == "戴爾"


@pytest.mark.parametrize("language", ["zh-hans", "en", "zh-hant", ""])
def test_a_known_language_or_none_is_saved(make_account, language: str) -> None:
    account = make_account("dell", language="en" if language != "en" else "zh-hant")
    services.update_profile(account, language=language)
    assert Account.objects.get(id=account.id).language == language


def test_an_unknown_language_is_refused_and_the_old_one_kept(make_account) -> None:
    account = make_account("dell", language="zh-hant")
    with pytest.raises(Invalid) as error:
        services.update_profile(account, language="fr")
    assert error.value.field == "language"
    assert Account.objects.get(id=account.id).language == "zh-hant"


def test_a_bio_over_160_characters_is_refused_and_the_old_one_kept(make_account) -> None:
    account = make_account("dell")
    services.update_profile(account, bio="  我們做電腦。 ")
    with pytest.raises(Invalid) as error:
        services.update_profile(account, bio="字" * 161)
    assert error.value.field == "bio"
    assert Account.objects.get(id=account.id).bio == "我們做電腦。"


def test_changing_only_the_language_leaves_the_display_name_alone(make_account) -> None:
    account = make_account("dell", display_name="戴爾")
    services.update_profile(account, language="en")
    stored = Account.objects.get(id=account.id)
    assert (stored.display_name, stored.language) == ("戴爾", "en")


def test_passwords_are_stored_as_argon2_hashes(settings):
    from tidings import settings as real

    settings.PASSWORD_HASHERS = real.PASSWORD_HASHERS
    account = services.sign_up(handle="密碼測試", password="a long enough secret")
    assert account.password.startswith("argon2$")
    assert account.check_password("a long enough secret")


def test_an_email_claimed_by_two_accounts_logs_in_neither(make_account):
    make_account("真老闆", email="boss@corp.example")
    make_account("冒充者", email="BOSS@corp.example")
    with pytest.raises(Invalid):
        services.check_login(login="boss@corp.example", password=PASSWORD, address="203.0.113.9")
    assert services.check_login(login="真老闆", password=PASSWORD, address="203.0.113.9").handle == "真老闆"
