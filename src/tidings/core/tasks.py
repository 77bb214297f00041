"""Background work of the kernel."""

from __future__ import annotations

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.core import jobs, mail


@db_task()
def send_mail_row(mail_id: int, due: str) -> None:
    """The first try of a mail written by core.mail.send; the sweep makes the others."""
    mail.deliver(mail_id, dt.datetime.fromisoformat(due))


@db_periodic_task(crontab(minute="*"))
def sweep_mail() -> None:
    mail.sweep()


@db_task()
def run_job(job_id: int, attempt: int) -> None:
    """One try of the subscribers' work for one committed event (core.events, core.jobs); a try
    that fails is tried again by the sweep, after its lease."""
    jobs.run(job_id, attempt)


@db_periodic_task(crontab(minute="*"))
def sweep_jobs() -> None:
    jobs.sweep()
