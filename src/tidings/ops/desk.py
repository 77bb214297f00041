"""The response desk: what the public says to an official account becomes a case in its inbox,
threaded by conversation, triaged by rules into critical, secondary and general, handed to the
responsible person or the one on duty, answered in public (or by message), and timed against
the account's service levels; a breach escalates to the next person on the escalation list.

Cases are opened by the worker from the events of published posts and sent messages; an answer
the account posts on the thread by any way (the desk, the web while acting as it, a client app)
counts as its response."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core import events, mail
from tidings.core.audience import can_see
from tidings.core.errors import Conflict, Forbidden, Invalid, NotFound
from tidings.core.text import fold
from tidings.ops import roles
from tidings.ops.models import Case, CaseEvent, DeskRule, EscalationStep, Level, Shift
from tidings.ops.services import desk_of, named, record
from tidings.posts.models import OUTSIDE, Audience, Mention, Post

State = Case.State
Kind = CaseEvent.Kind
LEVEL_ORDER = (Level.CRITICAL, Level.SECONDARY, Level.GENERAL)
DEFAULT_ACK = _("Received: we are on it, and will post our progress here.")


def voice(account: Account) -> Any:
    """What an account says in public is in its own language, whoever on its team clicks."""
    return translation.override(account.language or settings.LANGUAGE_CODE)


@dataclass(frozen=True)
class Rule:
    level: str
    words: tuple[str, ...] = ()
    negative: bool = False
    min_followers: int | None = None
    assignee_id: int | None = None


# Until an account writes its own rules.
DEFAULT_RULES = (
    Rule(
        Level.CRITICAL, ("爆炸", "起火", "冒煙", "受傷", "中毒", "投訴", "消保", "提告"), min_followers=10_000
    ),
    Rule(
        Level.SECONDARY, ("退款", "退貨", "故障", "壞了", "維修", "不回", "refund", "broken"), negative=True
    ),
)


def words_of(raw: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s,,、;;]+", raw.strip()) if w)


def rules_of(account: Account) -> list[Rule]:
    stored = list(DeskRule.objects.filter(account=account).order_by("id"))
    if not stored:
        return list(DEFAULT_RULES)
    return [Rule(r.level, words_of(r.words), r.negative, r.min_followers, r.assignee_id) for r in stored]


def triage(account: Account, text: str, author: Account) -> tuple[str, str, int | None]:
    """The suggested level, why, and who the rule makes responsible. The most severe rule that
    matches wins."""
    folded = fold(text)
    tone: int | None = None
    rules = sorted(rules_of(account), key=lambda r: LEVEL_ORDER.index(r.level))
    for rule in rules:
        reasons = [w for w in rule.words if fold(w) in folded]
        if rule.min_followers is not None and author.followers_count >= rule.min_followers:
            reasons.append(str(_("an author with %(n)s followers") % {"n": author.followers_count}))
        if rule.negative and not reasons:
            if tone is None:
                from tidings.search import sentiment

                tone = sentiment.classify(text)
            if tone == sentiment.NEGATIVE:
                reasons.append(str(_("a negative tone")))
        if reasons:
            return rule.level, "、".join(reasons)[:200], rule.assignee_id
    return Level.GENERAL, "", None


def on_duty(account: Account, at: dt.datetime | None = None) -> Account | None:
    """Who is on duty for the account now (the latest shift to start, if they overlap)."""
    at = at or timezone.now()
    shift = (
        Shift.objects.filter(account=account, starts_at__lte=at, ends_at__gt=at)
        .select_related("person")
        .order_by("-starts_at")
        .first()
    )
    if shift is None or not roles.can(shift.person, account, "reply"):
        return None
    return shift.person


def _deadlines(account: Account, level: str, opened: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    first, resolve = desk_of(account).service_levels.get(level) or [240, 4320]
    return opened + dt.timedelta(minutes=first), opened + dt.timedelta(minutes=resolve)


# --- cases come in -----------------------------------------------------------------------------


def _thread(post: Post, account_id: int, root_author: int | None, reply_to_author: int | None) -> str | None:
    """The conversation a public post is in, for an account: the thread under a post; under the
    account's own post, each person's exchange with it is a conversation of its own."""
    if not post.root_id:
        return f"post:{post.id}"
    if root_author != account_id:
        return f"post:{post.root_id}"
    person = post.author_id if post.author_id != account_id else reply_to_author
    return f"post:{post.root_id}:{person}" if person and person != account_id else None


def _touched(post: Post) -> list[tuple[Account, str]]:
    """The official accounts a published post speaks to, each with the conversation it is in."""
    candidates: list[Account] = []
    if "@" in post.text:
        candidates += Account.objects.filter(id__in=Mention.objects.filter(post=post).values("account_id"))
    authors: dict[int, int] = {}
    if post.root_id:
        parents = Post.objects.filter(id__in={post.root_id, post.reply_to_id} - {None}).select_related(
            "author"
        )
        for parent in parents:
            authors[parent.id] = parent.author_id
            candidates.append(parent.author)
    if post.kind == Post.Kind.REPOST and post.text and post.repost_of_id:
        original = Post.objects.filter(id=post.repost_of_id).select_related("author").first()
        if original is not None:
            candidates.append(original.author)
    found: dict[int, tuple[Account, str]] = {}
    for account in candidates:
        if account.id == post.author_id or account.id in found or not roles.is_official(account):
            continue
        root_author = authors.get(post.root_id) if post.root_id else None
        reply_author = authors.get(post.reply_to_id) if post.reply_to_id else None
        thread = _thread(post, account.id, root_author, reply_author)
        if thread is not None:
            found[account.id] = (account, thread)
    return list(found.values())


def _own_answer_thread(post: Post) -> str | None:
    """The conversation an official account's own comment answers."""
    parents = dict(
        Post.objects.filter(id__in={post.root_id, post.reply_to_id} - {None}).values_list("id", "author_id")
    )
    return _thread(post, post.author_id, parents.get(post.root_id or 0), parents.get(post.reply_to_id or 0))


