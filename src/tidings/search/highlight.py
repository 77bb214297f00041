"""Marking what a search found in a rendered post: <mark> around the words, in the text only
(never inside a tag or a link's address), matched folded (戴尔 marks 戴爾, dell marks DELL)."""

from __future__ import annotations

import html
import re

from django.utils.safestring import SafeString, mark_safe

from tidings.core.text import fold

_TAG = re.compile(r"(<[^>]*>)")


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch) or ch  # fold() trims a lone space to nothing
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def _spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    folded, where = _folded_with_map(text)
    spans: list[tuple[int, int]] = []
    for needle in needles:
        # A word of letters is found whole, as the index finds it ("dell" is not in "wendell");
        # CJK has no spaces to stand between words: any place counts.
        whole = needle[:1].isascii() and needle[-1:].isascii()
        start = folded.find(needle)
        while start >= 0 and needle:
            end = start + len(needle)
            alone = not whole or (
                (start == 0 or not folded[start - 1].isalnum())
                and (end == len(folded) or not folded[end].isalnum())
            )
            if alone:
                spans.append((where[start], where[end - 1] + 1))
            start = folded.find(needle, end if alone else start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _mark_text(segment: str, needles: list[str]) -> str:
    text = html.unescape(segment)
    spans = _spans(text, needles)
    if not spans:
        return segment
    out, pos = [], 0
    for s, e in spans:
        out.append(html.escape(text[pos:s], quote=False))
        out.append("<mark>" + html.escape(text[s:e], quote=False) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def highlight(rendered: str, needles: list[str]) -> SafeString:
    """`rendered` is our own escaped HTML; the needles are folded query words."""
    words = sorted({n for n in needles if n.strip()}, key=len, reverse=True)
    if not words:
        return mark_safe(rendered)  # noqa: S308 - our own rendering, unchanged
    parts = _TAG.split(rendered)
    for i in range(0, len(parts), 2):  # even parts are text between tags
        parts[i] = _mark_text(parts[i], words)
    return mark_safe("".join(parts))  # noqa: S308 - text re-escaped, tags kept as rendered
