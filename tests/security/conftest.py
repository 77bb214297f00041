"""Real `tidings serve` processes for the proof of uploads and headers (test_uploads, test_headers).

What these tests send a real server (an oversized or chunked body, a twisted media path, requests
for headers) is answered before any table is read, so each server runs on an empty data
directory of its own (SQLite, not migrated: its health check only asks the database for
`SELECT 1`), with the suite's Redis when there is one. That spares a migration per server; the
browser tests' server (tests/e2e) is not shared, as it keeps global state of its own.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import _free_port, _wait_until_up


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case; repeated headers joined with ", "
    body: bytes  # de-chunked


@dataclass(frozen=True)
class LiveServer:
    url: str
    port: int
    data_dir: Path

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Answer:
        """One request written on a raw socket exactly as given (no client tidies the path or
        checks the length), and the whole answer, read until the server closes the connection."""
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        with socket.create_connection(("127.0.0.1", self.port)) as sock:
            sock.settimeout(30)  # a guard: the answers come at once
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            return parse_answer(read_to_end(sock))


def read_to_end(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def parse_answer(raw: bytes) -> Answer:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    if headers.get("transfer-encoding") == "chunked":
        whole, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            whole, rest = whole + rest[:size], rest[size + 2 :]
        body = whole
    return Answer(status=int(status_line.split()[1]), headers=headers, body=body)


def _serve(tmp_path_factory: pytest.TempPathFactory, name: str, **extra: str) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp(name)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "TIDINGS_DATABASE_URL")}
    env.pop("TIDINGS_TASKS_IMMEDIATE", None)
    env.update(
        TIDINGS_DATA_DIR=str(data_dir),
        TIDINGS_REDIS_PREFIX=f"tidings-{name}-{os.getpid()}:",
        TIDINGS_LOG_LEVEL="WARNING",
        **extra,
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "tidings.cli", "serve", "--port", str(port), "--streaming-port", "0"]
    with (data_dir / "serve.log").open("w") as log:
        web = subprocess.Popen([*command, "--workers", "1"], env=env, stdout=log, stderr=log)
    try:
        _wait_until_up(url, web)
        yield LiveServer(url=url, port=port, data_dir=data_dir)
    finally:
        web.send_signal(signal.SIGINT)
        try:
            web.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.kill()


@pytest.fixture(scope="session")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`tidings serve` as it starts by default: plain http, no TLS setting."""
    yield from _serve(tmp_path_factory, "security-plain")


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`tidings serve` as an operator runs it behind a proxy that ends TLS (TIDINGS_TLS=1)."""
    yield from _serve(tmp_path_factory, "security-tls", TIDINGS_TLS="1")
