"""Server-side calls, end to end. Tidings fetches nothing a post links to (it makes no link
previews): its only calls out are webhooks, a monitor's (tidings.search) and an organisation's
(tidings.extensions.deliveries), both made by one sender, tidings.core.webhooks.

1. Every way of writing an address of this machine or of a private network is refused where a
   person saves a webhook (the monitor form, the native API, the organisation's webhook form), with
   the reason, and nothing is saved. One saved before the rules is refused again when it would be
   called: a real receiver listening on this machine's IPv4 and IPv6 loopback hears nothing.
2. With private addresses allowed for the test (so a server on this machine stands in for a public
   one): a redirect to another address is not followed; a server that trickles its answer a byte a
   second is cut off at the time limit; an endless answer is read no further than the size limit.
   Both kinds of webhook, the same cut-offs. Each hostile server gives up after GIVE_UP_SECONDS on
   its own, so a sender that would hang fails the test instead of hanging it.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.api.conftest import Api
from tidings.accounts.models import Account
from tidings.accounts.tokens import create_token
from tidings.extensions.models import Delivery, Webhook
from tidings.orgs import services as orgs
from tidings.orgs.models import Organisation
from tidings.posts import services as posts
from tidings.search.models import Monitor

pytestmark = pytest.mark.django_db

PRIVATE = "A webhook cannot point at a private or local address."
USERINFO = "A webhook address cannot contain a user name or a password (the part before @)."
BACKSLASH = "A webhook address cannot contain a backslash."
GIVE_UP_SECONDS = 30
CALL_SECONDS = 2  # the sender's time limit in these tests (10 in production)
ENDLESS_CAP = 128 * 1024 * 1024  # what an endless answer writes at most before the server stops it

# Forms that all mean this machine: were one let through, the receiver on `{port}` would hear it.
LOCAL = [
    ("http://127.0.0.1:{port}/hook", PRIVATE),
    ("http://127.1:{port}/hook", PRIVATE),
    ("http://2130706433:{port}/hook", PRIVATE),
    ("http://0x7f000001:{port}/hook", PRIVATE),
    ("http://0177.0.0.1:{port}/hook", PRIVATE),
    ("http://0.0.0.0:{port}/hook", PRIVATE),
    ("http://localhost:{port}/hook", PRIVATE),
    ("http://LocalHost:{port}/hook", PRIVATE),
    ("http://[::1]:{port}/hook", PRIVATE),
    ("http://[::]:{port}/hook", PRIVATE),
    ("http://[::ffff:127.0.0.1]:{port}/hook", PRIVATE),
    ("http://[::ffff:7f00:1]:{port}/hook", PRIVATE),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/hook", PRIVATE),
    ("http://example.com@127.0.0.1:{port}/hook", USERINFO),
    ("http://example.com:secret@127.0.0.1:{port}/hook", USERINFO),
    ("http://127.0.0.1:{port}\\@example.com/hook", BACKSLASH),
    ("http://example.com\\@127.0.0.1:{port}/hook", BACKSLASH),
    ("http://127.0.0.1:{port}\\hook", BACKSLASH),
]
# Private networks, the cloud's metadata address, and IPv6 forms that carry one of them.
NETWORK = [
    ("http://10.0.0.1/hook", PRIVATE),
    ("http://10.255.255.254:8080/hook", PRIVATE),
    ("http://172.16.0.1/hook", PRIVATE),
    ("http://172.31.255.1/hook", PRIVATE),
    ("http://192.168.1.1/hook", PRIVATE),
    ("http://100.64.0.1/hook", PRIVATE),  # carrier-grade NAT
    ("http://169.254.169.254/latest/meta-data/", PRIVATE),
    ("https://169.254.169.254/latest/meta-data/", PRIVATE),
    ("http://[fe80::1]/hook", PRIVATE),
    ("http://[fe80::1%25eth0]/hook", PRIVATE),
    ("http://[fc00::1]/hook", PRIVATE),
    ("http://[fd12:3456::1]/hook", PRIVATE),
    ("http://[::ffff:10.0.0.1]/hook", PRIVATE),
    ("http://[::ffff:a9fe:a9fe]/hook", PRIVATE),
    ("http://[64:ff9b::a9fe:a9fe]/hook", PRIVATE),  # NAT64 of the metadata address
    ("http://[2002:a00:1::]/hook", PRIVATE),  # 6to4 of 10.0.0.1
    ("http://[::127.0.0.1]/hook", PRIVATE),  # the old IPv4-compatible form
    ("http://[::ffff:0:a00:1]/hook", PRIVATE),  # IPv4-translated (SIIT) form of 10.0.0.1
    ("http://example.com@10.0.0.1/hook", USERINFO),
]
ALL = [(url.format(port=8080), reason) for url, reason in LOCAL] + NETWORK


# --- a server on this machine playing the receiver ------------------------------------------------


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _hung_up(conn: socket.socket, wait: float) -> bool:
    """Whether the caller closed its side within `wait` seconds (it sends nothing after its request)."""
    readable, _, _ = select.select([conn], [], [], wait)
    if not readable:
        return False
    try:
        return conn.recv(1) == b""
    except OSError:
        return True


class Receiver:
    """A TCP server on 127.0.0.1 and [::1] (one port), answering each request with `answer`.
    It records the requests, and how each connection ended: "hung up" (the caller closed it),
    "outlasted" (the server gave up first) or "done" (the server finished its answer)."""

    def __init__(
        self, answer: Callable[[Receiver, socket.socket], str], *, reads_request: bool = True
    ) -> None:
        self.answer = answer
        self.reads_request = reads_request
        self.connections = 0
        self.requests: list[bytes] = []
        self.endings: list[str] = []
        self.written: list[int] = []
        self._listeners = []
        first = socket.create_server(("127.0.0.1", 0))
        self.port = first.getsockname()[1]
        self._listeners.append(first)
        try:
            self._listeners.append(socket.create_server(("::1", self.port), family=socket.AF_INET6))
        except OSError:
            pytest.fail("this machine must have IPv6 loopback for these tests")
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _serve(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select(self._listeners, [], [], 0.1)
            for listener in readable:
                conn, _ = listener.accept()
                self.connections += 1
                thread = threading.Thread(target=self._one, args=(conn,), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(GIVE_UP_SECONDS)
            try:
                if self.reads_request:
                    self.requests.append(_read_request(conn))
                self.endings.append(self.answer(self, conn))
            except TimeoutError:
                self.endings.append("outlasted")
            except OSError:
                self.endings.append("hung up")

    def settle(self) -> Receiver:
        """The server, once every connection it took has ended (the caller hung up, or the server
        gave up after GIVE_UP_SECONDS)."""
        for thread in list(self._threads[1:]):
            thread.join(GIVE_UP_SECONDS + 5)
        return self

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(GIVE_UP_SECONDS + 5)
        for listener in self._listeners:
            listener.close()


def answer_ok(server: Receiver, conn: socket.socket) -> str:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    return "done"


def trickle(head: bytes, *, at_once: int) -> Callable[[Receiver, socket.socket], str]:
    """Sends the first `at_once` bytes of its answer, then one byte a second, for ever."""

    def answer(server: Receiver, conn: socket.socket) -> str:
        data = head + b"x" * 1_000_000
        conn.sendall(data[:at_once])
        position, deadline = at_once, time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            if _hung_up(conn, 1.0):
                return "hung up"
            conn.sendall(data[position : position + 1])
            position += 1
        return "outlasted"

    return answer


def endless(head: bytes, piece: bytes) -> Callable[[Receiver, socket.socket], str]:
    """Sends `head`, then `piece` again and again as fast as the caller takes it."""

    def answer(server: Receiver, conn: socket.socket) -> str:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        conn.sendall(head)
        written, chunk = 0, piece * max(1, 65536 // len(piece))
        try:
            while written < ENDLESS_CAP:
                conn.sendall(chunk)
                written += len(chunk)
        except TimeoutError:
            return "outlasted"
        except OSError:
            return "hung up"
        finally:
            server.written.append(written)
        return "done"

    return answer


@pytest.fixture
def serve() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def start(answer: Callable[[Receiver, socket.socket], str] = answer_ok, **options: Any) -> Receiver:
        made.append(Receiver(answer, **options))
        return made[-1]

    yield start
    for server in made:
        server.close()


# --- saving a webhook as a person does ------------------------------------------------------------


@dataclass
class Brand:
    org: Organisation
    admin: Account  # the organisation's owner: runs its official account and its webhooks
    account: Account  # the official account
    customer: Account


@pytest.fixture
def team(make_account: Callable[..., Account]) -> Brand:
    admin = make_account("老闆")
    org = orgs.create_organisation(slug="demo", name="示範科技", owner=admin)
    account = make_account("示範客服")
    orgs.register_official_account(org, account, actor=admin)
    account.refresh_from_db()
    return Brand(org, admin, account, make_account("顧客"))


@pytest.fixture
def admin(team: Brand, client_for: Callable[..., Client]) -> Client:
    """The organisation's owner in a browser, in English."""
    client = client_for(team.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def monitor_form(team: Brand, url: str) -> dict[str, Any]:
    return {
        "account": team.account.id,
        "name": "聲量",
        "query": "示範",
        "source": "public",
        "digest": "",
        "notify": "on",
        "webhook_url": url,
    }


@pytest.mark.parametrize(("url", "reason"), ALL, ids=[u for u, _ in ALL])
def test_a_local_or_private_webhook_is_refused_wherever_it_is_saved_saying_why(team, admin, url, reason):
    # The monitor form, new and changed.
    page = admin.post("/monitors/", monitor_form(team, url))
    assert page.status_code == 400 and reason in page.content.decode()
    assert not Monitor.objects.exists()
    assert admin.post("/monitors/", monitor_form(team, "")).status_code == 302
    monitor = Monitor.objects.get()
    page = admin.post(f"/monitors/{monitor.id}/edit/", monitor_form(team, url))
    assert page.status_code == 400 and reason in page.content.decode()
    monitor.refresh_from_db()
    assert monitor.webhook_url == ""
    monitor.delete()

    # The native API.
    api = Api(create_token(team.admin, scopes="read write"))
    made = api.post(
        "/api/tidings/v1/monitors",
        {"account": "示範客服", "name": "聲量", "query": "示範", "webhook_url": url},
    )
    assert made.status_code == 422 and reason in made.json()["error"]
    assert not Monitor.objects.exists()

    # The organisation's webhook form.
    posted = admin.post("/o/demo/admin/apps/webhook-add/", {"url": url, "events": ["post"]})
    assert posted.status_code == 302
    assert reason in admin.get(posted["Location"]).content.decode()
    assert not Webhook.objects.exists()


# --- calling one saved before the rules -----------------------------------------------------------


@pytest.mark.parametrize(("url", "reason"), LOCAL, ids=[u for u, _ in LOCAL])
def test_an_organisation_webhook_saved_before_the_rules_is_not_called(team, serve, run_hooks, url, reason):
    receiver = serve()
    Webhook.objects.create(
        organisation=team.org,
        url=url.format(port=receiver.port),
        secret="s" * 64,
        events=["post"],
        created_by=team.admin,
    )
    with run_hooks():
        posts.publish(team.account, text="不該送到本機")
    delivery = Delivery.objects.get()
    assert delivery.state != "delivered" and delivery.last_status is None
    assert reason in delivery.last_error
    assert receiver.connections == 0


@pytest.mark.parametrize(("url", "reason"), LOCAL, ids=[u for u, _ in LOCAL])
def test_a_monitor_webhook_saved_before_the_rules_is_not_called(team, serve, run_hooks, caplog, url, reason):
    receiver = serve()
    Monitor.objects.create(
        account=team.account,
        created_by=team.admin,
        name="聲量",
        query="示範",
        webhook_url=url.format(port=receiver.port),
        webhook_secret="s" * 64,
    )
    with run_hooks():
        posts.publish(team.customer, text="示範的客服不錯")
    assert reason in caplog.text
    assert receiver.connections == 0


# --- a receiver that misbehaves (private addresses allowed for the test) -------------------------


@pytest.fixture
def allowed(settings: Any) -> None:
    """The operator's switch on, so the servers on this machine stand in for public ones."""
    settings.FETCH_PRIVATE_ADDRESSES = True
    settings.FETCH_SECONDS = CALL_SECONDS


KINDS = ["organisation", "monitor"]


def call(kind: str, team: Brand, admin: Client, run_hooks: Any, url: str) -> Delivery | None:
    """The webhook saved through its form, then an event that calls it: the organisation's
    delivery (its log), or None for a monitor (it keeps no log)."""
    if kind == "organisation":
        saved = admin.post("/o/demo/admin/apps/webhook-add/", {"url": url, "events": ["post"]})
        assert saved.status_code == 302 and Webhook.objects.filter(url=url).exists()
        with run_hooks():
            posts.publish(team.account, text="新品上市")
        return Delivery.objects.get()
    saved = admin.post("/monitors/", monitor_form(team, url))
    assert saved.status_code == 302 and Monitor.objects.filter(webhook_url=url).exists()
    with run_hooks():
        posts.publish(team.customer, text="示範的新品不錯")
    return None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_address_is_not_followed(allowed, team, admin, serve, run_hooks, kind, status):
    elsewhere = serve()

    def answer(server: Receiver, conn: socket.socket) -> str:
        location = f"http://127.0.0.1:{elsewhere.port}/stolen".encode()
        conn.sendall(f"HTTP/1.1 {status} Moved\r\n".encode() + b"Location: " + location + b"\r\n\r\n")
        return "done"

    public = serve(answer)
    delivery = call(kind, team, admin, run_hooks, public.url)
    assert len(public.requests) == 1
    assert elsewhere.connections == 0
    if delivery is not None:  # not delivered: tried again later, and the log says what answered
        assert (delivery.state, delivery.last_status, delivery.attempts) == ("pending", status, 1)


@pytest.mark.parametrize("kind", KINDS)
def test_a_receiver_that_trickles_its_answer_a_byte_a_second_is_cut_off(
    allowed, team, admin, serve, run_hooks, kind
):
    slow = serve(trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", at_once=0))
    delivery = call(kind, team, admin, run_hooks, slow.url)
    assert slow.settle().endings == ["hung up"]
    if delivery is not None:
        assert (delivery.state, delivery.last_status, delivery.attempts) == ("pending", None, 1)
        assert f"did not answer within {CALL_SECONDS} seconds" in delivery.last_error


@pytest.mark.parametrize("kind", KINDS)
def test_a_receiver_that_never_finishes_the_tls_handshake_is_cut_off(
    allowed, team, admin, serve, run_hooks, kind
):
    def silent(server: Receiver, conn: socket.socket) -> str:
        conn.recv(65536)  # the caller's hello, never answered
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            if _hung_up(conn, 1.0):
                return "hung up"
        return "outlasted"

    mute = serve(silent, reads_request=False)
    delivery = call(kind, team, admin, run_hooks, f"https://127.0.0.1:{mute.port}/hook")
    assert mute.settle().endings == ["hung up"]
    if delivery is not None:
        assert (delivery.state, delivery.last_status) == ("pending", None)
        assert f"did not answer within {CALL_SECONDS} seconds" in delivery.last_error


@pytest.mark.parametrize("kind", KINDS)
def test_a_receiver_that_answers_at_once_but_trickles_the_rest_is_cut_off_and_its_status_counts(
    allowed, team, admin, serve, run_hooks, kind
):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"
    slow = serve(trickle(head, at_once=len(head)))
    delivery = call(kind, team, admin, run_hooks, slow.url)
    assert slow.settle().endings == ["hung up"]
    if delivery is not None:
        assert (delivery.state, delivery.last_status) == ("delivered", 200)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("head", "piece"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n", b"x"),  # until it closes
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"10000\r\n" + b"x" * 65536 + b"\r\n"),
        (b"HTTP/1.1 200 OK\r\n", b"X-Filler: 1\r\n"),  # headers without end
    ],
    ids=["endless-body", "endless-chunks", "endless-headers"],
)
def test_an_endless_answer_is_read_no_further_than_the_size_limit(
    allowed, team, admin, serve, run_hooks, kind, head, piece
):
    flood = serve(endless(head, piece))
    call(kind, team, admin, run_hooks, flood.url)
    assert flood.settle().endings == ["hung up"]
    # What it wrote before we hung up: the 64 KB we read, and what the sockets' buffers held.
    assert flood.written[0] < 16 * 1024 * 1024


