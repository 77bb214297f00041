"""Every place that turns someone's text into HTML, fuzzed with hostile text: only the markup it
means to emit comes out, every link is http(s) or ours, nothing the author wrote is lost or
invented, and HTML fed back in as text stays text.

The places (found by grepping src/tidings for render_text, escape and mark_safe):
- core.render.render_text, the linkifier: posts, comments, reposts, messages, bios, an
  organisation's "about", edit history; the `richtext` template filter is this function;
- search.highlight.highlight (the `highlight` filter): <mark> around the words a search found;
- api.mastodon: a status's `content` and its edit history (the linkifier with absolute links),
  an account's `note` (the bio, linkified as on the web) and its organisation field (a link to its brand
  page);
- core.charts.bar_svg: survey charts, whose labels and title are people's words.
There are no RSS or Atom feeds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tidings.accounts.models import Account
from tidings.accounts.tokens import create_token
from tidings.api.mastodon.serializers import Serializer
from tidings.core.charts import bar_svg
from tidings.core.errors import Invalid
from tidings.core.render import render_text
from tidings.core.text import bad_characters, clean_post_text, fold
from tidings.orgs.models import Organisation
from tidings.posts import services as posts
from tidings.search.highlight import highlight

BASE = "https://testserver"
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
WITH_DB = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

# What the linkifier is meant to emit (core/render.py): <br> for a line break, and <a> with
# href + rel + target for a link, href + class "mention" or "topic" for the others.
LINKIFIER = {"a": {"href", "class", "rel", "target"}, "br": set()}
LINK_REL = "nofollow noopener noreferrer ugc"
SHOWN_LENGTH = 32  # a link shows without its scheme, cut to 32 characters and "…"

# --- hostile text -----------------------------------------------------------------------------

SCHEMES = [
    "http://", "https://", "HTTPS://", "hTtP://", "javascript:", "JavaScript:", "javascript://",
    "data:", "data:text/html,", "data:text/html;base64,", "vbscript:", "java\tscript:", "java\nscript:",
    "&#106;avascript:", "&#x6A;avascript:", "javascript&colon;", "jav&#x09;ascript:", " javascript:",
    "\x01javascript:", "//", "http:", "https:/",
]  # fmt: skip
HOSTS = ["a.com", "例子.中国", "127.0.0.1", 'evil.com"onmouseover=alert(1)//', "x", "a.com:8080", ""]
URL_TAIL = st.text(alphabet="abc/?#=&%;:@!$'()*+,[]~-._\"<>` 中\u202e", max_size=16)
HOSTILE = [
    "<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=1">', "<svg onload=alert(1)>",
    "\"'><", "</a>", '<a href="javascript:alert(1)">x</a>', "&lt;b&gt;", "&#x3c;script&#x3e;", "&#60;",
    "&amp;", "&", "&quot;", "<!--", "-->", "<![CDATA[", "]]>", "<br>", "<mark>", "\u202e", "\u202d",
    "\u2066", "\u200b", "\u200d", "\ufeff", "\u200f", "👩‍👩‍👧‍👦", "🏳️‍🌈", "👍🏽", "\n", "\r\n", "\t", "\x00",
    " ", "。", "(", ")", "#", "@", "//@", "＃", "＠",
]  # fmt: skip
CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=6)
HANDLE_ISH = st.text(alphabet="ab戴爾中國_-1\u200b\u200d\u202eé\u0301<\"'&", min_size=1, max_size=8)
URLS = st.builds(lambda s, h, t: s + h + t, st.sampled_from(SCHEMES), st.sampled_from(HOSTS), URL_TAIL)
TOPICS = st.one_of(
    st.builds(lambda n: f"#{n}#", st.one_of(CJK, HANDLE_ISH, st.text(max_size=8))),
    st.builds(lambda n: f"#{n}", st.one_of(CJK, HANDLE_ISH)),
)
FRAGMENT = st.one_of(
    st.sampled_from(HOSTILE),
    URLS,
    CJK,
    st.builds(lambda h: "@" + h, HANDLE_ISH),
    TOPICS,
    st.text(max_size=8),
)
TEXT = st.lists(FRAGMENT, max_size=14).map("".join)
NEEDLES = st.lists(
    st.one_of(
        st.sampled_from(["a", "amp", "lt", "gt", "quot", "x27", "href", "https", "topic", "mention", "br"]),
        st.sampled_from(["<", ">", "&", "#", "@", "script", "戴爾", "中", "\u200b"]),
        CJK,
        st.text(max_size=4),
    ),
    max_size=4,
)


def storable(text: str) -> str:
    """The text without the characters a post may not hold, so the fuzz can be published."""
    return "".join(c for c in text if not bad_characters(c))


# --- reading the HTML back ---------------------------------------------------------------------


class Parsed(HTMLParser):
    """The start tags, end tags and text of an HTML fragment, in order; anything else is noted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[Any, ...]] = []
        self.oddities: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"attribute given twice in <{tag}>: {names}"
        self.events.append(("start", tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.events.append(("text", data))

    def handle_comment(self, data: str) -> None:
        self.oddities.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.oddities.append(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self.oddities.append(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self.oddities.append(f"<?{data}>")


VOID = {"br"}


def parse(html: str, allowed: dict[str, set[str]], *, base: str = "") -> list[tuple[Any, ...]]:
    """The fragment's events, after checking: only allowed tags and attributes, balanced, no
    comment or declaration, no stray "<" or ">" in the text, every href http(s) or ours."""
    parser = Parsed()
    parser.feed(html)
    parser.close()
    assert not parser.oddities, parser.oddities
    tags = "|".join(allowed)
    assert not re.search("[<>]", re.sub(rf"</?(?:{tags})(?:\s[^<>]*)?>", "", html)), html
    open_tags: list[str] = []
    for event in parser.events:
        if event[0] == "start":
            _, tag, attrs = event
            assert tag in allowed, f"<{tag}> is not allowed: {html}"
            assert set(attrs) <= allowed[tag], f"<{tag} {sorted(attrs)}> is not allowed: {html}"
            if "href" in attrs:
                assert_safe_href(attrs["href"], base)
            if tag not in VOID:
                open_tags.append(tag)
        elif event[0] == "end":
            assert open_tags and open_tags.pop() == event[1], f"unbalanced </{event[1]}>: {html}"
    assert not open_tags, f"left open: {open_tags}: {html}"
    return parser.events


C0_AND_SPACE = "".join(map(chr, range(0x21)))


def assert_safe_href(href: str, base: str) -> None:
    # What a browser does first: drop tabs and line breaks, trim controls and spaces.
    seen = re.sub(r"[\t\n\r]", "", href).strip(C0_AND_SPACE)
    assert seen == href, f"href with characters a browser strips: {href!r}"
    ours = base and href.startswith(base + "/")
    relative = href.startswith("/") and not href.startswith(("//", "/\\"))
    assert ours or relative or re.match(r"https?://", href, re.IGNORECASE), f"unsafe href {href!r}"


def shown_link(url: str) -> str:
    shown = url.split("://", 1)[1]
    return shown[:SHOWN_LENGTH] + "…" if len(shown) > SHOWN_LENGTH else shown


def assert_linkified(html: str, source: str, *, base: str = "") -> None:
    """`html` is the linkifier's output for `source`: its markup is the linkifier's own, and
    reading it back gives `source` again. The documented changes: a line break is <br>, a link
    shows without its scheme and cut short (its href holds it whole), `#tag` shows as `#tag#`."""
    events = parse(html, LINKIFIER, base=base)
    pos, i = 0, 0
    while i < len(events):
        kind = events[i][0]
        if kind == "text":
            assert source.startswith(events[i][1], pos), (events[i][1], source[pos:], html)
            pos += len(events[i][1])
        elif kind == "start" and events[i][1] == "br":
            assert source.startswith("\n", pos), (source[pos:], html)
            pos += 1
        elif kind == "start" and events[i][1] == "a":
            attrs = events[i][2]
            texts = []
            i += 1
            while events[i][0] == "text":
                texts.append(events[i][1])
                i += 1
            assert events[i] == ("end", "a"), f"markup inside a link: {html}"
            pos = _read_link(attrs, "".join(texts), source, pos, base, html)
        else:
            raise AssertionError(f"unexpected {events[i]} in {html}")
        i += 1
    assert pos == len(source), f"lost {source[pos:]!r}: {html}"


def _read_link(attrs: dict[str, str], text: str, source: str, pos: int, base: str, html: str) -> int:
    href = attrs["href"]
    kind = attrs.get("class", "")
    if kind == "mention":
        assert set(attrs) == {"class", "href"} and text.startswith("@")
        assert href == base + "/@" + quote(text[1:], safe="") + "/"
        assert source.startswith(text, pos), (text, source[pos:], html)
        return pos + len(text)
    if kind == "topic":
        assert set(attrs) == {"class", "href"} and len(text) > 2 and text[0] == text[-1] == "#"
        assert href == base + "/topics/" + quote(fold(text[1:-1]), safe="") + "/"
        if source.startswith(text, pos):  # #話題#
            return pos + len(text)
        assert source.startswith(text[:-1], pos), (text, source[pos:], html)  # #tag
        return pos + len(text) - 1
    assert attrs == {"href": href, "rel": LINK_REL, "target": "_blank"}, html
    assert re.match(r"https?://", href, re.IGNORECASE) and text == shown_link(href), html
    assert source.startswith(href, pos), (href, source[pos:], html)
    return pos + len(href)


# --- the linkifier and the template filters -----------------------------------------------------


@FUZZ
@given(text=TEXT, absolute=st.booleans())
def test_the_linkifier_emits_only_its_own_markup_and_safe_links_and_loses_nothing(
    text: str, absolute: bool
) -> None:
    base = BASE if absolute else ""
    assert_linkified(render_text(text, base=base), text, base=base)


@pytest.mark.parametrize(
    "hostile",
    [
        "javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        '<a href="javascript:alert(1)">x</a>',
        '<img src=x onerror="window.__pwned=1">',
    ],
)
def test_no_other_scheme_ever_becomes_a_link(hostile: str) -> None:
    html = render_text(f"看 {hostile} https://a.com/ok")
    # "&#106;" holds a #tag, which links to our own topic page; the only link out is the real one.
    assert [h for h in re.findall(r'href="([^"]*)"', html) if not h.startswith("/")] == ["https://a.com/ok"]
    assert_linkified(html, f"看 {hostile} https://a.com/ok")


@FUZZ
@given(text=TEXT)
def test_rendering_is_stable_and_rendered_html_given_again_stays_text(text: str) -> None:
    once = render_text(text)
    assert render_text(text) == once
    # A client pasting our HTML into a post, or HTML reaching the filter twice: shown, not run.
    twice = render_text(str(once))
    assert_linkified(twice, str(once))


RICHTEXT = Template("{% load tidings_tags %}<div>{{ t|richtext }}</div><p>{{ t }}</p>")


@FUZZ
@given(text=TEXT)
def test_the_richtext_filter_escapes_once_and_plain_output_is_all_text(text: str) -> None:
    html = RICHTEXT.render(Context({"t": text}))
    whole = re.fullmatch(r"<div>(.*)</div><p>(.*)</p>", html, re.DOTALL)
    assert whole is not None, html
    linked, plain = whole.groups()
    assert_linkified(linked, text)
    assert parse(plain, {}) == ([("text", text)] if text else [])


HIGHLIGHTED = Template("{% load tidings_tags %}{{ t|richtext|highlight:needles }}")


@FUZZ
@given(text=TEXT, needles=NEEDLES)
def test_search_highlighting_only_adds_marks_around_text(text: str, needles: list[str]) -> None:
    folded = [fold(n) for n in needles]
    html = HIGHLIGHTED.render(Context({"t": text, "needles": folded}))
    assert html == highlight(render_text(text), folded)
    events = parse(html, {**LINKIFIER, "mark": set()})
    marks = [e for e in events if e[1:2] == ("mark",)]
    assert all(e == ("start", "mark", {}) or e == ("end", "mark") for e in marks)
    depth = 0
    for e in events:  # a mark holds only text: never a link, a line break or another mark
        if e == ("start", "mark", {}):
            assert depth == 0, html
            depth = 1
        elif e == ("end", "mark"):
            depth = 0
        else:
            assert depth == 0 or e[0] == "text", html
    assert_linkified(html.replace("<mark>", "").replace("</mark>", ""), text)


# --- the Mastodon API ------------------------------------------------------------------------


def serializer() -> Serializer:
    request = RequestFactory().get("/api/v1/accounts/1", secure=True)
    request.user = AnonymousUser()
    return Serializer(request)


@FUZZ
@given(bio=TEXT, org_name=TEXT)
def test_an_accounts_note_is_linkified_and_its_organisation_field_escaped_text(
    bio: str, org_name: str
) -> None:
    org = Organisation(slug="demo-tech", name=org_name, created_at=timezone.now())
    who = Account(handle="戴爾中國", display_name="戴爾", bio=bio, kind="official", organisation=org)
    data = serializer().account(who)

    if bio:
        assert_linkified(content_of(data["note"]), bio, base=BASE)  # as the web's profile shows it
    else:
        assert data["note"] == ""
    [badge] = data["fields"]
    expected: list[tuple[Any, ...]] = [("start", "a", {"href": BASE + "/brand/demo-tech/", "rel": "me"})]
    expected += [("text", org_name)] if org_name else []
    assert parse(badge["value"], {"a": {"href", "rel"}}, base=BASE) == [*expected, ("end", "a")]


@pytest.fixture
def author(make_account: Any) -> tuple[Account, Client]:
    person = make_account("寫手")
    return person, Client(headers={"Authorization": f"Bearer {create_token(person, scopes='read write')}"})


def content_of(html: str) -> str:
    assert html.startswith("<p>") and html.endswith("</p>"), html
    return html[3:-4]


@pytest.mark.django_db
@WITH_DB
@given(raw=TEXT)
def test_a_published_post_reaches_api_clients_and_the_web_as_the_linkifier_made_it(
    raw: str, author: tuple[Account, Client], settings: Any
) -> None:
    settings.WRITES_PER_MINUTE = settings.API_REQUESTS_PER_5_MINUTES = 100_000
    person, client = author
    try:
        text = clean_post_text(storable(raw), max_length=140)
    except Invalid:
        assume(False)
    post = posts.publish(person, text=text)

    status = client.get(f"/api/v1/statuses/{post.id}").json()
    assert_linkified(content_of(status["content"]), text, base="http://testserver")
    [version] = client.get(f"/api/v1/statuses/{post.id}/history").json()
    assert version["content"] == status["content"]
    card = client.get(f"/p/{post.id}/card/").content.decode()
    [shown] = re.findall(r'<div class="text" dir="auto">(.*?)</div>', card, re.DOTALL)
    assert_linkified(shown, text)


# --- survey charts -----------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


@FUZZ
@given(labels=st.lists(TEXT.map(storable), min_size=1, max_size=4), title=TEXT.map(storable))
def test_a_chart_of_peoples_words_is_well_formed_svg_with_no_script_and_no_handlers(
    labels: list[str], title: str
) -> None:
    svg = bar_svg(labels, list(range(1, len(labels) + 1)), title=title)
    root = ET.fromstring(svg)  # a browser shows a broken image for malformed SVG
    elements = list(root.iter())
    assert not [e for e in elements if e.tag in (SVG + "script", SVG + "foreignObject")]
    for e in elements:
        assert not [name for name in e.attrib if name.lower().startswith("on")], e.attrib
        for name, value in e.attrib.items():
            if name.endswith("href"):
                assert_safe_href(value, "")
    texts = {"".join(e.itertext()) for e in elements if e.tag in (SVG + "text", SVG + "desc", SVG + "title")}
    for label in labels:
        assert label in texts or not label.strip(), (label, texts)
