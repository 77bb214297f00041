"""Running the work of committed events (see core.events), and queueing again what was lost.

The task queue takes a message off the queue before running it: a worker killed meanwhile
loses it, and so does a web process killed between its commit and the enqueue. The job row
stays until every subscriber of its event has run. Running, a worker holds the job for a lease
(TASK_LEASE_SECONDS, renewed at each try); a sweep (every minute, and when a worker starts)
queues again every job whose lease has run out. A job that keeps failing is given up after
MOST_ATTEMPTS tries, with an error in the log.

One job per event, not per subscriber: a post has seven subscribers, and a message and a row
each would make the queue's own bookkeeping most of the worker's work."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F
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


def run(job_id: int) -> bool:
    """Run the subscribers still to run for one job; True when it is done. A subscriber that
    fails does not stop the others; the job keeps the failed ones only, and raises the first
    error so the queue tries again (then the sweep)."""
    taken = Job.objects.filter(id=job_id, attempts__lt=MOST_ATTEMPTS).update(
        lease_until=timezone.now() + lease(), attempts=F("attempts") + 1
    )
    job = Job.objects.filter(id=job_id).first() if taken else None
    if job is None:
        # Done already (a second message for it), or tried too often: then it is given up.
        if Job.objects.filter(id=job_id).delete()[0]:
            log.error("job %s given up after %s tries", job_id, MOST_ATTEMPTS)
        return False
    failed: list[str] = []
    first_error: Exception | None = None
    for name in job.subscribers:
        function = events.subscriber(name)
        if function is None:  # a subscriber renamed or removed since the job was written
            log.error("job %s (%s): no subscriber %s; left out", job_id, job.event, name)
            continue
        try:
            function(**job.args)
        except Exception as error:
            log.exception("job %s (%s): %s failed", job_id, job.event, name)
            failed.append(name)
            first_error = first_error or error
    if first_error is not None:
        Job.objects.filter(id=job_id).update(subscribers=failed)
        raise first_error
    Job.objects.filter(id=job_id).delete()
    return True


def sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Queue again the jobs whose lease has run out: their worker stopped, or their message was
    never queued or was lost. Each is leased again first, so the next sweep leaves it alone."""
    now = timezone.now()
    ids = list(
        Job.objects.filter(lease_until__lt=now).order_by("lease_until").values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    Job.objects.filter(id__in=ids).update(lease_until=now + lease())
    from tidings.core.tasks import run_job

    for job_id in ids:
        run_job(job_id)
    return len(ids)
