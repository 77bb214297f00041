"""Posts of official accounts on their way out: written as drafts, approved by people other than
the writer when the account asks for it, published at once or at a set time by the worker, in
the account's time zone. A draft can be edited or withdrawn until it goes out; editing starts
the approvals again, because an approval is for the words it saw."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from tidings.core.text import clean_post_text
from tidings.ops import roles
from tidings.ops.models import Draft, Review
from tidings.ops.services import desk_of, record
from tidings.posts.models import Audience

Status = Draft.Status
OPEN = (Status.DRAFT, Status.REVIEW, Status.SCHEDULED, Status.FAILED)
AUDIENCES = (Audience.PUBLIC, Audience.FOLLOWERS)
MAX_AHEAD = dt.timedelta(days=366)


def local_time(value: str, time_zone: str) -> dt.datetime | None:
    """A time typed in the account's time zone ("2026-12-01T09:30" or "2026-12-01 09:30")."""
    value = value.strip()
    if not value:
        return None
    try:
        naive = dt.datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise Invalid(_("Give the time as 2026-12-01 09:30."), field="publish_at") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(time_zone))


def _check_time(when: dt.datetime | None) -> None:
    if when is None:
        return
    now = timezone.now()
    if when <= now:
        raise Invalid(_("That time has already passed: choose a time in the future."), field="publish_at")
    if when > now + MAX_AHEAD:
        raise Invalid(_("A post can be scheduled at most a year ahead."), field="publish_at")


def _clean(text: str, audience: str) -> str:
    if audience not in AUDIENCES:
        raise Invalid(
            _("An official account's post goes to the public or to its followers."), field="audience"
        )
    return clean_post_text(text, max_length=settings.POST_MAX_LENGTH)


