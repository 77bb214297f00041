"""An idea board per official account: fans propose product ideas and back them with a vote
(one per person, taken back at will); the company answers in public and marks each idea under
review, planned, done or declined, and everyone who backed it hears when that changes."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.activities.models import Idea, IdeaVote
from tidings.core import events, ratelimit
from tidings.core.errors import Invalid, NotFound
from tidings.core.text import bad_characters
from tidings.ops import roles
from tidings.ops.services import record
from tidings.social.models import Block

TITLE_MAX = 80
BODY_MAX = 1000
PAGE = 30
State = Idea.State


def board_of(viewer: Any, handle: str) -> Account:
    """The official account whose board this is; not found for any other account, and for
    someone the account blocked."""
    account = account_by_handle(handle)
    if not roles.is_official(account):
        raise NotFound()
    _refuse_blocked(viewer, account)
    return account


def access(viewer: Any, idea_id: int | None) -> Idea:
    """An idea of an active official account's board, unless that account blocked the viewer
    (answered as missing, like its posts)."""
    idea = (
        Idea.objects.filter(id=idea_id or 0, board__is_active=True).select_related("board", "author").first()
    )
    if idea is None or not roles.is_official(idea.board):
        raise NotFound()
    _refuse_blocked(viewer, idea.board)
    return idea


def _refuse_blocked(viewer: Any, board: Account) -> None:
    if (
        getattr(viewer, "is_authenticated", False)
        and Block.objects.filter(blocker=board, blocked_id=viewer.id).exists()
    ):
        raise NotFound()


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join(title.split()), body.strip()
    if not title or len(title) > TITLE_MAX or bad_characters(title):
        raise Invalid(_("An idea needs a title of 1 to %(n)d characters.") % {"n": TITLE_MAX}, field="title")
    if len(body) > BODY_MAX or bad_characters(body):
        raise Invalid(_("Say more in at most %(n)d characters.") % {"n": BODY_MAX}, field="body")
    return title, body


def propose(author: Account, board: Account, *, title: str, body: str = "") -> Idea:
    _refuse_blocked(author, board)
    title, body = _clean(title, body)
    ratelimit.write(author.id)
    with transaction.atomic():
        idea = Idea.objects.create(board=board, author=author, title=title, body=body, votes_count=1)
        IdeaVote.objects.create(idea=idea, account=author)  # one backs one's own idea
    return idea


def vote(account: Account, idea: Idea, *, back: bool) -> Idea:
    """Back an idea, or take the vote back; doing either twice changes nothing."""
    if back and idea.state in (State.DONE, State.DECLINED):
        raise Invalid(_("This idea is closed: it is done or declined."))
    ratelimit.write(account.id)
    with transaction.atomic():
        if back:
            try:
                with transaction.atomic():
                    IdeaVote.objects.create(idea=idea, account=account)
            except IntegrityError:
                return idea
            Idea.objects.filter(id=idea.id).update(votes_count=F("votes_count") + 1)
        else:
            removed, _kinds = IdeaVote.objects.filter(idea=idea, account=account).delete()
            if removed:
                Idea.objects.filter(id=idea.id).update(votes_count=F("votes_count") - 1)
    idea.refresh_from_db()
    return idea


def answer(idea: Idea, *, person: Account, state: str, text: str) -> Idea:
    """The company's public answer and where the idea stands; its backers hear of a new state."""
    roles.require(person, idea.board, "reply")
    if state not in State.values:
        raise Invalid(_("Choose where the idea stands."), field="state")
    text = text.strip()
    if len(text) > BODY_MAX or bad_characters(text):
        raise Invalid(_("An answer may hold at most %(n)d characters.") % {"n": BODY_MAX}, field="answer")
    moved = state != idea.state
    with transaction.atomic():
        idea.state, idea.answer = state, text
        idea.answered_by, idea.answered_at = person, timezone.now()
        idea.save(update_fields=["state", "answer", "answered_by", "answered_at"])
        record(idea.board, person, "idea", None)
        if moved:
            events.emit("idea.moved", idea_id=idea.id, state=state)
    return idea


def tell_backers(idea_id: int, state: str) -> None:
    """Each backer (the author among them) hears that the idea moved. Idempotent: one notice per
    idea, state and person."""
    from tidings.notifications.models import Notification
    from tidings.notifications.services import notify

    idea = Idea.objects.filter(id=idea_id).first()
    if idea is None:
        return
    backers = IdeaVote.objects.filter(idea=idea).values_list("account_id", flat=True)
    for account_id in backers.iterator():
        notify(
            recipient_id=account_id,
            kind=Notification.Kind.IDEA,
            actor_id=idea.board_id,
            link=f"/ideas/{idea.id}/#{state}",
        )


def ideas(board: Account, *, order: str = "top", state: str = "", max_id: int | None = None) -> list[Idea]:
    found = Idea.objects.filter(board=board).select_related("author")
    if state in State.values:
        found = found.filter(state=state)
    if order == "new":
        if max_id:
            found = found.filter(id__lt=max_id)
        return list(found.order_by("-id")[:PAGE])
    return list(found.order_by("-votes_count", "-id")[:PAGE])


def backed(viewer: Any, ideas: list[Idea]) -> set[int]:
    """Which of these ideas the viewer backs, in one query."""
    if not getattr(viewer, "is_authenticated", False) or not ideas:
        return set()
    votes = IdeaVote.objects.filter(account_id=viewer.id, idea_id__in=[i.id for i in ideas])
    return set(votes.values_list("idea_id", flat=True))
