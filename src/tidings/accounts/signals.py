"""Every log-in, by whatever path, records its session; every log-out forgets it."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from tidings.accounts import sessions
from tidings.accounts.models import Account


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))


@receiver(user_logged_in, dispatch_uid="tidings.accounts.record_session")
def _record_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if request is None or session is None or not isinstance(user, Account):
        return
    if session.session_key is None:
        session.save()
    assert session.session_key is not None
    session[sessions.SEEN_SESSION_KEY] = int(time.time())
    sessions.record(
        user, session_key=session.session_key, ip=client_address(request), user_agent=user_agent(request)
    )


@receiver(user_logged_out, dispatch_uid="tidings.accounts.forget_session")
def _forget_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        sessions.forget(session.session_key)
