"""Polls on posts: made with the post, voted on once per account, counted from the stored votes
(so a result can always be recomputed). The activities issue builds its page on these."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from tidings.core import ratelimit
from tidings.core.audience import access_post
from tidings.core.errors import Invalid, NotFound
from tidings.core.text import bad_characters
from tidings.posts.models import Poll, PollVote, Post

MAX_OPTIONS = 4
OPTION_MAX_LENGTH = 50
MIN_SECONDS = 5 * 60
MAX_SECONDS = 31 * 24 * 3600


@dataclass(frozen=True)
class PollSpec:
    options: list[str]
    expires_in: int
    multiple: bool = False
    hide_totals: bool = False


def clean(spec: PollSpec) -> PollSpec:
    options = [o.strip() for o in spec.options]
    if not MAX_OPTIONS >= len(options) >= 2:
        raise Invalid(_("A poll needs 2 to %(n)d options.") % {"n": MAX_OPTIONS}, field="poll")
    for option in options:
        if not option or len(option) > OPTION_MAX_LENGTH or bad_characters(option):
            raise Invalid(
                _("Each option must be 1 to %(n)d characters.") % {"n": OPTION_MAX_LENGTH}, field="poll"
            )
    if len(set(options)) != len(options):
        raise Invalid(_("Two options of a poll cannot be the same."), field="poll")
    if not MAX_SECONDS >= spec.expires_in >= MIN_SECONDS:
        raise Invalid(_("A poll must run from 5 minutes to 31 days."), field="poll")
    return PollSpec(options, spec.expires_in, spec.multiple, spec.hide_totals)


def create(post: Post, spec: PollSpec) -> Poll:
    """Inside the transaction that saves the post; `spec` already cleaned."""
    return Poll.objects.create(
        post=post,
        options=spec.options,
        multiple=spec.multiple,
        hide_totals=spec.hide_totals,
        expires_at=timezone.now() + dt.timedelta(seconds=spec.expires_in),
    )


def vote(account: Any, *, poll_id: int, choices: list[int]) -> Poll:
    """One vote per account: one choice, or several in a multiple-choice poll. A poll on a post
    the voter may not see is answered as missing."""
    poll = Poll.objects.filter(id=poll_id).first()
    if poll is None:
        raise NotFound()
    access_post(account, poll.post_id)
    if poll.expired:
        raise Invalid(_("The poll has closed."))
    wanted = sorted(set(choices))
    if not wanted or any(c < 0 or c >= len(poll.options) for c in wanted):
        raise Invalid(_("Choose one of the poll's options."))
    if len(wanted) > 1 and not poll.multiple:
        raise Invalid(_("This poll takes one choice only."))
    ratelimit.write(account.id)
    try:
        with transaction.atomic():
            if PollVote.objects.filter(poll=poll, account=account).exists():
                raise Invalid(_("You have already voted in this poll."))
            PollVote.objects.bulk_create([PollVote(poll=poll, account=account, choice=c) for c in wanted])
            Poll.objects.filter(id=poll.id).update(
                voters_count=F("voters_count") + 1, votes_count=F("votes_count") + len(wanted)
            )
    except IntegrityError as exc:  # the same vote sent twice at once
        raise Invalid(_("You have already voted in this poll.")) from exc
    poll.refresh_from_db()
    return poll


def vote_on_post(account: Any, *, post_id: int, choices: list[int]) -> Poll:
    """A vote given by the post it is on (the web's form)."""
    access_post(account, post_id)
    poll_id = Poll.objects.filter(post_id=post_id).values_list("id", flat=True).first()
    if poll_id is None:
        raise NotFound()
    return vote(account, poll_id=poll_id, choices=choices)


@dataclass
class PollView:
    poll: Poll
    counts: list[int]
    own: list[int] = field(default_factory=list)

    @property
    def totals_shown(self) -> bool:
        return not self.poll.hide_totals or self.poll.expired

    @property
    def rows(self) -> list[tuple[int, str, int, int, bool]]:
        """(number, option, votes, share of voters in percent, chosen by the viewer)."""
        voters = max(1, self.poll.voters_count)
        return [
            (i, title, count, round(100 * count / voters), i in self.own)
            for i, (title, count) in enumerate(zip(self.poll.options, self.counts, strict=True))
        ]


def views_for(viewer: Any, post_ids: list[int]) -> dict[int, PollView]:
    """The polls of these posts (already checked by the caller), counted from the votes, with
    the viewer's own choices: three queries whatever the page size."""
    polls = list(Poll.objects.filter(post_id__in=post_ids))
    if not polls:
        return {}
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = PollVote.objects.filter(poll__in=polls).values("poll_id", "choice").annotate(n=Count("id"))
    for row in rows:
        counts[row["poll_id"]][row["choice"]] = row["n"]
    own: dict[int, list[int]] = defaultdict(list)
    if getattr(viewer, "is_authenticated", False):
        for poll_id, choice in PollVote.objects.filter(poll__in=polls, account_id=viewer.id).values_list(
            "poll_id", "choice"
        ):
            own[poll_id].append(choice)
    return {
        p.post_id: PollView(p, [counts[p.id].get(i, 0) for i in range(len(p.options))], sorted(own[p.id]))
        for p in polls
    }
