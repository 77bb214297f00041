"""Shared fixtures: accounts, logged-in clients, and a clean Redis between tests."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.installations import POSTGRES, Migrated, admin, shared_database
from tidings.accounts import services as accounts
from tidings.accounts.models import Account

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _clean_redis() -> Iterator[None]:
    """The timeline store, live events and rate limits live in Redis in scale-out mode; each test
    starts with none of the keys of this test run."""
    yield
    if settings.REDIS_URL:
        from tidings.core import redis as tredis

        client = tredis.client()
        keys = list(client.scan_iter(match=f"{settings.REDIS_PREFIX}*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def _nothing_rendered() -> None:
    """What statuses show is kept per process under their rows' fields, and ids (and with a
    frozen clock, whole rows) come again after a test's transaction is rolled back: each test
    starts with none kept."""
    from tidings.api.mastodon import serializers

    serializers.forget_rendered()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages raised outside a request are in the active language: English in tests, unless a
    test activates another; requests still negotiate their own language."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_root(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_account(db: None) -> Callable[..., Account]:
    """make_account("小明") -> a new active account with PASSWORD."""

    def make(handle: str | None = None, **fields: Any) -> Account:
        handle = handle or f"user{next(_counter)}"
        return accounts.sign_up(handle=handle, password=PASSWORD, **fields)

    return make


@pytest.fixture
def client_for() -> Callable[[Account], Client]:
    """A test client logged in as the account, enforcing CSRF like a browser would not skip it."""

    def make(account: Account) -> Client:
        client = Client()
        client.force_login(account)
        return client

    return make


@pytest.fixture
def run_hooks(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with run_hooks(): service(...)` runs the events' subscribers (the worker's tasks, run in
    process because the tests set TIDINGS_TASKS_IMMEDIATE) when the block ends."""

    def make() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return make


class _Inbox:
    """Mail received by a real SMTP server on this machine."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def bodies(self) -> list[str]:
        return [m.get_body(preferencelist=("plain",)).get_content() for m in self.messages]


@pytest.fixture
def mailbox(settings: Any) -> Iterator[_Inbox]:
    """A real SMTP server (aiosmtpd) on a free local port; Django sends to it over SMTP."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


def _run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary directory of the whole run: the parent of each test process's own under
    pytest-xdist, the process's own without it."""
    own = tmp_path_factory.getbasetemp()
    return own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Migrated]:
    """The database migrated once per run, copied for each test process: for installations run
    as real processes, and for the tests' own database."""
    made = Migrated(tmp_path_factory.mktemp("migrated"), _run_directory(tmp_path_factory))
    yield made
    made.close()


@pytest.fixture(scope="session")
def django_db_setup(
    django_test_environment: None, django_db_blocker: Any, migrated: Migrated, tmp_path_factory: Any
) -> Iterator[None]:
    """pytest-django's test database, as a copy of the migrated one rather than migrated again."""
    from django.db import connections

    name = f"tidings_test_{os.getpid()}" if POSTGRES else ""
    copied = migrated.copy(tmp_path_factory.mktemp("test-database"), name)
    target = name or str(Path(copied["TIDINGS_DATA_DIR"]) / "tidings.sqlite3")
    with django_db_blocker.unblock():
        connections["default"].close()
        for where in (settings.DATABASES["default"], connections["default"].settings_dict):
            where["NAME"] = target
    yield
    with django_db_blocker.unblock():
        connections.close_all()
    migrated.drop(name)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's shared migrated database goes when the run ends (under pytest-xdist, when the
    controlling process ends, after every test process)."""
    if POSTGRES and not os.environ.get("PYTEST_XDIST_WORKER"):
        with admin() as conn:
            conn.execute(
                f"DROP DATABASE IF EXISTS {shared_database(session.config._tmp_path_factory.getbasetemp())}"
                " WITH (FORCE)"
            )


# The files that take longest, longest first. Each test process takes the next few tests in this
# order as it gets free (Makefile: --maxschedchunk 4), so the long files start at once and the
# many short ones fill in after, rather than one process running a long file alone at the end. No
# file of transactional tests is here: those stay after the others, in the order pytest-django
# gives (as Django orders them), so that their flushing of the tables comes last in each process.
LONGEST_FIRST = (
    "tests/security/test_faults.py",
    "tests/e2e/test_activities.py",
    "tests/e2e/test_soak.py",
    "tests/e2e/test_apps.py",
    "tests/e2e/test_response_desk.py",
    "tests/posts/test_internal_audience.py",
    "tests/e2e/test_official_publishing.py",
    "tests/api/test_api_access.py",
    "tests/api/test_mastodon_schema.py",
    "tests/security/test_backup.py",
    "tests/e2e/test_clients.py",
    "tests/e2e/test_monitor_live.py",
    "tests/e2e/test_internal_space.py",
    "tests/e2e/test_hostile_text.py",
)


@pytest.hookimpl(trylast=True)  # after pytest-django's ordering, which this keeps within the rest
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
