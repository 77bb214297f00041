"""A world of accounts, organisations and posts built once per module instead of once per test,
for the long matrices of who may see what: building it is most of each of their tests' time.

It is built in a transaction that each test's own nests in (as Django's setUpTestData does) and
that is rolled back after the module's last test. What it put in Redis (the kept timelines, in
scale-out mode) is put back before each test, as each test ends with Redis emptied; each test
gets its own copy of the world's objects."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import pytest
from django.conf import settings
from django.db import transaction
from django.test import TestCase
from django.utils import translation

from tidings.accounts import services as accounts
from tidings.accounts.models import Account
from tidings.core import redis as tredis

T = TypeVar("T")


class Built(Generic[T]):
    def __init__(self, world: T) -> None:
        self.world = world
        self.redis: dict[bytes, Any] = {}
        if settings.REDIS_URL:
            client = tredis.client()
            keys = client.scan_iter(match=f"{settings.REDIS_PREFIX}*", count=1000)
            self.redis = {key: client.dump(key) for key in keys}

    def for_a_test(self) -> T:
        if self.redis:
            client = tredis.client()
            for key, value in self.redis.items():
                client.restore(key, 0, value, replace=True)
        return copy.deepcopy(self.world)


@contextmanager
def _built_once(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[Built[T]]:
    with django_db_blocker.unblock(), translation.override("en"):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield Built(build())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def world_fixtures(build: Callable[[], T]) -> tuple[Any, Any]:
    """`_world_built, world = world_fixtures(build)` in a test module: `world` is a test's copy of
    what `build` made once for the module."""

    @pytest.fixture(scope="module")
    def _world_built(django_db_setup: None, django_db_blocker: Any) -> Iterator[Built[T]]:
        with _built_once(django_db_blocker, build) as built:
            yield built

    @pytest.fixture
    def world(_world_built: Built[T], db: None) -> T:
        return _world_built.for_a_test()

    return _world_built, world


def account(handle: str) -> Account:
    from tests.conftest import PASSWORD

    return accounts.sign_up(handle=handle, password=PASSWORD)


def hooks() -> Any:
    """`with hooks(): ...` runs the events' subscribers when the block ends, as run_hooks does."""
    return TestCase.captureOnCommitCallbacks(execute=True)
