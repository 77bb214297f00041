"""The search language, shared by the search box and the monitors.

    戴尔 "customer service" 投诉 OR 退款 -广告 NOT spam from:dell_cn in:研发 #新品#
    since:2026-11-01 until:2026-11-27

Words side by side must all be found (AND); `OR` between two words takes either; `-word` or
`NOT word` leaves out posts holding it; quotes keep a phrase together. `from:`, `in:` (a group or an
organisation), `#topic` (or `#topic#`) and the date bounds narrow the search. A query parses into
a `Query`, compiled once to SQLite FTS5, to PostgreSQL tsquery and to a matcher for monitors.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tidings.core.errors import Invalid
from tidings.core.text import fold
from tidings.search import terms as cut

MAX_LENGTH = 200
MAX_TERMS = 12

_TOKEN = re.compile(
    r'(?P<neg>-|NOT\s+)?"(?P<phrase>[^"]*)"'  # "a phrase", -"a phrase"
    r"|(?P<topic>#[^#\s][^#]{0,30}#|#[^\s#]{1,32})"  # #topic# or #topic
    r"|(?P<word>\S+)"
)
_FILTER = re.compile(r"(?P<key>from|in|since|until|lang):(?P<value>\S*)", re.IGNORECASE)


@dataclass(frozen=True)
class Atom:
    """Terms that must stand side by side in one stream of the index; `prefix` for a lone CJK
    character (it starts a pair, or ends a run). `word` is jieba's word, to rank whole words up."""

    stream: str  # "latin" | "grams"
    terms: tuple[str, ...]
    prefix: bool = False
    word: str = ""


@dataclass(frozen=True)
class Term:
    written: str  # as the person typed it, folded
    atoms: tuple[Atom, ...]


@dataclass
class Query:
    clauses: list[list[Term]] = field(default_factory=list)  # AND of ORs
    excluded: list[Term] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # from: handles
    places: list[str] = field(default_factory=list)  # in: group names or organisation slugs
    topics: list[str] = field(default_factory=list)  # folded topic names
    languages: list[str] = field(default_factory=list)
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def has_text(self) -> bool:
        return bool(self.clauses)

    @property
    def needles(self) -> list[str]:
        """What to highlight in a result: each word found (a phrase's words one by one)."""
        found: list[str] = []
        for clause in self.clauses:
            for term in clause:
                for atom in term.atoms:
                    found.extend(atom.terms if atom.stream == "latin" else [atom.word])
        return found


def _atoms(text: str, *, phrase: bool) -> tuple[Atom, ...]:
    """A word or phrase as atoms. Outside quotes a CJK run is cut into jieba's words, each found
    on its own (戴尔电脑 finds 戴尔的电脑); inside quotes the run stays whole."""
    atoms: list[Atom] = []
    latin: list[str] = []

    def flush() -> None:
        if latin:
            atoms.append(Atom("latin", tuple(latin)))
            latin.clear()

    for kind, run in cut.pieces(fold(text)):
        if kind == "latin":
            latin.append(run)
            continue
        flush()
        words = [run] if phrase else cut.cjk_words(run)
        for w in words:
            if not phrase and w in cut.STOP_WORDS and len(words) > 1:
                continue
            if len(w) == 1:
                atoms.append(Atom("grams", (w,), prefix=True, word=w))
            else:
                atoms.append(Atom("grams", tuple(cut.grams(w)[:-1]), word=w))
    flush()
    return tuple(atoms)


def _is_stop(text: str) -> bool:
    runs = [run for _, run in cut.pieces(fold(text))]
    return bool(runs) and all(run in cut.STOP_WORDS for run in runs)  # punctuation alone is no word


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(_("Write dates as year-month-day, like 2026-11-27.")) from None


def clean(text: str) -> str:
    """What a person typed, without NUL characters: PostgreSQL refuses them in any text."""
    return (text or "").replace("\x00", "")


