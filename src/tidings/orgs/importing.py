"""`tidings org import`: an organisation export (orgs/export.py) recreated in this instance.

All or nothing: the export is read through once to check every line and to match its people,
then written in one transaction; a malformed line, an unknown record, another version, a slug,
domain or handle taken here, or a media file that is missing, changed, not a picture or outside
the export's folder refuses the whole import and changes nothing.

People: an account here with the same handle (folded, as handles compare) is the same person
when both have an email and it is the same one; it then gets the memberships and everything else
the export gives that person. Any other account with that handle, or one that looks confusably
like it, is a clash, and so is any account here with an official account's handle: the import is
refused naming every clashing handle. Missing people are created with an unusable password: they
set one through "Forgot password" (to the email the export carries).

Ids are new; every relation is mapped. Counts are recounted from what is imported (a repost by
someone outside, which the export does not hold, is not counted). Topics and mentions are linked
as the post services link them, without notifying anyone again. The imported posts are queued for
the search index (the worker indexes them; its one-minute catch-up does it after a restart).
Timelines need no writing: internal and group posts are read from their space, the new accounts'
home timelines are built from the database at their first visit, and follows are not exported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from tidings.accounts.models import Account
from tidings.accounts.services import clean_display_name
from tidings.core import storage
from tidings.core.errors import Conflict, DomainError, Invalid
from tidings.core.handles import clean_handle, handle_key, handle_skeleton
from tidings.core.text import extract_mentions, extract_topics
from tidings.extensions.models import Installation
from tidings.extensions.projects.models import Project, Update
from tidings.extensions.taskboard.models import Task
from tidings.groups.models import Group, GroupMember, PinnedPost
from tidings.ops.models import Grant
from tidings.ops.models import Role as StaffRole
from tidings.orgs.export import VERSION
from tidings.orgs.models import AuditEntry, Domain, HeldPost, Membership, Organisation, PolicyRule
from tidings.orgs.services import SLUG_RE, audit, clean_domain
from tidings.posts.models import OUTSIDE, Audience, Flavour, Like, Media, Post, PostEdit
from tidings.posts.services import link_mentions, link_topics
from tidings.search import index

S, N, B, D, L = str, type(None), bool, dict, list
# Each record's fields and the JSON types each may hold: anything else is a malformed line.
SCHEMA: dict[str, dict[str, tuple[type, ...]]] = {
    "export": {"version": (int,)},
    "organisation": {
        "slug": (S,), "name": (S,), "about": (S,), "logo": (D, N), "created_at": (S,),
        "post_max_length": (int,), "members_may_create_groups": (B,), "require_two_factor": (B,),
        "client_audience": (S,),
    },
    "domain": {"domain": (S,), "verified": (B,)},
    "person": {
        "handle": (S,), "display_name": (S,), "email": (S,), "bio": (S,), "kind": (S,),
        "language": (S,), "active": (B,), "joined_at": (S,),
    },
    "membership": {"handle": (S,), "role": (S,), "active": (B,), "joined_at": (S,)},
    "official_account": {"handle": (S,)},
    "grant": {"account": (S,), "handle": (S,), "role": (S,), "granted_by": (S, N), "created_at": (S,)},
    "group": {
        "id": (S,), "name": (S,), "kind": (S,), "description": (S,), "created_by": (S, N),
        "created_at": (S,),
    },
    "group_member": {
        "group": (S,), "handle": (S,), "role": (S,), "state": (S,), "notify": (S,), "joined_at": (S,),
    },
    "post": {
        "id": (S,), "kind": (S,), "author": (S,), "text": (S,), "audience": (S,), "group": (S, N),
        "root": (S, N), "reply_to": (S, N), "repost_of": (S, N), "repost_parent": (S, N),
        "accepted_answer": (S, N), "flavour": (S,), "language": (S,), "held": (B,),
        "held_reason": (S, N), "created_at": (S,), "edited_at": (S, N),
    },
    "post_edit": {"post": (S,), "text": (S,), "at": (S,)},
    "like": {"post": (S,), "handle": (S,), "at": (S,)},
    "media": {
        "post": (S,), "owner": (S,), "position": (int,), "file": (D,), "thumbnail": (D,), "width": (int,),
        "height": (int,), "thumb_width": (int,), "thumb_height": (int,), "description": (S,),
    },
    "pinned_post": {"group": (S, N), "post": (S,), "pinned_by": (S, N), "at": (S,)},
    "policy_rule": {
        "pattern": (S,), "is_regex": (B,), "action": (S,), "applies_to": (S,), "reason": (S,),
        "created_by": (S, N), "at": (S,),
    },
    "installation": {"app": (S,), "group": (S, N), "scopes": (S,), "installed_by": (S, N)},
    "project": {
        "id": (S,), "group": (S,), "name": (S,), "description": (S,), "owner": (S, N), "at": (S,),
    },
    "project_update": {
        "id": (S,), "project": (S,), "kind": (S,), "text": (S,), "author": (S,), "post": (S, N),
        "problem": (S, N), "solved_by": (S, N), "solved_at": (S, N), "solved_marked_by": (S, N),
        "at": (S,),
    },
    "task": {
        "group": (S,), "title": (S,), "notes": (S,), "source": (S, N), "status": (S,), "due_on": (S, N),
        "assignees": (L,), "created_by": (S, N), "at": (S,), "done_at": (S, N),
    },
    "audit": {"action": (S,), "actor": (S, N), "detail": (D,), "address": (S,), "at": (S,)},
}  # fmt: skip

PICTURE_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
BATCH = 500


@dataclass
class Report:
    slug: str = ""
    records: int = 0
    created_accounts: int = 0
    reused_accounts: int = 0


class _Line(Exception):
    """A problem with one line, told with its number by the caller."""


def _lines(folder: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each record of the export, checked against SCHEMA, with its line number."""
    data = folder / "data.jsonl"
    if not data.is_file():
        raise Invalid(_("%(folder)s holds no data.jsonl: is it an organisation export?") % {"folder": folder})
    with data.open(encoding="utf-8") as f:
        number = 0
        while True:
            number += 1
            try:
                line = f.readline()
            except UnicodeDecodeError:
                raise Invalid(
                    _("Line %(line)d of the export is not UTF-8 text.") % {"line": number}
                ) from None
            if not line:
                return
            try:
                row = json.loads(line)
            except ValueError:
                raise Invalid(
                    _("Line %(line)d of the export is not valid JSON.") % {"line": number}
                ) from None
            kind = row.get("type") if isinstance(row, dict) else None
            fields = SCHEMA.get(kind) if isinstance(kind, str) else None
            if fields is None:
                raise Invalid(
                    _("Line %(line)d of the export holds an unknown kind of record: %(type)s.")
                    % {"line": number, "type": json.dumps(kind, ensure_ascii=False)}
                )
            for name, types in fields.items():
                # bool is an int to Python, not to this format.
                if name not in row or type(row[name]) not in types:
                    raise Invalid(
                        _(
                            "Line %(line)d of the export (%(type)s) lacks the field “%(field)s”, or it "
                            "has the wrong type."
                        )
                        % {"line": number, "type": kind, "field": name}
                    )
            if (number == 1) != (kind == "export"):
                raise Invalid(
                    _("This is not a Tidings organisation export: it does not start with its version.")
                )
            if kind == "export" and row["version"] != VERSION:
                raise Invalid(
                    _("This export is of version %(version)s; this Tidings reads version %(expected)d.")
                    % {"version": row["version"], "expected": VERSION}
                )
            yield number, row


