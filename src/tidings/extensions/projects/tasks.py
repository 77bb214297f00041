"""Last week's digest of every project (made once per project and week)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.extensions.projects import services


# Each morning: a week missed while the worker was down is made the next day, and only once.
@db_periodic_task(crontab(hour="8", minute="30"))
def weekly_digests() -> None:
    services.weekly_digests(timezone.localdate())