def on_post_published(post_id: int) -> None:
    """Open or add to the cases of the official accounts a post speaks to; count an account's
    own answer on a thread as its response."""
    post = Post.objects.filter(id=post_id).select_related("author").first()
    if post is None or post.held or post.audience not in OUTSIDE:
        return
    if "@" not in post.text and not post.root_id and not (post.kind == Post.Kind.REPOST and post.text):
        return  # speaks to nobody: most posts, settled in one query
    if post.root_id and roles.is_official(post.author):
        thread = _own_answer_thread(post)
        if thread is not None:
            _answered(post.author, thread, post, None)
    for account, thread in _touched(post):
        if can_see(account, post.id):
            take_in(account, post, thread)


def on_message_sent(message_id: int) -> None:
    message = Post.objects.filter(id=message_id, audience=Audience.DIRECT).select_related(
        "author", "conversation"
    )
    post = message.first()
    if post is None or post.conversation is None:
        return
    other = Account.objects.filter(id=post.conversation.other(post.author_id)).first()
    thread = f"dm:{post.conversation_id}"
    if roles.is_official(post.author):
        _answered(post.author, thread, post, None)
    if other is not None and roles.is_official(other):
        take_in(other, post, thread)


def take_in(account: Account, post: Post, thread: str) -> Case:
    """The post joins the open case of its conversation, or opens one. Taking in the same post
    again changes nothing, even once its case is resolved."""
    seen = CaseEvent.objects.filter(case__account=account, post=post, kind=Kind.INCOMING).select_related(
        "case"
    )
    earlier = seen.first()
    if earlier is not None:
        return earlier.case
    case = Case.objects.filter(account=account, thread=thread).exclude(state=State.RESOLVED).first()
    if case is None:
        case = _open(account, post, thread)
    try:
        with transaction.atomic():
            CaseEvent.objects.create(case=case, kind=Kind.INCOMING, post=post, person=None)
    except IntegrityError:
        pass  # the same post, taken in twice
    return case


