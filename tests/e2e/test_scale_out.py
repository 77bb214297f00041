"""Scale-out: several web processes share one database, one timeline store and one pub/sub (on
PostgreSQL with Redis in CI's second pass, on one SQLite file in the first). A post made through
one web process reaches a follower listening through another, by way of the worker's fan-out."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from mastodon import Mastodon
from tests.e2e.conftest import _free_port, _wait_until_up
from tests.e2e.test_clients import make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def second_web(server_env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """Another `tidings serve` (web and streaming) on the same data as the first."""
    port, streaming_port = _free_port(), _free_port()
    env = {**server_env, "TIDINGS_LOG_LEVEL": "WARNING"}
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tidings.cli",
            "serve",
            *("--port", str(port)),
            *("--streaming-port", str(streaming_port)),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, web)
        yield url, f"ws://127.0.0.1:{streaming_port}"
    finally:
        web.send_signal(signal.SIGINT)
        try:
            web.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.kill()


def test_a_post_made_through_one_web_process_streams_through_another(
    server: str, second_web: tuple[str, str], tidings: Callable[..., str]
) -> None:
    from websockets.sync.client import connect

    other_web, other_streaming = second_web
    assert other_web != server
    make_user(tidings, "scale_author")
    make_user(tidings, "scale_reader")
    author = Mastodon(
        access_token=tidings("token", "create", "scale_author", "--scopes", "read write").strip(),
        api_base_url=server,
    )
    reader_token = tidings("token", "create", "scale_reader", "--scopes", "read write follow").strip()
    reader = Mastodon(access_token=reader_token, api_base_url=other_web)
    reader.account_follow(author.me()["id"])
    reader.timeline_home()  # the reader's home is kept from now on

    stream_url = f"{other_streaming}/api/v1/streaming?access_token={reader_token}&stream=user"
    with connect(stream_url, open_timeout=10) as ws:
        time.sleep(1)  # subscribed before the post
        post = author.status_post(f"兩個網頁行程之間的直播 {os.getpid()}")
        deadline = time.monotonic() + 30
        update = None
        while update is None and time.monotonic() < deadline:
            frame = json.loads(ws.recv(timeout=30))
            if frame.get("event") == "update" and json.loads(frame["payload"])["id"] == post["id"]:
                update = json.loads(frame["payload"])
        assert update is not None
        assert update["account"]["acct"] == "scale_author"

    # The fan-out wrote it into the reader's kept timeline, which the other process reads.
    assert post["id"] in [s["id"] for s in reader.timeline_home()]
