"""Outgoing webhooks: what an organisation's events become, and how each is delivered.

A delivery is a row before it is a call: it is made in the event handler (one per webhook and
event, however often the handler runs), then sent by the worker, which claims it for a lease
(TASK_LEASE_SECONDS, a minute by default) so two workers never send it at once. A worker stopped
mid-call leaves its claim to run out; the sweep then sends it again, with the same delivery id.
A receiver that fails is tried again after growing waits; each try is in the delivery log. The
body is signed with the webhook's secret over `<timestamp>.<body>`, so a receiver can refuse an
old call replayed."""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tidings.core import webhooks as sender
from tidings.core.audience import can_see
from tidings.core.errors import Invalid
from tidings.extensions.models import Delivery, Webhook

log = logging.getLogger(__name__)

# Waits after each failed try; after the last the delivery is given up.
BACKOFF = [
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
]


def queue(
    organisation_id: int, event: str, key: str, payload: dict[str, Any], *, post_id: int | None = None
) -> int:
    """A delivery to each of the organisation's webhooks that hears `event`; for an event about a
    post, only to those whose maker may see it. Returns how many were made."""
    from tidings.extensions import tasks

    made = 0
    hooks = Webhook.objects.filter(organisation_id=organisation_id, is_active=True).select_related(
        "created_by"
    )
    body = json.dumps({"event": event, **payload}, ensure_ascii=False)
    for hook in hooks:
        if event not in hook.events:
            continue
        maker = hook.created_by
        if post_id is not None and (maker is None or not can_see(maker, post_id)):
            continue
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    webhook=hook,
                    organisation_id=organisation_id,
                    event=event,
                    key=key[:80],
                    post_id=post_id,
                    body=body,
                    next_try_at=timezone.now(),
                )
        except IntegrityError:  # the handler ran before for this event
            continue
        made += 1
        transaction.on_commit(partial(tasks.deliver, delivery.id), robust=True)
    return made


def _claim(delivery_id: int, now: dt.datetime) -> tuple[Delivery, dt.datetime] | None:
    """The delivery, claimed for the lease (its next try moved past the call), with the claim's
    mark: only the worker holding it may record the outcome."""
    lease = now + dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)
    claimed = Delivery.objects.filter(
        id=delivery_id, state=Delivery.State.PENDING, next_try_at__lte=now
    ).update(next_try_at=lease)
    if not claimed:
        return None
    return Delivery.objects.select_related("webhook__created_by").get(id=delivery_id), lease


def _still_allowed(delivery: Delivery) -> str:
    """Why the delivery may no longer be sent ("" when it may): the webhook switched off, its
    maker no longer one of the organisation's admins, or the post no longer theirs to see."""
    from tidings.orgs.models import Membership

    hook = delivery.webhook
    maker = hook.created_by
    if not hook.is_active:
        return "the webhook is switched off"
    if maker is None or not maker.is_active:
        return "its maker is no longer an admin of the organisation"
    staff = Membership.objects.filter(
        organisation_id=hook.organisation_id, account_id=maker.id, is_active=True
    ).first()
    if staff is None or not staff.is_staff:
        return "its maker is no longer an admin of the organisation"
    if delivery.post_id is not None and not can_see(maker, delivery.post_id):
        return "the post is no longer visible to its maker"
    return ""


def headers_for(delivery: Delivery, secret: str, when: dt.datetime) -> dict[str, str]:
    stamp = str(int(when.timestamp()))
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Tidings-Webhook",
        "X-Tidings-Event": delivery.event,
        "X-Tidings-Delivery": str(delivery.id),
        "X-Tidings-Timestamp": stamp,
        "X-Tidings-Signature": sender.signature(secret, f"{stamp}.".encode() + delivery.body.encode()),
    }


def deliver(delivery_id: int, now: dt.datetime | None = None) -> str | None:
    """One try of a delivery that is due; its state after, or None when it was not due (taken by
    another worker, delivered, given up)."""
    now = now or timezone.now()
    claimed = _claim(delivery_id, now)
    if claimed is None:
        return None
    delivery, lease = claimed
    hook = delivery.webhook
    status: int | None = None
    error = _still_allowed(delivery)
    give_up = bool(error)
    if not give_up:
        try:
            status = sender.post(hook.url, delivery.body.encode(), headers_for(delivery, hook.secret, now))
        except Invalid as refused:  # the address became private, or stopped resolving
            error = str(refused)
        except Exception as failure:  # refused, reset, cut off at the time limit, a broken answer
            error = f"{type(failure).__name__}: {failure}"
    delivery.attempts += 1
    delivery.last_status = status
    delivery.last_error = error[:200]
    if status is not None and 200 <= status < 300:
        delivery.state = Delivery.State.DELIVERED
        delivery.delivered_at = now
    elif give_up or delivery.attempts > len(BACKOFF):
        delivery.state = Delivery.State.FAILED
    else:
        delivery.next_try_at = now + BACKOFF[delivery.attempts - 1]
    fields = ("attempts", "last_status", "last_error", "state", "delivered_at", "next_try_at")
    recorded = Delivery.objects.filter(id=delivery.id, state=Delivery.State.PENDING, next_try_at=lease)
    if not recorded.update(**{f: getattr(delivery, f) for f in fields}):
        return None  # the claim ran out during a slow call and another worker took it
    if delivery.state == Delivery.State.FAILED:
        log.warning("webhook %s: delivery %s given up: %s %s", hook.id, delivery.id, status, error)
    return str(delivery.state)


def deliver_due(*, limit: int = 200) -> int:
    """Every delivery whose try is due, each at its own time (a slow receiver must not age the
    others' claims)."""
    ids = due(timezone.now(), limit=limit)
    for delivery_id in ids:
        deliver(delivery_id)
    return len(ids)


def due(now: dt.datetime, *, limit: int = 200) -> list[int]:
    return list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_try_at__lte=now)
        .order_by("next_try_at")
        .values_list("id", flat=True)[:limit]
    )


# --- what each event says ------------------------------------------------------------------------


def post_payload(post: Any) -> dict[str, Any]:
    return {
        "id": str(post.id),
        "url": f"{settings.SITE_URL}/p/{post.id}/",
        "kind": post.kind,
        "audience": post.audience,
        "group": str(post.group_id) if post.group_id else None,
        "text": post.text,
        "author": {"id": str(post.author_id), "handle": post.author.handle, "name": post.author.display_name},
        "created_at": post.created_at.isoformat(),
    }
