"""Two-factor authentication: time-based one-time passwords (RFC 6238, HOTP of RFC 4226 over
30-second steps) from an authenticator app, and single-use recovery codes for when it is lost.

A code is accepted for the current step and one step either side (clocks drift), and never for a
step at or before the last one used, so a code seen over someone's shoulder cannot be replayed.
Tries are limited per account (and per address at log-in)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account, RecoveryCode, TwoFactor
from tidings.core import ratelimit
from tidings.core.errors import Conflict, Invalid
from tidings.core.text import is_number

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tidings.orgs.models import Membership, Organisation

ISSUER = "Tidings"
DIGITS = 6
PERIOD = 30
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends for HMAC-SHA1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_LENGTH = 10
TRIES_PER_ACCOUNT = 5
TRIES_PER_ADDRESS = 50
TRIES_WINDOW = 15 * 60


# --- RFC 4226 / RFC 6238 ---------------------------------------------------------------------------


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The HOTP value of `counter` (RFC 4226 section 5.3: dynamic truncation)."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(at: float | None = None, *, period: int = PERIOD) -> int:
    return int((time.time() if at is None else at) // period)


def totp(key: bytes, at: float | None = None, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The TOTP value at Unix time `at` (now by default), RFC 6238 with T0 = 0."""
    return hotp(key, time_step(at), digits=digits, digest=digest)


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def secret_key(secret: str) -> bytes:
    secret = secret.upper().replace(" ", "")
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account_name: str, *, issuer: str = ISSUER) -> str:
    """The otpauth:// address authenticator apps read (usually from a QR code)."""
    label = quote(f"{issuer}:{account_name}", safe=":@")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": PERIOD},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


# --- recovery codes -----------------------------------------------------------------------------------


def _normalise(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def _hash_code(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _replace_recovery_codes(device: TwoFactor) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(two_factor=device).delete()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(two_factor=device, code_hash=_hash_code(c)) for c in codes]
    )
    return codes


# --- the services -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    secret: str
    uri: str

    @property
    def grouped(self) -> str:
        return grouped(self.secret)


def confirmed(account: Account) -> TwoFactor | None:
    return TwoFactor.objects.filter(account_id=account.id, confirmed_at__isnull=False).first()


def is_enabled(account: Account) -> bool:
    return TwoFactor.objects.filter(account_id=account.id, confirmed_at__isnull=False).exists()


def recovery_codes_left(account: Account) -> int:
    return RecoveryCode.objects.filter(
        two_factor__account_id=account.id, two_factor__confirmed_at__isnull=False, used_at__isnull=True
    ).count()


def begin_setup(account: Account) -> Setup:
    """A secret for the authenticator app. Asking again before confirming gives the same secret,
    so reloading the page does not undo what was already scanned."""
    device = TwoFactor.objects.filter(account_id=account.id).first()
    if device is not None and device.is_confirmed:
        raise Conflict(_("Two-factor authentication is already on."))
    if device is None:
        device, _created = TwoFactor.objects.get_or_create(account=account, defaults={"secret": new_secret()})
    return Setup(secret=device.secret, uri=provisioning_uri(device.secret, account.handle))


def _count_try(account: Account, address: str) -> str:
    if address:
        ratelimit.hit(f"2fa:addr:{address}", limit=TRIES_PER_ADDRESS, window_seconds=TRIES_WINDOW)
    key = f"2fa:account:{account.id}"
    ratelimit.hit(key, limit=TRIES_PER_ACCOUNT, window_seconds=TRIES_WINDOW)
    return key


def _matching_step(device: TwoFactor, code: str, at: float | None = None) -> int | None:
    """The step whose code this is, if it is one of the steps allowed now and not used before."""
    code = "".join(code.split())
    if len(code) != DIGITS or not is_number(code):
        return None
    key, now = secret_key(device.secret), time_step(at)
    found = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), code) and step > device.last_used_step:
            found = step
    return found


def _use_step(device: TwoFactor, step: int) -> bool:
    """Mark the step used; False if another request used it (or a later one) first."""
    return bool(TwoFactor.objects.filter(id=device.id, last_used_step__lt=step).update(last_used_step=step))


