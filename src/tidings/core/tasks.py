"""Background work of the kernel."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.core import jobs


@db_task(retries=5, retry_delay=60)
def send_mail_task(*, to: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


@db_task()
def run_job(job_id: int, attempt: int) -> None:
    """One try of the subscribers' work for one committed event (core.events, core.jobs); a try
    that fails is tried again by the sweep, after its lease."""
    jobs.run(job_id, attempt)


@db_periodic_task(crontab(minute="*"))
def sweep_jobs() -> None:
    jobs.sweep()
