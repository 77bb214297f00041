"""Installed apps and outgoing webhooks. Every row carries its organisation (the tenant key), or
for a personal install the person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Installation(SnowflakeModel):
    """An app switched on for a whole organisation, for one of its groups, or by one person."""

    app = models.CharField(max_length=40)
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # What it was given when installed: the permissions its manifest asked for then.
    scopes = models.CharField(max_length=500, blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["app", "organisation"],
                condition=Q(group__isnull=True, account__isnull=True),
                name="one_install_per_company",
            ),
            models.UniqueConstraint(
                fields=["app", "group"], condition=Q(group__isnull=False), name="one_install_per_group"
            ),
            models.UniqueConstraint(
                fields=["app", "account"], condition=Q(account__isnull=False), name="one_install_per_person"
            ),
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(account__isnull=True))
                | (Q(account__isnull=False) & Q(organisation__isnull=True) & Q(group__isnull=True)),
                name="installed_for_a_company_a_group_or_a_person",
            ),
        ]


class Webhook(SnowflakeModel):
    """An address outside that hears of an organisation's events, signed with a shared secret."""

    class Event(models.TextChoices):
        POST = "post", _("Posts by the organisation's accounts and in its spaces")
        MENTION = "mention", _("Mentions of its official accounts")
        FOLLOW = "follow", _("New followers of its official accounts")
        CASE = "case", _("New cases on the response desk")
        ACTIVITY = "activity", _("Activities started and drawn")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=400)
    secret = models.CharField(max_length=64)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    # A webhook tells only what the person who made it may see, checked at each delivery.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Delivery(SnowflakeModel):
    """One event for one webhook: tried, and tried again with growing waits, until it is taken."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20)
    # What happened, as an event name and an object: one delivery per webhook, however many
    # times the event's handler runs.
    key = models.CharField(max_length=80)
    # The post it tells of, if any: checked again at each try, so a post deleted, held or hidden
    # since is not sent.
    post_id = models.BigIntegerField(null=True, blank=True)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField()
    last_status = models.PositiveSmallIntegerField(null=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["webhook", "key"], name="one_delivery_per_event")]
        indexes = [models.Index(fields=["state", "next_try_at"], name="delivery_due")]


class Bot(SnowflakeModel):
    """Another system's voice: an account of the organisation that posts only through its token,
    and only to one audience (the public, the organisation's space, or one group)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bot")
    audience = models.CharField(max_length=8)  # public | org | group
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The token is shown once; only its hash is kept.
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)


class MailAddress(SnowflakeModel):
    """An address that turns a mail into a post: one person's, to one audience (their public
    profile, their organisation's space, or one of their groups). The token in the address is the
    key, as with a chat tool's email-to-channel address."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=8)  # public | org | group
    organisation = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)


class ExternalApp(SnowflakeModel):
    """An app that runs elsewhere: registered by an organisation's admin from its manifest, it is
    an OAuth client that may be granted only the permissions the manifest asks for, and only by
    people it is installed for. Its places link to its own site."""

    key = models.CharField(max_length=40, unique=True)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    manifest = models.JSONField()
    website = models.CharField(max_length=300)
    client = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="external_app"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
