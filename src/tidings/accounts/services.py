"""Writes to accounts: sign-up, log-in checks, profile changes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.accounts.sessions import end_all_sessions as end_all_sessions
from tidings.core import ratelimit
from tidings.core.errors import Conflict, Invalid
from tidings.core.handles import clean_handle, handle_key, handle_skeleton
from tidings.core.text import bad_characters

LOGIN_WINDOW = 15 * 60
LOGIN_TRIES_PER_ACCOUNT = 10
LOGIN_TRIES_PER_ADDRESS = 50


def clean_display_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise Invalid(_("Enter a display name."), field="display_name")
    if len(name) > 30:
        raise Invalid(_("A display name can be at most 30 characters."), field="display_name")
    if bad_characters(name) or any(c in name for c in "\u200b\u200c\u200d\u2060<>"):
        raise Invalid(_("The display name contains characters that are not allowed."), field="display_name")
    return name


def _check_handle_free(handle: str, *, exclude_id: int | None = None) -> tuple[str, str]:
    key, skeleton = handle_key(handle), handle_skeleton(handle)
    others = Account.objects.exclude(id=exclude_id) if exclude_id else Account.objects.all()
    if others.filter(handle_key=key).exists():
        raise Conflict(_("The handle @%(handle)s is already taken.") % {"handle": handle}, field="handle")
    clash = others.filter(handle_skeleton=skeleton).values_list("handle", flat=True).first()
    if clash:
        raise Conflict(
            _("The handle @%(handle)s looks too much like @%(other)s. Please choose another.")
            % {"handle": handle, "other": clash},
            field="handle",
        )
    return key, skeleton


def sign_up(
    *,
    handle: str,
    password: str,
    email: str = "",
    display_name: str = "",
    language: str = "",
    kind: str = Account.Kind.PERSONAL,
) -> Account:
    handle = clean_handle(handle)
    display_name = clean_display_name(display_name or handle)
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise Invalid(_("Enter a valid email address."), field="email") from exc
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid(_("Unknown language."), field="language")
    account = Account(handle=handle, display_name=display_name, email=email, language=language, kind=kind)
    try:
        password_validation.validate_password(password, account)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="password") from exc
    key, skeleton = _check_handle_free(handle)
    account.handle_key, account.handle_skeleton = key, skeleton
    account.set_password(password)
    try:
        with transaction.atomic():
            account.save(force_insert=True)
    except IntegrityError as exc:  # lost a race with another sign-up for the same handle
        raise Conflict(
            _("The handle @%(handle)s is already taken.") % {"handle": handle}, field="handle"
        ) from exc
    return account


def create_bot_account(*, handle: str, display_name: str, organisation_id: int) -> Account:
    """An account other systems post as (through the app platform's bots): it speaks for its
    organisation and cannot log in."""
    handle = clean_handle(handle)
    account = Account(
        handle=handle,
        display_name=clean_display_name(display_name or handle),
        kind=Account.Kind.BOT,
        organisation_id=organisation_id,
    )
    account.handle_key, account.handle_skeleton = _check_handle_free(handle)
    account.set_unusable_password()
    try:
        with transaction.atomic():
            account.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(
            _("The handle @%(handle)s is already taken.") % {"handle": handle}, field="handle"
        ) from exc
    return account


def _account_for_login(login: str) -> Account | None:
    """The account a login names: by handle (with or without "@"), else by email. Emails are
    not verified yet, so several accounts may claim one: then it names nobody."""
    login = login.strip()
    account = Account.objects.filter(handle_key=handle_key(login.removeprefix("@"))).first()
    if account is None and "@" in login:
        same_email = list(Account.objects.filter(email__iexact=login)[:2])
        account = same_email[0] if len(same_email) == 1 else None
    return account


def _set_password(account: Account, new: str, *, keep_session_key: str | None = None) -> None:
    """Check the new password against the rules, store it, and end every other session."""
    try:
        password_validation.validate_password(new, account)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="password") from exc
    account.set_password(new)
    account.save(update_fields=["password"])
    end_all_sessions(account, except_key=keep_session_key)


def check_login(*, login: str, password: str, address: str) -> Account:
    """The account for these credentials, or an error. Tries are limited per account and per
    address, so guessing one account's password from many addresses is limited too."""
    login = login.strip()
    if not login or not password:
        raise Invalid(_("Enter your handle or email and your password."))
    address_key = f"login:addr:{address}"
    ratelimit.hit(address_key, limit=LOGIN_TRIES_PER_ADDRESS, window_seconds=LOGIN_WINDOW)
    key = handle_key(login.removeprefix("@"))
    account = _account_for_login(login)
    # Counted per account, not per spelling: by handle, "@handle", another case or the email alike.
    account_key = f"login:account:{account.id}" if account is not None else f"login:acct:{key}"
    ratelimit.hit(account_key, limit=LOGIN_TRIES_PER_ACCOUNT, window_seconds=LOGIN_WINDOW)
    if account is None or not account.is_active or not account.check_password(password):
        if account is None:
            Account().set_password(password)  # spend the same time as a real check
        raise Invalid(_("The handle or password is not right."))
    ratelimit.reset(account_key, window_seconds=LOGIN_WINDOW)
    # Counted first, so a burst of guesses is held to the limit; a log-in that worked is taken
    # back, or a whole office behind one address could not log in on a Monday morning.
    ratelimit.forgive(address_key)
    return account


def change_password(
    account: Account, *, current: str, new: str, keep_session_key: str | None = None
) -> Account:
    """A new password; every other session of the account ends (the one making the change may
    stay, once the caller has updated its auth hash)."""
    ratelimit.hit(f"login:account:{account.id}", limit=LOGIN_TRIES_PER_ACCOUNT, window_seconds=LOGIN_WINDOW)
    if not account.check_password(current):
        raise Invalid(_("The current password is not right."), field="current")
    _set_password(account, new, keep_session_key=keep_session_key)
    return account


def deactivate_account(account: Account) -> Account:
    """The account can no longer log in, and every session it has ends now. Its content stays."""
    from tidings.accounts.tokens import revoke_all

    Account.objects.filter(id=account.id).update(is_active=False)
    account.is_active = False
    end_all_sessions(account)
    revoke_all(account)
    return account


def update_profile(
    account: Account, *, display_name: str | None = None, bio: str | None = None, language: str | None = None
) -> Account:
    fields = []
    if display_name is not None:
        account.display_name = clean_display_name(display_name)
        fields.append("display_name")
    if bio is not None:
        bio = bio.strip()
        if len(bio) > 160:
            raise Invalid(_("A bio can be at most 160 characters."), field="bio")
        if bad_characters(bio):
            raise Invalid(_("The bio contains characters that are not allowed."), field="bio")
        account.bio = bio
        fields.append("bio")
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise Invalid(_("Unknown language."), field="language")
        account.language = language
        fields.append("language")
    if fields:
        account.save(update_fields=fields)
    return account


def set_avatar(account: Account, *, data: bytes) -> Account:
    from tidings.core import images, storage

    processed = images.process_avatar(
        data, max_bytes=settings.IMAGE_MAX_BYTES, max_pixels=settings.IMAGE_MAX_PIXELS
    )
    old = account.avatar
    account.avatar = storage.save(f"avatars/{account.id}", processed.extension, processed.data)
    account.save(update_fields=["avatar"])
    if old:
        transaction.on_commit(lambda: storage.delete(old))
    return account


RESET_TRIES_PER_ACCOUNT = 3
RESET_WINDOW = 3600


def request_password_reset(*, login: str, address: str) -> None:
    """Mail a reset link to the account's address. Says nothing of whether the account exists
    (the page answers the same either way), and sends at most three links an hour."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tidings.core import mail

    if not login.strip():
        raise Invalid(_("Enter your handle or email."), field="login")
    ratelimit.hit(f"reset:addr:{address}", limit=LOGIN_TRIES_PER_ADDRESS, window_seconds=RESET_WINDOW)
    account = _account_for_login(login)
    # Counted for a name nobody has as for an account, so "too many tries" tells nothing either.
    name_key = handle_key(login.strip().removeprefix("@"))
    key = f"reset:account:{account.id}" if account is not None else f"reset:name:{name_key}"
    ratelimit.hit(key, limit=RESET_TRIES_PER_ACCOUNT, window_seconds=RESET_WINDOW)
    if account is None or not account.is_active or not account.email:
        return
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    link = f"{settings.SITE_URL}/password-reset/{uid}/{token}/"
    mail.send(
        to=account.email,
        subject=str(_("Reset your Tidings password")),
        body=str(
            _(
                "Someone asked to reset the password of @%(handle)s. If it was you, open this link "
                "within three days:\n\n%(link)s\n\nIf not, ignore this mail: nothing changes."
            )
            % {"handle": account.handle, "link": link}
        ),
    )


def account_for_reset(uidb64: str, token: str) -> Account:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.http import urlsafe_base64_decode

    try:
        account = Account.objects.filter(
            pk=int(urlsafe_base64_decode(uidb64).decode()), is_active=True
        ).first()
    except (ValueError, TypeError, UnicodeDecodeError):
        account = None
    if account is None or not default_token_generator.check_token(account, token):
        raise Invalid(_("This reset link is not valid any more. Ask for a new one."))
    return account


def reset_password(*, uidb64: str, token: str, new: str) -> Account:
    """Set a new password from a mailed link; the link then stops working (the token is bound
    to the old password) and every session of the account ends."""
    account = account_for_reset(uidb64, token)
    _set_password(account, new)
    return account
