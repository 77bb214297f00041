"""The Q&A library of ready answers: written once with {variables}, searched as one types,
suggested for the case at hand, and the public ones shown as an account's FAQ page. The
organisation words its own "not within this account's remit" answer."""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.errors import Forbidden, Invalid, NotFound
from tidings.core.text import fold
from tidings.ops import roles
from tidings.ops.models import Answer, Case, CaseEvent
from tidings.ops.services import desk_of

# What an answer may say in braces, filled in when it is used.
VARIABLES = {
    "customer": _("the customer's name"),
    "handle": _("the customer's @handle"),
    "account": _("the official account's name"),
    "case": _("the case number"),
    "today": _("today's date, in the account's time zone"),
}
DEFAULT_REMIT = _(
    "Hello, this is not within this account's remit: please ask the service concerned. Thank you for writing."
)


VARIABLE = re.compile(r"\{([^{}]*)\}")


def _fields(body: str) -> set[str]:
    """The variables a text names: whatever stands between braces."""
    return set(VARIABLE.findall(body))


def _put(body: str, values: dict[str, str]) -> str:
    """The text with its variables replaced; nothing else in it is read as a format."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def _clean(title: str, body: str, tags: str) -> tuple[str, str, str]:
    title, body, tags = title.strip(), body.strip(), " ".join(tags.replace(",", " ").split())
    if not title or len(title) > 80:
        raise Invalid(_("An answer needs a title of at most 80 characters."), field="title")
    if not body or len(body) > 1000:
        raise Invalid(_("An answer needs words, at most 1000 characters."), field="body")
    if len(tags) > 200:
        raise Invalid(_("Tags are at most 200 characters."), field="tags")
    unknown = sorted(_fields(body) - set(VARIABLES))
    if unknown:
        raise Invalid(
            _("Unknown variable {%(name)s}: use %(known)s.")
            % {"name": unknown[0], "known": ", ".join("{" + v + "}" for v in VARIABLES)},
            field="body",
        )
    return title, body, tags


def _library(account: Account) -> Any:
    """The answers an account may use: the organisation's shared ones and its own."""
    return Answer.objects.filter(
        organisation_id=account.organisation_id or 0, kind=Answer.Kind.ANSWER
    ).filter(Q(account__isnull=True) | Q(account=account))


def write(
    account: Account,
    *,
    person: Account,
    title: str,
    body: str,
    tags: str = "",
    public: bool = False,
    shared: bool = False,
    answer_id: int | None = None,
) -> Answer:
    """A new answer, or a change to one (editors and managers of the account)."""
    roles.require(person, account, "post")
    title, body, tags = _clean(title, body, tags)
    if shared:
        _require_staff(person, account)
    if answer_id is not None:
        answer = _library(account).filter(id=answer_id).first()
        if answer is None:
            raise NotFound()
        if answer.account_id is None:
            _require_staff(person, account)
        Answer.objects.filter(id=answer.id).update(
            title=title, body=body, tags=tags, public=public, written_by=person, updated_at=timezone.now()
        )
        answer.refresh_from_db()
        return answer
    return Answer.objects.create(
        organisation_id=account.organisation_id or 0,
        account=None if shared else account,
        title=title,
        body=body,
        tags=tags,
        public=public,
        written_by=person,
    )


def remove(account: Account, *, person: Account, answer_id: int) -> None:
    roles.require(person, account, "post")
    answer = _library(account).filter(id=answer_id).first()
    if answer is None:
        raise NotFound()
    if answer.account_id is None:
        _require_staff(person, account)
    answer.delete()


def _require_staff(person: Account, account: Account) -> None:
    """Answers shared by all the organisation's accounts (and its remit answer) are its admins'."""
    if roles.role_of(person, account) != roles.STAFF:
        raise Forbidden(_("Only the organisation's owners and admins change what all its accounts share."))


def access_answer(person: Any, account: Account, answer_id: int) -> Answer:
    roles.require(person, account, "reply")
    answer = _library(account).filter(id=answer_id).first()
    if answer is None:
        raise NotFound()
    return answer


def search(account: Account, query: str, *, limit: int = 20) -> list[Answer]:
    """Answers whose title, tags or words hold every word of the query (folded: Traditional and
    Simplified alike), newest first."""
    words = fold(query).split()[:8]
    found = list(_library(account).order_by("-updated_at")[:500])
    if not words:
        return found[:limit]
    return [a for a in found if all(w in fold(f"{a.title} {a.tags} {a.body}") for w in words)][:limit]


def suggest(case: Case, *, limit: int = 3) -> list[Answer]:
    """The answers closest to what the customer wrote: most words in common first."""
    from tidings.posts.models import Post
    from tidings.search import terms

    incoming = case.events.filter(kind=CaseEvent.Kind.INCOMING, post__isnull=False).values("post_id")
    text = " ".join(Post.objects.filter(id__in=incoming).values_list("text", flat=True)[:20])
    wanted = set(terms.document(text).words) | set(terms.document(text).latin)
    if not wanted:
        return []
    scored = []
    for answer in _library(case.account)[:500]:
        doc = terms.document(f"{answer.title} {answer.tags} {answer.body}")
        score = len(wanted & (set(doc.words) | set(doc.latin)))
        if score:
            scored.append((score, answer.id, answer))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    return [a for _score, _id, a in scored[:limit]]


def fill(answer: Answer, case: Case) -> str:
    """The answer's words with its variables filled in for the case."""
    zone = desk_of(case.account).time_zone
    known = {
        "customer": case.customer.display_name or case.customer.handle,
        "handle": "@" + case.customer.handle,
        "account": case.account.display_name,
        "case": str(case.id),
        "today": timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d"),
    }
    return _put(answer.body, known)


def faq(account: Account) -> list[Answer]:
    """The account's public answers, for anyone."""
    return list(_library(account).filter(public=True).order_by("title"))


def faq_text(answer: Answer, account: Account) -> str:
    """A public answer as the FAQ shows it, to nobody in particular."""
    return _put(
        answer.body,
        {"customer": str(_("you")), "handle": "", "account": account.display_name, "case": "", "today": ""},
    )


def remit_text(account: Account) -> str:
    found = Answer.objects.filter(
        organisation_id=account.organisation_id or 0, kind=Answer.Kind.REMIT
    ).first()
    if found:
        return found.body
    from tidings.ops.desk import voice

    with voice(account):
        return str(DEFAULT_REMIT)


def set_remit(account: Account, *, person: Account, body: str) -> None:
    """The organisation's own words for "not within this account's remit" (its admins only)."""
    _require_staff(person, account)
    body = body.strip()
    if not body or len(body) > 1000:
        raise Invalid(_("An answer needs words, at most 1000 characters."), field="body")
    if _fields(body):
        raise Invalid(_("This answer takes no variables."), field="body")
    Answer.objects.update_or_create(
        organisation_id=account.organisation_id or 0,
        kind=Answer.Kind.REMIT,
        defaults={"title": str(_("Not within remit")), "body": body, "written_by": person},
    )
