"""Figures counted by the worker from events, one row per thing and day, so an analytics page
reads a few dozen rows instead of scanning posts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Daily(models.Model):
    """One figure of an official account, an organisation or a group on one day (the site's
    time zone). Metrics: posts, reposts, comments, likes, reach, gained, lost (followers), and
    engaged_h00 .. engaged_h23 (reposts, comments and likes by the hour they came)."""

    class Scope(models.TextChoices):
        ACCOUNT = "a"
        ORGANISATION = "o"
        GROUP = "g"

    scope = models.CharField(max_length=1, choices=Scope.choices)
    subject = models.BigIntegerField()
    day = models.DateField()
    metric = models.CharField(max_length=16)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "subject", "metric", "day"], name="daily_unique"),
        ]


class Counted(models.Model):
    """An event already counted, so a task that runs twice counts once; kept for 60 days."""

    key = models.CharField(max_length=100, unique=True)
    day = models.DateField(db_index=True)


class ActiveMember(models.Model):
    """Someone who posted inside their organisation on a day (active members are counted from
    these rows)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day", "account"], name="activemember_unique")
        ]


class Origin(models.Model):
    """Where an official account's followers come from, as the worker last found it: the
    organisations they work for and the topics they write about."""

    class Kind(models.TextChoices):
        ORGANISATION = "org"
        TOPIC = "topic"

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    label = models.CharField(max_length=200)
    count = models.IntegerField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["account", "kind", "-count"])]
