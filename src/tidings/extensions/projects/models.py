from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Project(SnowflakeModel):
    """A team's project: its group's members see and write it; the organisation is its tenant key."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)


class Update(SnowflakeModel):
    """A typed update, posted in the group's feed as well (its `post`)."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status")
        PROBLEM = "problem", _("Problem")
        SOLUTION = "solution", _("Proposed solution")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=100)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("posts.Post", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A proposal answers one problem.
    problem = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="proposals"
    )
    # A problem, once solved: the proposal that solved it, when, and who said so.
    solved_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="solved"
    )
    solved_at = models.DateTimeField(null=True, blank=True)
    solved_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["project", "-id"], name="update_project")]


class Digest(SnowflakeModel):
    """One week of a project, summed up by the worker: made once per project and week."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="digests")
    week = models.DateField()  # the Monday it starts
    moved = models.JSONField(default=list)  # status updates: [{"author", "text", "id"}]
    stuck = models.JSONField(default=list)  # problems still open: [{"author", "text", "id", "days"}]
    proposed = models.JSONField(default=list)  # [{"author", "count", "texts"}]
    post = models.ForeignKey("posts.Post", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "week"], name="one_digest_a_week")]
