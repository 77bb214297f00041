"""The worker's part of activities: quizzes and lotteries are drawn when their entries close (a
sweep every minute), winners are told, the backers of an idea hear when it moves, and a live
broadcast's new comments reach its open pages."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.activities import ideas, live, services
from tidings.core import events


@db_periodic_task(crontab(minute="*"))
def draw_due() -> None:
    services.draw_due()


@events.subscribe("activity.drawn")
def tell_winners(activity_id: int) -> None:
    services.tell_winners(activity_id)


@events.subscribe("idea.moved")
def tell_backers(idea_id: int, state: str) -> None:
    ideas.tell_backers(idea_id, state)


@events.subscribe("post.published")
def stream_live(post_id: int) -> None:
    live.on_post_published(post_id)