def _open(account: Account, post: Post, thread: str) -> Case:
    level, reason, responsible = triage(account, post.text, post.author)
    opened = post.created_at
    response_due, resolution_due = _deadlines(account, level, opened)
    assignee = None
    if responsible is not None:
        candidate = Account.objects.filter(id=responsible).first()
        if candidate is not None and roles.can(candidate, account, "reply"):
            assignee = candidate
    assignee = assignee or on_duty(account, opened)
    root_id = int(thread.split(":")[1]) if thread.startswith("post:") else None
    try:
        with transaction.atomic():
            case = Case.objects.create(
                account=account,
                customer=post.author,
                thread=thread,
                root_id=root_id,
                level=level,
                suggested_level=level,
                level_reason=reason,
                assignee=assignee,
                opened_at=opened,
                response_due=response_due,
                resolution_due=resolution_due,
                next_escalation_at=response_due,
            )
    except IntegrityError:  # opened a moment ago by another worker
        return Case.objects.get(account=account, thread=thread, state__in=(State.NEW, State.PROGRESS))
    events.emit("case.opened", case_id=case.id)
    if level == Level.CRITICAL:
        transaction.on_commit(lambda: alert(case.id))
    return case


def alert(case_id: int) -> None:
    """Tell the responsible person of a case at once: a notification and an email. Nobody
    responsible: the account's managers and the escalation list's first."""
    from tidings.notifications.models import Notification
    from tidings.notifications.services import notify

    case = Case.objects.select_related("account", "customer", "assignee").get(id=case_id)
    people = [case.assignee] if case.assignee else _fallback(case.account)
    first = case.events.filter(kind=Kind.INCOMING).order_by("id").values_list("post_id", flat=True).first()
    link = reverse("web:ops_case", args=[case.id])
    for person in people:
        visible = first if first is not None and can_see(person, first) else None
        notify(
            recipient_id=person.id,
            kind=Notification.Kind.CASE,
            actor_id=case.customer_id,
            post_id=visible,
            link=link,
        )
        if person.email:
            mail.send(
                to=person.email,
                subject=str(_("Critical case for @%(handle)s") % {"handle": case.account.handle}),
                body=str(
                    _(
                        "@%(customer)s wrote to @%(handle)s and the case is critical (%(reason)s). "
                        "Open it: %(link)s"
                    )
                    % {
                        "customer": case.customer.handle,
                        "handle": case.account.handle,
                        "reason": case.level_reason or case.get_level_display(),
                        "link": settings.SITE_URL + link,
                    }
                ),
            )


def _fallback(account: Account) -> list[Account]:
    steps = list(
        EscalationStep.objects.filter(account=account).select_related("person").order_by("position")[:1]
    )
    people = [s.person for s in steps]
    people += [g.person for g in account.grants.filter(role="manager").select_related("person")]
    unique = {p.id: p for p in people if roles.can(p, account, "reply")}
    return list(unique.values())


def _answered(account: Account, thread: str, post: Post | None, person: Account | None) -> None:
    """The account said something on the thread: its first response, if it was the first."""
    case = Case.objects.filter(account=account, thread=thread).exclude(state=State.RESOLVED).first()
    if case is None:
        return
    if post is not None and CaseEvent.objects.filter(post=post).exclude(case=case).exists():
        return  # said in another case (the survey of a resolved one), not an answer to this
    now = post.created_at if post is not None else timezone.now()
    with transaction.atomic():
        if post is not None and not CaseEvent.objects.filter(case=case, post=post).exists():
            CaseEvent.objects.create(case=case, kind=Kind.RESPONSE, post=post, person=person)
        if case.first_response_at is None:
            Case.objects.filter(id=case.id, first_response_at__isnull=True).update(
                first_response_at=now, next_escalation_at=case.resolution_due
            )
        Case.objects.filter(id=case.id, state=State.NEW).update(state=State.PROGRESS)


