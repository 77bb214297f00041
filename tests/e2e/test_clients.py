"""Two client programs nobody here wrote, from PyPI, against a live `tidings serve` and worker:
Mastodon.py (a library) and toot (a command-line client). Each registers an app, gets a token
through the real consent page in Chromium, posts, follows, reads home and tag timelines,
favourites, reblogs, uploads a picture and reads notifications."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mastodon import Mastodon, StreamListener
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import SCREENSHOTS
from tests.web.helpers import png_bytes

pytestmark = pytest.mark.e2e
PASSWORD = "a long client passphrase"
OOB = "urn:ietf:wg:oauth:2.0:oob"


def make_user(tidings: Callable[..., str], handle: str) -> None:
    tidings(
        "createuser", handle, "--email", f"{handle}@example.com", "--password-stdin", stdin=PASSWORD + "\n"
    )


def consent(browser: Browser, server: str, handle: str, url: str, shot: str = "") -> str:
    """Log in as `handle`, open the app's authorization URL, allow it, and read the code shown."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-TW", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(server + "/login/")
        page.fill("#l-login", handle)
        page.fill("#l-password", PASSWORD)
        page.click("form[action='/login/'] button[type=submit]")
        expect(page.locator("#compose-text")).to_be_visible()
        page.goto(url)
        expect(page.locator("#authorizationForm")).to_be_visible()
        if shot:
            page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
        page.click("#authorizationForm button[name=allow]")
        code = page.locator("#authorization-code")
        expect(code).to_be_visible()
        return str(code.input_value())
    finally:
        context.close()


