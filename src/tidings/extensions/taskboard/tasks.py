"""Reminders of tasks due today or tomorrow, each hour (once per task and due date)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.extensions.taskboard import services


@db_periodic_task(crontab(minute="7"))
def remind_due() -> None:
    services.remind_due(timezone.localdate())
