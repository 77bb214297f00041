"""An organisation's outgoing webhooks, against a real HTTP server on this machine: signed calls
for its events, only what its maker may see, tries again with growing waits, a delivery log,
and no call to a private address."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.utils import timezone

from tidings.core.errors import Invalid
from tidings.extensions import deliveries, services
from tidings.extensions import tasks as extension_tasks
from tidings.extensions.models import Delivery, Webhook
from tidings.posts import services as posts
from tidings.social import services as social


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    answer = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(settings: Any) -> Iterator[type[_Receiver]]:
    """A real HTTP server on this machine, allowed as a webhook target for the test."""
    settings.FETCH_PRIVATE_ADDRESSES = True
    _Receiver.received, _Receiver.answer = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.url = f"http://127.0.0.1:{server.server_port}/hook"  # type: ignore[attr-defined]
    try:
        yield _Receiver
    finally:
        server.shutdown()


def events_of(received: type[_Receiver]) -> list[str]:
    return [json.loads(body)["event"] for _, body in received.received]


def test_a_post_of_the_official_account_reaches_the_receiver_signed_with_the_webhooks_secret(
    team, receiver, run_hooks
):
    hook = services.add_webhook(team.admin, team.org, url=receiver.url, events=["post"])
    with run_hooks():
        post = posts.publish(team.account, text="新品上市 #示範#")

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    signed = headers["X-Tidings-Timestamp"].encode() + b"." + body
    expected = "sha256=" + hmac.new(hook.secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Tidings-Signature"], expected)
    assert abs(int(headers["X-Tidings-Timestamp"]) - timezone.now().timestamp()) < 60
    payload = json.loads(body)
    assert payload["event"] == "post" and headers["X-Tidings-Event"] == "post"
    assert payload["post"]["id"] == str(post.id) and payload["post"]["text"] == "新品上市 #示範#"
    assert payload["post"]["author"]["handle"] == "示範客服"
    logged = Delivery.objects.get(webhook=hook)
    assert logged.state == "delivered" and logged.attempts == 1 and logged.last_status == 200


def test_each_event_reaches_only_the_webhooks_that_asked_for_it(team, receiver, run_hooks):
    services.add_webhook(team.admin, team.org, url=receiver.url, events=["mention", "follow"])
    with run_hooks():
        posts.publish(team.customer, text="@示範客服 我的訂單呢")
        social.follow(team.customer, account_id=team.account.id)
        posts.publish(team.account, text="一則普通的貼文")  # "post" was not asked for

    assert sorted(events_of(receiver)) == ["follow", "mention"]
    follow = next(json.loads(b) for _, b in receiver.received if json.loads(b)["event"] == "follow")
    assert follow["follower"]["handle"] == "顧客" and follow["account"] == "示範客服"


def test_a_webhook_tells_nothing_its_maker_may_not_see(team, group, receiver, run_hooks):
    # The admin is not in the private group: its posts are not theirs to send anywhere.
    services.add_webhook(team.admin, team.org, url=receiver.url, events=["post"])
    with run_hooks():
        posts.publish(team.manager, text="組內的秘密", audience="group", group_id=group.id)
        posts.publish(team.manager, text="全公司都知道", audience="org", organisation_id=team.org.id)
    texts = [json.loads(body)["post"]["text"] for _, body in receiver.received]
    assert texts == ["全公司都知道"]


def test_a_failing_receiver_is_tried_again_after_growing_waits_then_given_up(team, receiver, run_hooks):
    hook = services.add_webhook(team.admin, team.org, url=receiver.url, events=["post"])
    receiver.answer = 500
    with run_hooks():
        posts.publish(team.account, text="第一次會失敗")
    delivery = Delivery.objects.get(webhook=hook)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    waits = []
    now = timezone.now()
    for _ in deliveries.BACKOFF[1:]:
        waits.append(delivery.next_try_at - now)
        now = delivery.next_try_at
        assert deliveries.due(now - dt.timedelta(seconds=1)) == []  # not before its time
        extension_tasks.deliver_due.call_local()
        assert deliveries.deliver(delivery.id, now) == "pending"
        delivery.refresh_from_db()
    assert waits == sorted(waits) and waits[0] >= dt.timedelta(seconds=29)
    receiver.answer = 200
    assert deliveries.deliver(delivery.id, delivery.next_try_at) == "delivered"
    assert len(receiver.received) == len(deliveries.BACKOFF) + 1

    receiver.answer = 503
    with run_hooks():
        posts.publish(team.account, text="這次一直失敗")
    failing = Delivery.objects.exclude(id=delivery.id).get()
    while failing.state == "pending":
        deliveries.deliver(failing.id, failing.next_try_at)
        failing.refresh_from_db()
    assert failing.state == "failed" and failing.attempts == len(deliveries.BACKOFF) + 1


def test_an_event_handled_twice_makes_one_delivery(team, receiver, run_hooks):
    hook = services.add_webhook(team.admin, team.org, url=receiver.url, events=["post"])
    with run_hooks():
        post = posts.publish(team.account, text="只送一次")
    extension_tasks.post_published(post.id)
    assert Delivery.objects.filter(webhook=hook).count() == 1
    assert deliveries.deliver(Delivery.objects.get().id) is None  # delivered: not sent again
    assert len(receiver.received) == 1


def test_a_case_opened_on_the_desk_is_announced_without_its_words(team, receiver, run_hooks):
    services.add_webhook(team.admin, team.org, url=receiver.url, events=["case"])
    with run_hooks():
        posts.publish(team.customer, text="@示範客服 電池爆炸了,我要投訴")
    assert events_of(receiver) == ["case"]
    payload = json.loads(receiver.received[0][1])
    assert payload["case"]["account"] == "示範客服" and "/ops/cases/" in payload["case"]["url"]
    assert "爆炸" not in receiver.received[0][1].decode()


@pytest.mark.parametrize(
    ("url", "events", "reason"),
    [
        ("http://127.0.0.1:9/hook", ["post"], "private or local"),
        ("http://[::ffff:10.0.0.1]/", ["post"], "private or local"),
        ("http://169.254.169.254/latest/", ["post"], "private or local"),
        ("ftp://example.com/", ["post"], "http or https"),
        ("", ["post"], "address to call"),
        ("https://example.com/", [], "at least one event"),
        ("https://example.com/", ["everything"], "no such event"),
    ],
)
def test_a_bad_webhook_is_refused_with_the_reason_and_nothing_is_saved(team, url, events, reason):
    with pytest.raises(Invalid, match=reason):
        services.add_webhook(team.admin, team.org, url=url, events=events)
    assert not Webhook.objects.exists()


def test_a_receiver_that_became_private_is_not_called(team, receiver, run_hooks, settings):
    hook = services.add_webhook(team.admin, team.org, url=receiver.url, events=["post"])
    settings.FETCH_PRIVATE_ADDRESSES = False  # the operator closed it since
    with run_hooks():
        posts.publish(team.account, text="不該送出")
    assert receiver.received == []
    assert "private or local" in Delivery.objects.get(webhook=hook).last_error


def test_the_delivery_log_shows_each_call_to_the_admins(team, receiver, run_hooks, client_for):
    client = client_for(team.admin)
    client.post("/o/demo/admin/apps/webhook-add/", {"url": receiver.url, "events": ["post"]})
    hook = Webhook.objects.get()
    with run_hooks():
        posts.publish(team.account, text="記錄下來")
    page = client.get(f"/o/demo/admin/webhooks/{hook.id}/").content.decode()
    assert hook.secret in page and 'data-delivery="delivered"' in page and "HTTP 200" in page
    client.post("/o/demo/admin/apps/webhook-remove/", {"webhook": hook.id})
    assert not Webhook.objects.exists()


def test_an_activity_started_by_the_official_account_is_announced(team, receiver, run_hooks):
    from tidings.activities import quizzes

    services.add_webhook(team.admin, team.org, url=receiver.url, events=["activity"])
    with run_hooks():
        quiz = quizzes.create(
            team.account,
            person=team.manager,
            title="新品猜謎",
            text="猜猜新品叫什麼",
            options=["X15", "Y1"],
            answer=0,
            closes_at=timezone.now() + dt.timedelta(days=1),
            prizes=1,
        )
    assert events_of(receiver) == ["activity"]
    payload = json.loads(receiver.received[0][1])["activity"]
    assert payload == {
        "id": str(quiz.id),
        "kind": "quiz",
        "title": "新品猜謎",
        "state": "started",
        "host": "示範客服",
        "url": payload["url"],
    }
    assert payload["url"].endswith(f"/activities/{quiz.id}/")


def test_a_post_deleted_before_its_retry_is_not_sent_and_an_admin_who_left_sends_nothing(
    team, receiver, run_hooks
):
    from tidings.orgs import services as orgs

    hook = services.add_webhook(team.admin, team.org, url=receiver.url, events=["post"])
    receiver.answer = 500
    with run_hooks():
        post = posts.publish(team.account, text="馬上會刪掉")
    posts.delete(team.account, post_id=post.id)
    receiver.answer = 200
    delivery = Delivery.objects.get(webhook=hook)
    assert deliveries.deliver(delivery.id, delivery.next_try_at) == "failed"
    assert len(receiver.received) == 1  # only the first try, before the deletion
    assert "no longer visible" in Delivery.objects.get(id=delivery.id).last_error

    orgs.set_role(team.org, team.manager, role="admin", actor=team.admin)
    other = services.add_webhook(team.manager, team.org, url=receiver.url, events=["follow"])
    orgs.set_role(team.org, team.manager, role="member", actor=team.admin)
    with run_hooks():
        social.follow(team.customer, account_id=team.account.id)
    assert Delivery.objects.get(webhook=other).state == "failed"
    assert len(receiver.received) == 1
