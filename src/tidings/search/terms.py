"""What the index holds of a text, and what a query looks for: folded text cut into pieces.

A text is folded (case, width, Traditional to Simplified: `core.text.fold`), then kept as three
streams of terms:
- `latin`: words of letters and digits outside CJK, in order (so English phrases match);
- `grams`: each run of CJK characters as overlapping pairs, plus its last character alone, in
  order, so any CJK substring of one character or more is found ("戴尔" in "戴尔中国");
- `words`: jieba's words of the CJK runs, which rank a whole-word match above a substring one.
The same cut is used by the SQL index and by the monitors' matcher, so they agree.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

import regex

from tidings.core.text import fold

# Han, kana and hangul: the scripts written without spaces between words.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}"
_PIECE = regex.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<latin>[^\W_{_CJK}]+)")
MAX_TERM = 60  # longer runs of letters are cut: nobody searches for them whole
MAX_TERMS = 2000

# Words too common to find anything with; a query made only of them is refused.
STOP_WORDS = frozenset(
    "的 了 是 在 和 与 及 或 也 都 就 而 之 其 这 那 有 我 你 他 她 它 们 个 吗 呢 吧 啊 着 过 "
    "a an and are as at be but by for from in is it of on or that the this to was were with".split()
)


@functools.cache
def _segmenter() -> Any:
    import rjieba

    rjieba.cut("预热")  # builds the dictionary now rather than on a user's first search
    return rjieba


def warm() -> None:
    """Load the segmenter in the background when a process starts, off any request."""
    threading.Thread(target=_segmenter, name="search-warm", daemon=True).start()


def cjk_words(run: str) -> list[str]:
    """jieba's words of one run of CJK characters (already folded)."""
    return [w for w in _segmenter().cut(run) if w.strip()]


def grams(run: str) -> list[str]:
    """Overlapping pairs of a CJK run, then its last character: every character starts a term."""
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


@dataclass
class Terms:
    latin: list[str]
    grams: list[str]
    words: list[str]


def pieces(folded: str) -> list[tuple[str, str]]:
    """("cjk" | "latin", run) in order, of text already folded."""
    return [
        ("cjk", m.group("cjk")) if m.group("cjk") else ("latin", m.group("latin")[:MAX_TERM])
        for m in _PIECE.finditer(folded)
    ]


def document(text: str) -> Terms:
    """The terms the index keeps for a post's text."""
    terms = Terms([], [], [])
    for kind, run in pieces(fold(text)):
        if kind == "latin":
            terms.latin.append(run)
        else:
            terms.grams.extend(grams(run))
            terms.words.extend(w for w in cjk_words(run) if len(w) > 1 and w not in STOP_WORDS)
    terms.latin = terms.latin[:MAX_TERMS]
    terms.grams = terms.grams[:MAX_TERMS]
    terms.words = terms.words[:MAX_TERMS]
    return terms
