"""The worker publishes scheduled posts: each at its time, and a sweep every minute catches any
whose timed job was lost (a worker restarted, a queue emptied)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.ops import drafts


@db_task(retries=3, retry_delay=10)
def publish_scheduled(draft_id: int) -> None:
    drafts.publish_due(draft_id)


@db_periodic_task(crontab(minute="*"))
def publish_due_drafts() -> None:
    for draft_id in drafts.due_ids():
        drafts.publish_due(draft_id)
