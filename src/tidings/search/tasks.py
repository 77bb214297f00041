"""Background work of search: indexing, and the monitors' catching and delivery."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.core import events, webhooks
from tidings.core.audience import can_see
from tidings.core.errors import Invalid
from tidings.search import index, monitors
from tidings.search.models import MonitorHit

log = logging.getLogger(__name__)


@db_task(retries=3, retry_delay=5)
def index_pending() -> None:
    # Two of these at once are harmless (see index.index_pending): no lock, no waiting.
    index.index_pending()


@db_periodic_task(crontab(minute="*"))
def catch_up() -> None:
    """What was queued but not indexed (a worker stopped midway) is done within a minute."""
    index.index_pending()


@events.subscribe("post.published")
@events.subscribe("post.edited")  # an edit may make a post match (what it matched stays caught)
def match_monitors(post_id: int) -> None:
    monitors.match(post_id)


def webhook_body(hit: MonitorHit) -> bytes:
    post = hit.post
    return json.dumps(
        {
            "event": "monitor.hit",
            "monitor": {"id": str(hit.monitor_id), "name": hit.monitor.name},
            "post": {
                "id": str(post.id),
                "url": f"{settings.SITE_URL}/p/{post.id}/",
                "text": post.text,
                "author": post.author.handle,
                "created_at": post.created_at.isoformat(),
            },
            "sentiment": hit.sentiment,
            "flagged": hit.flagged,
        },
        ensure_ascii=False,
    ).encode()


class WebhookFailed(Exception):
    """The receiver answered with a server error: the event's job is tried again after its lease,
    at most core.jobs.MOST_ATTEMPTS times."""


@events.subscribe("monitor.caught")
def deliver_webhook(hit_id: int) -> None:
    """At least once, as webhooks are: a receiver may see a catch twice (the signature and the
    post's id tell it so)."""
    hit = MonitorHit.objects.select_related("monitor__account", "post__author").filter(id=hit_id).first()
    if hit is None or not hit.monitor.webhook_url:
        return
    # As it is now: a post deleted, held or hidden since it was caught is not sent.
    if not can_see(hit.monitor.account, hit.post_id):
        return
    body = webhook_body(hit)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Tidings-Event": "monitor.hit",
        "X-Tidings-Signature": webhooks.signature(hit.monitor.webhook_secret, body),
    }
    try:
        status = webhooks.post(hit.monitor.webhook_url, body, headers)
    except Invalid as refused:
        log.warning("monitor %s: webhook not called: %s", hit.monitor_id, refused)
        return
    if status >= 500:
        raise WebhookFailed(f"the webhook answered {status}")
    if status >= 300:
        log.warning("monitor %s: webhook answered %s", hit.monitor_id, status)


@db_periodic_task(crontab(minute="*/5"))
def send_digests() -> None:
    monitors.send_digests(timezone.now())
