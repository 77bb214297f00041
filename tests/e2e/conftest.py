"""Browser tests: Debian's Chromium driven by Playwright, against a real `tidings serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests.installations import POSTGRES, Migrated

CHROMIUM = os.environ.get("TIDINGS_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, for one file's tests. Not kept for the session: Playwright's event loop runs in
    this thread while it is open, and Django refuses database work in a thread with a running
    loop, so the tests that follow in this process could not use the database."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is required for the browser tests: {CHROMIUM} is missing (apt-get install chromium)"
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) at phone-or-desktop width chosen by the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        out = SCREENSHOTS / "failures"
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


SERVER_ENV: dict[str, str] = {}
STREAMING: dict[str, str] = {}


@pytest.fixture
def streaming_url(server: str) -> str:
    """Where the server's WebSocket streaming server listens."""
    return STREAMING["url"]


@pytest.fixture
def server_env(server: str) -> dict[str, str]:
    """The environment the server runs with (its data, database and Redis prefix)."""
    return SERVER_ENV


@pytest.fixture
def tidings(server: str) -> Callable[..., str]:
    """Run a `tidings` command against the browser tests' server data; returns what it printed."""

    def run(*args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tidings.cli", *args],
            env=SERVER_ENV,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def people(tidings: Callable[..., str], *handles: str, password: str) -> None:
    """Accounts for a test, made as `tidings createuser` makes them but in one process: starting
    one costs a second or two, and a browser test needs several people."""
    script = "from tidings.accounts.services import sign_up\n"
    script += "".join(f"sign_up(handle={handle!r}, password={password!r})\n" for handle in handles)
    tidings("manage", "shell", "-c", script)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tidings serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("tidings serve did not answer in time")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, migrated: Migrated) -> Iterator[str]:
    """A real `tidings serve` and `tidings worker` on their own data directory (and, in
    scale-out mode, their own PostgreSQL database and Redis prefix). Yields the base URL."""
    env = os.environ.copy()
    env.pop("TIDINGS_TASKS_IMMEDIATE", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TIDINGS_REDIS_PREFIX"] = f"tidings-e2e-{os.getpid()}:"
    e2e_db = f"tidings_e2e_{os.getpid()}" if POSTGRES else ""
    env.update(migrated.copy(tmp_path_factory.mktemp("e2e-data"), e2e_db))
    command = [sys.executable, "-m", "tidings.cli"]
    SERVER_ENV.update(env)
    port, streaming_port = _free_port(), _free_port()
    url = f"http://127.0.0.1:{port}"
    env["TIDINGS_SITE_URL"] = SERVER_ENV["TIDINGS_SITE_URL"] = url  # links in messages and mail
    STREAMING["url"] = f"ws://127.0.0.1:{streaming_port}"
    # What the server and the worker say goes to files beside the screenshots, to read after a failure.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = os.environ.get("PYTEST_XDIST_WORKER", "main")
    web_log = (SCREENSHOTS / f"serve-{suffix}.log").open("w")
    worker_log = (SCREENSHOTS / f"worker-{suffix}.log").open("w")
    env["TIDINGS_LOG_LEVEL"] = "INFO"
    web = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--streaming-port", str(streaming_port), "--workers", "1"],
        env=env,
        stdout=web_log,
        stderr=web_log,
    )
    worker = subprocess.Popen([*command, "worker"], env=env, stdout=worker_log, stderr=worker_log)
    try:
        _wait_until_up(url, web)
        yield url
    finally:
        for proc in (web, worker):
            proc.send_signal(signal.SIGINT)
        for proc in (web, worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        migrated.drop(e2e_db)
