"""Domain errors. Services raise them; each face turns them into a 4xx with the message in the
user's language (messages are lazy translations, resolved when shown)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a user may be told about."""

    status = 400
    code = "invalid"

    def __init__(self, message: Any, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


class Invalid(DomainError):
    """The input breaks a rule (too long, empty, bad characters...)."""


class NotFound(DomainError):
    """Missing, or not visible to this viewer: the two are answered alike on purpose."""

    status = 404
    code = "not_found"

    def __init__(self, message: Any = None, *, field: str | None = None) -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__(message or _("This page does not exist, or you may not see it."), field=field)


class Forbidden(DomainError):
    """The viewer may see the object but not do this to it (edit someone else's post)."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The action collides with existing state (handle taken, already reposted)."""

    status = 409
    code = "conflict"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


class TooLarge(DomainError):
    status = 413
    code = "too_large"
