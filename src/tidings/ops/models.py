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


class Desk(models.Model):
    """An official account's working settings."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="desk"
    )
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    time_zone = models.CharField(max_length=64, default="Asia/Taipei")
    # How many people other than the writer approve a post before it goes out (0: none).
    approvals_required = models.PositiveSmallIntegerField(default=0)


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
