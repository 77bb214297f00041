"""Search through the Mastodon API: /api/v2/search finds the posts the caller may see with the
full search language, pages ranked results by offset, refuses a query that is not one with 422
and the reason, and /api/v1/accounts/search finds people by folded names."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

PUBLIC = "戴爾新品 公開發表"
INTERNAL = "戴爾新品 內部定價"
GROUP = "戴爾新品 研發進度"


@pytest.fixture
def said(company, say):
    say(company.member, PUBLIC)
    say(company.member, INTERNAL, audience="org", organisation_id=company.org.id)
    say(company.member, GROUP, audience="group", group_id=company.group.id)
    return company


def statuses(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(s["content"] for s in response.json()["statuses"])


def has(statuses_: list[str], text: str) -> bool:
    return any(text.split()[1] in content for content in statuses_)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("member", {PUBLIC, INTERNAL, GROUP}),
        ("admin", {PUBLIC, INTERNAL}),
        ("outsider", {PUBLIC}),
        ("stranger", {PUBLIC}),
    ],
)
def test_statuses_are_those_the_caller_may_see(said, api_for, who, sees):
    found = statuses(
        api_for(getattr(said, who)).get("/api/v2/search", {"q": "戴尔 新品", "type": "statuses"})
    )

    assert {text for text in (PUBLIC, INTERNAL, GROUP) if has(found, text)} == sees
    assert len(found) == len(sees)


def test_logged_out_gets_accounts_but_no_statuses(said, api_for):
    response = api_for(None).get("/api/v2/search", {"q": "戴尔"})

    assert response.status_code == 200
    body = response.json()
    assert body["statuses"] == []
    assert sorted(a["username"] for a in body["accounts"]) == ["戴爾主管", "戴爾工程師"]


@pytest.mark.parametrize("signed_in", [True, False])
def test_only_common_words_is_a_422_saying_so(make_account, api_for, signed_in):
    api = api_for(make_account() if signed_in else None)

    response = api.get("/api/v2/search", {"q": "的 了", "type": "statuses"})

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed: These words are too common to search for: 的 了. Add a less common word."
    }


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ('"戴尔', "A quotation mark is not closed."),
        ("字" * 201, "The search is 1 character too long (at most 200)."),
        (
            "戴尔 since:2026-11-27 until:2026-11-01",
            "The start date 2026-11-27 is after the end date 2026-11-01.",
        ),
        ("-廣告", "Say what to look for, not only what to leave out."),
        ("#", "Type something to search for."),
    ],
)
def test_a_query_that_is_not_one_is_a_422_with_the_reason(make_account, api_for, q, message):
    response = api_for(make_account()).get("/api/v2/search", {"q": q, "type": "statuses"})

    assert response.status_code == 422
    assert response.json() == {"error": f"Validation failed: {message}"}


def test_a_search_box_typing_common_words_still_finds_people(make_account, api_for):
    """Asked for everything, a query of common words finds no posts, and no error: a client's
    search box asks as one types."""
    make_account("the_boss")
    response = api_for(make_account()).get("/api/v2/search", {"q": "the"})

    assert response.status_code == 200
    body = response.json()
    assert body["statuses"] == [] and [a["username"] for a in body["accounts"]] == ["the_boss"]


def test_in_a_group_one_is_not_in_is_a_422(said, api_for):
    response = api_for(said.outsider).get("/api/v2/search", {"q": "研發 in:研發部", "type": "statuses"})

    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed: You are in no group or organisation called 研發部."
    }


def test_offset_pages_ranked_statuses_each_once(make_account, api_for, say):
    author = make_account("寫手")
    made = {str(say(author, f"新品 第{n}則" + " 新品" * (n % 3)).id) for n in range(7)}
    api = api_for(make_account())

    seen: list[str] = []
    for offset in (0, 3, 6, 9):
        response = api.get("/api/v2/search", {"q": "新品", "type": "statuses", "limit": 3, "offset": offset})
        assert response.status_code == 200
        seen += [s["id"] for s in response.json()["statuses"]]

    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == made


def test_max_id_pages_newest_first(make_account, api_for, say):
    author = make_account("寫手")
    made = [str(say(author, f"新品 第{n}則").id) for n in range(5)]
    api = api_for(make_account())

    first = api.get(
        "/api/v2/search", {"q": "新品", "type": "statuses", "limit": 2, "max_id": str(int(made[-1]) + 1)}
    )
    second = api.get(
        "/api/v2/search",
        {"q": "新品", "type": "statuses", "limit": 2, "max_id": first.json()["statuses"][-1]["id"]},
    )

    assert [s["id"] for s in first.json()["statuses"]] == made[::-1][:2]
    assert [s["id"] for s in second.json()["statuses"]] == made[::-1][2:4]


def test_a_later_page_does_not_repeat_accounts_and_topics(make_account, api_for, say):
    author = make_account("新品情報")
    say(author, "#新品# 上市")
    api = api_for(make_account())

    first = api.get("/api/v2/search", {"q": "新品"}).json()
    later = api.get("/api/v2/search", {"q": "新品", "offset": 20}).json()

    assert [a["username"] for a in first["accounts"]] == ["新品情報"]
    assert [t["name"] for t in first["hashtags"]] == ["新品"]
    assert later == {"accounts": [], "statuses": [], "hashtags": []}


def test_a_bad_offset_is_a_400(make_account, api_for):
    response = api_for(make_account()).get("/api/v2/search", {"q": "新品", "offset": "-1"})

    assert response.status_code == 400
    assert response.json() == {"error": "offset must be a whole number"}


def test_type_accounts_gives_only_accounts(said, api_for):
    body = api_for(said.member).get("/api/v2/search", {"q": "戴尔", "type": "accounts"}).json()

    assert sorted(a["username"] for a in body["accounts"]) == ["戴爾主管", "戴爾工程師"]
    assert body["statuses"] == [] and body["hashtags"] == []


def test_type_hashtags_gives_only_topics_folded(make_account, api_for, say):
    author = make_account("戴爾中國")
    say(author, "#戴爾# 新品上市")

    body = api_for(author).get("/api/v2/search", {"q": "#戴尔", "type": "hashtags"}).json()

    assert [t["name"] for t in body["hashtags"]] == ["戴爾"]
    assert body["statuses"] == [] and body["accounts"] == []


def test_account_search_finds_people_by_folded_name_the_exact_handle_first(make_account, api_for):
    make_account("dell_fans")
    make_account("dell")
    make_account("戴爾中國")
    api = api_for(make_account())

    assert [a["username"] for a in api.get("/api/v1/accounts/search", {"q": "@DELL"}).json()] == [
        "dell",
        "dell_fans",
    ]
    assert [a["username"] for a in api.get("/api/v1/accounts/search", {"q": "戴尔"}).json()] == ["戴爾中國"]


@pytest.mark.parametrize("path", ["/api/v2/search", "/api/v1/accounts/search"])
@pytest.mark.parametrize("q", ["\x00", "戴\x00尔", "from:\x00dell", "戴尔 until:9999-12-31"])
def test_odd_input_is_an_answer_never_a_server_error(make_account, api_for, path, q):
    make_account("戴爾中國")

    response = api_for(make_account()).get(path, {"q": q})

    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert response.json()["error"].startswith("Validation failed: ")
