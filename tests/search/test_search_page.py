"""The search page: anyone may search what they may see, a query that is not one is answered
400 with what to change, the words found are marked, and a page of results costs a fixed number
of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tidings.posts import services as posts

from ..web.helpers import anonymous, english

pytestmark = pytest.mark.django_db

PUBLIC = "戴爾新品 公開發表"
FOLLOWERS = "戴爾新品 只給粉絲"
INTERNAL = "戴爾新品 內部定價"
GROUP = "戴爾新品 研發進度"


@pytest.fixture
def said(company, say):
    say(company.member, PUBLIC)
    say(company.member, FOLLOWERS, audience="followers")
    say(company.member, INTERNAL, audience="org", organisation_id=company.org.id)
    say(company.member, GROUP, audience="group", group_id=company.group.id)
    return company


def page(client, **params):
    return client.get("/search/", params)


def shown(response) -> set[str]:
    body = re.sub(r"</?mark>", "", response.content.decode())
    return {text for text in (PUBLIC, FOLLOWERS, INTERNAL, GROUP) if text in body}


def test_logged_out_finds_public_posts_only(said):
    response = page(anonymous(), q="戴尔 新品")

    assert response.status_code == 200
    assert shown(response) == {PUBLIC}


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_someone_outside_the_organisation_finds_public_posts_and_no_group(said, client_for, who):
    client = english(client_for(getattr(said, who)))

    assert shown(page(client, q="戴尔 新品")) == {PUBLIC}
    assert shown(page(client, q="戴尔 新品", order="latest")) == {PUBLIC}
    groups = page(client, q="研發", type="groups")
    assert groups.status_code == 200
    assert "研發部" not in groups.content.decode()
    assert "No group found that you may see." in groups.content.decode()


def test_an_employee_finds_the_internal_post_but_not_a_private_group_they_are_not_in(said, client_for):
    client = english(client_for(said.admin))

    assert shown(page(client, q="戴尔 新品")) == {PUBLIC, INTERNAL}


def test_a_group_member_finds_the_internal_and_the_group_post_and_the_group(said, client_for):
    client = english(client_for(said.member))

    assert shown(page(client, q="戴尔 新品")) == {PUBLIC, FOLLOWERS, INTERNAL, GROUP}
    assert shown(page(client, q="研发 in:研發部")) == {GROUP}
    groups = page(client, q="研發", type="groups").content.decode()
    assert "研發部" in groups


def test_the_words_found_are_marked_in_the_results(said):
    body = page(anonymous(), q="戴尔").content.decode()

    assert "<mark>戴爾</mark>新品 公開發表" in body


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("的 了", "These words are too common to search for: 的 了. Add a less common word."),
        ('"戴尔', "A quotation mark is not closed."),
        ("x" * 201, "The search is 1 character too long (at most 200)."),
        ("-廣告", "Say what to look for, not only what to leave out."),
        (
            "戴尔 since:2026-11-27 until:2026-11-01",
            "The start date 2026-11-27 is after the end date 2026-11-01.",
        ),
        ("研發 in:研發部", "Sign in to search inside a group or an organisation."),
    ],
)
def test_a_query_that_is_not_one_is_a_400_saying_why(db, q, message):
    response = page(anonymous(), q=q)

    assert response.status_code == 400
    assert f'<p class="error" role="alert">{message}</p>' in response.content.decode()


def test_a_group_one_is_not_in_is_a_400_naming_it(said, client_for):
    response = page(english(client_for(said.outsider)), q="研發 in:研發部")

    assert response.status_code == 400
    assert "You are in no group or organisation called 研發部." in response.content.decode()


def test_the_query_stays_in_the_box_escaped(db):
    response = page(anonymous(), q='<script>"戴尔')

    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>" not in body
    assert 'value="&lt;script&gt;&quot;戴尔"' in body


@pytest.mark.parametrize("tab", ["posts", "people", "organisations", "groups", "topics"])
@pytest.mark.parametrize("q", ["\x00", "戴\x00尔", "from:\x00dell", "#戴\x00", "戴尔 until:9999-12-31", "😀"])
def test_odd_input_is_an_answer_never_a_server_error(company, client_for, q, tab):
    response = page(english(client_for(company.member)), q=q, type=tab)

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert '<p class="error" role="alert">' in response.content.decode()


@pytest.mark.parametrize("tab", ["people", "organisations", "topics"])
def test_the_other_tabs_find_names(company, say, tab):
    say(company.member, "#戴爾新品# 上市")

    body = page(anonymous(), q="戴尔", type=tab).content.decode()

    expected = {"people": "@戴爾工程師", "organisations": "戴爾", "topics": "#戴爾新品#"}[tab]
    assert expected in body


def test_more_results_are_one_link_away_and_none_repeats(make_account, say):
    author = make_account()
    made = [say(author, f"新品 第{n}則") for n in range(25)]
    client = anonymous()

    for order in ("top", "latest"):
        first = page(client, q="新品", order=order).content.decode()
        more = re.search(r'<a class="more button" href="\?([^"]+)"', first)
        assert more, order
        second = client.get("/search/?" + more.group(1).replace("&amp;", "&")).content.decode()
        ids = re.findall(r'data-post="(\d+)"', first) + re.findall(r'data-post="(\d+)"', second)
        assert sorted(ids) == sorted(str(p.id) for p in made), order


def fill(make_account, say, n: int, prefix: str) -> None:
    """n matching posts by n authors, a third of them reposts with words, a third comments."""
    for i in range(n):
        author = make_account(f"{prefix}{i}")
        original = say(author, f"搜尋計數 第{i}則 #計數#")
        if i % 3 == 1:
            posts.repost(make_account(f"{prefix}r{i}"), post_id=original.id, comment=f"搜尋計數 轉{i}")
        elif i % 3 == 2:
            posts.comment(make_account(f"{prefix}c{i}"), post_id=original.id, text=f"搜尋計數 留言{i}")


def count(client, url: str) -> int:
    client.get(url)  # warm: the session, the segmenter, translations
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Measured: 17 for a signed-in reader (session, account, the audience's subqueries, the search,
# the page's media, polls, likes, favourites, reposts, trends, the chrome's counters and the
# official accounts the reader runs, the apps on for the reader).
MOST_QUERIES = 17 + 2


@pytest.mark.parametrize("order", ["top", "latest"])
def test_a_page_of_20_results_costs_no_more_queries_than_3(
    make_account, client_for, say, run_hooks, django_assert_max_num_queries, order
):
    client = english(client_for(make_account("reader")))
    url = f"/search/?q=搜尋計數&order={order}"
    with run_hooks():
        fill(make_account, say, 3, "a")
    few = count(client, url)
    with run_hooks():
        fill(make_account, say, 20, "b")
    many = count(client, url)

    assert many <= few <= MOST_QUERIES
    with django_assert_max_num_queries(MOST_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("data-post=") == 20
