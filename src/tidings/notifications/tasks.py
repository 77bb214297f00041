"""Notifications and message delivery, run by the worker after the events commit."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.core import events, pubsub, ratelimit
from tidings.notifications import services


@events.subscribe("post.published")
def notify_post(post_id: int) -> None:
    services.on_post_published(post_id)


@events.subscribe("post.edited")
def notify_edit(post_id: int) -> None:
    services.on_post_edited(post_id)


@events.subscribe("post.liked")
def notify_like(post_id: int, account_id: int) -> None:
    services.on_liked(post_id, account_id)


@events.subscribe("account.followed")
def notify_follow(follower_id: int, followee_id: int) -> None:
    services.on_followed(follower_id, followee_id)


@events.subscribe("message.sent")
def deliver_message(message_id: int) -> None:
    services.on_message_sent(message_id)


@db_periodic_task(crontab(minute="*/10"))
def purge_stream_events() -> None:
    pubsub.purge_old()
    ratelimit.purge_old()
