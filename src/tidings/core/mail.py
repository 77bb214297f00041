"""Mail goes out from the worker, after the transaction that asked for it commits: a slow or
unreachable mail server never holds up a page, and mail is not sent for what was rolled back."""

from __future__ import annotations

from django.db import transaction


def send(*, to: str, subject: str, body: str) -> None:
    from tidings.core.tasks import send_mail_task

    transaction.on_commit(lambda: send_mail_task(to=to, subject=subject, body=body))
