"""The worker's part of official accounts' work: scheduled posts go out at their time (a sweep
every minute catches any whose timed job was lost), what the public says to an account becomes
cases on its desk, and late cases are escalated."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.core import events
from tidings.ops import desk, drafts


@db_task(retries=3, retry_delay=10)
def publish_scheduled(draft_id: int) -> None:
    drafts.publish_due(draft_id)


@db_periodic_task(crontab(minute="*"))
def publish_due_drafts() -> None:
    for draft_id in drafts.due_ids():
        drafts.publish_due(draft_id)


# --- the response desk -------------------------------------------------------------------------


@events.subscribe("post.published")
def take_in_post(post_id: int) -> None:
    desk.on_post_published(post_id)


@events.subscribe("message.sent")
def take_in_message(message_id: int) -> None:
    desk.on_message_sent(message_id)


@db_periodic_task(crontab(minute="*"))
def escalate_late_cases() -> None:
    desk.escalate_due()
