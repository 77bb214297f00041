"""Official accounts at work: who may act as each account and in which role, the account's own
settings (category, time zone, approvals), what was done as it and by whom, and drafts on their
way to publication."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Role(models.TextChoices):
    MANAGER = "manager", _("Manager")
    EDITOR = "editor", _("Editor")
    RESPONDER = "responder", _("Responder")
    ANALYST = "analyst", _("Analyst")


class Category(SnowflakeModel):
    """A kind of official account an organisation names for itself (brand, support, outlet ...)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=30)
    key = models.CharField(max_length=120)  # folded: 客服 and 客服 with other widths are one

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="category_unique")]


class Level(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    SECONDARY = "secondary", _("Secondary")
    GENERAL = "general", _("General")


# Minutes to the first response and to resolution, per level, unless the account sets its own.
SERVICE_LEVELS = {"critical": [15, 240], "secondary": [60, 1440], "general": [240, 4320]}


def default_service_levels() -> dict[str, list[int]]:
    return {k: list(v) for k, v in SERVICE_LEVELS.items()}


class Desk(models.Model):
    """An official account's working settings."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="desk"
    )
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    time_zone = models.CharField(max_length=64, default="Asia/Taipei")
    # How many people other than the writer approve a post before it goes out (0: none).
    approvals_required = models.PositiveSmallIntegerField(default=0)
    # The response desk: the public acknowledgement of a secondary case, and the service levels.
    ack_text = models.CharField(max_length=200, blank=True)
    service_levels = models.JSONField(default=default_service_levels)


class Grant(models.Model):
    """A person may act as an official account in a role."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="granted")
    role = models.CharField(max_length=10, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "person"], name="grant_unique")]


VERBS = {
    "compose": _("posted"),
    "post": _("posted"),
    "comment": _("commented"),
    "repost": _("reposted"),
    "edit": _("edited a post"),
    "delete": _("deleted a post"),
    "like": _("liked"),
    "unlike": _("took back a like"),
    "favourite": _("saved a post"),
    "unfavourite": _("unsaved a post"),
    "vote": _("voted"),
    "conversation": _("sent a message"),
    "notifications_read": _("read the notifications"),
    "follow": _("followed"),
    "unfollow": _("unfollowed"),
    "mute": _("muted"),
    "unmute": _("unmuted"),
    "block": _("blocked"),
    "unblock": _("unblocked"),
    "activity": _("started an activity"),
    "draw": _("drew the winners"),
    "idea": _("answered an idea"),
}


class Deed(SnowflakeModel):
    """One thing a person did as an official account: what, on which object, when."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=24)
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "id"])]

    @property
    def verb_label(self) -> str:
        return str(VERBS.get(self.verb, self.verb))


class Draft(SnowflakeModel):
    """A post of an official account on its way out: written, reviewed, scheduled, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    audience = models.CharField(max_length=12, default="public")
    publish_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approvals_required = models.PositiveSmallIntegerField(default=0)
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["account", "status", "publish_at"]),
            models.Index(fields=["status", "publish_at"]),
        ]


class Review(SnowflakeModel):
    """A reviewer's word on a draft: approve, send back, or just a comment."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Sent back")
        COMMENT = "comment", _("Commented")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.CharField(max_length=500, blank=True)
    # An approval counts for the text it saw: editing the draft starts the approvals again.
    current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)


# --- the response desk -------------------------------------------------------------------------


class DeskRule(models.Model):
    """A triage rule of an account: words, a negative tone or a widely followed author suggest a
    level, and may name who is responsible."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    words = models.CharField(max_length=500, blank=True)  # separated by spaces or commas
    negative = models.BooleanField(default=False)
    min_followers = models.PositiveIntegerField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class EscalationStep(models.Model):
    """The escalation list: who takes a case over when its service level is breached, in order."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "position"], name="escalation_position")]


class Shift(SnowflakeModel):
    """Who is on duty for an account, from when to when, and the note they hand over."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    handover = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "starts_at"])]


class Case(SnowflakeModel):
    """What the public said to an official account, threaded by conversation, and its handling."""

    class State(models.TextChoices):
        NEW = "new", _("New")
        PROGRESS = "progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The conversation: "post:<root id>", "post:<root id>:<person id>" (one person's exchange
    # under the account's own post) or "dm:<conversation id>".
    thread = models.CharField(max_length=60)
    root = models.ForeignKey("posts.Post", null=True, on_delete=models.SET_NULL, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    suggested_level = models.CharField(max_length=10, choices=Level.choices)
    level_reason = models.CharField(max_length=200, blank=True)
    level_confirmed = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    response_due = models.DateTimeField()
    resolution_due = models.DateTimeField()
    escalations = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One open case per conversation: what comes later joins it.
            models.UniqueConstraint(
                fields=["account", "thread"], condition=~models.Q(state="resolved"), name="case_open_thread"
            )
        ]
        indexes = [
            models.Index(fields=["account", "state", "id"]),
            models.Index(fields=["next_escalation_at"]),
            models.Index(fields=["customer", "account"]),
        ]

    def response_breached(self, now: object = None) -> bool:
        at = self.first_response_at or now or timezone.now()
        return bool(at > self.response_due)  # type: ignore[operator]

    def resolution_breached(self, now: object = None) -> bool:
        at = self.resolved_at or now or timezone.now()
        return bool(at > self.resolution_due)  # type: ignore[operator]


class CaseEvent(SnowflakeModel):
    """One step of a case: a message that came in, an answer that went out, a change of hands."""

    class Kind(models.TextChoices):
        INCOMING = "incoming", _("Came in")
        RESPONSE = "response", _("Answered")
        ACK = "ack", _("Acknowledged")
        PROGRESS = "progress", _("Progress update")
        NOTE = "note", _("Note")
        LEVEL = "level", _("Level set")
        ASSIGN = "assign", _("Assigned")
        ESCALATE = "escalate", _("Escalated")
        RESOLVE = "resolve", _("Resolved")
        REOPEN = "reopen", _("Reopened")
        SURVEY = "survey", _("Asked for a rating")
        RATING = "rating", _("Rated")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey("posts.Post", null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "post"], condition=models.Q(kind="incoming"), name="caseevent_incoming_once"
            )
        ]


class Answer(SnowflakeModel):
    """A ready answer of the Q&A library: shared by the organisation's accounts, or one
    account's own. Public ones make the account's FAQ page. The organisation's one "not within
    this account's remit" answer is kept here too, worded by its admins."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answer")
        REMIT = "remit", _("Not within remit")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ANSWER)
    title = models.CharField(max_length=80)
    body = models.CharField(max_length=1000)
    tags = models.CharField(max_length=200, blank=True)
    public = models.BooleanField(default=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "kind"])]


class Suggestion(SnowflakeModel):
    """An official account's post suggested to its company's employees to share in public from
    their own accounts, if they wish."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "post"], name="suggestion_once")]
