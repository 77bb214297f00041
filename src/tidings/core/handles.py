"""Account handles: what a handle may be, its uniqueness key, and its confusable skeleton."""

from __future__ import annotations

import functools
import unicodedata

from django.utils.translation import gettext_lazy as _

from tidings.core.errors import Invalid
from tidings.core.text import code_point, fold

MIN_LENGTH = 2
MAX_LENGTH = 30

# Words that are, or may become, paths or system names: /@admin would be confusing, /@api worse.
RESERVED = frozenset(
    {
        "about", "account", "accounts", "admin", "administrator", "api", "apps", "auth", "help",
        "home", "login", "logout", "me", "media", "messages", "notifications", "o", "oauth",
        "official", "p", "privacy", "register", "root", "search", "security", "settings", "signin",
        "signup", "static", "support", "system", "terms", "tidings", "topics", "well-known",
        "well_known", "wellknown",
    }
)  # fmt: skip


def _char_allowed(char: str, after_letter: bool) -> bool:
    category = unicodedata.category(char)
    if category[0] in "LN" or char in "_-":
        return True
    # A combining mark belongs to the letter before it (Indic vowel signs, accents in NFD input).
    return category[0] == "M" and after_letter


def _shown(char: str) -> str:
    # Spaces, marks and invisible characters would vanish between quotes: name them by code point.
    if char.isspace():
        return str(_("a space (%(code)s)") % {"code": code_point(char)})
    if unicodedata.category(char)[0] in "LNPS":
        return f"“{char}” ({code_point(char)})"
    return code_point(char)


def clean_handle(handle: str) -> str:
    """The handle to store (NFC, stripped), or Invalid(field="handle") saying what to fix."""
    handle = unicodedata.normalize("NFC", handle).strip()
    if not handle:
        raise Invalid(_("Choose a handle."), field="handle")
    bad: list[str] = []
    after_letter = False
    for char in handle:
        if not _char_allowed(char, after_letter):
            bad.append(char)
        category = unicodedata.category(char)[0]
        after_letter = category == "L" or (category == "M" and after_letter)
    if bad:
        raise Invalid(
            _("A handle may hold only letters, digits, “_” and “-”; not %(chars)s.")
            % {"chars": ", ".join(_shown(c) for c in dict.fromkeys(bad))},
            field="handle",
        )
    if not MIN_LENGTH <= len(handle) <= MAX_LENGTH:
        raise Invalid(
            _("A handle must be %(min)d to %(max)d characters long; this one has %(length)d.")
            % {"min": MIN_LENGTH, "max": MAX_LENGTH, "length": len(handle)},
            field="handle",
        )
    if not any(unicodedata.category(c)[0] == "L" for c in handle):
        raise Invalid(_("A handle needs at least one letter."), field="handle")
    # By skeleton too, so "adm1n" cannot pose as the system either.
    if handle_key(handle) in RESERVED or handle_skeleton(handle) in _reserved_skeletons():
        raise Invalid(
            _("“%(handle)s” is reserved; choose another handle.") % {"handle": handle}, field="handle"
        )
    return handle


def handle_key(handle: str) -> str:
    """Two handles with the same key are the same handle (case, width, 戴爾/戴尔)."""
    return fold(handle)


# --- confusables ---------------------------------------------------------------------------------

_DIRECTION_MARKS = "\u200e\u200f"  # the data wraps right-to-left characters in them


@functools.cache
def _representatives() -> dict[str, str]:
    """Each character of the confusables data -> the smallest code point of its look-alike set.

    The data gives, per character, single characters (and sequences, which we skip: "rn" for "m")
    that look like it. We join them into sets, and join each ASCII letter's set with its other
    case's, since handles are compared folded: that makes I (like l) and i one set, so "deII" and
    "dell" meet. Case is joined for ASCII only: joining every script's cases chains unrelated
    letters together (Cyrillic г looks like r, Г like T, so r and t would meet).
    """
    from confusable_homoglyphs.confusables import confusables_data

    parent: dict[str, str] = {}

    def root(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for char, glyphs in confusables_data.items():
        for glyph in glyphs:
            other = glyph["c"].strip(_DIRECTION_MARKS)
            if len(char) == 1 and len(other) == 1:
                join(char, other)
    for upper in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        join(upper, upper.lower())
    return {c: root(c) for c in parent}


@functools.lru_cache(maxsize=4096)
def _representative(char: str) -> str:
    return _representatives().get(char, char)


def handle_skeleton(handle: str) -> str:
    """Handles with equal skeletons look alike ("dell", "deII", Cyrillic "dеll"): refuse the second.

    Only a comparison key: it is not meant to be shown.
    """
    return "".join(_representative(c) for c in handle_key(handle))


@functools.cache
def _reserved_skeletons() -> frozenset[str]:
    return frozenset(handle_skeleton(word) for word in RESERVED)