@dataclass
class _Survey:
    organisation: dict[str, Any] | None = None
    domains: list[str] = field(default_factory=list)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)  # by handle key
    officials: set[str] = field(default_factory=set)  # handle keys
    records: int = 0


def _survey(folder: Path) -> _Survey:
    """The first pass: every line checked, and what must be free here gathered."""
    survey = _Survey()
    skeletons: set[str] = set()
    for number, row in _lines(folder):
        survey.records += 1
        try:
            if row["type"] == "organisation":
                if survey.organisation is not None:
                    raise _Line(_("a second organisation"))
                survey.organisation = row
            elif row["type"] == "domain":
                survey.domains.append(clean_domain(row["domain"]))
            elif row["type"] == "person":
                handle = clean_handle(row["handle"])
                key, skeleton = handle_key(handle), handle_skeleton(handle)
                if key in survey.people or skeleton in skeletons:
                    raise _Line(_("@%(handle)s comes twice") % {"handle": handle})
                survey.people[key], row["handle"] = row, handle
                skeletons.add(skeleton)
            elif row["type"] == "official_account":
                survey.officials.add(handle_key(row["handle"]))
        except (_Line, DomainError) as error:
            raise _at_line(number, error) from None
    if survey.organisation is None:
        raise Invalid(_("The export holds no organisation."))
    return survey