# --- the staff's work ---------------------------------------------------------------------------


def access_case(person: Any, case_id: int | str) -> Case:
    """The case, if the person may answer as its account; not found alike otherwise."""
    try:
        wanted = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    case = Case.objects.select_related("account", "customer", "assignee", "root").filter(id=wanted).first()
    if case is None or not roles.can(person, case.account, "reply"):
        raise NotFound()
    return case


def _open_case(case: Case) -> None:
    if case.state == State.RESOLVED:
        raise Conflict(_("This case is resolved. Reopen it first."))


def _say(case: Case, person: Account, text: str, kind: str) -> Post:
    """Answer on the case's conversation as the account: a comment on the thread in public, a
    message for a conversation of messages."""
    from tidings.notifications.services import send_message
    from tidings.posts import services as posts

    if case.thread.startswith("dm:"):
        post = send_message(case.account, recipient_id=case.customer_id, text=text)
    else:
        # Under the customer's latest word, so the answer sits in their thread.
        latest = case.events.filter(kind=Kind.INCOMING, post__isnull=False).order_by("-id")
        target = latest.values_list("post_id", flat=True).first() or case.root_id or 0
        post = posts.comment(case.account, post_id=target, text=text)
    CaseEvent.objects.create(case=case, kind=kind, person=person, post=post, text=text[:1000])
    record(case.account, person, "comment" if not case.thread.startswith("dm:") else "conversation", post.id)
    _answered(case.account, case.thread, post, person)
    return post


def reply(case: Case, *, person: Account, text: str) -> Post:
    roles.require(person, case.account, "reply")
    _open_case(case)
    with transaction.atomic():
        return _say(case, person, text, Kind.RESPONSE)


def acknowledge(case: Case, *, person: Account) -> Post:
    """One click: the account's public acknowledgement, and the case is in progress."""
    roles.require(person, case.account, "reply")
    _open_case(case)
    if case.events.filter(kind=Kind.ACK).exists():
        raise Conflict(_("This case was already acknowledged."))
    with voice(case.account):
        text = desk_of(case.account).ack_text or str(DEFAULT_ACK)
    with transaction.atomic():
        return _say(case, person, text, Kind.ACK)


def progress(case: Case, *, person: Account, text: str) -> Post:
    """A public progress update on the thread, so the customer sees the case move."""
    roles.require(person, case.account, "reply")
    _open_case(case)
    with transaction.atomic():
        return _say(case, person, text, Kind.PROGRESS)


def note(case: Case, *, person: Account, text: str) -> CaseEvent:
    """A note for the team only."""
    roles.require(person, case.account, "reply")
    text = text.strip()
    if not text:
        raise Invalid(_("Write the note first."), field="text")
    if len(text) > 1000:
        raise Invalid(_("A note is at most 1000 characters."), field="text")
    return CaseEvent.objects.create(case=case, kind=Kind.NOTE, person=person, text=text)


def set_level(case: Case, *, person: Account, level: str) -> Case:
    """Confirm or change the suggested level: the service levels follow the new one."""
    roles.require(person, case.account, "reply")
    if level not in Level.values:
        raise Invalid(_("Choose critical, secondary or general."), field="level")
    response_due, resolution_due = _deadlines(case.account, level, case.opened_at)
    with transaction.atomic():
        Case.objects.filter(id=case.id).update(
            level=level,
            level_confirmed=True,
            response_due=response_due,
            resolution_due=resolution_due,
            next_escalation_at=response_due if case.first_response_at is None else resolution_due,
        )
        CaseEvent.objects.create(case=case, kind=Kind.LEVEL, person=person, text=level)
    if level == Level.CRITICAL and case.level != Level.CRITICAL:
        transaction.on_commit(lambda: alert(case.id))
    case.refresh_from_db()
    return case


