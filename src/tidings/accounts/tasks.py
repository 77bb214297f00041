"""Background work of accounts (found by the core app's autodiscovery of tasks modules)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tidings.accounts import sessions


@db_periodic_task(crontab(minute="41", hour="*"))
def purge_ended_sessions() -> None:
    sessions.purge_ended()
