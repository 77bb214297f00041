from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Organisation(SnowflakeModel):
    """A company: a public brand page and a closed internal space for its people."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    about = models.TextField(blank=True)
    logo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Settings an admin may change.
    post_max_length = models.IntegerField(default=140)
    members_may_create_groups = models.BooleanField(default=True)
    require_two_factor = models.BooleanField(default=False)
    # Where a post from an API client that names no audience goes: "public" or "org".
    client_audience = models.CharField(max_length=8, default="public")

    def __str__(self) -> str:
        return self.name


class Domain(models.Model):
    """An email domain of the organisation; a verified one lets its people join by work email."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)
    verified = models.BooleanField(default=False)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")
        GUEST = "guest", _("Guest")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    # A removed or deactivated member keeps the row (and their posts) but loses all access.
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "account"], name="membership_unique")]
        indexes = [models.Index(fields=["account", "is_active"])]

    @property
    def is_staff(self) -> bool:
        """Owners and admins run the organisation."""
        return self.is_active and self.role in (self.Role.OWNER, self.Role.ADMIN)

    @property
    def is_insider(self) -> bool:
        """Employees: they see the internal space (guests see only their groups)."""
        return self.is_active and self.role != self.Role.GUEST


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """The audit log is append-only: no bulk update or delete through the ORM either."""

    def update(self, **kwargs: object) -> int:
        raise ValueError("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("audit entries cannot be deleted")


class AuditEntry(SnowflakeModel):
    """What an admin did, by whom, when and from where. Written once, never changed."""

    objects = AuditQuerySet.as_manager()

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict)
    address = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("audit entries cannot be changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Invitation(SnowflakeModel):
    """A link that lets one person join with a role until it expires. Only the token's hash is
    kept, so a leaked database cannot be used to join."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=8, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField(null=True, blank=True)


class PolicyRule(models.Model):
    """Leak prevention: words or patterns that stop a post of the organisation's people from
    going out (block), or hold it for an admin's review (hold). Internal posts are not checked:
    they stay inside anyway."""

    class Action(models.TextChoices):
        BLOCK = "block", _("Block the post")
        HOLD = "hold", _("Hold it for review")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="policy_rules")
    pattern = models.CharField(max_length=200)
    is_regex = models.BooleanField(default=False)

    class AppliesTo(models.TextChoices):
        EVERYONE = "everyone", _("Everyone's posts")
        EXECUTIVES = "executives", _("Executives' posts")

    action = models.CharField(max_length=8, choices=Action.choices, default=Action.BLOCK)
    # A rule may watch only what executives say in public: company business, reviewed first.
    applies_to = models.CharField(max_length=10, choices=AppliesTo.choices, default=AppliesTo.EVERYONE)
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)


class HeldPost(models.Model):
    """A post held by a rule until an admin of the organisation lets it out or turns it down."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("posts.Post", on_delete=models.CASCADE, related_name="holds")
    rule = models.ForeignKey(PolicyRule, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "post"], name="held_once_per_org")]


class JoinRequest(models.Model):
    """Someone asking an organisation's admins to let them in."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="join_requests")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "account"], name="joinrequest_unique")]
