"""Text rules of a post: folding, length, links, #topics#, @mentions, forbidden characters.

Pure functions, no models. The length and link rules are ported to the browser in
web/static/tidings/count.js; both are tested against tests/core/text_cases.json.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import regex
from django.utils.translation import gettext_lazy as _

from tidings.core.errors import Invalid

# --- folding -------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


@functools.cache
def _t2s() -> Any:
    # Loading the OpenCC dictionaries takes a while: once per process, on first use.
    import opencc

    return opencc.OpenCC("t2s")


def fold(s: str) -> str:
    """The comparison key of topics, mentions, handles and search: width, case, script variant."""
    s = unicodedata.normalize("NFKC", s).casefold()
    s = _t2s().convert(s)
    return _SPACES.sub(" ", s).strip()


# --- links ---------------------------------------------------------------------------------------

# Kept character for character identical to URL_RE in count.js. re.ASCII as in JS's /i: otherwise
# the Kelvin sign would match "k" and the long s "s".
# The first character after the scheme starts a host: "https:///x" is text (a browser would go to x).
_URL = re.compile(
    r"https?://[A-Za-z0-9\-._~%\[][A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*", re.IGNORECASE | re.ASCII
)
_URL_TRAILING = ".,:;!?'"
_URL_MIN = len("http://")


def _trim_url(url: str) -> str:
    # Sentence punctuation and a closing bracket opened before the link are not part of it.
    # Brackets are counted once and kept current, so a long run of ")" stays linear.
    opened = {")": url.count("("), "]": url.count("[")}
    closed = {")": url.count(")"), "]": url.count("]")}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _URL_TRAILING:
            end -= 1
        elif last in closed and opened[last] < closed[last]:
            closed[last] -= 1
            end -= 1
        else:
            break
    return url[:end]


def _scheme_end(url: str) -> int:
    return url.index("://") + 3


def _urls(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each link, in order."""
    pos = 0
    while (m := _URL.search(text, pos)) is not None:
        url = _trim_url(m.group())
        if len(url) > _scheme_end(url):  # "https://" alone is text
            yield m.start(), m.start() + len(url)
            pos = m.start() + len(url)
        else:
            pos = m.end()


# --- length --------------------------------------------------------------------------------------

LINK_LENGTH = 10
_GRAPHEME = regex.compile(r"\X")


def _half_units(text: str) -> int:
    units = 0
    for g in _GRAPHEME.findall(text):
        # "\r\n" is one grapheme and one line break: it counts as the ASCII "\n" does.
        units += 1 if (len(g) == 1 and g < "\x80") or g == "\r\n" else 2
    return units


def post_length(text: str) -> int:
    """DESIGN's count: ASCII 1/2, any other grapheme 1, a link 10, the total rounded up."""
    units, pos = 0, 0
    for start, end in _urls(text):
        units += _half_units(text[pos:start]) + 2 * LINK_LENGTH
        pos = end
    units += _half_units(text[pos:])
    return math.ceil(units / 2)


# --- tokens --------------------------------------------------------------------------------------

TokenKind = Literal["text", "url", "mention", "topic"]


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    raw: str  # the characters of the post, as written
    value: str  # the URL, the handle or the topic name


# At each "#": a Weibo topic #話題# first, else a #tag; "@handle" not glued to an e-mail's local part.
# A handle's characters are those clean_handle accepts, so a mention can name any handle.
_ENTITY = regex.compile(
    r"#(?P<weibo>[^#\s](?:[^#\r\n]{0,30}[^#\s])?)#"
    r"|(?<!\w)#(?P<tag>\w{1,32})(?!\w)"
    r"|(?<![A-Za-z0-9_.+\-])@(?P<handle>[\p{L}\p{M}\p{N}_\-]{1,30})(?![\p{L}\p{M}\p{N}_\-])"
)


def _entities(text: str, start: int, end: int) -> Iterator[Token]:
    pos = start
    for m in _ENTITY.finditer(text, start, end):
        if m.start() > pos:
            yield Token("text", text[pos : m.start()], text[pos : m.start()])
        topic = m.group("weibo") or m.group("tag")
        if topic:
            yield Token("topic", m.group(), topic)
        else:
            yield Token("mention", m.group(), m.group("handle"))
        pos = m.end()
    if end > pos:
        yield Token("text", text[pos:end], text[pos:end])


def tokenize(text: str) -> list[Token]:
    """The post split into text, links, mentions and topics; joining the raws gives the text back.

    Links are found first, so a "#" or "@" inside a link never starts a topic or a mention,
    and a topic or mention never spans a link.
    """
    tokens: list[Token] = []
    pos = 0
    for start, end in _urls(text):
        tokens.extend(_entities(text, pos, start))
        tokens.append(Token("url", text[start:end], text[start:end]))
        pos = end
    tokens.extend(_entities(text, pos, len(text)))
    return tokens


def _unique_by_fold(values: Iterator[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = fold(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def extract_topics(text: str) -> list[str]:
    """Topic names in order of first use, one per folded key, as first spelled."""
    return _unique_by_fold(t.value for t in tokenize(text) if t.kind == "topic")


def extract_mentions(text: str) -> list[str]:
    """Mentioned handles in order of first use, one per folded key."""
    return _unique_by_fold(t.value for t in tokenize(text) if t.kind == "mention")


# --- characters ----------------------------------------------------------------------------------

# Controls (but line feed and tab), bidi embeddings/overrides/isolates that can disguise text,
# the byte order mark, and code points that are unassigned, surrogates or private use.
# regex's Unicode tables are newer than unicodedata's, so new emoji are not taken for unassigned.
_BAD = regex.compile(r"[^\n\t\P{Cc}]|[\u202a-\u202e\u2066-\u2069\ufeff]|\p{Cn}|\p{Cs}|\p{Co}")


def bad_characters(text: str) -> list[str]:
    """The characters a post may not contain, each once, in order of appearance."""
    return list(dict.fromkeys(_BAD.findall(text)))


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


MAX_RAW_CHARACTERS = 5000


def clean_post_text(text: str, *, max_length: int) -> str:
    """The text to store, or Invalid(field="text") saying what to fix."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise Invalid(_("Write something first."), field="text")
    # A link counts 10 whatever its length: bound the raw size too, before any parsing.
    if len(text) > MAX_RAW_CHARACTERS:
        raise Invalid(
            # The post's own limit, not this guard's: "at most 5000" read as a promise beside 140.
            _("This post is far too long: the limit is %(limit)d characters.") % {"limit": max_length},
            field="text",
        )
    bad = bad_characters(text)
    if bad:
        raise Invalid(
            _("The post contains characters that are not allowed: %(chars)s.")
            % {"chars": ", ".join(code_point(c) for c in bad)},
            field="text",
        )
    length = post_length(text)
    if length > max_length:
        raise Invalid(
            _("This post is %(length)d characters; the limit is %(limit)d (%(over)d over).")
            % {"length": length, "limit": max_length, "over": length - max_length},
            field="text",
        )
    return text


def is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "³" and "①", which int() refuses."""
    return text.isascii() and text.isdigit()


ID_MAX = 2**63 - 1  # the largest id a 64-bit (BIGINT) column holds


def is_id(text: str) -> bool:
    """A number that can be a row's id: nineteen digits may still be more than a BIGINT holds,
    which a database refuses with an error rather than finding nothing."""
    return is_number(text) and len(text) <= 19 and int(text) <= ID_MAX
