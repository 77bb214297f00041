"""`tidings org export`: everything an organisation owns, as JSON lines plus its media files.
It owns its record, settings, logo and domains, memberships, official accounts and their staff,
groups, its internal and group posts (with their comments, reposts, likes, edits and pictures),
its official accounts' posts, pins, leak-prevention rules, app installs, projects, tasks and audit
log; nothing of anyone else's. People are named by handle, and each person it names comes once
as a `person` record (with the email, so an import can tell the same person and they can reset
their password there): keep an export as safe as a backup. `tidings org import` reads it back
(orgs/importing.py), in this order: what a record refers to always comes before it."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tidings.accounts.models import Account
from tidings.core import storage
from tidings.extensions.models import Installation
from tidings.extensions.projects.models import Project, Update
from tidings.extensions.taskboard.models import Task
from tidings.groups.models import Group, GroupMember, PinnedPost
from tidings.ops.models import Grant
from tidings.orgs.models import AuditEntry, Domain, HeldPost, Membership, Organisation, PolicyRule
from tidings.posts.models import Audience, Like, Media, Post, PostEdit

VERSION = 1


def _at(value: Any) -> str | None:
    return value.isoformat() if value else None


def _ref(value: int | None) -> str | None:
    return str(value) if value else None


def _file(relative: str) -> dict[str, str] | None:
    """A media file as the export names it, with its checksum; None when it is gone from disk."""
    try:
        path = storage.path_of(relative)
    except ValueError:
        return None
    if not path.is_file():
        return None
    return {"path": f"media/{relative}", "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def _kept_posts(owned: Any) -> set[int]:
    """The owned posts that stand on their own: a comment or repost whose original is someone
    else's belongs to that person's conversation and is left out."""
    kept: set[int] = set()
    rows = owned.order_by("id").values_list("id", "kind", "root_id", "reply_to_id", "repost_of_id")
    for pid, kind, root, reply_to, repost_of in rows.iterator(chunk_size=2000):
        needed = (root, reply_to) if kind == Post.Kind.COMMENT else (repost_of,)
        if all(n is None or n in kept for n in needed):
            kept.add(pid)
    return kept


def _people(org: Organisation, kept: set[int], owned: Any) -> Iterator[dict[str, Any]]:
    """Everyone the export names, once, before anything names them."""
    ids: set[int] = set(Account.objects.filter(organisation=org).values_list("id", flat=True))
    ids |= set(Membership.objects.filter(organisation=org).values_list("account_id", flat=True))
    ids |= set(GroupMember.objects.filter(group__organisation=org).values_list("account_id", flat=True))
    ids |= set(Group.objects.filter(organisation=org).values_list("created_by_id", flat=True))
    grants = Grant.objects.filter(account__organisation=org)
    for field in ("person_id", "granted_by_id"):
        ids |= set(grants.values_list(field, flat=True))
    for pid, author in owned.values_list("id", "author_id").iterator(chunk_size=2000):
        if pid in kept:
            ids.add(author)
    for pid, account in Like.objects.filter(post__in=owned).values_list("post_id", "account_id"):
        if pid in kept:
            ids.add(account)
    for model, fields in (
        (PinnedPost, ("pinned_by_id",)),
        (PolicyRule, ("created_by_id",)),
        (Installation, ("installed_by_id",)),
        (Project, ("owner_id",)),
        (Update, ("author_id", "solved_marked_by_id")),
        (Task, ("created_by_id", "assignees")),
        (AuditEntry, ("actor_id",)),
    ):
        for field in fields:
            ids |= set(model.objects.filter(organisation=org).values_list(field, flat=True))
    ids.discard(None)
    for a in Account.objects.filter(id__in=ids).order_by("id"):
        yield {
            "type": "person",
            "handle": a.handle,
            "display_name": a.display_name,
            "email": a.email,
            "bio": a.bio,
            "kind": a.kind,
            "language": a.language,
            "active": a.is_active,
            "joined_at": a.date_joined.isoformat(),
        }


def _handle(account: Account | None) -> str | None:
    return account.handle if account is not None else None


def _rows(org: Organisation) -> Iterator[dict[str, Any]]:
    yield {"type": "export", "version": VERSION, "exported_at": timezone.now().isoformat()}
    yield {
        "type": "organisation",
        "id": str(org.id),
        "slug": org.slug,
        "name": org.name,
        "about": org.about,
        "logo": _file(org.logo) if org.logo else None,
        "created_at": org.created_at.isoformat(),
        "post_max_length": org.post_max_length,
        "members_may_create_groups": org.members_may_create_groups,
        "require_two_factor": org.require_two_factor,
        "client_audience": org.client_audience,
    }
    for d in Domain.objects.filter(organisation=org).order_by("domain"):
        yield {"type": "domain", "domain": d.domain, "verified": d.verified}
    officials = Account.objects.filter(organisation=org)
    owned = Post.objects.filter(
        Q(organisation=org) | Q(author__in=officials, organisation__isnull=True)
    ).exclude(
        audience=Audience.DIRECT  # a message belongs to its two people, not to the company
    )
    kept = _kept_posts(owned)
    yield from _people(org, kept, owned)
    for m in Membership.objects.filter(organisation=org).select_related("account").order_by("id"):
        yield {
            "type": "membership",
            "handle": m.account.handle,
            "role": m.role,
            "active": m.is_active,
            "joined_at": m.joined_at.isoformat(),
        }
    for a in officials.order_by("id"):
        yield {
            "type": "official_account",
            "id": str(a.id),
            "handle": a.handle,
            "display_name": a.display_name,
            "bio": a.bio,
            "kind": a.kind,
        }
    for grant in Grant.objects.filter(account__organisation=org).select_related(
        "account", "person", "granted_by"
    ):
        yield {
            "type": "grant",
            "account": grant.account.handle,
            "handle": grant.person.handle,
            "role": grant.role,
            "granted_by": _handle(grant.granted_by),
            "created_at": grant.created_at.isoformat(),
        }
    for g in Group.objects.filter(organisation=org).select_related("created_by").order_by("id"):
        yield {
            "type": "group",
            "id": str(g.id),
            "name": g.name,
            "kind": g.kind,
            "description": g.description,
            "created_by": _handle(g.created_by),
            "created_at": g.created_at.isoformat(),
        }
    for gm in GroupMember.objects.filter(group__organisation=org).select_related("account").order_by("id"):
        yield {
            "type": "group_member",
            "group": str(gm.group_id),
            "handle": gm.account.handle,
            "role": gm.role,
            "state": gm.state,
            "notify": gm.notify,
            "joined_at": gm.joined_at.isoformat(),
        }
    held = dict(HeldPost.objects.filter(organisation=org).values_list("post_id", "reason"))
    for p in owned.select_related("author").order_by("id").iterator(chunk_size=1000):
        if p.id not in kept:
            continue
        yield {
            "type": "post",
            "id": str(p.id),
            "kind": p.kind,
            "author": p.author.handle,
            "text": p.text,
            "audience": p.audience,
            "group": _ref(p.group_id),
            "root": _ref(p.root_id),
            "reply_to": _ref(p.reply_to_id),
            "repost_of": _ref(p.repost_of_id),
            # The repost it was made from, when that one is in the export too.
            "repost_parent": _ref(p.repost_parent_id) if p.repost_parent_id in kept else None,
            "accepted_answer": _ref(p.accepted_answer_id) if p.accepted_answer_id in kept else None,
            "flavour": p.flavour,
            "language": p.language,
            "held": p.held,
            "held_reason": held.get(p.id),
            "created_at": p.created_at.isoformat(),
            "edited_at": _at(p.edited_at),
        }
    for edit in PostEdit.objects.filter(post__in=owned).order_by("id"):
        if edit.post_id in kept:
            yield {
                "type": "post_edit",
                "post": str(edit.post_id),
                "text": edit.text,
                "at": _at(edit.created_at),
            }
    for like in Like.objects.filter(post__in=owned).select_related("account").order_by("id"):
        if like.post_id in kept:
            yield {
                "type": "like",
                "post": str(like.post_id),
                "handle": like.account.handle,
                "at": _at(like.created_at),
            }
    for media in Media.objects.filter(post__in=owned).select_related("owner").order_by("id"):
        picture, thumbnail = _file(media.file), _file(media.thumbnail)
        if media.post_id not in kept or picture is None or thumbnail is None:
            continue  # a picture whose files are gone from this server has nothing to move
        yield {
            "type": "media",
            "id": str(media.id),
            "post": str(media.post_id),
            "owner": media.owner.handle,
            "position": media.position,
            "file": picture,
            "thumbnail": thumbnail,
            "width": media.width,
            "height": media.height,
            "thumb_width": media.thumb_width,
            "thumb_height": media.thumb_height,
            "description": media.description,
        }
    yield from _extras(org, kept)
    for entry in AuditEntry.objects.filter(organisation=org).select_related("actor").order_by("id"):
        yield {
            "type": "audit",
            "action": entry.action,
            "actor": entry.actor.handle if entry.actor else None,
            "detail": entry.detail,
            "address": entry.address,
            "at": entry.created_at.isoformat(),
        }


def _extras(org: Organisation, kept: set[int]) -> Iterator[dict[str, Any]]:
    """Pins, rules, app installs, projects and tasks."""
    for pin in PinnedPost.objects.filter(organisation=org).select_related("pinned_by").order_by("id"):
        if pin.post_id in kept:
            yield {
                "type": "pinned_post",
                "group": _ref(pin.group_id),
                "post": str(pin.post_id),
                "pinned_by": _handle(pin.pinned_by),
                "at": _at(pin.created_at),
            }
    for rule in PolicyRule.objects.filter(organisation=org).select_related("created_by").order_by("id"):
        yield {
            "type": "policy_rule",
            "pattern": rule.pattern,
            "is_regex": rule.is_regex,
            "action": rule.action,
            "applies_to": rule.applies_to,
            "reason": rule.reason,
            "created_by": _handle(rule.created_by),
            "at": _at(rule.created_at),
        }
    for install in (
        Installation.objects.filter(organisation=org).select_related("installed_by").order_by("id")
    ):
        yield {
            "type": "installation",
            "app": install.app,
            "group": _ref(install.group_id),
            "scopes": install.scopes,
            "installed_by": _handle(install.installed_by),
        }
    for project in Project.objects.filter(organisation=org).select_related("owner").order_by("id"):
        yield {
            "type": "project",
            "id": str(project.id),
            "group": str(project.group_id),
            "name": project.name,
            "description": project.description,
            "owner": _handle(project.owner),
            "at": _at(project.created_at),
        }
    updates = Update.objects.filter(organisation=org).select_related("author", "solved_marked_by")
    for update in updates.order_by("id"):
        yield {
            "type": "project_update",
            "id": str(update.id),
            "project": str(update.project_id),
            "kind": update.kind,
            "text": update.text,
            "author": update.author.handle,
            "post": _ref(update.post_id) if update.post_id in kept else None,
            "problem": _ref(update.problem_id),
            "solved_by": _ref(update.solved_by_id),
            "solved_at": _at(update.solved_at),
            "solved_marked_by": _handle(update.solved_marked_by),
            "at": _at(update.created_at),
        }
    tasks = Task.objects.filter(organisation=org).select_related("created_by").prefetch_related("assignees")
    for task in tasks.order_by("id"):
        yield {
            "type": "task",
            "group": str(task.group_id),
            "title": task.title,
            "notes": task.notes,
            "source": _ref(task.source_id) if task.source_id in kept else None,
            "status": task.status,
            "due_on": _at(task.due_on),
            "assignees": sorted(a.handle for a in task.assignees.all()),
            "created_by": _handle(task.created_by),
            "at": _at(task.created_at),
            "done_at": _at(task.done_at),
        }


def export(org: Organisation, out: Path) -> int:
    """Write out/data.jsonl and out/media/...; returns the number of records."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    with (out / "data.jsonl").open("w", encoding="utf-8") as f:
        for row in _rows(org):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
            for named in (row.get("file"), row.get("thumbnail"), row.get("logo")):
                if isinstance(named, dict):
                    target = out / named["path"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(storage.path_of(named["path"].removeprefix("media/")), target)
    return count
