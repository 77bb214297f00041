from __future__ import annotations

from django.db import models


class TimelineEntry(models.Model):
    """The embedded timeline store: one row per post in one person's home timeline. A cache,
    rebuilt from posts and follows when missing, so it holds plain ids and no foreign keys."""

    owner_id = models.BigIntegerField()
    post_id = models.BigIntegerField()
    author_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner_id", "post_id"], name="timeline_owner_post")]
        indexes = [models.Index(fields=["post_id"]), models.Index(fields=["owner_id", "author_id"])]
