from __future__ import annotations

from django.db import models

from tidings.core.ids import next_id


class SnowflakeModel(models.Model):
    """Base of every row that is paged or sent to clients: a time-ordered 64-bit id."""

    id = models.BigIntegerField(primary_key=True, default=next_id, editable=False)

    class Meta:
        abstract = True


class StreamEvent(models.Model):
    """The embedded pub/sub: one row per live event on one channel (core.pubsub), read by the open
    event streams (any process) and purged after an hour. Redis Streams replace it at scale.
    The id is SQLite's own counter, given under the write lock: a stream reading "after id N"
    can never miss a row that commits later with a smaller id."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)
    account_id = models.BigIntegerField()
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["account_id", "id"])]


class RateCounter(models.Model):
    """Fixed-window counters for rate limits when no Redis is configured."""

    key = models.CharField(max_length=200)
    bucket = models.BigIntegerField()
    count = models.IntegerField(default=0)
    expires = models.BigIntegerField(default=0)  # Unix time the window ends: purged after

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="ratecounter_key_bucket")]


class Job(models.Model):
    """The subscribers' work for one committed event (see core.events), written in the event's
    own transaction and deleted once its subscribers have run. The task queue pops a message before
    running it, so a worker killed mid-task (or a web process killed between its commit and the
    enqueue) would lose the work: this row is what is left, and a sweep queues it again once its
    lease has run out. Subscribers are idempotent, so running one twice changes nothing more."""

    id = models.BigAutoField(primary_key=True)
    event = models.CharField(max_length=100)
    # The subscribers still to run, "module.function": all of them, then those that failed.
    subscribers = models.JSONField(default=list)
    args = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # Until when the job is left to the worker that took it (or to the queue, before any did).
    lease_until = models.DateTimeField()
    attempts = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["lease_until"])]


class Mail(models.Model):
    """A mail to send, written in the transaction that asked for it and deleted once the mail
    server took it: a worker killed before or while sending leaves it here for the next try."""

    id = models.BigAutoField(primary_key=True)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When it may be tried (again): a worker that takes it moves this on by a lease first.
    next_try_at = models.DateTimeField()
    attempts = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["next_try_at"])]
