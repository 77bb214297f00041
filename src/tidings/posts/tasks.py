"""Background work on posts."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.posts import services


@db_periodic_task(crontab(minute="27", hour="3"))
def forget_old_requests() -> None:
    """Idempotency keys of API clients serve a day; then they go."""
    services.forget_old_requests()
