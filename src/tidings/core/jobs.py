"""Running the work of committed events (see core.events), and queueing again what was lost.

The task queue takes a message off the queue before running it: a worker killed meanwhile
loses it, and so does a web process killed between its commit and the enqueue. The job row
stays until every subscriber of its event has run. Each message names the try it is for (the
row's `attempts` when it was queued), and a worker takes the job only by moving `attempts` on
from that number: of two messages for one try (the sweep's and the first, still queued), one
runs. A taken job is left alone for its lease (TASK_LEASE_SECONDS); after it, a sweep (every
minute, and when a worker starts) queues the next try: the worker stopped, a subscriber failed,
or the message was lost. After MOST_ATTEMPTS tries the job is given up, with an error in the log.
A job must finish within its lease, or the next try runs beside it (subscribers are idempotent).

One job per event, not per subscriber: a post has seven subscribers, and a message and a row
each would make the queue's own bookkeeping most of the worker's work."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from tidings.core import events
from tidings.core.models import Job

log = logging.getLogger(__name__)

MOST_ATTEMPTS = 8
SWEEP_BATCH = 500


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def backlog() -> int:
    """Events committed whose work is not done yet."""
    return Job.objects.count()


def run(job_id: int, attempt: int) -> bool:
    """Run the subscribers still to run for one job, if this try is still the job's; True when it
    is done. A subscriber that fails does not stop the others; the job keeps the failed ones only
    and is tried again after its lease."""
    taken = Job.objects.filter(id=job_id, attempts=attempt).update(
        lease_until=timezone.now() + lease(), attempts=attempt + 1
    )
    job = Job.objects.filter(id=job_id).first() if taken else None
    if job is None:  # done already, or this try was taken by another message
        return False
    failed: list[str] = []
    for name in job.subscribers:
        function = events.subscriber(name)
        if function is None:  # a subscriber renamed or removed since the job was written
            log.error("job %s (%s): no subscriber %s; left out", job_id, job.event, name)
            continue
        try:
            function(**job.args)
        except Exception:
            log.exception("job %s (%s): %s failed", job_id, job.event, name)
            failed.append(name)
    if failed:
        Job.objects.filter(id=job_id).update(subscribers=failed)
        return False
    Job.objects.filter(id=job_id).delete()
    return True


def sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Queue the next try of each job whose lease has run out, and give up those tried too often."""
    now = timezone.now()
    stale = Job.objects.filter(lease_until__lt=now)
    for job_id, event, args in stale.filter(attempts__gte=MOST_ATTEMPTS).values_list("id", "event", "args"):
        log.error("job %s (%s %s) given up after %s tries", job_id, event, args, MOST_ATTEMPTS)
        Job.objects.filter(id=job_id).delete()
    rows = list(stale.order_by("lease_until").values_list("id", "attempts")[:limit])
    if not rows:
        return 0
    # Left alone for another lease, so the next sweep does not queue the same try again.
    Job.objects.filter(id__in=[job_id for job_id, _ in rows], lease_until__lt=now).update(
        lease_until=now + lease()
    )
    from tidings.core.tasks import run_job

    for job_id, attempts in rows:
        run_job(job_id, attempts)
    return len(rows)
