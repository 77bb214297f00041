from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tidings.accounts.tokens import create_token


class Api:
    """A client of the API with a bearer token (or none), speaking JSON by default."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        # English unless a test asks for another language, so messages can be read in asserts.
        headers = {"Accept-Language": "en", **extra}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path: str, data: Any = None, *, form: bool = False, **headers: str) -> Any:
        if form:
            return self.client.post(path, data or {}, headers=self._headers(headers))
        return self.client.post(
            path, json.dumps(data or {}), content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.put(
            path, json.dumps(data or {}), content_type="application/json", headers=self._headers(headers)
        )

    def patch(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.patch(
            path, json.dumps(data or {}), content_type="application/json", headers=self._headers(headers)
        )

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture
def api_for():
    def make(account: Any = None, scopes: str = "read write follow") -> Api:
        return Api(create_token(account, scopes=scopes) if account is not None else None)

    return make