def parse(text: str) -> Query:
    """The query, or Invalid with what is wrong, in the person's language."""
    text = clean(text).strip()
    if not text:
        raise Invalid(_("Type something to search for."))
    if len(text) > MAX_LENGTH:
        over = len(text) - MAX_LENGTH
        raise Invalid(
            ngettext(
                "The search is %(over)d character too long (at most %(most)d).",
                "The search is %(over)d characters too long (at most %(most)d).",
                over,
            )
            % {"over": over, "most": MAX_LENGTH}
        )
    if text.count('"') % 2:
        raise Invalid(_("A quotation mark is not closed."))

    query = Query()
    pending_or = False
    negate_next = False
    stop_words: list[str] = []
    count = 0
    for m in _TOKEN.finditer(text):
        word = m.group("word")
        if word == "OR":
            if not query.clauses or pending_or or negate_next:
                raise Invalid(_("OR needs a word on each side."))
            pending_or = True
            continue
        if word in ("AND", "&&"):
            continue
        if word == "NOT":
            negate_next = True
            continue
        narrowing = m.group("topic") or (word and _FILTER.fullmatch(word.lstrip("-")))
        if narrowing and (negate_next or pending_or or (word or "").startswith("-")):
            # "NOT from:bob" would read as from:bob: say so rather than find the opposite.
            raise Invalid(_("NOT, OR and - go with words, not with from:, in:, lang:, dates or #topics."))
        if word and (f := _FILTER.fullmatch(word)):
            key, value = f.group("key").lower(), f.group("value")
            if not value:
                raise Invalid(_("Say what %(key)s: is, like %(key)s:something.") % {"key": key})
            if key == "from":
                query.authors.append(value.lstrip("@"))
            elif key == "in":
                query.places.append(value)
            elif key == "lang":
                query.languages.append(value.lower())
            elif key == "since":
                query.since = _date(value)
            else:
                query.until = _date(value)
            continue
        if m.group("topic"):
            name = fold(m.group("topic").strip("#"))
            if name:
                query.topics.append(name)
            continue

        phrase = m.group("phrase") is not None
        raw = m.group("phrase") if phrase else word
        negative = (
            negate_next or bool(m.group("neg")) or (not phrase and raw.startswith("-") and len(raw) > 1)
        )
        negate_next = False
        if not phrase and raw.startswith("-"):
            raw = raw[1:]
        if not phrase and _is_stop(raw):
            stop_words.append(raw)
            pending_or = False
            continue
        atoms = _atoms(raw, phrase=phrase)
        if not atoms:  # only punctuation
            pending_or = False
            continue
        count += 1
        if count > MAX_TERMS:
            raise Invalid(_("At most %(most)d words in one search.") % {"most": MAX_TERMS})
        term = Term(fold(raw), atoms)
        if negative:
            query.excluded.append(term)
        elif pending_or:
            query.clauses[-1].append(term)
        else:
            query.clauses.append([term])
        pending_or = False
    if pending_or or negate_next:
        raise Invalid(_("OR needs a word on each side.") if pending_or else _("Say what NOT leaves out."))

    if query.since and query.until and query.since > query.until:
        raise Invalid(
            _("The start date %(since)s is after the end date %(until)s.")
            % {"since": query.since.isoformat(), "until": query.until.isoformat()}
        )
    narrowed = query.authors or query.places or query.topics
    if not query.clauses and not narrowed:
        if stop_words:
            raise Invalid(
                _("These words are too common to search for: %(words)s. Add a less common word.")
                % {"words": " ".join(stop_words)}
            )
        if query.excluded:
            raise Invalid(_("Say what to look for, not only what to leave out."))
        raise Invalid(_("Type something to search for."))
    return query


# --- SQLite FTS5 ---------------------------------------------------------------------------------


def _fts_atom(atom: Atom) -> str:
    quoted = '"' + " ".join(atom.terms) + '"'
    found = f"{atom.stream} : {quoted}" + (" *" if atom.prefix else "")
    if atom.word and not atom.prefix:
        # The same match, counted again when jieba also cut the post there: ranks whole words up.
        found = f'({found} OR words : "{atom.word}")'
    return found


def _fts_term(term: Term) -> str:
    return "(" + " AND ".join(_fts_atom(a) for a in term.atoms) + ")"


def to_fts(query: Query) -> str:
    """FTS5 MATCH text. Every term is made of letters, digits and CJK only (the cut keeps no
    other character), so nothing a person types can reach FTS5's own syntax."""
    positive = " AND ".join("(" + " OR ".join(_fts_term(t) for t in clause) + ")" for clause in query.clauses)
    if query.excluded:
        positive += " NOT (" + " OR ".join(_fts_term(t) for t in query.excluded) + ")"
    return positive


# --- PostgreSQL tsquery --------------------------------------------------------------------------

WEIGHT = {"latin": "A", "grams": "B", "words": "C"}


def _ts_atom(atom: Atom) -> str:
    weight = WEIGHT[atom.stream]
    if atom.prefix:
        return f"'{atom.terms[0]}':*{weight}"
    found = " <-> ".join(f"'{t}':{weight}" for t in atom.terms)
    if atom.word:
        found = f"({found} | '{atom.word}':C)"
    return f"({found})"


def _ts_term(term: Term) -> str:
    return "(" + " & ".join(_ts_atom(a) for a in term.atoms) + ")"


def to_tsquery(query: Query) -> str:
    positive = " & ".join("(" + " | ".join(_ts_term(t) for t in clause) + ")" for clause in query.clauses)
    if query.excluded:
        positive += " & !(" + " | ".join(_ts_term(t) for t in query.excluded) + ")"
    return positive


# --- in memory, for monitors ---------------------------------------------------------------------


def _has_run(stream: list[str], terms: tuple[str, ...]) -> bool:
    n = len(terms)
    return any(tuple(stream[i : i + n]) == terms for i in range(len(stream) - n + 1))


def _atom_in(atom: Atom, doc: cut.Terms) -> bool:
    stream = doc.latin if atom.stream == "latin" else doc.grams
    if atom.prefix:
        return any(t.startswith(atom.terms[0]) for t in stream)
    return _has_run(stream, atom.terms)


def _term_in(term: Term, doc: cut.Terms) -> bool:
    return all(_atom_in(a, doc) for a in term.atoms)


def matches_text(query: Query, doc: cut.Terms) -> bool:
    """Whether a text's terms satisfy the words of the query (filters are the caller's)."""
    if not all(any(_term_in(t, doc) for t in clause) for clause in query.clauses):
        return False
    return not any(_term_in(t, doc) for t in query.excluded)