def assign(case: Case, *, person: Account, assignee_id: int | None) -> Case:
    """Hand the case to someone who may answer as the account (not someone who left)."""
    roles.require(person, case.account, "reply")
    assignee = Account.objects.filter(id=assignee_id or 0, is_active=True).first()
    if assignee is None or not roles.can(assignee, case.account, "reply"):
        raise Invalid(
            _("A case can only go to someone who answers for @%(handle)s.") % {"handle": case.account.handle},
            field="assignee",
        )
    with transaction.atomic():
        Case.objects.filter(id=case.id).update(assignee=assignee)
        CaseEvent.objects.create(case=case, kind=Kind.ASSIGN, person=person, text=assignee.handle)
    case.refresh_from_db()
    return case


def resolve(case: Case, *, person: Account, text: str = "") -> Case:
    """Close the case (with a last public answer if given) and ask the customer to rate it."""
    roles.require(person, case.account, "reply")
    _open_case(case)
    with transaction.atomic():
        if text.strip():
            _say(case, person, text, Kind.RESPONSE)
        now = timezone.now()
        Case.objects.filter(id=case.id).update(state=State.RESOLVED, resolved_at=now, next_escalation_at=None)
        CaseEvent.objects.create(case=case, kind=Kind.RESOLVE, person=person)
        transaction.on_commit(lambda: ask_rating(case.id))
    case.refresh_from_db()
    return case


def reopen(case: Case, *, person: Account) -> Case:
    roles.require(person, case.account, "reply")
    if case.state != State.RESOLVED:
        raise Conflict(_("This case is open."))
    if Case.objects.filter(account=case.account, thread=case.thread).exclude(state=State.RESOLVED).exists():
        raise Conflict(_("A newer case of this conversation is open: answer there."))
    with transaction.atomic():
        first, _resolve = desk_of(case.account).service_levels.get(case.level) or [240, 4320]
        Case.objects.filter(id=case.id).update(
            state=State.PROGRESS,
            resolved_at=None,
            rating=None,
            rated_at=None,
            next_escalation_at=timezone.now() + dt.timedelta(minutes=first),
        )
        CaseEvent.objects.create(case=case, kind=Kind.REOPEN, person=person)
    case.refresh_from_db()
    return case


def ask_rating(case_id: int) -> None:
    """The survey sent when a case closes: a message to the customer with a link to rate it."""
    from tidings.core.errors import DomainError
    from tidings.notifications.services import send_message

    case = Case.objects.select_related("account").get(id=case_id)
    link = settings.SITE_URL + reverse("web:case_rating", args=[case.id])
    with voice(case.account):
        text = str(
            _("Thank you for writing to us. How did we do? Rate our answer from 1 to 5: %(link)s")
            % {"link": link}
        )
    try:
        with transaction.atomic():
            survey = send_message(case.account, recipient_id=case.customer_id, text=text)
            CaseEvent.objects.create(case=case, kind=Kind.SURVEY, post=survey)
    except DomainError:
        pass  # the customer blocked the account, or left: no survey


def rate(case: Case, *, customer: Account, rating: int | str) -> Case:
    """The customer's 1-5 rating of a resolved case, once."""
    if customer.id != case.customer_id:
        raise NotFound()
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise Invalid(_("Choose a rating from 1 to 5."), field="rating")
    if case.state != State.RESOLVED:
        raise Conflict(_("This case is still being handled: you can rate it once it is resolved."))
    with transaction.atomic():
        done = Case.objects.filter(id=case.id, rating__isnull=True).update(
            rating=value, rated_at=timezone.now()
        )
        if not done:
            raise Conflict(_("You have already rated this case. Thank you!"))
        CaseEvent.objects.create(case=case, kind=Kind.RATING, person=customer, text=str(value))
    case.refresh_from_db()
    return case