WRONG_CODE = _("The code is not right. Check the time on your phone and try the newest code.")


def confirm_setup(account: Account, code: str, *, address: str = "") -> list[str]:
    """Turn two-factor on once the app's first code proves it holds the secret. Returns the
    recovery codes, to be shown this once."""
    device = TwoFactor.objects.filter(account_id=account.id).first()
    if device is None:
        raise Invalid(_("Start setting up two-factor authentication first."))
    if device.is_confirmed:
        raise Conflict(_("Two-factor authentication is already on."))
    limit_key = _count_try(account, address)
    step = _matching_step(device, code)
    if step is None:
        raise Invalid(WRONG_CODE, field="code")
    with transaction.atomic():
        if not _use_step(device, step):
            raise Invalid(WRONG_CODE, field="code")
        TwoFactor.objects.filter(id=device.id).update(confirmed_at=timezone.now())
        device.refresh_from_db()
        codes = _replace_recovery_codes(device)
    ratelimit.reset(limit_key, window_seconds=TRIES_WINDOW)
    return codes


def verify(account: Account, code: str, *, address: str = "") -> str:
    """Check a code from the app, or a recovery code (used up by this). Returns which it was,
    "totp" or "recovery"; raises Invalid for a wrong, reused or old code, RateLimited after
    too many tries."""
    device = confirmed(account)
    if device is None:
        raise Invalid(_("Two-factor authentication is not on."))
    limit_key = _count_try(account, address)
    kind = None
    step = _matching_step(device, code)
    if step is not None and _use_step(device, step):
        kind = "totp"
    elif step is None and len(_normalise(code)) == RECOVERY_LENGTH:
        used = RecoveryCode.objects.filter(
            two_factor=device, code_hash=_hash_code(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        kind = "recovery" if used else None
    if kind is None:
        raise Invalid(WRONG_CODE, field="code")
    ratelimit.reset(limit_key, window_seconds=TRIES_WINDOW)
    return kind


def _check_password(account: Account, password: str) -> None:
    from tidings.accounts.services import LOGIN_TRIES_PER_ACCOUNT, LOGIN_WINDOW

    ratelimit.hit(f"login:account:{account.id}", limit=LOGIN_TRIES_PER_ACCOUNT, window_seconds=LOGIN_WINDOW)
    if not account.check_password(password):
        raise Invalid(_("The password is not right."), field="password")


def disable(account: Account, *, password: str, code: str, address: str = "") -> None:
    """Turn two-factor off: needs the password and a current code (or a recovery code). Refused
    while an organisation the person belongs to requires it."""
    required = required_by(account)
    if required:
        raise Invalid(
            _("%(organisation)s requires two-factor authentication, so it cannot be turned off.")
            % {"organisation": ", ".join(org.name for org in required)}
        )
    _check_password(account, password)
    verify(account, code, address=address)
    TwoFactor.objects.filter(account_id=account.id).delete()


def regenerate_recovery_codes(account: Account, *, password: str, code: str, address: str = "") -> list[str]:
    """New recovery codes (the old ones stop working); needs the password and a current code."""
    _check_password(account, password)
    verify(account, code, address=address)
    device = confirmed(account)
    assert device is not None
    with transaction.atomic():
        return _replace_recovery_codes(device)


# --- organisation policy --------------------------------------------------------------------------


def _requiring_memberships(account: Account) -> QuerySet[Membership]:
    from tidings.orgs.models import Membership

    return Membership.objects.filter(
        account_id=account.id, is_active=True, organisation__require_two_factor=True
    )


def required_by(account: Account) -> list[Organisation]:
    """The organisations of which the person is an active member that require two-factor."""
    return [m.organisation for m in _requiring_memberships(account).select_related("organisation")]


def must_set_up(account: Account) -> bool:
    """True when an organisation requires two-factor and the person has none confirmed (one query)."""
    has_device = TwoFactor.objects.filter(account_id=OuterRef("account_id"), confirmed_at__isnull=False)
    return _requiring_memberships(account).filter(~Exists(has_device)).exists()