def _at_line(number: int, error: Exception) -> Invalid:
    return Invalid(
        _("Line %(line)d of the export: %(error)s.") % {"line": number, "error": str(error).rstrip(".")}
    )


def _check_free(survey: _Survey) -> dict[str, Account]:
    """Refuse a slug or domain taken here; return the people who are here already, by handle
    key, or refuse naming every handle that clashes (see the module's rule)."""
    org = survey.organisation or {}
    slug = org["slug"]
    if not SLUG_RE.match(slug):
        raise Invalid(_("The export's slug %(slug)s is not a valid slug.") % {"slug": slug})
    if Organisation.objects.filter(slug=slug).exists():
        raise Conflict(
            _("An organisation with the slug %(slug)s exists already here: nothing was imported.")
            % {"slug": slug}
        )
    taken = Domain.objects.filter(domain__in=survey.domains).values_list("domain", flat=True).first()
    if taken:
        raise Conflict(
            _("The domain %(domain)s already belongs to an organisation here.") % {"domain": taken}
        )
    rows = survey.people.values()
    by_key = {a.handle_key: a for a in Account.objects.filter(handle_key__in=list(survey.people))}
    skeletons = [handle_skeleton(r["handle"]) for r in rows]
    by_skeleton = {a.handle_skeleton: a for a in Account.objects.filter(handle_skeleton__in=skeletons)}
    here: dict[str, Account] = {}
    clashes: list[str] = []
    for key, row in survey.people.items():
        account = by_key.get(key) or by_skeleton.get(handle_skeleton(row["handle"]))
        if account is None:
            continue
        email = row["email"].strip().lower()
        same = account.handle_key == key and email and account.email.strip().lower() == email
        if same and key not in survey.officials:
            here[key] = account
        else:
            clashes.append(f"@{row['handle']}")
    if clashes:
        raise Conflict(
            _(
                "These handles belong to other accounts here: %(handles)s. Nothing was imported. An "
                "account here is taken as the same person only with the same handle and the same "
                "email, and an official account's handle must be free."
            )
            % {"handles": ", ".join(clashes)}
        )
    return here


class _Placed(NamedTuple):
    """What later lines need of an imported post."""

    id: int
    kind: str
    audience: str
    organisation_id: int | None
    group_id: int | None
    audience_owner_id: int