def test_a_receiver_is_reached_on_its_next_address_when_the_one_preferred_does_not_answer(
    allowed, team, admin, serve, run_hooks, monkeypatch
):
    """A receiver with several addresses (IPv6 and IPv4, say) is tried in the resolver's order
    of preference, the next when one refuses; once, addresses were sorted as text and only the
    first was tried."""
    receiver = serve()  # on 127.0.0.1 and ::1; nobody listens on 127.0.0.4 or 127.0.0.2
    resolve = socket.getaddrinfo

    def resolver(host: str, *args: Any, **kwargs: Any) -> Any:
        if host != "hooks.example":
            return resolve(host, *args, **kwargs)
        tcp = (socket.SOCK_STREAM, 6, "")
        return [
            (socket.AF_INET, *tcp, ("127.0.0.4", receiver.port)),
            (socket.AF_INET6, *tcp, ("::1", receiver.port, 0, 0)),
            (socket.AF_INET, *tcp, ("127.0.0.2", receiver.port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    delivery = call("organisation", team, admin, run_hooks, f"http://hooks.example:{receiver.port}/hook")
    assert delivery is not None
    assert (delivery.state, delivery.last_status, delivery.attempts) == ("delivered", 200, 1)
    assert len(receiver.requests) == 1
    assert f"Host: hooks.example:{receiver.port}" in receiver.requests[0].decode()
