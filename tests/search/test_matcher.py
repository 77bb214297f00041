"""The monitors match new posts in memory with `matches_text`; the search box asks the database.
Both read the same query and the same cut of the text, so they must find the same posts."""

from __future__ import annotations

import pytest

from tidings.search.query import matches_text, parse
from tidings.search.selectors import find_posts
from tidings.search.terms import document

pytestmark = pytest.mark.django_db

TEXTS = [
    "戴爾中國今天發布新品",
    "DELL 客服電話打不通",
    "戴爾的電腦很好",
    "戴爾電腦 XPS 13 開箱",
    "great customer service today",
    "service for customer only",
    "集中國力發展新品",
    "要求退款,不然投訴",
    "新品廣告 spam",
    "ｄｅｌｌ 全形字",
]

QUERIES = [
    "戴尔",
    "Dell",
    "ＤＥＬＬ",
    "品",
    "中國",
    "戴尔电脑",
    '"戴尔电脑"',
    '"customer service"',
    "customer service",
    "退款 OR 投訴",
    "新品 -廣告",
    "新品 NOT spam",
    "xps 13",
    "客服 OR customer",
    "電",
]


@pytest.fixture
def everything(make_account, say):
    author = make_account()
    for text in TEXTS:
        say(author, text)
    return author


@pytest.mark.parametrize("q", QUERIES)
def test_the_in_memory_matcher_agrees_with_the_index(everything, q):
    query = parse(q)
    in_memory = {text for text in TEXTS if matches_text(query, document(text))}

    in_database = {view.post.text for view in find_posts(everything, q, limit=50).items}

    assert in_database == in_memory
    assert in_database  # each query finds something: agreeing on nothing proves nothing


def test_the_matcher_reads_folding_and_phrases():
    assert matches_text(parse("戴尔"), document("戴爾中國"))
    assert matches_text(parse("ＤＥＬＬ"), document("dell"))
    assert matches_text(parse("国"), document("戴爾中國"))  # the last character of the run
    assert not matches_text(parse('"戴尔电脑"'), document("戴爾的電腦很好"))
    assert matches_text(parse("戴尔电脑"), document("戴爾的電腦很好"))
    assert not matches_text(parse('"customer service"'), document("service for customer"))
    assert not matches_text(parse("戴尔 -广告"), document("戴爾廣告"))
