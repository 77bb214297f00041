"""Monitors of official accounts: who may run them, what they catch (and never catch), how the
people who run the account hear of it (live column, notification, webhook, email digest), the
tone and the early warning, and bad input."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.core import jobs, pubsub
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.core.models import Job
from tidings.groups import services as groups
from tidings.notifications.models import Notification
from tidings.orgs import services as orgs
from tidings.orgs.models import Organisation
from tidings.posts import services as posts
from tidings.posts.models import Post
from tidings.search import monitors, reports
from tidings.search.models import Monitor, MonitorHit

from .conftest import watch

pytestmark = pytest.mark.django_db


def caught(monitor: Monitor) -> list[str]:
    return list(
        MonitorHit.objects.filter(monitor=monitor).order_by("id").values_list("post__text", flat=True)
    )


# --- who runs an official account's monitors -----------------------------------------------------


def test_the_account_and_its_organisations_admins_run_its_monitors_nobody_else(brand):
    assert monitors.runs(brand.official, brand.official)
    assert monitors.runs(brand.admin, brand.official)
    assert not monitors.runs(brand.employee, brand.official)
    assert not monitors.runs(brand.rival_admin, brand.official)
    assert not monitors.runs(brand.customer, brand.official)
    assert [a.id for a in monitors.accounts_run_by(brand.admin)] == [brand.official.id]
    assert monitors.accounts_run_by(brand.employee) == []


def test_staff_share_the_monitors_of_the_account(brand, make_account):
    monitor = watch(brand)
    colleague = make_account("另一位主管")
    orgs.add_member(brand.org, colleague, role="admin", actor=brand.admin)

    assert monitors.monitor_for(colleague, monitor.id) == monitor
    assert monitors.update(colleague, monitor.id, name="改名").name == "改名"


@pytest.mark.parametrize("who", ["employee", "rival_admin", "customer"])
def test_others_cannot_create_read_change_or_delete_a_monitor(brand, who):
    monitor = watch(brand)
    person = getattr(brand, who)

    with pytest.raises(Forbidden):
        monitors.create(person, brand.official, name="x", query="示範")
    for act in (
        lambda: monitors.monitor_for(person, monitor.id),
        lambda: monitors.update(person, monitor.id, name="偷改"),
        lambda: monitors.delete(person, monitor.id),
    ):
        with pytest.raises(NotFound):
            act()
    monitor.refresh_from_db()
    assert monitor.name == "品牌聲量"


def test_a_personal_account_has_no_monitors(brand):
    with pytest.raises(Invalid, match="official accounts"):
        monitors.create(brand.customer, brand.customer, name="x", query="示範")


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "query": "示範"}, "Give the monitor a name"),
        ({"name": "x" * 61, "query": "示範"}, "at most 60"),
        ({"name": "x", "query": ""}, "at least one keyword"),
        ({"name": "x", "query": "   "}, "at least one keyword"),
        ({"name": "x", "query": "from:someone"}, "at least one keyword"),
        ({"name": "x", "query": "的 the"}, "too common"),
        ({"name": "x", "query": '"示範'}, "quotation mark"),
        ({"name": "x", "query": "示範", "source": "everywhere"}, "Choose where to listen"),
        ({"name": "x", "query": "示範", "languages": ["klingon"]}, "Languages are among"),
        ({"name": "x", "query": "示範", "digest": "weekly"}, "hourly, daily, or none"),
        ({"name": "x", "query": "示範", "webhook_url": "ftp://example.com/"}, "http or https"),
        ({"name": "x", "query": "示範", "webhook_url": "http://127.0.0.1:9/hook"}, "private or local"),
        ({"name": "x", "query": "示範", "webhook_url": "http://[::ffff:10.0.0.1]/"}, "private or local"),
        ({"name": "x", "query": "示範", "webhook_url": "http://169.254.169.254/"}, "private or local"),
    ],
)
def test_bad_monitors_are_refused_with_the_reason_and_nothing_saved(brand, fields, message):
    with pytest.raises(Invalid, match=message):
        monitors.create(brand.admin, brand.official, **fields)
    assert Monitor.objects.count() == 0


def test_a_bad_change_leaves_the_monitor_as_it_was(brand):
    monitor = watch(brand)
    with pytest.raises(Invalid):
        monitors.update(brand.admin, monitor.id, query="-示範")
    monitor.refresh_from_db()
    assert monitor.query == "示範 OR X14"


# --- what is caught -----------------------------------------------------------------------------


def test_a_new_public_post_that_matches_is_caught_once_and_others_are_not(brand, say):
    monitor = watch(brand, query='示範 OR X14 -廣告 "開箱"')
    watch_other = watch(brand, query="對手")
    say(brand.customer, "剛買的示範筆電開箱,很滿意")
    say(brand.customer, "x14 開箱文")  # folded: X14
    say(brand.customer, "示範 開箱 廣告")  # left out
    say(brand.customer, "示範筆電")  # no phrase
    say(brand.customer, "今天天氣好")

    assert caught(monitor) == ["剛買的示範筆電開箱,很滿意", "x14 開箱文"]
    assert caught(watch_other) == []
    post = Post.objects.get(text="x14 開箱文")
    assert monitors.match(post.id) == []  # the worker running it again catches nothing more
    assert MonitorHit.objects.filter(monitor=monitor).count() == 2
    monitor.refresh_from_db()
    assert monitor.hits_count == 2


def test_traditional_and_simplified_are_one_for_a_monitor(brand, say):
    monitor = watch(brand, query="戴尔")
    say(brand.customer, "戴爾中國今天發布新品")
    assert caught(monitor) == ["戴爾中國今天發布新品"]


def test_the_internal_space_is_heard_only_by_its_own_organisations_monitors(brand, say, make_account):
    orgs.add_member(brand.org, brand.official, actor=brand.admin)  # the account is an employee
    public_only = watch(brand, query="示範")
    inside = watch(brand, query="示範", source="space")
    both = watch(brand, query="示範", source="both")
    rival_official = make_account("對手官方")
    rival = Organisation.objects.get(slug="rival")
    orgs.register_official_account(rival, rival_official, actor=brand.rival_admin)
    rival_official.refresh_from_db()
    orgs.add_member(rival, rival_official, actor=brand.rival_admin)
    rivals = monitors.create(brand.rival_admin, rival_official, name="偷聽", query="示範", source="both")
    group = groups.create_group(brand.org, actor=brand.employee, name="研發部", kind="private")

    say(brand.employee, "示範 內部公告", audience="org", organisation_id=brand.org.id)
    say(brand.employee, "示範 研發小組", audience="group", group_id=group.id)
    say(brand.employee, "示範 只給粉絲", audience="followers")
    say(brand.customer, "示範 公開")

    assert caught(public_only) == ["示範 公開"]
    assert caught(inside) == ["示範 內部公告"]
    assert caught(both) == ["示範 內部公告", "示範 公開"]
    assert caught(rivals) == ["示範 公開"]  # never another company's space, groups or followers-only


def test_a_held_post_is_caught_only_when_let_out(brand, say, run_hooks):
    from tidings.orgs import policy

    monitor = watch(brand, query="示範")
    policy.add_rule(brand.org, actor=brand.admin, pattern="機密", is_regex=False, action="hold", reason="r")
    post = say(brand.employee, "示範 機密 計畫")  # an employee's public post, held for review
    assert caught(monitor) == []

    with run_hooks():
        policy.release(brand.org, actor=brand.admin, post_id=post.id, approve=True)
    assert caught(monitor) == ["示範 機密 計畫"]


def test_languages_and_authors_narrow_a_monitor(brand, say):
    english = watch(brand, query="X14", languages=["en"])
    from_customer = watch(brand, query=f"X14 from:{brand.customer.handle}")
    say(brand.customer, "X14 is great", language="en")
    say(brand.employee, "X14 很好", language="zh-hant")

    assert caught(english) == ["X14 is great"]
    assert caught(from_customer) == ["X14 is great"]


# --- how the people hear of it -------------------------------------------------------------------


def test_a_catch_is_published_live_to_the_monitor_and_notified(brand, say):
    monitor = watch(brand)
    after = pubsub.position([monitor.id])
    post = say(brand.customer, "示範客服回覆好快")

    events = pubsub.read(monitor.id, after, timeout=0)
    assert [(e.kind, e.data["id"]) for e in events] == [("monitor-hit", str(post.id))]
    told = Notification.objects.filter(kind="monitor", post=post)
    assert set(told.values_list("recipient_id", flat=True)) == {brand.official.id, brand.admin.id}


def test_notifications_can_be_turned_off(brand, say):
    watch(brand, notify=False)
    say(brand.customer, "示範")
    assert not Notification.objects.filter(kind="monitor").exists()


def test_only_an_account_inside_its_organisation_may_listen_to_the_space(brand, say):
    """An official account that is not an employee would carry internal posts out (to its
    webhook, its notifications): it may not listen inside, and stops hearing when it leaves."""
    for source in ("space", "both"):
        with pytest.raises(Invalid, match="member of its organisation"):
            watch(brand, source=source)
    public = watch(brand, source="public")
    with pytest.raises(Invalid, match="member of its organisation"):
        monitors.update(brand.admin, public.id, source="space")

    orgs.add_member(brand.org, brand.official, actor=brand.admin)
    inside = watch(brand, source="space")
    say(brand.employee, "示範 內部一", audience="org", organisation_id=brand.org.id)
    orgs.remove_member(brand.org, brand.official, actor=brand.admin)
    say(brand.employee, "示範 內部二", audience="org", organisation_id=brand.org.id)

    assert caught(inside) == ["示範 內部一"]


def test_a_former_admin_hears_no_more_of_the_monitor_they_made(brand, say, mailbox, run_hooks):
    from tidings.orgs.models import Membership

    watch(brand, digest="hourly")
    Membership.objects.filter(account=brand.admin).update(role="member")  # no longer runs the account
    post = say(brand.customer, "示範 新消息")

    told = Notification.objects.filter(kind="monitor", post=post)
    assert list(told.values_list("recipient_id", flat=True)) == [brand.official.id]
    with run_hooks():  # each mail is sent once its row is committed
        monitors.send_digests(timezone.now() + timezone.timedelta(hours=2))
    assert {m["To"] for m in mailbox.messages} == {"brand@demo.example"}


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    failing = 0  # how many calls still answer with a server error

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(503 if type(self).failing else 204)
        type(self).failing = max(0, type(self).failing - 1)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(settings: Any) -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A real HTTP server on this machine, allowed as a webhook target for the test."""
    settings.FETCH_PRIVATE_ADDRESSES = True
    _Receiver.received, _Receiver.failing = [], 0
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", _Receiver.received
    finally:
        server.shutdown()


