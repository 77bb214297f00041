from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Notification(SnowflakeModel):
    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        COMMENT = "comment", _("Comment")
        REPOST = "repost", _("Repost")
        LIKE = "like", _("Like")
        FOLLOW = "follow", _("Follow")
        GROUP_POST = "group_post", _("New post in a group")
        MONITOR = "monitor", _("Caught by a monitor")
        CASE = "case", _("A case needs you")
        WON = "won", _("You won a draw")
        IDEA = "idea", _("An idea you backed moved")
        TASK = "task", _("A task of yours is due")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("posts.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # One notification per (kind, actor, post): handlers that run twice create nothing more.
    dedupe_key = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Where to go, for a notification about something that is not a post (a desk's case).
    link = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_dedupe")
        ]
        indexes = [models.Index(fields=["recipient", "-id"])]


class Conversation(SnowflakeModel):
    """私信: direct messages between two people; `low` holds the smaller account id. The messages
    are posts of the direct audience (`Post.conversation`), so the API, likes and the audience
    check treat them like any post."""

    low = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_message_id = models.BigIntegerField(default=0)
    low_read_id = models.BigIntegerField(default=0)
    high_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["low", "high"], name="conversation_pair")]
        indexes = [
            models.Index(fields=["low", "-last_message_id"]),
            models.Index(fields=["high", "-last_message_id"]),
        ]

    def other(self, account_id: int) -> int:
        return self.high_id if account_id == self.low_id else self.low_id


class Marker(models.Model):
    """Where a person stopped reading a timeline (home, notifications), shared by their clients."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    timeline = models.CharField(max_length=16)
    last_read_id = models.BigIntegerField(default=0)
    version = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "timeline"], name="marker_unique")]
