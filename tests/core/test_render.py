"""The linkifier: escaped text, our own links only."""

from __future__ import annotations

from django.utils.safestring import SafeString

from tidings.core.render import profile_url, render_text, topic_url

REL = 'rel="nofollow noopener noreferrer ugc" target="_blank"'


def test_render_returns_a_safe_string() -> None:
    assert isinstance(render_text("hi"), SafeString)


def test_script_tags_are_escaped() -> None:
    html = render_text("<script>alert(1)</script>")
    assert "<script" not in html
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_quotes_and_ampersands_are_escaped() -> None:
    assert render_text("""a "b" 'c' & d""") == "a &quot;b&quot; &#x27;c&#x27; &amp; d"


def test_escaped_input_is_shown_as_text_not_unescaped() -> None:
    assert render_text("&lt;b&gt;") == "&amp;lt;b&amp;gt;"


def test_javascript_urls_are_never_linked() -> None:
    html = render_text("javascript:alert(1) JAVASCRIPT://a.com/%0aalert(1) data:text/html,<b>")
    assert "<a" not in html
    assert "<b>" not in html


def test_a_link_becomes_an_anchor_without_the_scheme() -> None:
    assert render_text("看 https://a.com/x)。") == f'看 <a href="https://a.com/x" {REL}>a.com/x</a>)。'


def test_a_long_link_is_shortened_for_display_only() -> None:
    url = "https://example.com/a/very/long/path/that/goes/on?x=1"
    html = render_text(url)
    assert f'href="{url}"' in html
    assert ">example.com/a/very/long/path/tha…</a>" in html


def test_quotes_and_ampersands_in_a_link_are_escaped_in_href() -> None:
    html = render_text("https://a.com/?a=1&b='x'y")
    assert (
        html == f'<a href="https://a.com/?a=1&amp;b=&#x27;x&#x27;y" {REL}>a.com/?a=1&amp;b=&#x27;x&#x27;y</a>'
    )


def test_a_link_cannot_break_out_of_its_attribute() -> None:
    html = render_text('https://a.com/"onmouseover="alert(1)')
    assert html.startswith('<a href="https://a.com/" ')
    assert "&quot;onmouseover=&quot;alert(1)" in html


def test_mentions_link_to_the_profile() -> None:
    assert render_text("謝謝@戴爾中國") == (
        '謝謝<a class="mention" href="/@%E6%88%B4%E7%88%BE%E4%B8%AD%E5%9C%8B/">@戴爾中國</a>'
    )


def test_topics_link_to_the_folded_topic_page() -> None:
    html = render_text("#戴爾# #新品 發布會#")
    assert html == (
        '<a class="topic" href="/topics/%E6%88%B4%E5%B0%94/">#戴爾#</a> '
        '<a class="topic" href="/topics/%E6%96%B0%E5%93%81%20%E5%8F%91%E5%B8%83%E4%BC%9A/">#新品 發布會#</a>'
    )


def test_hashtag_topics_are_shown_in_weibo_style() -> None:
    assert render_text("#Dell") == '<a class="topic" href="/topics/dell/">#Dell#</a>'


def test_newlines_become_line_breaks() -> None:
    assert render_text("第一行\n<第二行>") == "第一行<br>&lt;第二行&gt;"


def test_topic_url_is_the_same_for_traditional_and_simplified() -> None:
    assert topic_url("戴爾") == topic_url("戴尔") == topic_url("  戴爾 ")


def test_topic_url_quotes_slashes_and_question_marks() -> None:
    assert topic_url("a/b?c") == "/topics/a%2Fb%3Fc/"


def test_profile_url_quotes_the_handle() -> None:
    assert profile_url("戴爾") == "/@%E6%88%B4%E7%88%BE/"
    assert profile_url("dell-cn_1") == "/@dell-cn_1/"