def access_draft(person: Any, draft_id: int | str) -> Draft:
    """The draft, if the person has a role on its account; not found alike otherwise."""
    try:
        wanted = int(draft_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    draft = Draft.objects.select_related("account", "writer", "post").filter(id=wanted).first()
    if draft is None or roles.role_of(person, draft.account) is None:
        raise NotFound()
    return draft


def write(
    account: Account, *, person: Account, text: str, audience: str = "public", publish_at: str = ""
) -> Draft:
    """A new draft; not sent anywhere until it is submitted."""
    roles.require(person, account, "post")
    text = _clean(text, audience)
    when = local_time(publish_at, desk_of(account).time_zone)
    _check_time(when)
    return Draft.objects.create(account=account, writer=person, text=text, audience=audience, publish_at=when)


def edit(draft: Draft, *, person: Account, text: str, audience: str, publish_at: str) -> Draft:
    """New words or time: the draft goes back to being a draft and its approvals no longer count."""
    roles.require(person, draft.account, "post")
    text = _clean(text, audience)
    when = local_time(publish_at, desk_of(draft.account).time_zone)
    _check_time(when)
    with transaction.atomic():
        changed = Draft.objects.filter(id=draft.id, status__in=OPEN).update(
            text=text,
            audience=audience,
            publish_at=when,
            status=Status.DRAFT,
            error="",
            updated_at=timezone.now(),
        )
        if not changed:
            raise Conflict(_("This post has already gone out or been withdrawn."))
        Review.objects.filter(draft=draft, current=True).update(current=False)
    draft.refresh_from_db()
    return draft


def submit(draft: Draft, *, person: Account) -> Draft:
    """Send the draft on: to review when the account asks for approvals, else out (now or at
    its time)."""
    roles.require(person, draft.account, "post")
    if draft.status not in (Status.DRAFT, Status.FAILED):
        raise Conflict(_("Only a draft can be submitted."))
    _check_time(draft.publish_at)
    _screen(draft)
    required = desk_of(draft.account).approvals_required
    with transaction.atomic():
        changed = Draft.objects.filter(id=draft.id, status=draft.status).update(
            status=Status.REVIEW, approvals_required=required, error="", updated_at=timezone.now()
        )
        if not changed:
            raise Conflict(_("Someone changed this draft a moment ago: look at it again."))
        draft.status, draft.approvals_required = Status.REVIEW, required
        if required == 0:
            _release(draft)
    draft.refresh_from_db()
    return draft


def _screen(draft: Draft) -> None:
    """The organisation's leak-prevention rules, told now rather than when it goes out."""
    from tidings.orgs import policy

    verdict = policy.check(draft.account, draft.text)
    if verdict is not None and verdict.action == "block":
        raise Invalid(policy.refuse_message(verdict), field="text")


def review(draft: Draft, *, person: Account, decision: str, comment: str = "") -> Draft:
    """A manager approves, sends back (saying why) or comments on a draft in review."""
    roles.require(person, draft.account, "review")
    comment = comment.strip()
    if len(comment) > 500:
        raise Invalid(_("A review comment is at most 500 characters."), field="comment")
    if decision not in Review.Decision.values:
        raise Invalid(_("Approve, send back or comment."), field="decision")
    if decision != Review.Decision.APPROVE and not comment:
        raise Invalid(_("Say why, so the writer knows what to change."), field="comment")
    if decision == Review.Decision.COMMENT:
        Review.objects.create(draft=draft, reviewer=person, decision=decision, comment=comment)
        return draft
    if decision == Review.Decision.APPROVE and draft.writer_id == person.id:
        raise Forbidden(_("Someone other than the writer must approve this post."))
    with transaction.atomic():
        # Locked, and read again: a withdrawal, an edit or another approval may have come first.
        current = Draft.objects.select_for_update().filter(id=draft.id, status=Status.REVIEW).first()
        if current is None:
            raise Conflict(_("This draft is not waiting for review."))
        approvals = Review.objects.filter(draft=draft, decision=Review.Decision.APPROVE, current=True)
        if decision == Review.Decision.APPROVE and approvals.filter(reviewer=person).exists():
            raise Conflict(_("You have already approved this post: it needs someone else's approval now."))
        Review.objects.create(draft=draft, reviewer=person, decision=decision, comment=comment)
        if decision == Review.Decision.REJECT:
            Draft.objects.filter(id=draft.id).update(status=Status.DRAFT, updated_at=timezone.now())
            approvals.update(current=False)
        elif approvals.count() >= current.approvals_required:
            _release(current)
    draft.refresh_from_db()
    return draft


def withdraw(draft: Draft, *, person: Account) -> Draft:
    roles.require(person, draft.account, "post")
    changed = Draft.objects.filter(id=draft.id, status__in=OPEN).update(
        status=Status.WITHDRAWN, updated_at=timezone.now()
    )
    if not changed:
        raise Conflict(_("This post has already gone out or been withdrawn."))
    draft.refresh_from_db()
    return draft


def _release(draft: Draft) -> None:
    """Approved: out now, or scheduled for its time (the worker publishes it then)."""
    if draft.publish_at is not None and draft.publish_at > timezone.now():
        Draft.objects.filter(id=draft.id, status=Status.REVIEW).update(
            status=Status.SCHEDULED, updated_at=timezone.now()
        )
        from tidings.ops import tasks

        transaction.on_commit(lambda: tasks.publish_scheduled.schedule((draft.id,), eta=draft.publish_at))
        return
    _publish(draft.id, Status.REVIEW)


def _publish(draft_id: int, expected: str) -> int | None:
    """Publish the draft if it is still in the expected state; the post's id. Claiming the
    draft and publishing it are one transaction: a second run finds nothing to do."""
    from tidings.posts import services as posts

    with transaction.atomic():
        claimed = Draft.objects.filter(id=draft_id, status=expected).update(
            status=Status.PUBLISHED, updated_at=timezone.now()
        )
        if not claimed:
            return None
        draft = Draft.objects.select_related("account", "writer").get(id=draft_id)
        post = posts.publish(draft.account, text=draft.text, audience=draft.audience)
        Draft.objects.filter(id=draft_id).update(post=post)
        if draft.writer is not None:
            record(draft.account, draft.writer, "post", post.id)
    return post.id


def publish_due(draft_id: int) -> int | None:
    """The worker's part: publish a scheduled draft whose time has come. What fails (the text
    now breaks a rule, the account was closed) is kept on the draft for its team to see."""
    due = Draft.objects.filter(id=draft_id, status=Status.SCHEDULED, publish_at__lte=timezone.now()).exists()
    if not due:
        return None
    try:
        return _publish(draft_id, Status.SCHEDULED)
    except DomainError as error:
        Draft.objects.filter(id=draft_id, status=Status.SCHEDULED).update(
            status=Status.FAILED, error=str(error)[:300], updated_at=timezone.now()
        )
        return None


def due_ids(limit: int = 100) -> list[int]:
    return list(
        Draft.objects.filter(status=Status.SCHEDULED, publish_at__lte=timezone.now())
        .order_by("publish_at")
        .values_list("id", flat=True)[:limit]
    )