def test_a_webhook_receives_each_catch_signed_with_the_monitors_secret(brand, say, receiver):
    url, received = receiver
    monitor = watch(brand, webhook_url=url)
    post = say(brand.customer, "示範的電池爆炸了,我要投訴")

    assert len(received) == 1
    headers, body = received[0]
    expected = "sha256=" + hmac.new(monitor.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Tidings-Signature"], expected)
    payload = json.loads(body)
    assert payload["post"]["id"] == str(post.id)
    assert payload["post"]["text"] == "示範的電池爆炸了,我要投訴"
    assert payload["sentiment"] == -1


def test_a_catch_the_receiver_failed_on_is_sent_again_from_its_job_until_it_is_taken(brand, say, receiver):
    """The call is a job row written with the catch: a server error keeps it for the next try
    (the sweep's, after the lease), and a worker dying mid-call would leave it the same way."""
    url, received = receiver
    watch(brand, webhook_url=url)
    _Receiver.failing = 1

    post = say(brand.customer, "示範的電池爆炸了")
    waiting = Job.objects.get(event="monitor.caught")
    assert len(received) == 1 and waiting.subscribers == ["tidings.search.tasks.deliver_webhook"]

    assert jobs.run(waiting.id, waiting.attempts)
    assert len(received) == 2 and json.loads(received[1][1])["post"]["id"] == str(post.id)
    assert not Job.objects.filter(event="monitor.caught").exists()


def test_a_webhook_to_a_private_address_is_not_called_even_if_saved_before(brand, say, receiver, settings):
    url, received = receiver
    watch(brand, webhook_url=url)
    settings.FETCH_PRIVATE_ADDRESSES = False  # the operator closed it since
    say(brand.customer, "示範")
    assert received == []


def test_the_email_digest_lists_new_catches_once(brand, say, mailbox, run_hooks):
    monitor = watch(brand, digest="hourly")
    say(brand.customer, "示範 第一則")
    say(brand.customer, "示範 第二則")
    later = timezone.now() + timezone.timedelta(hours=2)

    with run_hooks():  # each mail is sent once its row is committed
        assert monitors.send_digests(later) == 2  # the account and the admin who made it
    bodies = mailbox.bodies()
    assert len(bodies) == 2 and all("示範 第一則" in b and "示範 第二則" in b for b in bodies)
    assert {m["To"] for m in mailbox.messages} == {"brand@demo.example", "boss@demo.example"}
    assert monitors.send_digests(later + timezone.timedelta(hours=2)) == 0  # nothing new
    monitor.refresh_from_db()
    assert monitor.digest_sent_at == later + timezone.timedelta(hours=2)


# --- tone, early warning, figures ---------------------------------------------------------------


def test_negative_posts_by_loud_authors_are_flagged_first(brand, say, settings):
    settings.MONITOR_WARN_FOLLOWERS = 2
    monitor = watch(brand)
    Account.objects.filter(id=brand.customer.id).update(followers_count=5)
    quiet = brand.employee
    say(brand.customer, "示範的客服態度太差了,我要投訴退款")  # negative, loud
    say(quiet, "示範的客服態度太差了")  # negative, quiet
    say(brand.customer, "非常滿意示範的服務,推薦購買")  # positive, loud

    hits = {h.post.text: h for h in MonitorHit.objects.select_related("post")}
    assert hits["示範的客服態度太差了,我要投訴退款"].sentiment == -1
    assert hits["示範的客服態度太差了,我要投訴退款"].flagged
    assert hits["示範的客服態度太差了"].sentiment == -1 and not hits["示範的客服態度太差了"].flagged
    assert hits["非常滿意示範的服務,推薦購買"].sentiment == 1
    warned = reports.warnings(brand.admin, monitor)
    assert [view.post.text for _, view in warned] == ["示範的客服態度太差了,我要投訴退款"]


def test_figures_count_tone_authors_topics_and_days(brand, say):
    monitor = watch(brand)
    say(brand.customer, "#X14開箱# 示範 很滿意,推薦購買")
    say(brand.customer, "#X14開箱# 示範 太差了")
    say(brand.employee, "示範 門市明天營業時間不變")

    figures = reports.figures(brand.admin, monitor)
    assert figures.total == 3
    assert figures.sentiment == {1: 1, -1: 1, 0: 1}
    assert figures.positive + figures.neutral + figures.negative in (99, 100, 101)
    assert [(a.handle, n) for a, n in figures.authors] == [
        (brand.customer.handle, 2),
        (brand.employee.handle, 1),
    ]
    assert [(t.name, n) for t, n in figures.topics] == [("X14開箱", 2)]
    assert len(figures.volume) == reports.VOLUME_DAYS and figures.volume[-1][1] == 3
    svg = reports.volume_svg(figures.volume, monitor.name)
    assert svg.startswith(b"<svg") and b"<script" not in svg


def test_a_deleted_post_leaves_the_column(brand, say):
    monitor = watch(brand)
    post = say(brand.customer, "示範")
    posts.delete(brand.customer, post_id=post.id)
    assert reports.column(brand.admin, monitor).items == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000\\@93.184.216.34/hook",  # urlsplit and urllib3 disagree on the host
        "http://user:secret@example.com/hook",
        "http://a..b/",
        "http://.com/",
        "http://[::1/",
        "http://" + "a" * 64 + ".com/",
        "javascript:alert(1)",
        "http://exa mple.com/",
    ],
)
def test_webhook_addresses_that_could_be_read_two_ways_are_refused(brand, url):
    with pytest.raises(Invalid):
        watch(brand, webhook_url=url)
    assert Monitor.objects.count() == 0


@pytest.mark.parametrize(
    "query", ["X14 in:研發部", "X14 since:2026-01-01", "X14 until:2026-01-01", "X14 lang:en"]
)
def test_a_monitor_refuses_filters_it_cannot_keep(brand, query):
    with pytest.raises(Invalid, match="cannot use in:, lang:, since: or until:"):
        watch(brand, query=query)


def test_an_edit_that_makes_a_post_match_is_caught(brand, say, run_hooks):
    monitor = watch(brand, query="X14")
    post = say(brand.customer, "新筆電到了")
    assert caught(monitor) == []
    with run_hooks():
        posts.edit(brand.customer, post_id=post.id, text="新筆電 X14 到了")
    assert caught(monitor) == ["新筆電 X14 到了"]


def test_a_digest_already_sent_by_another_worker_is_not_sent_again(brand, say, mailbox):
    monitor = watch(brand, digest="hourly")
    say(brand.customer, "示範")
    later = timezone.now() + timezone.timedelta(hours=2)
    Monitor.objects.filter(id=monitor.id).update(digest_sent_at=later)  # the other worker, just now

    assert monitors.send_digests(later) == 0
    assert mailbox.messages == []
