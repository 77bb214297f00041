"""Signed-in sessions a person can see and end. Each log-in records an AccountSession beside the
session in Django's session store (db, or cached_db with Redis); ending one deletes both, so the
browser holding it is logged out on its very next request."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from tidings.accounts.models import Account, AccountSession
from tidings.core.errors import NotFound

SEEN_EVERY = dt.timedelta(minutes=5)
SEEN_SESSION_KEY = "tidings_seen"  # Unix time the row was last updated, kept in the session


def _store(session_key: str | None = None) -> SessionBase:
    engine: Any = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def record(account: Account, *, session_key: str, ip: str = "", user_agent: str = "") -> AccountSession:
    """Called at log-in, once the session has its final key."""
    now = timezone.now()
    row, _created = AccountSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "account": account,
            "created_at": now,
            "last_seen_at": now,
            "ip": ip[:64],
            "user_agent": user_agent[:300],
        },
    )
    return row


def touch(account: Account, *, session_key: str, ip: str = "", user_agent: str = "") -> None:
    """Note that the session was used now (the caller does this at most every SEEN_EVERY). A
    session from before sessions were recorded gets its row here."""
    now = timezone.now()
    updated = AccountSession.objects.filter(session_key=session_key, account_id=account.id).update(
        last_seen_at=now, ip=ip[:64]
    )
    if not updated:
        AccountSession.objects.get_or_create(
            session_key=session_key,
            defaults={"account": account, "ip": ip[:64], "user_agent": user_agent[:300]},
        )


def forget(session_key: str | None) -> None:
    """The session ended by logging out: its row goes too."""
    if session_key:
        AccountSession.objects.filter(session_key=session_key).delete()


def rekey(old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (after a password change) but is the same browser."""
    if old_key and new_key and old_key != new_key:
        AccountSession.objects.filter(session_key=old_key).update(session_key=new_key)


def _alive_keys(keys: list[str]) -> set[str]:
    store = _store()
    get_model_class = getattr(store, "get_model_class", None)
    if get_model_class is not None:  # db and cached_db keep every session in the database
        model = get_model_class()
        return set(
            model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).values_list(
                "session_key", flat=True
            )
        )
    return {key for key in keys if store.exists(key)}


@dataclass(frozen=True)
class SessionInfo:
    id: int
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ip: str
    device: str
    current: bool


def list_for(account: Account, *, current_key: str | None = None) -> list[SessionInfo]:
    """The person's live sessions, this one first, then the most recently seen. Rows whose
    session has expired are dropped on the way."""
    rows = list(AccountSession.objects.filter(account_id=account.id).order_by("-last_seen_at", "-id"))
    alive = _alive_keys([r.session_key for r in rows])
    dead = [r.id for r in rows if r.session_key not in alive]
    if dead:
        AccountSession.objects.filter(id__in=dead).delete()
    infos = [
        SessionInfo(
            id=r.id,
            created_at=r.created_at,
            last_seen_at=r.last_seen_at,
            ip=r.ip,
            device=describe_user_agent(r.user_agent),
            current=r.session_key == current_key,
        )
        for r in rows
        if r.session_key in alive
    ]
    return sorted(infos, key=lambda i: not i.current)


def _end(rows: list[AccountSession]) -> int:
    for row in rows:
        _store(row.session_key).delete()
    AccountSession.objects.filter(id__in=[r.id for r in rows]).delete()
    return len(rows)


def revoke(account: Account, *, session_id: int) -> str:
    """End one of the person's sessions (answered like a missing one if it is not theirs).
    Returns the key of the session ended."""
    row = AccountSession.objects.filter(id=session_id, account_id=account.id).first()
    if row is None:
        raise NotFound()
    _end([row])
    return row.session_key


def end_all_sessions(account: Account, except_key: str | None = None) -> int:
    """End every session of the account but `except_key` (the one making the request, if any).
    Returns how many ended."""
    rows = AccountSession.objects.filter(account_id=account.id)
    if except_key:
        rows = rows.exclude(session_key=except_key)
    return _end(list(rows))


def purge_ended() -> int:
    """Housekeeping: drop expired sessions from the store and the rows of sessions that are gone.
    Returns how many rows were dropped."""
    store_class: Any = type(_store())
    store_class.clear_expired()
    get_model_class = getattr(store_class, "get_model_class", None)
    if get_model_class is None:
        return 0
    live = get_model_class().objects.values("session_key")
    return AccountSession.objects.exclude(session_key__in=live).delete()[0]


# --- a short name for a browser -------------------------------------------------------------------

_BROWSERS = [
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("WeChat", re.compile(r"MicroMessenger/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/")),
    ("Safari", re.compile(r"Safari/")),
    ("curl", re.compile(r"^curl/")),
]
_SYSTEMS = [
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("Linux", re.compile(r"Linux")),
]


def describe_user_agent(user_agent: str) -> str:
    """A short name: "Firefox · Linux", "Safari · iPhone"... or the start of the string."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or user_agent[:40]
