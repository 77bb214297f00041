"""The apps this server knows: every package registered under the `tidings.apps` entry point
group (the built-in ones in our pyproject, a third party's in theirs), so `pip install` adds one.
An entry point names an `App`; one that cannot be loaded or whose manifest is wrong is left out
and its reason shown to admins, without stopping the server."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points

from tidings.core.errors import Invalid
from tidings.extensions.manifest import Manifest, check

log = logging.getLogger(__name__)

GROUP = "tidings.apps"


@dataclass(frozen=True)
class App:
    manifest: Manifest
    # The dotted path of the app's URL patterns, served at /apps/<key>/ to those it is on for.
    urls: str | None = None
    # An external app's site: its places link there (with the post or group id).
    base_url: str | None = None

    @property
    def key(self) -> str:
        return self.manifest.key


@dataclass(frozen=True)
class Broken:
    name: str
    reason: str


@cache
def _load() -> tuple[dict[str, App], tuple[Broken, ...]]:
    found: dict[str, App] = {}
    broken: list[Broken] = []
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        try:
            app = point.load()
            if not isinstance(app, App):
                raise TypeError("the entry point does not name a tidings App")
            check(app.manifest)
            if app.key in found:
                raise ValueError(f"the key {app.key!r} is taken")
        except Invalid as error:
            broken.append(Broken(point.name, error.message))
            continue
        except Exception as error:  # a third party's package may fail in any way
            log.warning("app %s not loaded: %s", point.name, error)
            broken.append(Broken(point.name, str(error)))
            continue
        found[app.key] = app
    return found, tuple(broken)


def apps() -> dict[str, App]:
    return _load()[0]


def broken() -> tuple[Broken, ...]:
    return _load()[1]


def get(key: str) -> App | None:
    return apps().get(key)
