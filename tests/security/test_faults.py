"""Faults: what a person was told is done stays done when processes die or Redis is lost.

Real `tidings serve` and `tidings worker` processes run on a database of their own (a copy of
one migrated once per test process, tests/installations.py: SQLite, or PostgreSQL when
TIDINGS_DATABASE_URL is set, as the rest of the suite chooses) and, where Redis is used, on a
Redis server of their own, started here, so it can be emptied, paused or stopped without
touching anyone else's. A process is killed with SIGKILL, with its whole process group:
nothing of it gets to clean up."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from django.db import transaction

from tests.e2e.conftest import _free_port, _wait_until_up
from tests.installations import POSTGRES, Migrated, database_url
from tidings.core.models import Job
from tidings.notifications.models import Notification
from tidings.posts import services as posts
from tidings.posts.models import Post
from tidings.social import services as social
from tidings.timelines import services as timelines
from tidings.timelines import store

PASSWORD = "correct horse battery staple"
# A worker's hold on a job (and on a webhook call) before another may take it over: short here,
# so the test does not wait a minute for the lease of a killed worker to run out.
LEASE_SECONDS = 3


def _base_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TIDINGS_TASKS_IMMEDIATE", "TIDINGS_REDIS_URL", "TIDINGS_DATABASE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tidings.settings",
        TIDINGS_DATA_DIR=str(data_dir),
        TIDINGS_REDIS_PREFIX=f"faults-{os.getpid()}:",
        TIDINGS_LOG_LEVEL="WARNING",
    )
    return env


def wait_until(what: str, check: Callable[[], Any], seconds: float = 60) -> Any:
    """Poll until `check` returns something true; fail saying what never happened."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"{what}: not within {seconds} s")


