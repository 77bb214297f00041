"""Writing projects. Only active members of a group the Projects app is on for make its projects
and post their updates; each update is also posted in the group's feed, so stock clients read it
in the group's list. A problem is marked solved by one of the proposals made for it, once."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from tidings.core.text import post_length
from tidings.extensions import selectors
from tidings.extensions.projects.models import Digest, Project, Update
from tidings.groups.selectors import is_manager

log = logging.getLogger(__name__)

KEY = "projects"
# A problem open this long is "stuck" in the weekly digest.
STUCK_AFTER = dt.timedelta(days=3)


def project_for(person: Any, project_id: Any) -> Project:
    return selectors.in_member_group(Project.objects.select_related("owner"), person, KEY, project_id)


def _update_for(project: Project, update_id: Any, kind: str) -> Update:
    try:
        uid = int(update_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = Update.objects.filter(id=uid, project=project, kind=kind).first()
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def create(person: Account, *, group_id: Any, name: Any, description: Any = "") -> Project:
    group = selectors.member_group(person, KEY, group_id)
    name = " ".join(str(name or "").split())
    if not name or len(name) > 40:
        raise Invalid(_("A project needs a name of at most 40 characters."), field="name")
    description = str(description or "").strip()
    if len(description) > 300:
        raise Invalid(_("A project's description is at most 300 characters."), field="description")
    return Project.objects.create(
        organisation_id=group.organisation_id, group=group, name=name, description=description, owner=person
    )


ICONS = {"status": "📍", "problem": "⚠️", "solution": "💡"}


def _headline(kind: str) -> str:
    headlines = {
        "status": gettext("📍 Status"),
        "problem": gettext("⚠️ Problem"),
        "solution": gettext("💡 Proposal"),
    }
    return headlines[kind]


def _post(person: Account, project: Project, *texts: str, card: tuple[str, str, str]) -> Any:
    """Post the first of the texts that fits a post (the later ones say less), with the
    project's card under it: (icon, what it is, where on the project's page)."""
    from tidings.posts import services as posts

    text = next((t for t in texts if post_length(t) <= settings.POST_MAX_LENGTH), texts[-1])
    post = posts.publish(person, text=text, audience="group", group_id=project.group_id)
    icon, line, path = card
    posts.attach_card(
        post, app=KEY, icon=icon, title=project.name, lines=[(project.group.name, line)], path=path
    )
    return post


@transaction.atomic
def post_update(person: Account, project_id: Any, *, kind: Any, text: Any, problem_id: Any = None) -> Update:
    """A status, a problem, or a proposed solution to one of the project's open problems."""
    project = project_for(person, project_id)
    if kind not in Update.Kind.values:
        raise Invalid(_("An update is a status, a problem or a proposed solution."), field="kind")
    text = " ".join(str(text or "").split())
    if not text:
        raise Invalid(_("Say what the update is."), field="text")
    if len(text) > 100:
        raise Invalid(_("An update is at most 100 characters."), field="text")
    problem = None
    if kind == Update.Kind.SOLUTION:
        if problem_id in (None, ""):
            raise Invalid(_("A proposal answers one of the project's problems: choose it."), field="problem")
        problem = _update_for(project, problem_id, Update.Kind.PROBLEM)
        if problem.solved_by_id:
            raise Conflict(_("This problem is already solved."))
    update = Update.objects.create(
        organisation_id=project.organisation_id,
        project=project,
        kind=kind,
        text=text,
        author=person,
        problem=problem,
    )
    url = f"{settings.SITE_URL}/apps/projects/{project.id}/#u{update.id}"
    with translation.override(person.language or settings.LANGUAGE_CODE):
        headline = _headline(kind)
        update.post = _post(
            person,
            project,
            f"{headline} · {project.name}:{text} {url}",
            f"{headline}:{text} {url}",
            card=(
                ICONS[kind],
                f"{Update.Kind(kind).label}:{text}",
                f"/apps/projects/{project.id}/#u{update.id}",
            ),
        )
    update.save(update_fields=["post"])
    return update


