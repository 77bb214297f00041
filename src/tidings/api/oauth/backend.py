"""Django OAuth Toolkit, fitted to Mastodon's rules: an app may only be granted scopes it
registered, and tokens of deactivated accounts are worthless."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from tidings.accounts import scopes


class Scopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return {s: scopes.description(s) for s in scopes.ALL}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *a: Any, **kw: Any
    ) -> list[str]:
        if application is None:
            return list(scopes.ALL)
        return sorted(scopes.expand(scopes.parse(application.scopes)))

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *a: Any, **kw: Any
    ) -> list[str]:
        if application is None:
            return ["read"]
        return scopes.parse(application.scopes)[:1] or ["read"]


class Validator(OAuth2Validator):
    def validate_user(self, *args: Any, **kwargs: Any) -> bool:
        return False  # no password grant: a client logs in through the consent page

    def validate_bearer_token(self, token: str, scopes_: Any, request: Any) -> bool:
        valid = bool(super().validate_bearer_token(token, scopes_, request))
        user = getattr(request, "user", None)
        return valid and (user is None or bool(user.is_active))
