from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Group(SnowflakeModel):
    class Kind(models.TextChoices):
        OPEN = "open", _("Open: every employee may join")
        PRIVATE = "private", _("Private: joining needs approval")
        CROSS = "cross", _("Cross-company: invited guests from partners and suppliers")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    members_count = models.IntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        MEMBER = "member", _("Member")

    class State(models.TextChoices):
        ACTIVE = "active", _("Member")
        PENDING = "pending", _("Waiting for approval")

    class Notify(models.TextChoices):
        ALL = "all", _("Every post")
        MENTIONS = "mentions", _("Only mentions")
        NONE = "none", _("Nothing")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    notify = models.CharField(max_length=8, choices=Notify.choices, default=Notify.MENTIONS)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "account"], name="groupmember_unique")]
        indexes = [models.Index(fields=["account", "state"])]


class PinnedPost(models.Model):
    """A post pinned at the top of a group's feed or the organisation's internal timeline."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="+")
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "post"], name="pinned_unique")]
