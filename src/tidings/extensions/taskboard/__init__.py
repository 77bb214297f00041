"""Tasks, a built-in app: turn a post or a comment into a task of a group, assign it to members,
give it a due date and a status; each group has a board, each person a "my tasks" page; the
group's feed hears of new, reassigned and finished tasks, and assignees are reminded before the
due day."""

from django.utils.translation import gettext_lazy as _

from tidings.extensions.manifest import Manifest, Place
from tidings.extensions.registry import App

APP = App(
    manifest=Manifest(
        key="tasks",
        name=_("Tasks"),
        description=_("Turn posts into tasks with people, due dates and a board per group."),
        icon="✅",
        scopes=("read:statuses", "write:statuses", "read:lists"),
        places=(
            Place(kind="nav", label=_("My tasks")),
            Place(kind="post_action", label=_("Make a task"), path="new/"),
            Place(kind="group_panel", label=_("Task board"), path="board/"),
            Place(kind="feed_card", label=_("Task card")),
        ),
        targets=("organisation", "group"),
    ),
    urls="tidings.extensions.taskboard.urls",
)
