"""Mail goes out from the worker, after the transaction that asked for it commits: a slow or
unreachable mail server never holds up a page, and mail is not sent for what was rolled back.
Each mail is a row (core.models.Mail) written with the change that asked for it: it is sent at
once after the commit, and a sweep every minute sends what a lost message, a killed worker or
a mail server that said no left behind, at most MOST_ATTEMPTS times, further apart each time.
A mail goes out at least once: a worker killed after the server took it, or a server slower
than the lease, may send it twice."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from tidings.core.models import Mail

log = logging.getLogger(__name__)

MOST_ATTEMPTS = 6
RETRY_MINUTES = (1, 5, 15, 60, 180)
SWEEP_BATCH = 200


def send(*, to: str, subject: str, body: str) -> None:
    subject = " ".join(subject.split())[:200]  # a line break in a header is refused by Django
    mail = Mail.objects.create(to=to[:254], subject=subject, body=body, next_try_at=timezone.now() + _lease())

    def queue() -> None:
        from tidings.core.tasks import send_mail_row

        send_mail_row(mail.id, mail.next_try_at.isoformat())

    transaction.on_commit(queue, robust=True)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def deliver(mail_id: int, due: dt.datetime) -> bool:
    """One try of one mail, if it is still due at `due` (else another worker has it); True once
    the mail server took it."""
    now = timezone.now()
    if not Mail.objects.filter(id=mail_id, next_try_at=due).update(next_try_at=now + _lease()):
        return False
    mail = Mail.objects.filter(id=mail_id).first()
    if mail is None:
        return False
    try:
        send_mail(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, [mail.to], fail_silently=False)
    except Exception:  # the server down or refusing, or an address it cannot take: each a try
        attempts = mail.attempts + 1
        if attempts >= MOST_ATTEMPTS:
            log.exception("mail %s to %s given up after %s tries", mail.id, mail.to, attempts)
            mail.delete()
            return False
        log.warning("mail %s to %s not sent (try %s); tried again later", mail.id, mail.to, attempts)
        later = now + dt.timedelta(minutes=RETRY_MINUTES[attempts - 1])
        Mail.objects.filter(id=mail.id).update(attempts=attempts, next_try_at=later)
        return False
    mail.delete()
    return True


def sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Try each mail that is due: its first message lost, its worker killed, or its retry come."""
    due = list(
        Mail.objects.filter(next_try_at__lte=timezone.now())
        .order_by("next_try_at")
        .values_list("id", "next_try_at")[:limit]
    )
    return sum(deliver(mail_id, when) for mail_id, when in due)  # deliver raises for none