def rateable_case(customer: Any, case_id: int | str) -> Case:
    """A case for its customer's rating page; not found for anyone else."""
    try:
        wanted = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    case = Case.objects.select_related("account").filter(id=wanted).first()
    if case is None or customer is None or not customer.is_authenticated or case.customer_id != customer.id:
        raise NotFound()
    return case


# --- service levels -----------------------------------------------------------------------------


def escalate_due(now: dt.datetime | None = None) -> int:
    """Cases past a deadline go to the next person on the escalation list, who gets a new
    response window; run every minute by the worker. Idempotent for a given time."""
    from tidings.notifications.models import Notification
    from tidings.notifications.services import notify

    now = now or timezone.now()
    moved = 0
    for case in (
        Case.objects.filter(next_escalation_at__lte=now)
        .exclude(state=State.RESOLVED)
        .select_related("account")
    ):
        steps = list(
            EscalationStep.objects.filter(account=case.account).select_related("person").order_by("position")
        )
        answered = case.first_response_at is not None
        if answered and now < case.resolution_due:
            Case.objects.filter(id=case.id).update(next_escalation_at=case.resolution_due)
            continue
        step = next(
            (s for s in steps[case.escalations :] if roles.can(s.person, case.account, "reply")),
            None,
        )
        first, _resolve = desk_of(case.account).service_levels.get(case.level) or [240, 4320]
        with transaction.atomic():
            claimed = Case.objects.filter(
                id=case.id, escalations=case.escalations, next_escalation_at__lte=now
            ).update(
                escalations=F("escalations") + 1,
                next_escalation_at=now + dt.timedelta(minutes=first) if step else None,
                assignee=step.person if step else F("assignee"),
            )
            if not claimed:
                continue
            why = _("the first response is late") if not answered else _("the resolution is late")
            CaseEvent.objects.create(
                case=case, kind=Kind.ESCALATE, person=step.person if step else None, text=str(why)
            )
        if step is not None:
            first_post = (
                case.events.filter(kind=Kind.INCOMING)
                .order_by("id")
                .values_list("post_id", flat=True)
                .first()
            )
            visible = first_post if first_post and can_see(step.person, first_post) else None
            notify(
                recipient_id=step.person.id,
                kind=Notification.Kind.CASE,
                actor_id=case.customer_id,
                post_id=visible,
                link=reverse("web:ops_case", args=[case.id]),
            )
        moved += 1
    return moved


# --- the rota and the rules ----------------------------------------------------------------------


def add_shift(account: Account, *, person: Account, handle: str, starts_at: str, ends_at: str) -> Shift:
    from tidings.ops.drafts import local_time

    roles.require(person, account, "manage")
    who = named(handle, field="handle")
    if not roles.can(who, account, "reply"):
        raise Invalid(
            _("@%(handle)s does not answer for this account: give them a role first.")
            % {"handle": who.handle},
            field="handle",
        )
    zone = desk_of(account).time_zone
    start, end = local_time(starts_at, zone), local_time(ends_at, zone)
    if start is None or end is None:
        raise Invalid(_("A shift needs a start and an end."), field="starts_at")
    if end <= start:
        raise Invalid(_("A shift ends after it starts."), field="ends_at")
    if end - start > dt.timedelta(days=7):
        raise Invalid(_("A shift is at most seven days long."), field="ends_at")
    if end <= timezone.now():
        raise Invalid(_("That shift is already over."), field="ends_at")
    return Shift.objects.create(account=account, person=who, starts_at=start, ends_at=end)


def remove_shift(account: Account, *, person: Account, shift_id: int) -> None:
    roles.require(person, account, "manage")
    if not Shift.objects.filter(account=account, id=shift_id).delete()[0]:
        raise NotFound()


