"""Domain events. A service calls `emit` inside its transaction; the work of its subscribers
becomes one job row (core.models.Job) in that same transaction, queued for the worker only once
it commits, with ids, never objects. A rolled-back write queues nothing; a committed one keeps its
job even if the process dies before queueing it or the worker dies while running it (a
sweep queues it again, see core.jobs). So a subscriber runs at least once: it must be
idempotent. What a subscriber starts in its turn is kept the same way: an event of its own (a
monitor's webhook call) or a mail row (core.mail)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

_subscribers: dict[str, list[str]] = defaultdict(list)
_by_name: dict[str, Callable[..., Any]] = {}


def subscribe(event: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a plain function to run after `event` commits, in the event's job (its name,
    module and function, is what a waiting job row holds)."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        name = f"{function.__module__}.{function.__qualname__}"
        _by_name[name] = function
        if name not in _subscribers[event]:
            _subscribers[event].append(name)
        return function

    return register


def subscriber(name: str) -> Callable[..., Any] | None:
    return _by_name.get(name)


def emit(event: str, **ids: int | str | None) -> None:
    names = _subscribers[event]
    if not names:
        return
    from tidings.core import jobs
    from tidings.core.models import Job

    job = Job.objects.create(
        event=event, subscribers=list(names), args=ids, lease_until=timezone.now() + jobs.lease()
    )

    def dispatch() -> None:
        from tidings.core.tasks import run_job

        run_job(job.id, 0)

    transaction.on_commit(dispatch, robust=True)
