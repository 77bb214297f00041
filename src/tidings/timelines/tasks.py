"""Background work on timelines, run by the worker after the events commit."""

from __future__ import annotations

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.core import events
from tidings.timelines import services, store


@events.subscribe("post.published")
def fan_out(post_id: int) -> None:
    services.fan_out(post_id)


@events.subscribe("post.deleted")
def remove_deleted(post_id: int, author_id: int) -> None:
    services.on_delete(post_id, author_id)


@events.subscribe("account.followed")
def backfill_followed(follower_id: int, followee_id: int) -> None:
    services.on_follow(follower_id, followee_id)


@events.subscribe("account.unfollowed")
def remove_unfollowed(follower_id: int, followee_id: int) -> None:
    services.on_unfollow(follower_id, followee_id)


@db_periodic_task(crontab(minute="17", hour="3"))
def nightly_housekeeping() -> None:
    services.forget_inactive()
    store.trim_all()
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA optimize")  # keep the query planner's statistics current