def hand_over(account: Account, *, person: Account, shift_id: int, text: str) -> Shift:
    """The note the person on a shift leaves for the next."""
    shift = Shift.objects.filter(account=account, id=shift_id).first()
    if shift is None:
        raise NotFound()
    if shift.person_id != person.id and not roles.can(person, account, "manage"):
        raise Forbidden(_("Only the person on this shift, or a manager, writes its hand-over note."))
    text = text.strip()
    if len(text) > 1000:
        raise Invalid(_("A hand-over note is at most 1000 characters."), field="handover")
    Shift.objects.filter(id=shift.id).update(handover=text)
    shift.handover = text
    return shift


def add_rule(
    account: Account,
    *,
    person: Account,
    level: str,
    words: str,
    negative: bool,
    min_followers: str,
    assignee: str,
) -> DeskRule:

    roles.require(person, account, "manage")
    if level not in Level.values:
        raise Invalid(_("Choose critical, secondary or general."), field="level")
    found = words_of(words)
    if len(words) > 500:
        raise Invalid(_("A rule's words are at most 500 characters."), field="words")
    followers = None
    if min_followers.strip():
        if not min_followers.strip().isdigit():
            raise Invalid(_("Followers must be a whole number."), field="min_followers")
        followers = int(min_followers)
    if not found and not negative and followers is None:
        raise Invalid(_("A rule needs words, a negative tone or a number of followers."), field="words")
    responsible = None
    if assignee.strip():
        responsible = named(assignee, field="assignee")
        if not roles.can(responsible, account, "reply"):
            raise Invalid(
                _("@%(handle)s does not answer for this account: give them a role first.")
                % {"handle": responsible.handle},
                field="assignee",
            )
    return DeskRule.objects.create(
        account=account,
        level=level,
        words=" ".join(found),
        negative=negative,
        min_followers=followers,
        assignee=responsible,
    )


def remove_rule(account: Account, *, person: Account, rule_id: int) -> None:
    roles.require(person, account, "manage")
    if not DeskRule.objects.filter(account=account, id=rule_id).delete()[0]:
        raise NotFound()


def set_escalation(account: Account, *, person: Account, handles: str) -> list[EscalationStep]:
    from tidings.accounts.selectors import accounts_by_handles
    from tidings.core.handles import handle_key

    roles.require(person, account, "manage")
    wanted = [h.lstrip("@") for h in words_of(handles)]
    found = accounts_by_handles(wanted)
    people = []
    for handle in wanted:
        who = found.get(handle_key(handle))
        if who is None or not roles.can(who, account, "reply"):
            raise Invalid(
                _("@%(handle)s does not answer for this account: give them a role first.")
                % {"handle": handle},
                field="escalation",
            )
        people.append(who)
    with transaction.atomic():
        EscalationStep.objects.filter(account=account).delete()
        return [
            EscalationStep.objects.create(account=account, position=i, person=p) for i, p in enumerate(people)
        ]


def set_service(
    account: Account, *, person: Account, ack_text: str, minutes: dict[str, tuple[str, str]]
) -> None:
    """The acknowledgement's words and the service levels (minutes to respond and to resolve)."""
    from tidings.ops.models import Desk

    roles.require(person, account, "manage")
    ack_text = ack_text.strip()
    if len(ack_text) > 200:
        raise Invalid(_("The acknowledgement is at most 200 characters."), field="ack_text")
    levels: dict[str, list[int]] = {}
    for level in Level.values:
        first, resolve = minutes.get(level, ("", ""))
        if (
            not (str(first).isdigit() and str(resolve).isdigit())
            or not 0 < int(first) <= int(resolve) <= 60 * 24 * 90
        ):
            raise Invalid(
                _(
                    "Service levels are minutes: a first response no later than the resolution, "
                    "at most 90 days."
                ),
                field="service_levels",
            )
        levels[level] = [int(first), int(resolve)]
    Desk.objects.update_or_create(account=account, defaults={"ack_text": ack_text, "service_levels": levels})
