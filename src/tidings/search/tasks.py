"""Background work of search: indexing, and the monitors' catching and delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.core import events
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
@db_task(retries=3, retry_delay=5)
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


def signature(secret: str, body: bytes) -> str:
    """What the receiver recomputes with the monitor's secret to know the call is ours."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@db_task(retries=5, retry_delay=30)
def deliver_webhook(hit_id: int) -> None:
    hit = MonitorHit.objects.select_related("monitor", "post__author").filter(id=hit_id).first()
    if hit is None or not hit.monitor.webhook_url:
        return
    url = hit.monitor.webhook_url
    host = urlsplit(url).hostname or ""
    if not settings.FETCH_PRIVATE_ADDRESSES and monitors.private_host(host):
        log.warning("monitor %s: webhook %s points at a private address, not sent", hit.monitor_id, host)
        return
    body = webhook_body(hit)
    response = requests.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Tidings-Event": "monitor.hit",
            "X-Tidings-Signature": signature(hit.monitor.webhook_secret, body),
        },
        timeout=(3, 5),
        allow_redirects=False,
    )
    response.raise_for_status()  # a failure is tried again later (Huey's retries)


@db_periodic_task(crontab(minute="*/5"))
def send_digests() -> None:
    monitors.send_digests(timezone.now())
