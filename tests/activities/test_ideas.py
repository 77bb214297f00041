"""An official account's idea board: fans propose and back ideas, the company answers in public
and marks where each stands, and backers hear when it moves; blocked people and other accounts'
staff are refused."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.helpers import NOT_FOUND_MESSAGE, english
from tidings.activities import ideas
from tidings.activities.models import Idea, IdeaVote
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.notifications.models import Notification
from tidings.social import services as social

pytestmark = pytest.mark.django_db


def test_fans_back_ideas_once_and_the_board_lists_the_most_backed_first(team, make_account):
    a, b, c = make_account("粉絲甲"), make_account("粉絲乙"), make_account("粉絲丙")
    dark = ideas.propose(a, team.account, title="出深色模式", body="晚上看比較舒服")
    cheap = ideas.propose(b, team.account, title="出平價款")
    for fan in (b, c):
        ideas.vote(fan, dark, back=True)
    ideas.vote(c, dark, back=True)  # twice: nothing more
    ideas.vote(b, cheap, back=False)  # the author takes back their own vote

    listed = ideas.ideas(team.account)

    assert [(i.title, i.votes_count) for i in listed] == [("出深色模式", 3), ("出平價款", 0)]
    assert IdeaVote.objects.filter(idea=dark).count() == 3
    assert ideas.backed(c, listed) == {dark.id}


def test_backers_hear_when_the_company_moves_an_idea_and_not_when_only_the_words_change(
    team, make_account, run_hooks
):
    author, backer, bystander = make_account("提案人"), make_account("支持者"), make_account("路人")
    idea = ideas.propose(author, team.account, title="支援 eSIM")
    ideas.vote(backer, idea, back=True)

    with run_hooks():
        ideas.answer(idea, person=team.responder, state="planned", text="已排入明年計畫")
    with run_hooks():
        ideas.answer(idea, person=team.responder, state="planned", text="已排入明年第二季")

    told = Notification.objects.filter(kind=Notification.Kind.IDEA)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([author.id, backer.id])
    assert bystander.id not in told.values_list("recipient_id", flat=True)
    assert Idea.objects.get().answer == "已排入明年第二季"


def test_a_done_or_declined_idea_takes_no_new_backers(team, make_account):
    idea = ideas.propose(make_account("提案人"), team.account, title="送貼紙")
    ideas.answer(idea, person=team.manager, state="declined", text="暫不考慮")

    with pytest.raises(Invalid, match="closed"):
        ideas.vote(make_account("晚到"), idea, back=True)
    assert Idea.objects.get().votes_count == 1


@pytest.mark.parametrize(
    "title, body, message",
    [("", "", "needs a title"), ("字" * 81, "", "needs a title"), ("好點子", "字" * 1001, "at most 1000")],
)
def test_a_bad_idea_is_refused_and_nothing_is_saved(team, make_account, title, body, message):
    with pytest.raises(Invalid, match=message):
        ideas.propose(make_account("粉絲"), team.account, title=title, body=body)

    assert not Idea.objects.exists()


def test_only_the_accounts_people_answer_and_a_bad_state_is_refused(team, make_account):
    idea = ideas.propose(make_account("提案人"), team.account, title="出深色模式")

    for outsider in (team.customer, team.rival, team.employee):
        with pytest.raises(NotFound):
            ideas.answer(idea, person=outsider, state="done", text="")
    with pytest.raises(Forbidden):
        ideas.answer(idea, person=team.analyst, state="done", text="")
    with pytest.raises(Invalid, match="where the idea stands"):
        ideas.answer(idea, person=team.manager, state="maybe", text="")

    assert Idea.objects.get().state == "open"


def test_someone_the_account_blocked_can_neither_read_nor_propose_nor_back(team, make_account):
    troll = make_account("酸民")
    idea = ideas.propose(make_account("粉絲"), team.account, title="出深色模式")
    social.block(team.account, account_id=troll.id)

    with pytest.raises(NotFound):
        ideas.propose(troll, team.account, title="亂提")
    with pytest.raises(NotFound):
        ideas.access(troll, idea.id)
    assert Idea.objects.count() == 1


def test_a_personal_account_has_no_board(team, make_account):
    with pytest.raises(NotFound):
        ideas.board_of(None, team.customer.handle)


# --- over HTTP -----------------------------------------------------------------------------------


def test_the_board_in_the_browser_propose_back_and_answer(team, make_account, client_for, run_hooks):
    fan = english(client_for(make_account("粉絲")))
    board_url = f"/@{team.account.handle}/ideas/"

    proposed = fan.post(board_url, {"title": "出深色模式", "body": "晚上看比較舒服"})
    idea = Idea.objects.get()
    backer = english(client_for(make_account("支持者")))
    backer.post(f"/ideas/{idea.id}/vote/", {"back": "1", "next": "board"})
    with run_hooks():
        answered = english(client_for(team.responder)).post(
            f"/ideas/{idea.id}/answer/", {"state": "review", "answer": "研發正在評估"}
        )
    public = english(Client()).get(board_url).content.decode()
    page = english(Client()).get(f"/ideas/{idea.id}/").content.decode()
    bad = fan.post(board_url, {"title": ""})

    assert proposed.status_code == 302 and proposed.url == f"/ideas/{idea.id}/"
    assert "出深色模式" in public and "▲ 2" in public and "Under review" in public
    assert answered.status_code == 302 and "研發正在評估" in page
    assert bad.status_code == 400 and "needs a title" in bad.content.decode()
    assert "/ideas/" in english(Client()).get(f"/@{team.account.handle}/").content.decode()


def test_a_visitor_must_log_in_to_propose_or_back_and_outsiders_cannot_answer(team, make_account, client_for):
    idea = ideas.propose(make_account("粉絲"), team.account, title="出深色模式")
    visitor = english(Client())

    proposing = visitor.post(f"/@{team.account.handle}/ideas/", {"title": "偷偷提"})
    backing = visitor.post(f"/ideas/{idea.id}/vote/", {"back": "1"})
    for who in ("customer", "rival", "employee"):
        refused = english(client_for(getattr(team, who))).post(f"/ideas/{idea.id}/answer/", {"state": "done"})
        missing = english(client_for(getattr(team, who))).post(
            f"/ideas/{idea.id + 1}/answer/", {"state": "done"}
        )
        assert refused.status_code == missing.status_code == 404
        assert NOT_FOUND_MESSAGE in refused.content.decode()
    assert visitor.post(f"/ideas/{idea.id}/answer/", {"state": "done"}).status_code == 302

    assert proposing.status_code == 302 and proposing.url.startswith("/login/")
    assert backing.status_code == 302 and backing.url.startswith("/login/")
    assert (
        Idea.objects.count() == 1
        and Idea.objects.get().state == "open"
        and Idea.objects.get().votes_count == 1
    )


def test_a_blocked_person_gets_the_missing_page_for_an_idea_and_the_board_of_a_personal_account_is_missing(
    team, make_account, client_for
):
    troll = make_account("酸民")
    idea = ideas.propose(make_account("粉絲"), team.account, title="出深色模式")
    social.block(team.account, account_id=troll.id)

    blocked = english(client_for(troll)).get(f"/ideas/{idea.id}/")
    blocked_board = english(client_for(troll)).get(f"/@{team.account.handle}/ideas/")
    personal = english(Client()).get(f"/@{team.customer.handle}/ideas/")

    assert blocked.status_code == blocked_board.status_code == personal.status_code == 404
