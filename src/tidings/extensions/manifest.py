"""What an app says about itself: its name, icon, the permissions it asks for and the places it
plugs into. Built-in and pip-installed apps declare one in Python; the same rules check both."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tidings.accounts import scopes as known_scopes
from tidings.core.errors import Invalid

# Where an app may plug in. A post action and a group panel are links to the app's page with the
# post or the group they were opened from; a feed card is how the app's own posts are shown.
PLACES = {
    "nav": _("an entry in the navigation"),
    "post_action": _("an action on posts"),
    "feed_card": _("a card in the feed"),
    "group_panel": _("a panel in groups"),
    "settings": _("a settings page"),
}
# Who an app may be installed for.
TARGETS = {"organisation", "group", "personal"}

KEY = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


def localised(value: Any) -> str:
    """A manifest text: a string (or a lazy translation), or a mapping of language to string."""
    if isinstance(value, dict):
        language = (get_language() or "en").lower()
        for wanted in (language, language.split("-")[0], "en"):
            if wanted in value:
                return str(value[wanted])
        return str(next(iter(value.values()), ""))
    return str(value)


@dataclass(frozen=True)
class Place:
    kind: str
    label: Any
    path: str = ""  # under the app's address, /apps/<key>/<path>


@dataclass(frozen=True)
class Manifest:
    key: str
    name: Any
    description: Any
    icon: str
    scopes: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()
    targets: tuple[str, ...] = ("organisation", "group")
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return localised(self.name)

    @property
    def summary(self) -> str:
        return localised(self.description)

    def places_of(self, kind: str) -> list[Place]:
        return [p for p in self.places if p.kind == kind]

    def permissions(self) -> list[str]:
        """What each asked permission means, in the reader's language."""
        return [known_scopes.description(s) for s in self.scopes]


def check(manifest: Manifest) -> Manifest:
    """The manifest if every part of it is known and well formed; Invalid naming the first fault."""
    if not KEY.match(manifest.key or ""):
        raise Invalid(
            _("An app's key is 2 to 40 small letters, digits and dashes, starting with a letter."),
            field="key",
        )
    if not localised(manifest.name).strip() or len(localised(manifest.name)) > 40:
        raise Invalid(_("An app needs a name of at most 40 characters."), field="name")
    if len(localised(manifest.description)) > 300:
        raise Invalid(_("An app's description is at most 300 characters."), field="description")
    if not 1 <= len(manifest.icon) <= 8 or any(c.isspace() or c in "<>\"'&" for c in manifest.icon):
        raise Invalid(_("An app's icon is one emoji or a few characters."), field="icon")
    unknown = known_scopes.unknown(manifest.scopes)
    if unknown:
        raise Invalid(
            _("The app asks for a permission that does not exist: %(scope)s") % {"scope": unknown[0]},
            field="scopes",
        )
    for place in manifest.places:
        if place.kind not in PLACES:
            raise Invalid(
                _("The app plugs into an unknown place: %(place)s") % {"place": place.kind}, field="places"
            )
        if not localised(place.label).strip() or len(localised(place.label)) > 30:
            raise Invalid(_("Each place of an app needs a label of at most 30 characters."), field="places")
        if place.path.startswith("/") or ".." in place.path or "//" in place.path or len(place.path) > 200:
            raise Invalid(_("A place's path is relative to the app's own address."), field="places")
    if not manifest.targets or set(manifest.targets) - TARGETS:
        raise Invalid(
            _("An app is installed for an organisation, its groups or one person."), field="targets"
        )
    return manifest


def from_dict(data: Any) -> Manifest:
    """A manifest from its JSON form (an app described in a file), checked."""
    if not isinstance(data, dict):
        raise Invalid(_("A manifest is a JSON object."))
    try:
        places = tuple(
            Place(kind=str(p["kind"]), label=p["label"], path=str(p.get("path", "")))
            for p in data.get("places", [])
        )
        manifest = Manifest(
            key=str(data["key"]),
            name=data["name"],
            description=data.get("description", ""),
            icon=str(data.get("icon", "")),
            scopes=tuple(str(s) for s in data.get("scopes", [])),
            places=places,
            targets=tuple(str(t) for t in data.get("targets", ["organisation", "group"])),
        )
    except (KeyError, TypeError, AttributeError):
        raise Invalid(_("A manifest needs a key, a name and well-formed places.")) from None
    return check(manifest)
