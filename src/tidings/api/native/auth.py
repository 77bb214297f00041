"""Bearer tokens for the native API: the same OAuth tokens and scopes as the Mastodon routes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from tidings.accounts import scopes
from tidings.api.mastodon.common import ApiError, caller_of
from tidings.core import ratelimit
from tidings.core.errors import RateLimited


class Token(HttpBearer):
    """`Authorization: Bearer <token>`, with the scope the route declares. With `optional`, a
    caller without a token is let through as nobody (an invalid token is still refused)."""

    def __init__(self, scope: str, *, optional: bool = False) -> None:
        super().__init__()
        self.scope = scope
        self.optional = optional

    def __call__(self, request: HttpRequest) -> Any:
        try:
            caller = caller_of(request)
        except ApiError as exc:
            raise HttpError(401, exc.message) from exc
        if caller.token is None:
            if not self.optional:
                raise HttpError(401, "The access token is invalid")
            request.user = AnonymousUser()
        else:
            if not scopes.allows(caller.granted, self.scope):
                raise HttpError(403, "This action is outside the authorized scopes")
            if caller.account is None:
                raise HttpError(422, "This method requires an authenticated user")
            request.user = caller.account
        who = f"a{caller.account.id}" if caller.account else f"ip{request.META.get('REMOTE_ADDR', '')}"
        try:
            ratelimit.hit(f"api:{who}", limit=settings.API_REQUESTS_PER_5_MINUTES, window_seconds=300)
        except RateLimited as exc:
            raise HttpError(429, "Too many requests") from exc
        return caller

    def authenticate(
        self, request: HttpRequest, key: str | None
    ) -> Any:  # pragma: no cover - __call__ decides
        return None


def read(scope: str = "read") -> Token:
    return Token(scope, optional=True)


def write(scope: str) -> Token:
    return Token(scope)