def _time(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise _Line(_("%(value)s is not a date and time") % {"value": value}) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise _Line(_("%(value)s is not a date") % {"value": value}) from None


def _maybe_time(value: str | None) -> dt.datetime | None:
    return _time(value) if value else None


def _choice(value: str, allowed: Any) -> str:
    if value not in allowed:
        raise _Line(
            _("%(value)s is not one of %(allowed)s") % {"value": value, "allowed": ", ".join(allowed)}
        )
    return value


def _is_picture(data: bytes, extension: str) -> bool:
    """The bytes decode as the kind of picture their name says (an upload was re-encoded so)."""
    try:
        with Image.open(io.BytesIO(data), formats=[PICTURE_FORMATS[extension]]) as im:
            im.verify()
    except Exception:  # Pillow raises many kinds on a file that is not what it claims
        return False
    return True


class _Writer:
    """The second pass, inside the transaction: each record written, its references mapped."""

    def __init__(self, folder: Path, here: dict[str, Account], written: list[str]) -> None:
        self.folder = folder
        self.media_root = (folder / "media").resolve()
        self.here = here
        self.written = written  # media files saved, deleted again if the import fails
        self.report = Report()
        self.org = Organisation()
        self.accounts: dict[str, Account] = {}
        self.officials: set[int] = set()
        self.groups: dict[str, Group] = {}
        self.posts: dict[str, _Placed] = {}
        self.projects: dict[str, Project] = {}
        self.updates: dict[str, Update] = {}
        self.batch: list[Post] = []
        self.held: list[HeldPost] = []
        self.likes: list[Like] = []
        # What points forward (an accepted answer, the proposal that solved a problem), set once
        # everything is in: (line, what, old id, old id of what it points at).
        self.later: list[tuple[int, str, str, str]] = []
        self.counts: dict[str, Counter[int]] = {k: Counter() for k in ("likes", "reposts", "comments")}
        self.posts_of: Counter[int] = Counter()
        self.members_of: Counter[int] = Counter()

    def run(self) -> Report:
        for number, row in _lines(self.folder):
            try:
                if row["type"] not in ("export", "organisation") and not self.report.slug:
                    raise _Line(_("it comes before the organisation"))
                if row["type"] not in ("post", "like") and (self.batch or self.likes):
                    self._flush()
                getattr(self, "_on_" + row["type"])(row, number)
            except (_Line, DomainError) as error:
                raise _at_line(number, error) from None
            self.report.records += 1
        self._flush()
        self._finish()
        return self.report

    # --- lookups of what earlier lines made ------------------------------------------------------

    def _person(self, handle: str) -> Account:
        account = self.accounts.get(handle_key(handle))
        if account is None:
            raise _Line(_("it names @%(handle)s, who is not among the export's people") % {"handle": handle})
        return account

    def _account(self, handle: str | None) -> Account | None:
        return None if handle is None else self._person(handle)

    def _mapped(self, table: dict[str, Any], old: str | None) -> Any:
        if old is None:
            return None
        if old not in table:
            raise _Line(_("it refers to %(id)s, which no line before it holds") % {"id": old})
        return table[old]

    def _media(self, named: dict[str, Any], folder: str) -> str:
        """Check one media file of the export and save it here; returns its new name."""
        path, checksum = named.get("path"), named.get("sha256")
        if not isinstance(path, str) or not isinstance(checksum, str):
            raise _Line(_("a media file is named without its path and checksum"))
        pure = PurePosixPath(path)
        file = self.folder / path
        if (
            pure.is_absolute()
            or "\\" in path
            or ".." in pure.parts
            or pure.parts[:1] != ("media",)
            or len(pure.parts) < 2
            or not file.resolve().is_relative_to(self.media_root)
        ):
            raise _Line(_("the media file %(path)s is outside the export's media folder") % {"path": path})
        extension = pure.suffix.removeprefix(".")
        if not file.is_file():
            raise _Line(_("the media file %(path)s is missing from the export") % {"path": path})
        if extension not in PICTURE_FORMATS or file.stat().st_size > settings.IMAGE_MAX_BYTES:
            raise _Line(_("the media file %(path)s is not a picture of its kind") % {"path": path})
        data = file.read_bytes()
        if hashlib.sha256(data).hexdigest() != checksum:
            raise _Line(
                _("the media file %(path)s does not match its checksum: it was changed or damaged")
                % {"path": path}
            )
        if not _is_picture(data, extension):
            raise _Line(_("the media file %(path)s is not a picture of its kind") % {"path": path})
        relative = storage.save(folder, extension, data)
        self.written.append(relative)
        return relative

    # --- one handler per kind of record ----------------------------------------------------------

    def _on_export(self, row: dict[str, Any], number: int) -> None:
        pass

    def _on_organisation(self, row: dict[str, Any], number: int) -> None:
        name = " ".join(row["name"].split())
        if not name or len(name) > 80:
            raise _Line(_("an organisation needs a name of at most 80 characters"))
        if not 140 <= row["post_max_length"] <= 2000:
            raise _Line(_("the post length limit must be between 140 and 2000"))
        org = Organisation(
            slug=row["slug"],
            name=name,
            about=row["about"],
            created_at=_time(row["created_at"]),
            post_max_length=row["post_max_length"],
            members_may_create_groups=row["members_may_create_groups"],
            require_two_factor=row["require_two_factor"],
            client_audience=_choice(row["client_audience"], ("public", "org")),
        )
        if row["logo"] is not None:
            org.logo = self._media(row["logo"], f"logos/{org.id}")
        org.save(force_insert=True)
        self.org = org
        self.report.slug = org.slug

    def _on_domain(self, row: dict[str, Any], number: int) -> None:
        Domain.objects.create(
            organisation=self.org, domain=clean_domain(row["domain"]), verified=row["verified"]
        )

    def _on_person(self, row: dict[str, Any], number: int) -> None:
        handle = clean_handle(row["handle"])
        key = handle_key(handle)
        if key in self.here:
            self.accounts[key] = self.here[key]
            self.report.reused_accounts += 1
            return
        email = row["email"].strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise _Line(_("%(email)s is not an email address") % {"email": email}) from None
        account = Account(
            handle=handle,
            handle_key=key,
            handle_skeleton=handle_skeleton(handle),
            display_name=clean_display_name(row["display_name"] or handle),
            email=email,
            bio=row["bio"][:160],
            kind=_choice(row["kind"], Account.Kind.values),
            language=row["language"] if row["language"] in dict(settings.LANGUAGES) else "",
            is_active=row["active"],
            date_joined=_time(row["joined_at"]),
        )
        account.set_unusable_password()  # they choose one through "Forgot password"
        account.save(force_insert=True)
        self.accounts[key] = account
        self.report.created_accounts += 1

    def _on_membership(self, row: dict[str, Any], number: int) -> None:
        Membership.objects.create(
            organisation=self.org,
            account=self._person(row["handle"]),
            role=_choice(row["role"], Membership.Role.values),
            is_active=row["active"],
            joined_at=_time(row["joined_at"]),
        )

    def _on_official_account(self, row: dict[str, Any], number: int) -> None:
        account = self._person(row["handle"])
        Account.objects.filter(id=account.id).update(organisation=self.org)
        self.officials.add(account.id)

    def _on_grant(self, row: dict[str, Any], number: int) -> None:
        account = self._person(row["account"])
        if account.id not in self.officials:
            raise _Line(
                _("@%(handle)s is not one of the organisation's accounts") % {"handle": account.handle}
            )
        Grant.objects.create(
            account=account,
            person=self._person(row["handle"]),
            role=_choice(row["role"], StaffRole.values),
            granted_by=self._account(row["granted_by"]),
            created_at=_time(row["created_at"]),
        )

    def _on_group(self, row: dict[str, Any], number: int) -> None:
        name = " ".join(row["name"].split())
        if not name or len(name) > 60:
            raise _Line(_("a group needs a name of at most 60 characters"))
        if row["id"] in self.groups:
            raise _Line(_("the group %(id)s comes twice") % {"id": row["id"]})
        self.groups[row["id"]] = Group.objects.create(
            organisation=self.org,
            name=name,
            kind=_choice(row["kind"], Group.Kind.values),
            description=row["description"][:300],
            created_by=self._account(row["created_by"]),
            created_at=_time(row["created_at"]),
        )

    def _on_group_member(self, row: dict[str, Any], number: int) -> None:
        group = self._mapped(self.groups, row["group"])
        state = _choice(row["state"], GroupMember.State.values)
        GroupMember.objects.create(
            group=group,
            account=self._person(row["handle"]),
            role=_choice(row["role"], GroupMember.Role.values),
            state=state,
            notify=_choice(row["notify"], GroupMember.Notify.values),
            joined_at=_time(row["joined_at"]),
        )
        if state == GroupMember.State.ACTIVE:
            self.members_of[group.id] += 1

    def _on_post(self, row: dict[str, Any], number: int) -> None:
        if row["id"] in self.posts:
            raise _Line(_("the post %(id)s comes twice") % {"id": row["id"]})
        author = self._person(row["author"])
        kind = _choice(row["kind"], Post.Kind.values)
        audience = _choice(row["audience"], [a for a in Audience.values if a != Audience.DIRECT])
        root: _Placed | None = self._mapped(self.posts, row["root"])
        original: _Placed | None = self._mapped(self.posts, row["repost_of"])
        parent: _Placed | None = self._mapped(self.posts, row["repost_parent"])
        group: Group | None = self._mapped(self.groups, row["group"])
        post = Post(
            author_id=author.id,
            kind=kind,
            text=row["text"],
            audience=audience,
            audience_owner_id=author.id,
            repost_of_id=original.id if original else None,
            repost_parent_id=parent.id if parent else None,
            created_at=_time(row["created_at"]),
            edited_at=_maybe_time(row["edited_at"]),
            language=row["language"][:8],
            held=row["held"],
            flavour=_choice(row["flavour"], Flavour.values),
        )
        if kind == Post.Kind.COMMENT:
            # A comment lives in its post's audience, whatever the line says.
            if root is None:
                raise _Line(_("a comment without the post it is under"))
            reply_to: _Placed | None = self._mapped(self.posts, row["reply_to"])
            post.root_id, post.reply_to_id = root.id, reply_to.id if reply_to else None
            post.audience, post.audience_owner_id = root.audience, root.audience_owner_id
            post.organisation_id, post.group_id = root.organisation_id, root.group_id
        elif audience == Audience.GROUP:
            if group is None:
                raise _Line(_("a group post without its group"))
            post.organisation_id, post.group_id = self.org.id, group.id
        elif audience == Audience.ORGANISATION:
            post.organisation_id = self.org.id
        self.posts[row["id"]] = _Placed(
            post.id, kind, post.audience, post.organisation_id, post.group_id, post.audience_owner_id
        )
        self.batch.append(post)
        if row["accepted_answer"]:
            self.later.append((number, "answer", row["id"], row["accepted_answer"]))
        if post.held:
            self.held.append(
                HeldPost(organisation=self.org, post=post, reason=(row["held_reason"] or "")[:200])
            )
            return
        # Counted as posts.services.count counts a published post.
        if root is not None and kind == Post.Kind.COMMENT:
            self.counts["comments"][root.id] += 1
        if kind == Post.Kind.REPOST:
            for counted in {p.id for p in (original, parent) if p is not None}:
                self.counts["reposts"][counted] += 1
        if kind != Post.Kind.COMMENT and post.audience in OUTSIDE:
            self.posts_of[author.id] += 1

    def _flush(self) -> None:
        """Write the posts and likes gathered, with their topics and mentions, and queue the
        posts for the search index."""
        if self.batch:
            Post.objects.bulk_create(self.batch)
            for post in self.batch:
                own_words = post.text.split("//@", 1)[0] if post.kind == Post.Kind.REPOST else post.text
                if post.kind != Post.Kind.COMMENT:
                    link_topics(post, extract_topics(own_words))
                link_mentions(post, extract_mentions(own_words))
            HeldPost.objects.bulk_create(self.held)
            index.queue(p.id for p in self.batch)
            self.batch, self.held = [], []
        if self.likes:
            Like.objects.bulk_create(self.likes)
            self.likes = []

    def _on_post_edit(self, row: dict[str, Any], number: int) -> None:
        post = self._mapped(self.posts, row["post"])
        PostEdit.objects.create(post_id=post.id, text=row["text"], created_at=_time(row["at"]))

    def _on_like(self, row: dict[str, Any], number: int) -> None:
        post = self._mapped(self.posts, row["post"])
        self.likes.append(
            Like(account=self._person(row["handle"]), post_id=post.id, created_at=_time(row["at"]))
        )
        self.counts["likes"][post.id] += 1
        if len(self.likes) + len(self.batch) >= BATCH:
            self._flush()

    def _on_media(self, row: dict[str, Any], number: int) -> None:
        post = self._mapped(self.posts, row["post"])
        Media.objects.create(
            owner=self._person(row["owner"]),
            post_id=post.id,
            position=row["position"],
            file=self._media(row["file"], "posts"),
            thumbnail=self._media(row["thumbnail"], "posts"),
            width=row["width"],
            height=row["height"],
            thumb_width=row["thumb_width"],
            thumb_height=row["thumb_height"],
            description=row["description"][:500],
        )

    def _on_pinned_post(self, row: dict[str, Any], number: int) -> None:
        group = self._mapped(self.groups, row["group"])
        PinnedPost.objects.create(
            organisation=self.org,
            group=group,
            post_id=self._mapped(self.posts, row["post"]).id,
            pinned_by=self._account(row["pinned_by"]),
            created_at=_time(row["at"]),
        )

    def _on_policy_rule(self, row: dict[str, Any], number: int) -> None:
        PolicyRule.objects.create(
            organisation=self.org,
            pattern=row["pattern"][:200],
            is_regex=row["is_regex"],
            action=_choice(row["action"], PolicyRule.Action.values),
            applies_to=_choice(row["applies_to"], PolicyRule.AppliesTo.values),
            reason=row["reason"][:200],
            created_by=self._account(row["created_by"]),
            created_at=_time(row["at"]),
        )

    def _on_installation(self, row: dict[str, Any], number: int) -> None:
        Installation.objects.create(
            app=row["app"][:40],
            organisation=self.org,
            group=self._mapped(self.groups, row["group"]),
            scopes=row["scopes"][:500],
            installed_by=self._account(row["installed_by"]),
        )

    def _on_project(self, row: dict[str, Any], number: int) -> None:
        project = Project.objects.create(
            organisation=self.org,
            group=self._mapped(self.groups, row["group"]),
            name=row["name"][:40],
            description=row["description"][:300],
            owner=self._account(row["owner"]),
        )
        Project.objects.filter(id=project.id).update(created_at=_time(row["at"]))  # not "now"
        self.projects[row["id"]] = project

    def _on_project_update(self, row: dict[str, Any], number: int) -> None:
        post = self._mapped(self.posts, row["post"])
        update = Update.objects.create(
            organisation=self.org,
            project=self._mapped(self.projects, row["project"]),
            kind=_choice(row["kind"], Update.Kind.values),
            text=row["text"][:100],
            author=self._person(row["author"]),
            post_id=post.id if post else None,
            problem=self._mapped(self.updates, row["problem"]),
            solved_at=_maybe_time(row["solved_at"]),
            solved_marked_by=self._account(row["solved_marked_by"]),
        )
        Update.objects.filter(id=update.id).update(created_at=_time(row["at"]))
        self.updates[row["id"]] = update
        if row["solved_by"]:  # a later proposal
            self.later.append((number, "solved", row["id"], row["solved_by"]))

    def _on_task(self, row: dict[str, Any], number: int) -> None:
        source = self._mapped(self.posts, row["source"])
        task = Task.objects.create(
            organisation=self.org,
            group=self._mapped(self.groups, row["group"]),
            title=row["title"][:60],
            notes=row["notes"],
            source_id=source.id if source else None,
            status=_choice(row["status"], Task.Status.values),
            due_on=_date(row["due_on"]),
            created_by=self._account(row["created_by"]),
            done_at=_maybe_time(row["done_at"]),
        )
        if not all(isinstance(h, str) for h in row["assignees"]):
            raise _Line(_("the assignees are not handles"))
        task.assignees.set([self._person(h) for h in row["assignees"]])
        Task.objects.filter(id=task.id).update(created_at=_time(row["at"]))

    def _on_audit(self, row: dict[str, Any], number: int) -> None:
        AuditEntry.objects.create(
            organisation=self.org,
            actor=self._account(row["actor"]),
            action=row["action"][:40],
            detail=row["detail"],
            address=row["address"][:64],
            created_at=_time(row["at"]),
        )

    def _finish(self) -> None:
        """What points forward (an accepted answer, a solved problem) and the counts."""
        for number, what, old, target in self.later:
            try:
                if what == "answer":
                    answer = self._mapped(self.posts, target)
                    Post.objects.filter(id=self.posts[old].id).update(accepted_answer_id=answer.id)
                else:
                    solution = self._mapped(self.updates, target)
                    Update.objects.filter(id=self.updates[old].id).update(solved_by=solution)
            except _Line as error:
                raise _at_line(number, error) from None
        counted = set(self.counts["likes"]) | set(self.counts["reposts"]) | set(self.counts["comments"])
        Post.objects.bulk_update(
            [
                Post(
                    id=pid,
                    likes_count=self.counts["likes"][pid],
                    reposts_count=self.counts["reposts"][pid],
                    comments_count=self.counts["comments"][pid],
                )
                for pid in counted
            ],
            ["likes_count", "reposts_count", "comments_count"],
            batch_size=BATCH,
        )
        for account_id, n in self.posts_of.items():
            Account.objects.filter(id=account_id).update(posts_count=F("posts_count") + n)
        for group_id, n in self.members_of.items():
            Group.objects.filter(id=group_id).update(members_count=n)
        audit(
            self.org,
            None,
            "org.import",
            records=self.report.records,
            created_accounts=self.report.created_accounts,
            reused_accounts=self.report.reused_accounts,
        )


def import_organisation(folder: Path) -> Report:
    """Recreate the organisation exported to `folder`, or refuse and change nothing."""
    here = _check_free(_survey(folder))
    written: list[str] = []
    try:
        with transaction.atomic():
            return _Writer(folder, here, written).run()
    except IntegrityError:
        _forget(written)
        raise Invalid(_("The export holds the same thing twice: nothing was imported.")) from None
    except BaseException:
        _forget(written)
        raise


def _forget(written: list[str]) -> None:
    for relative in written:
        storage.delete(relative)
