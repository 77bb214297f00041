from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tidings.core.models import SnowflakeModel


class Task(SnowflakeModel):
    """A task on a group's board: the organisation is its tenant key, the group who sees it."""

    class Status(models.TextChoices):
        TO_DO = "todo", _("To do")
        DOING = "doing", _("Doing")
        DONE = "done", _("Done")

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=60)
    notes = models.TextField(blank=True)
    # The post or comment it was made from; the task stays if the post goes.
    source = models.ForeignKey(
        "posts.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.TO_DO)
    due_on = models.DateField(null=True, blank=True)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["group", "status", "-id"], name="task_board"),
            models.Index(fields=["status", "due_on"], name="task_due"),
        ]
