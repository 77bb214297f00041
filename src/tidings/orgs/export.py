"""`tidings org export`: everything an organisation owns, as JSON lines plus its media files.
It owns its record, domains, memberships, groups, its internal and group posts (with their
comments, reposts and likes) and its official accounts' posts; nothing of anyone else's."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import Q

from tidings.accounts.models import Account
from tidings.core import storage
from tidings.groups.models import Group, GroupMember
from tidings.orgs.models import AuditEntry, Domain, Membership, Organisation
from tidings.posts.models import Audience, Like, Media, Post


def _rows(org: Organisation) -> Iterator[dict[str, Any]]:
    yield {
        "type": "organisation",
        "id": str(org.id),
        "slug": org.slug,
        "name": org.name,
        "about": org.about,
        "created_at": org.created_at.isoformat(),
        "post_max_length": org.post_max_length,
    }
    for d in Domain.objects.filter(organisation=org).order_by("domain"):
        yield {"type": "domain", "domain": d.domain, "verified": d.verified}
    for m in Membership.objects.filter(organisation=org).select_related("account").order_by("id"):
        yield {
            "type": "membership",
            "handle": m.account.handle,
            "role": m.role,
            "active": m.is_active,
            "joined_at": m.joined_at.isoformat(),
        }
    officials = list(Account.objects.filter(organisation=org).order_by("id"))
    for a in officials:
        yield {
            "type": "official_account",
            "id": str(a.id),
            "handle": a.handle,
            "display_name": a.display_name,
            "bio": a.bio,
            "kind": a.kind,
        }
    for g in Group.objects.filter(organisation=org).order_by("id"):
        yield {"type": "group", "id": str(g.id), "name": g.name, "kind": g.kind, "description": g.description}
    for gm in GroupMember.objects.filter(group__organisation=org).select_related("account").order_by("id"):
        yield {
            "type": "group_member",
            "group": str(gm.group_id),
            "handle": gm.account.handle,
            "role": gm.role,
            "state": gm.state,
        }
    owned = Post.objects.filter(
        Q(organisation=org) | Q(author__in=officials, organisation__isnull=True)
    ).exclude(
        audience=Audience.DIRECT  # a message belongs to its two people, not to the company
    )
    for p in owned.select_related("author").order_by("id").iterator(chunk_size=1000):
        yield {
            "type": "post",
            "id": str(p.id),
            "kind": p.kind,
            "author": p.author.handle,
            "text": p.text,
            "audience": p.audience,
            "group": str(p.group_id) if p.group_id else None,
            "root": str(p.root_id) if p.root_id else None,
            "reply_to": str(p.reply_to_id) if p.reply_to_id else None,
            "repost_of": str(p.repost_of_id) if p.repost_of_id else None,
            "created_at": p.created_at.isoformat(),
            "edited_at": p.edited_at.isoformat() if p.edited_at else None,
        }
    for like in Like.objects.filter(post__in=owned).select_related("account").order_by("id"):
        yield {"type": "like", "post": str(like.post_id), "handle": like.account.handle}
    for media in Media.objects.filter(post__in=owned).order_by("id"):
        yield {
            "type": "media",
            "id": str(media.id),
            "post": str(media.post_id),
            "file": f"media/{media.file}",
            "width": media.width,
            "height": media.height,
            "description": media.description,
        }
    for entry in AuditEntry.objects.filter(organisation=org).select_related("actor").order_by("id"):
        yield {
            "type": "audit",
            "action": entry.action,
            "actor": entry.actor.handle if entry.actor else None,
            "detail": entry.detail,
            "address": entry.address,
            "at": entry.created_at.isoformat(),
        }


def export(org: Organisation, out: Path) -> int:
    """Write out/data.jsonl and out/media/...; returns the number of records."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    with (out / "data.jsonl").open("w", encoding="utf-8") as f:
        for row in _rows(org):
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
            if row["type"] == "media":
                source = storage.path_of(row["file"].removeprefix("media/"))
                if source.is_file():
                    target = out / row["file"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
    return count
