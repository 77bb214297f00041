"""What a search found is marked in the rendered post: folded like the search (戴尔 marks 戴爾),
in the text only, never inside a tag or a link's address, and the text stays escaped."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tidings.core.render import render_text
from tidings.search.highlight import highlight
from tidings.search.selectors import find_posts

pytestmark = pytest.mark.django_db


class _Tags(HTMLParser):
    """The tags and attributes of a piece of HTML, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def parsed(html: str) -> _Tags:
    tags = _Tags()
    tags.feed(html)
    return tags


def marked(text: str, needles: list[str]) -> str:
    return str(highlight(render_text(text), needles))


def test_a_simplified_query_marks_the_traditional_words(make_account, say):
    author = make_account()
    say(author, "戴爾中國今天發布新品")
    found = find_posts(author, "戴尔 新品")

    assert marked(found.items[0].post.text, found.needles) == "<mark>戴爾</mark>中國今天發布<mark>新品</mark>"


def test_case_and_width_are_marked_as_written(make_account, say):
    author = make_account()
    say(author, "ＤＥＬＬ 和 Dell 和 dell")
    found = find_posts(author, "DELL")

    assert marked(found.items[0].post.text, found.needles) == (
        "<mark>ＤＥＬＬ</mark> 和 <mark>Dell</mark> 和 <mark>dell</mark>"
    )


def test_a_phrase_marks_each_of_its_words(make_account, say):
    author = make_account()
    say(author, "great customer service")
    found = find_posts(author, '"customer service"')

    assert marked(found.items[0].post.text, found.needles) == (
        "great <mark>customer</mark> <mark>service</mark>"
    )


def test_a_link_address_a_mention_and_a_topic_link_are_never_marked():
    html = marked("@dell 看 https://dell.com/dell?x=dell #Dell# 戴爾", ["dell"])

    tags = parsed(html)
    assert [attrs.get("href") for tag, attrs in tags.tags if tag == "a"] == [
        "/@dell/",
        "https://dell.com/dell?x=dell",
        "/topics/dell/",
    ]
    assert all("mark" not in (value or "") for _, attrs in tags.tags for value in attrs.values())
    # The words shown are marked, also inside a link's text.
    assert '<a class="mention" href="/@dell/">@<mark>dell</mark></a>' in html
    assert ">#<mark>Dell</mark>#</a>" in html
    assert tags.text == "@dell 看 dell.com/dell?x=dell #Dell# 戴爾"


def test_html_in_a_post_stays_escaped_when_marked():
    html = marked('<b>dell</b> & <script>alert("dell")</script>', ["dell"])

    assert "<b>" not in html and "<script>" not in html
    assert html == (
        '&lt;b&gt;<mark>dell</mark>&lt;/b&gt; &amp; &lt;script&gt;alert("<mark>dell</mark>")&lt;/script&gt;'
    )


@pytest.mark.parametrize("needle", ["amp", "lt", "gt", "quot", "br"])
def test_a_word_that_is_part_of_an_escape_or_a_tag_is_not_marked_there(needle):
    text = 'A & B < C > "D"\nE'

    html = marked(text, [needle])

    assert "<mark>" not in html
    assert html == str(render_text(text))


def test_no_words_leaves_the_post_as_rendered():
    text = "@dell 看 https://dell.com <b>"
    assert marked(text, []) == str(render_text(text))
