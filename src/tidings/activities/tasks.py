"""The worker's part of activities: quizzes and lotteries are drawn when their entries close (a
sweep every minute), and winners are told."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.activities import services
from tidings.core import events


@db_periodic_task(crontab(minute="*"))
def draw_due() -> None:
    services.draw_due()


@events.subscribe("activity.drawn")
@db_task(retries=3, retry_delay=5)
def tell_winners(activity_id: int) -> None:
    services.tell_winners(activity_id)
