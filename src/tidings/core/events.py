"""Domain events. A service calls `emit` inside its transaction; subscribers (Huey tasks)
are queued only once it commits, with ids, never objects. Subscribers must be idempotent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

_subscribers: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def subscribe(event: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a task (a Huey task or plain function) to run after `event` commits."""

    def register(task: Callable[..., Any]) -> Callable[..., Any]:
        _subscribers[event].append(task)
        return task

    return register


def emit(event: str, **ids: int | str | None) -> None:
    def dispatch() -> None:
        for task in _subscribers[event]:
            task(**ids)

    transaction.on_commit(dispatch, robust=True)
