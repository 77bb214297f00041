"""OAuth scopes as Mastodon names them: the broad ones (read, write, follow, push, profile) and
their granular parts. A token holding a broad scope holds each of its parts."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

READ = [
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "monitors",
    "mutes",
    "notifications",
    "search",
    "projects",
    "statuses",
    "tasks",
]
WRITE = [
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "monitors",
    "mutes",
    "notifications",
    "reports",
    "projects",
    "statuses",
    "tasks",
]
BROAD = {
    "read": [f"read:{s}" for s in READ],
    "write": [f"write:{s}" for s in WRITE],
    # The old "follow" scope: managing relationships.
    "follow": ["read:blocks", "read:follows", "read:mutes", "write:blocks", "write:follows", "write:mutes"],
    "push": [],
    "profile": [],
}
ALL = [*BROAD, *BROAD["read"], *BROAD["write"]]

DESCRIPTIONS = {
    "read": _("Read everything you may see"),
    "write": _("Post, edit and delete, and change your account"),
    "follow": _("Follow, block and mute accounts"),
    "push": _("Receive push notifications"),
    "profile": _("Read your own profile only"),
}
THINGS = {
    "accounts": _("accounts and your profile"),
    "blocks": _("blocks"),
    "bookmarks": _("favourites (收藏)"),
    "conversations": _("direct messages"),
    "favourites": _("likes"),
    "filters": _("filters"),
    "follows": _("follows"),
    "lists": _("lists (your organisations and groups)"),
    "media": _("pictures"),
    "monitors": _("the monitors of the official accounts you run"),
    "mutes": _("mutes"),
    "notifications": _("notifications"),
    "reports": _("reports"),
    "search": _("search"),
    "statuses": _("posts"),
    "projects": _("the projects of your groups"),
    "tasks": _("the tasks of your groups"),
}


def description(scope: str) -> str:
    if scope in DESCRIPTIONS:
        return str(DESCRIPTIONS[scope])
    verb, _sep, what = scope.partition(":")
    thing = THINGS.get(what, what)
    return str(_("Read: %(thing)s") if verb == "read" else _("Change: %(thing)s")) % {"thing": thing}


def parse(raw: str | Iterable[str]) -> list[str]:
    """Scopes from a space (or plus) separated string, in order, without repeats."""
    items = raw.replace("+", " ").split() if isinstance(raw, str) else list(raw)
    return list(dict.fromkeys(items))


def unknown(requested: Iterable[str]) -> list[str]:
    return [s for s in requested if s not in ALL]


def expand(granted: Iterable[str]) -> set[str]:
    """Every scope a set of granted scopes amounts to."""
    out: set[str] = set()
    for scope in granted:
        out.add(scope)
        out.update(BROAD.get(scope, ()))
    return out


def allows(granted: Iterable[str], needed: str) -> bool:
    return needed in expand(granted)