class RedisServer:
    """A redis-server of the test's own, on a free port, keeping nothing on disk."""

    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.data_dir = data_dir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port)),
                *("--bind", "127.0.0.1"),
                *("--save", ""),
                *("--appendonly", "no"),
                *("--dir", str(self.data_dir)),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = self.client()
        wait_until("redis-server answers", lambda: self._answers(client), 10)

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@dataclass
class Site:
    """One installation: its data directory, its database (a copy of the migrated one), maybe its
    own Redis, and the processes started on it."""

    env: dict[str, str]
    data_dir: Path
    database: str = ""
    redis: RedisServer | None = None
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _start(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        out = (self.data_dir / log).open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "tidings.cli", *args],
            env=self.env,
            stdout=out,
            stderr=out,
            start_new_session=True,  # its own process group: killed whole, children included
        )
        self.processes.append(process)
        return process

    def serve(self) -> tuple[str, subprocess.Popen[bytes]]:
        port = _free_port()
        web = self._start(
            "serve", "--port", str(port), "--streaming-port", "0", "--workers", "1", log="web.log"
        )
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, web, 60)
        return url, web

    def worker(self) -> subprocess.Popen[bytes]:
        """A worker, once it has started: it has queued a sweep for what a stopped one left."""
        log = f"worker-{len(self.processes)}.log"
        process = self._start("worker", log=log)
        wait_until(
            "the worker starts",
            lambda: process.poll() is None and "worker started" in (self.data_dir / log).read_text(),
            60,
        )
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL to the process and all it started: no clean-up, as when the machine's OOM
        killer or an operator's kill -9 takes it."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def script(self, code: str) -> Any:
        """Run Python with Django set up on this installation; what it prints last, as JSON."""
        done = subprocess.run(
            [sys.executable, "-c", "import json, django\ndjango.setup()\n" + textwrap.dedent(code)],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def connect(self) -> Any:
        """A connection of the test's own to the installation's database."""
        if self.database:
            import psycopg

            return psycopg.connect(database_url(self.database), autocommit=True)
        return sqlite3.connect(self.data_dir / "tidings.sqlite3", isolation_level=None, timeout=0)

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if not self.database:
            query = query.replace("%s", "?")
        conn = self.connect()
        try:
            return list(conn.execute(query, params).fetchall())
        finally:
            conn.close()

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.redis is not None:
            self.redis.stop()


@pytest.fixture
def site(migrated: Migrated, tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """site(redis=True, TIDINGS_X="1") -> a fresh installation (a copy of the migrated database)."""
    made: list[Site] = []

    def make(*, redis: bool = False, **env: str) -> Site:
        data_dir = tmp_path / f"site{len(made)}"
        installation = Site(_base_env(data_dir), data_dir)
        installation.database = f"tidings_faults_{os.getpid()}_{len(made)}" if POSTGRES else ""
        installation.env.update(
            migrated.copy(data_dir, installation.database),
            TIDINGS_WRITES_PER_MINUTE="100000",
            TIDINGS_API_REQUESTS_PER_5_MINUTES="100000",
            TIDINGS_FETCH_PRIVATE_ADDRESSES="1",
            TIDINGS_TASK_LEASE_SECONDS=str(LEASE_SECONDS),
            **env,
        )
        made.append(installation)
        if redis:
            installation.redis = RedisServer(data_dir)
            installation.env["TIDINGS_REDIS_URL"] = installation.redis.url
        return installation

    try:
        yield make
    finally:
        for installation in made:
            installation.close()
        migrated.drop(*(installation.database for installation in made if installation.database))


def people(site: Site, *handles: str, scopes: str = "read write follow") -> dict[str, tuple[int, str]]:
    """handle -> (account id, API token) for new accounts."""
    found = site.script(
        f"""
        from tidings.accounts import services, tokens
        out = {{}}
        for handle in {list(handles)!r}:
            account = services.sign_up(handle=handle, password={PASSWORD!r})
            out[handle] = [account.id, tokens.create_token(account, scopes={scopes!r})]
        print(json.dumps(out))
        """
    )
    return {handle: (int(i), token) for handle, (i, token) in found.items()}


def call(method: str, url: str, token: str = "", **kwargs: Any) -> requests.Response:
    """One API call, its connection let go at once: an answer kept with its raw stream holds the
    socket open, and the server counts each open connection against its limit of them."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers |= kwargs.pop("headers", {})
    answer = requests.request(method, url, headers=headers, timeout=60, **kwargs)
    answer.raw = None  # the body is read already
    return answer


def post_status(url: str, token: str, text: str, *, key: str = "") -> requests.Response:
    return call(
        "POST",
        f"{url}/api/v1/statuses",
        token,
        json={"status": text, "visibility": "public"},
        headers={"Idempotency-Key": key} if key else {},
    )


def statuses_of(url: str, account_id: int) -> list[dict[str, Any]]:
    """Every status of an account, through the API, page by page."""
    found: list[dict[str, Any]] = []
    query = "limit=40"
    while True:
        page = call("GET", f"{url}/api/v1/accounts/{account_id}/statuses?{query}")
        assert page.status_code == 200, page.text
        found += page.json()
        if len(page.json()) < 40:
            return found
        query = f"limit=40&max_id={page.json()[-1]['id']}"


def notifications(url: str, token: str) -> list[tuple[str, str]]:
    """(type, status id) of each of a person's notifications."""
    answer = call("GET", f"{url}/api/v1/notifications?limit=40", token)
    assert answer.status_code == 200, answer.text
    return [(n["type"], (n.get("status") or {}).get("id", "")) for n in answer.json()]


def home(url: str, token: str) -> list[str]:
    answer = call("GET", f"{url}/api/v1/timelines/home?limit=40", token)
    assert answer.status_code == 200, answer.text
    return [status["id"] for status in answer.json()]


# --- the web process killed while posting ---------------------------------------------------------


def test_every_post_acknowledged_before_the_web_server_is_killed_is_there_after_a_restart(site):
    here = site(redis=bool(POSTGRES))
    writers = people(here, "斷電甲", "斷電乙", "斷電丙", "斷電丁")
    tokens = [token for _id, token in writers.values()]
    url, web = here.serve()
    wanted = [(f"key-{i}", tokens[i % len(tokens)], f"停電之前的第 {i} 則") for i in range(400)]
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    enough = threading.Event()

    def send(key: str, token: str, text: str) -> None:
        try:
            answer = post_status(url, token, text, key=key)
        except requests.RequestException:
            return  # cut off by the kill: no answer, nothing promised
        if answer.status_code == 200:
            with lock:
                acknowledged[key] = answer.json()["id"]
                if len(acknowledged) >= 100:
                    enough.set()

    with ThreadPoolExecutor(16) as pool:
        for item in wanted:
            pool.submit(send, *item)
        assert enough.wait(300), "100 posts were not acknowledged"
        here.kill(web)
    assert 100 <= len(acknowledged) < len(wanted)

    url, web = here.serve()
    texts = {key: text for key, _token, text in wanted}

    def shown(key: str) -> tuple[str, int, str]:
        # The restarted process's first burst: with Redis, threads racing to make the client
        # once closed its pool under one another (a 500 here); tests/core/test_redis_client.py.
        answer = call("GET", f"{url}/api/v1/statuses/{acknowledged[key]}")
        return key, answer.status_code, answer.json().get("content", "")

    with ThreadPoolExecutor(16) as pool:
        for key, status, content in pool.map(shown, list(acknowledged)):
            assert status == 200, f"acknowledged post {key} is gone"
            assert texts[key] in content

    # A client that got no answer sends again with the same key: the post it made before the
    # kill, if any, comes back; otherwise it is made now. An acknowledged one comes back as it was.
    with ThreadPoolExecutor(16) as pool:
        again = dict(
            pool.map(lambda item: (item[0], post_status(url, item[1], item[2], key=item[0])), wanted)
        )
    assert all(answer.status_code == 200 for answer in again.values())
    assert all(again[key].json()["id"] == post_id for key, post_id in acknowledged.items())
    made = Counter(
        status["content"]
        for account_id, _token in writers.values()
        for status in statuses_of(url, account_id)
    )
    assert sum(made.values()) == len(wanted)  # one post per key, none twice
    assert sorted(made) == sorted(f"<p>{text}</p>" for _key, _token, text in wanted)


# --- a worker killed in the middle of its work ----------------------------------------------------

# Now, as each database writes its timestamps (Django's SQLite columns are text in UTC).
DB_NOW = "now()" if POSTGRES else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
FANS = 6000


def add_fans(here: Site, star_id: int, count: int, *, with_tokens: int) -> tuple[list[int], list[str]]:
    """`count` followers of the star, made in bulk, each with a home timeline kept (so the post
    reaches it only by fan-out); API tokens for `with_tokens` of them, spread from first to last."""
    made = here.script(
        f"""
        from django.utils import timezone
        from tidings.accounts import tokens
        from tidings.accounts.models import Account
        from tidings.core.handles import handle_key, handle_skeleton
        from tidings.social.models import Follow
        from tidings.timelines import store

        now = timezone.now()
        handles = [f"fan{{i:05d}}" for i in range({count})]
        fans = Account.objects.bulk_create(
            [
                Account(
                    handle=h, handle_key=handle_key(h), handle_skeleton=handle_skeleton(h),
                    display_name=h, password="!", last_active_at=now, timeline_built_at=now,
                )
                for h in handles
            ],
            batch_size=1000,
        )
        Follow.objects.bulk_create([Follow(follower=f, followee_id={star_id}) for f in fans], batch_size=1000)
        Account.objects.filter(id={star_id}).update(followers_count=Follow.objects.filter(followee_id={star_id}).count())
        for fan in fans:
            store.fill(fan.id, [])  # kept, and empty
        step = max(1, {count} // {with_tokens})
        some = [tokens.create_token(f, scopes="read") for f in fans[::step]]
        print(json.dumps([[f.id for f in fans], some]))
        """
    )
    return made[0], made[1]


def follow(here: Site, follower_id: int, followee_id: int) -> None:
    here.script(
        f"""
        from tidings.accounts.models import Account
        from tidings.social import services
        services.follow(Account.objects.get(id={follower_id}), account_id={followee_id})
        print("null")
        """
    )


def kept_timelines_holding_a_post(here: Site, fan_ids: list[int]) -> int:
    """How many of these people's kept home timelines hold a post (they hold none at first)."""
    if here.redis is None:
        return int(here.sql("SELECT count(DISTINCT owner_id) FROM timelines_timelineentry")[0][0])
    prefix = here.env["TIDINGS_REDIS_PREFIX"]
    pipe = here.redis.client().pipeline(transaction=False)
    for fan in fan_ids:
        pipe.zcard(f"{prefix}tl:{fan}")
    return sum(size > 1 for size in pipe.execute())  # the KEPT marker, and a post


def leases_over(here: Site, table: str, column: str) -> bool:
    return not here.sql(f"SELECT 1 FROM {table} WHERE {column} >= {DB_NOW}")


def test_a_worker_killed_in_the_middle_of_a_fan_out_leaves_the_job_to_the_next_which_does_it_once(site):
    # Small chunks, so that the kill lands while the fan-out is under way: in chunks of 1 000 the
    # worker could write all 6 000 timelines in Redis between two looks of the test.
    here = site(redis=bool(POSTGRES), TIDINGS_FANOUT_CHUNK="100")
    crowd = people(here, "明星", "粉絲代表")
    (star_id, star_token), (named_id, named_token) = crowd["明星"], crowd["粉絲代表"]
    fan_ids, fan_tokens = add_fans(here, star_id, FANS, with_tokens=6)
    follow(here, named_id, star_id)
    url, _web = here.serve()
    first = here.worker()
    wait_until("the follow's job is done", lambda: not here.sql("SELECT 1 FROM core_job"))

    with ThreadPoolExecutor(1) as pool:
        sent = pool.submit(post_status, url, star_token, "@粉絲代表 新品發表會，明天見")
        while not kept_timelines_holding_a_post(here, fan_ids[::10]):  # a sample: quicker to ask
            time.sleep(0.005)
        here.kill(first)
        answer = sent.result()
    assert answer.status_code == 200, answer.text
    post_id = answer.json()["id"]
    assert 0 < kept_timelines_holding_a_post(here, fan_ids) < FANS  # killed half-way
    assert here.sql("SELECT event FROM core_job") == [("post.published",)]

    # A worker started once the killed one's lease has run out takes the job at once.
    wait_until("the killed worker's lease runs out", lambda: leases_over(here, "core_job", "lease_until"))
    here.worker()
    wait_until("the job is done", lambda: not here.sql("SELECT 1 FROM core_job"))
    assert kept_timelines_holding_a_post(here, fan_ids) == FANS
    for token in [*fan_tokens, named_token]:
        assert home(url, token) == [post_id]
    assert notifications(url, named_token) == [("mention", post_id)]
    assert [status["id"] for status in statuses_of(url, star_id)] == [post_id]


class Receiver:
    """An organisation's webhook receiver on this machine: records each call (its delivery id and
    body) and holds the first one open, as a slow receiver does, until `release`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []
        self.first_call = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append((self.headers["X-Tidings-Delivery"], body))
                if len(receiver.calls) == 1:
                    receiver.first_call.set()
                    receiver.release.wait(60)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:
                    pass  # the caller is gone

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


def test_a_worker_killed_in_the_middle_of_a_webhook_call_leaves_it_to_the_next_with_the_same_delivery_id(
    site, receiver
):
    here = site(redis=bool(POSTGRES))
    crowd = people(here, "老闆", "示範客服")
    (admin_id, _), (official_id, _) = crowd["老闆"], crowd["示範客服"]
    here.script(
        f"""
        from tidings.accounts.models import Account
        from tidings.extensions import services as extensions
        from tidings.orgs import services as orgs

        admin, official = Account.objects.get(id={admin_id}), Account.objects.get(id={official_id})
        org = orgs.create_organisation(slug="demo", name="示範科技", owner=admin)
        orgs.register_official_account(org, official, actor=admin)
        extensions.add_webhook(admin, org, url={receiver.url!r}, events=["post"])
        print("null")
        """
    )
    first = here.worker()
    post_id = here.script(
        f"""
        from tidings.accounts.models import Account
        from tidings.posts import services as posts

        print(json.dumps(str(posts.publish(Account.objects.get(id={official_id}), text="新品上市").id)))
        """
    )
    assert receiver.first_call.wait(60), "the webhook was not called"
    here.kill(first)
    assert here.sql("SELECT state, attempts FROM extensions_delivery") == [("pending", 0)]

    wait_until(
        "the killed worker's claim runs out", lambda: leases_over(here, "extensions_delivery", "next_try_at")
    )
    here.worker()
    wait_until(
        "the delivery is sent again and taken",
        lambda: here.sql("SELECT state FROM extensions_delivery") == [("delivered",)],
    )
    wait_until("the worker has nothing left to do", lambda: not here.sql("SELECT 1 FROM core_job"))
    time.sleep(LEASE_SECONDS + 1)  # long enough for a claim, had one been left, to be taken again

    assert len(receiver.calls) == 2  # the call cut off, and the one taken; no third
    (first_id, first_body), (again_id, again_body) = receiver.calls
    assert first_id == again_id and first_body == again_body
    assert json.loads(again_body)["post"]["id"] == post_id
    # A receiver that keeps the delivery ids it has seen takes the event once.
    assert len({delivery_id for delivery_id, _body in receiver.calls}) == 1
    logged = here.sql("SELECT id, state, last_status, delivered_at FROM extensions_delivery")
    assert len(logged) == 1
    assert (str(logged[0][0]), logged[0][1], logged[0][2]) == (first_id, "delivered", 200)
    assert logged[0][3] is not None


# --- jobs and transactions ------------------------------------------------------------------------


def test_a_job_is_written_with_its_transaction_and_queued_only_when_it_commits(
    make_account, django_capture_on_commit_callbacks
):
    author, reader, named = make_account("作者"), make_account("讀者"), make_account("被提及的人")
    with django_capture_on_commit_callbacks(execute=True):
        social.follow(reader, account_id=author.id)
    timelines.rebuild(reader)  # the reader's timeline is kept: a post reaches it by fan-out only

    def effects() -> tuple[list[int] | None, int]:
        mentions = Notification.objects.filter(recipient=named, kind=Notification.Kind.MENTION)
        return store.read(reader.id, max_id=None, limit=10), mentions.count()

    # A write that fails after its post: nothing was queued, and nothing happens.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            posts.publish(author, text="@被提及的人 這則不算數")
            raise RuntimeError("what came after the post failed")
    assert queued == []
    assert Job.objects.count() == 0
    assert not Post.objects.filter(author=author).exists()
    assert effects() == ([], 0)

    # A write that commits leaves its one job, queued once; its effects come when it runs.
    with django_capture_on_commit_callbacks() as queued:
        post = posts.publish(author, text="@被提及的人 這則算數")
    assert Job.objects.filter(event="post.published").count() == 1
    assert effects() == ([], 0)
    for callback in queued:
        callback()
    assert Job.objects.count() == 0
    assert effects() == ([post.id], 1)


def hold_writes(here: Site) -> tuple[Any, Callable[[], int]]:
    """The test's own transaction, holding what a post's commit needs: on PostgreSQL a lock on
    the Idempotency-Key table (a post is made, then waits to keep its key); on SQLite the write
    lock itself. With how many requests wait for a lock (-1 where the database cannot tell)."""
    conn = here.connect()
    if not here.database:
        conn.execute("BEGIN IMMEDIATE")
        return conn, lambda: -1
    conn.execute("BEGIN")
    conn.execute("LOCK TABLE posts_idempotencykey IN SHARE MODE")

    def waiting() -> int:
        # The first waits for the key table; the second may wait for the first's row of the
        # author (its count of posts) instead.
        return int(
            here.sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )[0][0]
        )

    return conn, waiting


def test_the_same_idempotency_key_sent_again_while_the_first_is_committing_makes_one_post(site):
    here = site(redis=bool(POSTGRES))
    ((writer_id, token),) = people(here, "重送者").values()
    url, _web = here.serve()
    conn, waiting = hold_writes(here)
    with ThreadPoolExecutor(2) as pool:
        sent = [pool.submit(post_status, url, token, "只發一次的公告", key="announce-1") for _ in range(2)]
        if here.database:
            wait_until("both requests wait to keep their key", lambda: waiting() == 2)
        else:
            time.sleep(1)  # both requests reach the write lock (SQLite cannot say who waits on it)
        conn.execute("COMMIT")
        conn.close()
        answers = [future.result() for future in sent]

    assert [answer.status_code for answer in answers] == [200, 200], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert [status["id"] for status in statuses_of(url, writer_id)] == [answers[0].json()["id"]]
    assert here.sql("SELECT count(*) FROM posts_post WHERE author_id = %s", (writer_id,)) == [(1,)]
    # The request that lost rolled back its post with the events it emitted: one job is left.
    assert here.sql("SELECT count(*) FROM core_job WHERE event = 'post.published'") == [(1,)]


# --- Redis emptied or lost ------------------------------------------------------------------------


def web_login(url: str, handle: str) -> requests.Session:
    """A browser's session on the web pages, logged in with the password."""
    browser = requests.Session()
    assert browser.get(f"{url}/login/", timeout=60).status_code == 200
    answer = browser.post(
        f"{url}/login/",
        data={"login": handle, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, answer.text
    return browser


def logged_in(browser: requests.Session, url: str) -> bool:
    answer = browser.get(f"{url}/favourites/", allow_redirects=False, timeout=60)
    assert answer.status_code < 500, answer.text
    return answer.status_code == 200


@pytest.mark.parametrize("loss", ["emptied", "restarted empty"])
def test_with_redis_emptied_or_restarted_empty_timelines_are_rebuilt_from_the_database_and_nothing_is_lost(
    site, loss
):
    here = site(redis=True)
    crowd = people(here, "阿明", "阿華", "阿美")
    url, _web = here.serve()
    here.worker()
    for handle, (_id, token) in crowd.items():
        for other, (other_id, _token) in crowd.items():
            if other != handle:
                assert call("POST", f"{url}/api/v1/accounts/{other_id}/follow", token).status_code == 200
    made = {
        handle: [post_status(url, token, f"{handle} 的第 {i} 則").json()["id"] for i in range(3)]
        for handle, (_id, token) in crowd.items()
    }
    wait_until("the worker has done every job", lambda: not here.sql("SELECT 1 FROM core_job"))
    before = {handle: home(url, token) for handle, (_id, token) in crowd.items()}
    for handle, shown in before.items():
        assert {p for other, ids in made.items() if other != handle for p in ids} <= set(shown)
    browser = web_login(url, "阿明")
    assert logged_in(browser, url)

    assert here.redis is not None
    if loss == "emptied":
        here.redis.client().flushall()
    else:
        here.redis.stop()
        here.redis.start()

    assert {handle: home(url, token) for handle, (_id, token) in crowd.items()} == before
    assert logged_in(browser, url)  # the session is kept in the database too
    answer = post_status(url, crowd["阿華"][1], "之後的一則")
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-RateLimit-Remaining"]) < int(answer.headers["X-RateLimit-Limit"])  # counted
    wait_until("a new post reaches a follower", lambda: answer.json()["id"] in home(url, crowd["阿明"][1]))
    assert home(url, crowd["阿美"][1]) == [answer.json()["id"], *before["阿美"]]
