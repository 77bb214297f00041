"""The worker counts analytics from events as they commit, and every hour finds where the
official accounts' followers come from."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.analytics import counting, origins
from tidings.core import events


@events.subscribe("post.published")
def count_post(post_id: int) -> None:
    counting.on_post_published(post_id)


@events.subscribe("post.liked")
def count_like(post_id: int, account_id: int) -> None:
    counting.on_liked(post_id, account_id)


@events.subscribe("account.followed")
def count_follow(follower_id: int, followee_id: int) -> None:
    counting.on_follow(follower_id, followee_id, followed=True)


@events.subscribe("account.unfollowed")
def count_unfollow(follower_id: int, followee_id: int) -> None:
    counting.on_follow(follower_id, followee_id, followed=False)


@db_periodic_task(crontab(minute="7"))
def hourly() -> None:
    origins.refresh_all()
    counting.purge_old()
