"""Writing tasks. Only active members of a group the Tasks app is on for may make or change its
tasks, and only its members may be assigned. Each change the group should hear of (a new task,
new assignees, finished or reopened) is posted in the group's feed by the person who made it,
so stock clients read it in the group's list too; assignees are mentioned, which notifies them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.audience import access_post
from tidings.core.errors import Forbidden, Invalid
from tidings.core.text import post_length
from tidings.extensions import selectors
from tidings.extensions.taskboard.models import Task
from tidings.groups.models import Group, GroupMember
from tidings.groups.selectors import is_manager

KEY = "tasks"
MOST_ASSIGNEES = 10


def app_on_for(group: Group) -> bool:
    return selectors.on_for_group(KEY, group)


def board_group(person: Any, group_id: Any) -> Group:
    """A group whose board the person may use: an active member, with the app on for it."""
    return selectors.member_group(person, KEY, group_id)


def task_for(person: Any, task_id: Any) -> Task:
    return selectors.in_member_group(Task.objects.all(), person, KEY, task_id)


def _title(raw: Any) -> str:
    title = " ".join(str(raw or "").split())
    if not title:
        raise Invalid(_("A task needs a title."), field="title")
    if len(title) > 60:
        raise Invalid(_("A task's title is at most 60 characters."), field="title")
    return title


def _notes(raw: Any) -> str:
    notes = str(raw or "").strip()
    if len(notes) > 1000:
        raise Invalid(_("A task's notes are at most 1000 characters."), field="notes")
    return notes


def _due(raw: Any) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        day = raw
    else:
        try:
            day = dt.date.fromisoformat(str(raw)[:10])
        except ValueError:
            raise Invalid(_("A due date looks like 2026-12-31."), field="due_on") from None
    if day < timezone.localdate():
        raise Invalid(_("The due date has already passed."), field="due_on")
    return day


def _assignees(group: Group, raw: Any) -> list[Account]:
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    handles = list(dict.fromkeys(str(h).strip().lstrip("@") for h in (raw or []) if str(h).strip()))
    if len(handles) > MOST_ASSIGNEES:
        raise Invalid(_("A task has at most 10 people."), field="assignees")
    found = {a.handle: a for a in Account.objects.filter(handle__in=handles, is_active=True)}
    members = set(
        GroupMember.objects.filter(
            group=group, state=GroupMember.State.ACTIVE, account_id__in=[a.id for a in found.values()]
        ).values_list("account_id", flat=True)
    )
    for handle in handles:
        if handle not in found or found[handle].id not in members:
            raise Invalid(
                _("@%(handle)s is not a member of this group.") % {"handle": handle}, field="assignees"
            )
    return [found[h] for h in handles]


def _source(person: Any, group: Group, post_id: Any) -> Any:
    """The post a task is made from, if the person may see it and it may be quoted in the group:
    a public post, or one of the group's own space."""
    if post_id in (None, ""):
        return None
    post = access_post(person, post_id)
    if post.audience == "public" or post.group_id == group.id:
        return post
    if post.audience == "org" and post.organisation_id == group.organisation_id and group.kind != "cross":
        return post
    raise Invalid(_("This post cannot leave its space: make the task in a group of the same space."))


def _announce(person: Account, task: Task, headline: str, *, mention: list[Account] | None = None) -> None:
    """Tell the group's feed, with the task's card under the post."""
    from tidings.posts import services as posts

    path = f"/apps/tasks/{task.id}/"
    url = f"{settings.SITE_URL}{path}"
    with translation.override(person.language or settings.LANGUAGE_CODE):
        parts = [f"{headline}:{task.title}"]
        if mention:
            parts.append(" ".join(f"@{a.handle}" for a in mention))
        if task.due_on:
            parts.append(gettext("due %(day)s") % {"day": task.due_on.isoformat()})
        text = " · ".join(parts) + " " + url
        if post_length(text) > settings.POST_MAX_LENGTH:  # a long title with many people
            text = f"{headline}:{task.title} {url}"
        lines = [(gettext("Status"), str(task.get_status_display()))]
        people = " ".join(f"@{a.handle}" for a in task.assignees.all())
        if people:
            lines.append((gettext("Assignees"), people))
        if task.due_on:
            lines.append((gettext("Due"), task.due_on.isoformat()))
        post = posts.publish(person, text=text, audience="group", group_id=task.group_id)
        posts.attach_card(post, app=KEY, icon="✅", title=task.title, lines=lines, path=path)