@transaction.atomic
def mark_solved(person: Account, project_id: Any, *, problem_id: Any, proposal_id: Any) -> Update:
    """Mark a problem solved by one of the proposals made for it; who raised it, the project's
    owner or the group's managers may. Marking it again is refused and changes nothing."""
    project = project_for(person, project_id)
    problem = _update_for(project, problem_id, Update.Kind.PROBLEM)
    if person.id not in (problem.author_id, project.owner_id) and not is_manager(project.group, person):
        raise Forbidden(
            _("Whoever raised the problem, the project's owner or the group's managers mark it solved.")
        )
    proposal = _update_for(project, proposal_id, Update.Kind.SOLUTION)
    if proposal.problem_id != problem.id:
        raise Invalid(_("That proposal was made for another problem."), field="proposal")
    solved = Update.objects.filter(id=problem.id, solved_by__isnull=True).update(
        solved_by=proposal, solved_at=timezone.now(), solved_marked_by=person
    )
    if not solved:
        raise Conflict(_("This problem is already solved."))
    problem.refresh_from_db()
    url = f"{settings.SITE_URL}/apps/projects/{project.id}/#u{problem.id}"
    with translation.override(person.language or settings.LANGUAGE_CODE):
        text = gettext("✅ Solved · %(project)s:%(problem)s, by @%(author)s's proposal") % {
            "project": project.name,
            "problem": problem.text,
            "author": proposal.author.handle,
        }
        short = gettext("✅ Solved, by @%(author)s's proposal") % {"author": proposal.author.handle}
        card = ("✅", f"{problem.text} → {proposal.text}", f"/apps/projects/{project.id}/#u{problem.id}")
        _post(person, project, f"{text} {url}", f"{short} {url}", card=card)
    return problem


# --- the weekly digest -----------------------------------------------------------------------


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def digest(project: Project, week: dt.date, *, now: dt.datetime | None = None) -> Digest | None:
    """The digest of the week starting `week` (a Monday), made and posted once; None for a quiet
    week, when the project's owner cannot post it (they left the group) or it was made before."""
    now = now or timezone.now()
    start = timezone.make_aware(dt.datetime.combine(week, dt.time()))
    end = start + dt.timedelta(days=7)
    updates = list(
        Update.objects.filter(project=project, created_at__gte=start, created_at__lt=end)
        .select_related("author")
        .order_by("id")
    )
    moved = [
        {"id": str(u.id), "author": u.author.handle, "text": u.text}
        for u in updates
        if u.kind == Update.Kind.STATUS
    ]
    open_problems = Update.objects.filter(
        project=project, kind=Update.Kind.PROBLEM, solved_by__isnull=True, created_at__lt=end - STUCK_AFTER
    ).select_related("author")
    stuck = [
        {"id": str(p.id), "author": p.author.handle, "text": p.text, "days": (end - p.created_at).days}
        for p in open_problems.order_by("id")
    ]
    texts: dict[str, list[str]] = defaultdict(list)
    for u in updates:
        if u.kind == Update.Kind.SOLUTION:
            texts[u.author.handle].append(u.text)
    counts = Counter({handle: len(items) for handle, items in texts.items()})
    proposed = [{"author": h, "count": n, "texts": texts[h]} for h, n in counts.most_common()]
    if not (moved or stuck or proposed):
        return None  # a quiet week: no post about nothing
    owner = project.owner
    if owner is None or not selectors.member_group_or_none(owner, KEY, project.group_id):
        return None
    proposals = sum(len(items) for items in texts.values())
    try:
        # One transaction: a post refused (a rate limit, a leak-prevention rule) leaves the week to
        # be tried again the next morning rather than marked done with nothing posted.
        with transaction.atomic():
            made = Digest.objects.create(
                project=project, week=week, moved=moved, stuck=stuck, proposed=proposed
            )
            url = f"{settings.SITE_URL}/apps/projects/{project.id}/digests/{made.id}/"
            with translation.override(owner.language or settings.LANGUAGE_CODE):
                text = gettext(
                    "📊 Weekly digest · %(project)s, week of %(week)s: %(moved)d updates, "
                    "%(stuck)d stuck problems, %(proposed)d proposals"
                ) % {
                    "project": project.name,
                    "week": week.isoformat(),
                    "moved": len(moved),
                    "stuck": len(stuck),
                    "proposed": proposals,
                }
                summary = gettext("Weekly digest")
            card = ("📊", f"{summary} {week.isoformat()}", f"/apps/projects/{project.id}/digests/{made.id}/")
            made.post = _post(owner, project, f"{text} {url}", card=card)
            made.save(update_fields=["post"])
    except IntegrityError:  # made before
        return None
    return made


def weekly_digests(today: dt.date) -> int:
    """The digests of last week for every project of a group the app is on for; one project's
    refused post does not stop the others."""
    last_week = week_of(today) - dt.timedelta(days=7)
    made = 0
    for project in Project.objects.select_related("group", "owner").iterator():
        if not selectors.on_for_group(KEY, project.group):
            continue
        try:
            made += digest(project, last_week) is not None
        except DomainError as refused:
            log.warning("project %s: digest not posted: %s", project.id, refused)
    return made
