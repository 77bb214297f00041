"""Activities an account runs with its followers or colleagues. Each stands on a post that
announces it: the post's audience (public, an organisation's space, a group) is the activity's
audience, and its page is read through the same audience check as the post."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tidings.core.models import SnowflakeModel


class Activity(SnowflakeModel):
    class Kind(models.TextChoices):
        QUIZ = "quiz", _("Prize quiz")
        LOTTERY = "lottery", _("Lottery")
        DONATION = "donation", _("Donation campaign")
        SURVEY = "survey", _("Satisfaction survey")
        LIVE = "live", _("Live broadcast")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, related_name="activity")
    title = models.CharField(max_length=100)
    # The person who set it up, when a member of staff did it as the account.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["host", "-id"])]

    @property
    def closed(self) -> bool:
        return timezone.now() >= self.closes_at


class Drawn(models.Model):
    """A verifiable draw. The server makes a secret seed when the activity is created and
    publishes only its SHA-256 (the commitment); nobody, staff included, sees the seed before the
    entries close. The draw stores the entrants, then reveals the seed, so anyone can recompute
    the winners (activities.draws.winners)."""

    prizes = models.PositiveIntegerField()
    prize = models.CharField(max_length=100, blank=True)  # what the winners get, in words
    exclude_staff = models.BooleanField(default=True)
    min_account_days = models.PositiveIntegerField(default=0)
    seed = models.CharField(max_length=64)
    commitment = models.CharField(max_length=64)
    drawn_at = models.DateTimeField(null=True, blank=True)
    winners = models.JSONField(default=list)  # account ids, in the order drawn

    class Meta:
        abstract = True


class Quiz(Activity, Drawn):
    """A question with one right answer; winners are drawn among those who answered right."""

    options = models.JSONField(default=list)
    answer = models.PositiveSmallIntegerField()


class QuizEntry(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="entries")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quiz", "account"], name="quizentry_unique")]


class Lottery(Activity, Drawn):
    """A draw among those who reposted or commented on its post, or followed its host, between
    the post and the close."""

    by_repost = models.BooleanField(default=True)
    by_comment = models.BooleanField(default=False)
    by_follow = models.BooleanField(default=False)
    # Weibo's usual rule: whatever else they did, entrants must follow the host when it is drawn.
    must_follow = models.BooleanField(default=False)


class Entrant(models.Model):
    """Who took part in a draw, stored when it was drawn: the list the winners are recomputed
    from. `eligible` is false for those the filters left out (staff, new accounts)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="entrants")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    eligible = models.BooleanField(default=True)
    reason = models.CharField(max_length=20, blank=True)  # "staff", "new", "wrong" (a quiz answer)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "account"], name="entrant_unique")]


class Campaign(Activity):
    """A donation campaign: a goal, and pledges the organiser confirms when the gift arrives
    (Tidings handles no payment)."""

    goal = models.PositiveBigIntegerField()
    unit = models.CharField(max_length=12)  # 元, NT$, 件 ...


class Pledge(SnowflakeModel):
    class Status(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pledges")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    amount = models.PositiveBigIntegerField()
    # Shown on the donor wall without a name; the organiser still sees who, to confirm it.
    anonymous = models.BooleanField(default=False)
    note = models.CharField(max_length=140, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLEDGED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "account"], name="pledge_unique")]


class Survey(Activity):
    """Questions (a 1-5 rating, a choice, or free text) sent to the account's followers, to the
    organisation's employees, or to one case's customer; anonymous or not."""

    questions = models.JSONField(default=list)  # [{"kind", "text", "options"}]
    anonymous = models.BooleanField(default=False)
    case = models.ForeignKey("ops.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


class Response(SnowflakeModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Empty for an anonymous survey: one answer per person is kept by `respondent`, a keyed
    # hash of the survey and the person that tells nobody who answered.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    respondent = models.CharField(max_length=64)
    answers = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "respondent"], name="response_unique")]


class Idea(SnowflakeModel):
    """A fan's product idea on an official account's board; the company answers in public and
    marks where it stands."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("idea", "Open")
        REVIEW = "review", _("Under review")
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    board = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=80)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    votes_count = models.IntegerField(default=0)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["board", "-votes_count", "-id"]),
            models.Index(fields=["board", "-id"]),
        ]


class IdeaVote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "account"], name="ideavote_unique")]


class Live(Activity):
    """A live broadcast: running until the host ends it (closes_at is its planned end)."""

    ended_at = models.DateTimeField(null=True, blank=True)


class Highlight(models.Model):
    """An update or comment of a broadcast that its host pinned."""

    live = models.ForeignKey(Live, on_delete=models.CASCADE, related_name="highlights")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["live", "post"], name="highlight_unique")]