@transaction.atomic
def create(
    person: Account,
    *,
    group_id: Any,
    title: Any,
    notes: Any = "",
    assignees: Any = (),
    due_on: Any = None,
    source_id: Any = None,
) -> Task:
    group = board_group(person, group_id)
    cleaned = {"title": _title(title), "notes": _notes(notes), "due_on": _due(due_on)}
    people = _assignees(group, assignees)
    source = _source(person, group, source_id)
    task = Task.objects.create(
        organisation_id=group.organisation_id, group=group, source=source, created_by=person, **cleaned
    )
    task.assignees.set(people)
    with translation.override(person.language or settings.LANGUAGE_CODE):
        headline = gettext("📋 New task")
    _announce(person, task, headline, mention=people)
    return task


@transaction.atomic
def update(person: Account, task_id: Any, **changes: Any) -> Task:
    """Change a task's title, notes, due date, status or people; unknown fields are refused."""
    task = task_for(person, task_id)
    unknown = set(changes) - {"title", "notes", "due_on", "status", "assignees"}
    if unknown:
        raise Invalid(_("A task has no field %(field)s.") % {"field": sorted(unknown)[0]})
    fields: list[str] = []
    if "title" in changes:
        task.title = _title(changes["title"])
        fields.append("title")
    if "notes" in changes:
        task.notes = _notes(changes["notes"])
        fields.append("notes")
    if "due_on" in changes:
        due = changes["due_on"]
        task.due_on = (
            None if due in (None, "") else (task.due_on if str(due) == str(task.due_on) else _due(due))
        )
        task.reminded_on = None
        fields += ["due_on", "reminded_on"]
    before = task.status
    if "status" in changes:
        if changes["status"] not in Task.Status.values:
            raise Invalid(_("A task is to do, doing or done."), field="status")
        task.status = changes["status"]
        task.done_at = timezone.now() if task.status == Task.Status.DONE else None
        fields += ["status", "done_at"]
    new_people: list[Account] = []
    if "assignees" in changes:
        people = _assignees(task.group, changes["assignees"])
        current = set(task.assignees.values_list("id", flat=True))
        new_people = [a for a in people if a.id not in current]
        task.assignees.set(people)
    task.save(update_fields=[*fields, "updated_at"])
    with translation.override(person.language or settings.LANGUAGE_CODE):
        if before != Task.Status.DONE and task.status == Task.Status.DONE:
            _announce(person, task, gettext("✅ Done"))
        elif before == Task.Status.DONE and task.status != Task.Status.DONE:
            _announce(person, task, gettext("↩ Reopened"))
        if new_people:
            _announce(person, task, gettext("👤 Assigned"), mention=new_people)
    return task


@transaction.atomic
def delete(person: Account, task_id: Any) -> None:
    task = task_for(person, task_id)
    if task.created_by_id != person.id and not is_manager(task.group, person):
        raise Forbidden(_("Only whoever made the task or the group's managers may delete it."))
    task.delete()


def remind_due(today: dt.date) -> int:
    """Tell each assignee of an open task due today or tomorrow, once per due date."""
    from tidings.notifications.models import Notification
    from tidings.notifications.services import notify

    told = 0
    due = Task.objects.filter(due_on__lte=today + dt.timedelta(days=1), reminded_on__isnull=True).exclude(
        status=Task.Status.DONE
    )
    for task in due.prefetch_related("assignees"):
        if not app_on_for(task.group):
            continue
        with transaction.atomic():
            if not Task.objects.filter(id=task.id, reminded_on__isnull=True).update(reminded_on=today):
                continue  # another worker took it
            for person in task.assignees.all():
                made = notify(
                    recipient_id=person.id,
                    kind=Notification.Kind.TASK,
                    actor_id=task.created_by_id or person.id,
                    link=f"/apps/tasks/{task.id}/#due-{task.due_on}",
                    own=True,
                )
                told += made is not None
    return told
