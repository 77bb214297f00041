"""An official account and its team (from the ops tests), customers, and a way to close an
activity's entries without waiting for its time."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.ops.conftest import Team, team
from tidings.activities.models import Activity

Close = Callable[[Any], None]


@pytest.fixture
def close() -> Close:
    """Close an activity's entries now (as if its time had come)."""

    def run(activity: Any) -> None:
        Activity.objects.filter(id=activity.id).update(closes_at=timezone.now())
        activity.refresh_from_db()

    return run


def soon(minutes: int = 60) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


__all__ = ["Team", "close", "soon", "team"]
