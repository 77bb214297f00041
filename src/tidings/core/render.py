"""Our own linkifier: a post's plain text to safe HTML. Everything the author wrote is escaped;
the only markup is what we add here, and the only links are http(s) ones found by text.tokenize."""

from __future__ import annotations

from urllib.parse import quote

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tidings.core.text import Token, fold, tokenize

LINK_DISPLAY_LENGTH = 32
_LINK_REL = "nofollow noopener noreferrer ugc"


def profile_url(handle: str) -> str:
    return "/@" + quote(handle, safe="") + "/"


def topic_url(name: str) -> str:
    """One page per folded topic, so #戴爾# and #戴尔# lead to the same place."""
    return "/topics/" + quote(fold(name), safe="") + "/"


def _link_display(url: str) -> str:
    shown = url.split("://", 1)[1]
    if len(shown) > LINK_DISPLAY_LENGTH:
        shown = shown[:LINK_DISPLAY_LENGTH] + "…"
    return shown


def _text(raw: str) -> str:
    return escape(raw).replace("\n", "<br>")


def _render(token: Token, base: str) -> str:
    if token.kind == "url":
        if not token.value.lower().startswith(("http://", "https://")):
            return _text(token.raw)  # the tokenizer never gives another scheme; never link one
        return (
            f'<a href="{escape(token.value)}" rel="{_LINK_REL}" target="_blank">'
            f"{escape(_link_display(token.value))}</a>"
        )
    if token.kind == "mention":
        href = escape(base + profile_url(token.value))
        return f'<a class="mention" href="{href}">@{escape(token.value)}</a>'
    if token.kind == "topic":
        href = escape(base + topic_url(token.value))
        return f'<a class="topic" href="{href}">#{escape(token.value)}#</a>'
    return _text(token.raw)


def render_text(text: str, *, base: str = "") -> SafeString:
    """The post as HTML: escaped text, links, @mentions, #topics#, and <br> for line breaks.
    `base` (the site's address) makes the links absolute, for API clients."""
    return mark_safe("".join(_render(t, base) for t in tokenize(text)))  # noqa: S308 - every piece escaped