def eventually(check: Callable[[], Any], seconds: float = 20) -> Any:
    """The worker fans out and notifies after the request: ask again until it has."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_mastodon_py_does_the_everyday_things(browser: Browser, server: str, tidings) -> None:
    make_user(tidings, "mastodonpy_a")
    make_user(tidings, "mastodonpy_b")
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py 測試", api_base_url=server, scopes=["read", "write", "follow", "push"], redirect_uris=OOB
    )
    alice = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    # A server on this machine speaks plain HTTP; Mastodon.py asks to be told that is fine.
    url = alice.auth_request_url(redirect_uris=OOB, scopes=["read", "write", "follow"], allow_http=True)
    code = consent(browser, server, "mastodonpy_a", url, shot="consent-360")
    alice.log_in(code=code, redirect_uri=OOB, scopes=["read", "write", "follow"], allow_http=True)
    token = tidings("token", "create", "mastodonpy_b", "--scopes", "read write follow push").strip()
    bob = Mastodon(access_token=token, api_base_url=server)

    assert alice.account_verify_credentials()["username"] == "mastodonpy_a"
    me_a = alice.me()
    bob.account_follow(me_a["id"])
    picture = alice.media_post(png_bytes(), mime_type="image/png", description="紅色方塊")
    status = alice.status_post("Mastodon.py 你好 #開箱#", media_ids=[picture["id"]])
    assert status["media_attachments"][0]["description"] == "紅色方塊"

    home = eventually(lambda: [s for s in bob.timeline_home() if s["id"] == status["id"]])
    assert home and home[0]["account"]["acct"] == "mastodonpy_a"
    assert [s["id"] for s in bob.timeline_hashtag("開箱")] == [status["id"]]
    assert bob.status_favourite(status["id"])["favourited"] is True
    reblog = bob.status_reblog(status["id"])
    assert reblog["reblog"]["id"] == status["id"]

    kinds = eventually(
        lambda: {n["type"] for n in alice.notifications()} >= {"follow", "favourite", "reblog"}
    )
    assert kinds, [n["type"] for n in alice.notifications()]
    question = alice.status_post("午餐?", poll=alice.make_poll(["便當", "麵"], expires_in=3600))
    voted = bob.poll_vote(question["poll"]["id"], [1])
    assert [o["votes_count"] for o in voted["options"]] == [0, 1] and voted["own_votes"] == [1]

    page = bob.timeline_public(limit=1)
    assert bob.fetch_next(page) is not None  # paging by the Link header

    heard: list[dict[str, Any]] = []

    class Listener(StreamListener):
        def on_update(self, status: dict[str, Any]) -> None:
            heard.append(status)

    stream = bob.stream_user(Listener(), run_async=True, reconnect_async=False)
    try:
        assert eventually(stream.is_receiving)  # the stream is open before the post is made
        live = alice.status_post("串流中的新消息")
        assert eventually(lambda: [s for s in heard if s["id"] == live["id"]])
    finally:
        stream.close()


def toot(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "toot", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_toot_logs_in_through_the_consent_page_and_posts(
    browser: Browser, server: str, tidings, tmp_path: Path
) -> None:
    make_user(tidings, "toot_user")
    make_user(tidings, "toot_friend")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path), "NO_COLOR": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    login = subprocess.Popen(
        [sys.executable, "-m", "toot", "login", "--instance", server],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert login.stdin is not None and login.stdout is not None
    url = ""
    while not url:
        line = login.stdout.readline()
        assert line, "toot login ended before printing the login URL"
        if line.startswith("http"):
            url = line.strip()
    login.stdin.write("n\n")
    login.stdin.flush()
    code = consent(browser, server, "toot_user", url)
    rest, _ = login.communicate(code + "\n", timeout=60)
    assert login.returncode == 0, rest
    assert "Successfully logged in" in rest

    assert "toot_user" in toot(env, "whoami")
    friend = tidings("token", "create", "toot_friend", "--scopes", "read write follow").strip()
    Mastodon(access_token=friend, api_base_url=server).status_post("來自朋友 #toot測試#")
    toot(env, "follow", "toot_friend")
    toot(env, "post", "toot 發的第一則 #toot測試#")
    picture = tmp_path / "red.png"
    picture.write_bytes(png_bytes())
    toot(env, "post", "有圖", "--media", str(picture), "--description", "紅色")

    timeline = eventually(lambda: "來自朋友" in toot(env, "timeline", "--once"))
    assert timeline
    assert "toot 發的第一則" in toot(env, "timeline", "--tag", "toot測試", "--once")

    buddy = Mastodon(access_token=friend, api_base_url=server)
    question = buddy.status_post("週五聚餐?", poll=buddy.make_poll(["去", "不去"], expires_in=3600))
    toot(env, "favourite", question["id"])
    toot(env, "reblog", question["id"])
    toot(env, "polls", "vote", question["poll"]["id"], "0")
    seen = buddy.status(question["id"])
    assert (seen["favourites_count"], seen["reblogs_count"]) == (1, 1)
    assert [o["votes_count"] for o in buddy.poll(question["poll"]["id"])["options"]] == [1, 0]

    mine = [
        s for s in buddy.account_statuses(buddy.account_lookup("toot_user")["id"]) if "第一則" in s["content"]
    ]
    buddy.status_favourite(mine[0]["id"])
    heard = eventually(lambda: "toot_friend" in toot(env, "notifications", "--type", "favourite"))
    assert heard


def test_the_websocket_streams_carry_a_new_post_to_who_may_see_it(
    server: str, streaming_url: str, tidings
) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    make_user(tidings, "ws_reader")
    make_user(tidings, "ws_author")
    reader = tidings("token", "create", "ws_reader", "--scopes", "read write follow").strip()
    author_token = tidings("token", "create", "ws_author", "--scopes", "read write").strip()
    author = Mastodon(access_token=author_token, api_base_url=server)
    listener = Mastodon(access_token=reader, api_base_url=server)
    streaming = listener.instance_v2()["configuration"]["urls"]["streaming"]
    assert streaming == streaming_url  # clients learn where the streams are
    listener.account_follow(author.me()["id"])
    listener.timeline_home()  # as a client does before it listens: home is kept from now on

    with connect(f"{streaming}/api/v1/streaming?access_token={reader}&stream=user", open_timeout=10) as ws:
        ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "直播"}))
        ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": "org-1"}))
        assert json.loads(ws.recv(timeout=10)) == {"error": "No such list"}
        time.sleep(1)  # the subscriptions are in place before the post
        post = author.status_post("#直播# 開始了")
        seen: dict[str, str] = {}
        deadline = time.monotonic() + 30
        while len(seen) < 2 and time.monotonic() < deadline:
            frame = json.loads(ws.recv(timeout=30))
            if frame.get("event") == "update" and json.loads(frame["payload"])["id"] == post["id"]:
                seen[frame["stream"][0]] = post["id"]
        assert seen == {"user": post["id"], "hashtag": post["id"]}

    # A wrong token is refused at the handshake, before any stream is open.
    with pytest.raises(InvalidStatus, match="HTTP 403"):
        connect(f"{streaming}/api/v1/streaming?access_token=wrong", open_timeout=10)


def test_the_streaming_server_refuses_what_the_caller_may_not_hear(
    server: str, streaming_url: str, tidings
) -> None:
    """Its server-sent streams answer as the web server's do: no token, no personal stream; a
    list one is not in is answered as a list that does not exist."""
    import urllib.error
    import urllib.request

    make_user(tidings, "sse_stranger")
    token = tidings("token", "create", "sse_stranger", "--scopes", "read").strip()
    base = streaming_url.replace("ws://", "http://") + "/api/v1/streaming"

    def status(path: str, bearer: str = "") -> tuple[int, bytes]:
        request = urllib.request.Request(
            base + path, headers={"Authorization": f"Bearer {bearer}"} if bearer else {}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read(2)
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    assert status("/user")[0] == 401
    assert status("/user", "not-a-token")[0] == 401
    assert status("/list?list=org-1", token) == status("/list?list=org-99999999", token)
    assert status("/list?list=org-1", token)[0] == 404
    assert status("/health") == (200, b"OK")
