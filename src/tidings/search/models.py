"""The search index's bookkeeping and the saved monitors.

The full-text index itself is not a Django model: it is an FTS5 table on SQLite (`search_fts`)
and a tsvector table on PostgreSQL (`search_document`), made by migration 0001 and written by
`search.index`. Both are keyed by post id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Pending(models.Model):
    """A post to (re)index or drop from the index, written in the same transaction as the post:
    what the worker has not done yet survives a restart and is caught up."""

    post_id = models.BigIntegerField(primary_key=True)
    queued_at = models.DateTimeField(default=timezone.now)


class NameEntry(models.Model):
    """The folded names of people, organisations and groups, for finding them by any part."""

    class Kind(models.TextChoices):
        ACCOUNT = "account"
        ORGANISATION = "org"
        GROUP = "group"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.BigIntegerField()
    key = models.CharField(max_length=400)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="name_entry_unique")]


class Monitor(SnowflakeModel):
    """A saved search an official account keeps running: what is said about the brand."""

    class Source(models.TextChoices):
        PUBLIC = "public", _("Public posts")
        SPACE = "space", _("Our internal space")
        BOTH = "both", _("Public posts and our internal space")

    class Digest(models.TextChoices):
        NONE = "", _("No email")
        HOURLY = "hourly", _("Hourly email")
        DAILY = "daily", _("Daily email")

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="monitors")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=200)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PUBLIC)
    languages = models.CharField(max_length=60, blank=True)  # "zh,en"; empty: any
    notify = models.BooleanField(default=True)
    digest = models.CharField(max_length=8, choices=Digest.choices, blank=True, default="")
    webhook_url = models.URLField(max_length=400, blank=True)
    webhook_secret = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    digest_sent_at = models.DateTimeField(default=timezone.now)
    hits_count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class MonitorHit(SnowflakeModel):
    """A post a monitor caught, with what the worker read in it."""

    class Sentiment(models.IntegerChoices):
        NEGATIVE = -1, _("Negative")
        NEUTRAL = 0, _("Neutral")
        POSITIVE = 1, _("Positive")

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="hits")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sentiment = models.SmallIntegerField(choices=Sentiment.choices, default=0)
    # A negative post by an author with many followers: the brand's early warning.
    flagged = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "post"], name="monitor_hit_unique")]
        indexes = [
            models.Index(fields=["monitor", "-id"]),
            models.Index(fields=["monitor", "flagged", "-id"]),
        ]
