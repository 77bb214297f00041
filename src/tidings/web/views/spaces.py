"""The internal space of an organisation (/o/<slug>/), its groups, and the public brand page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tidings.accounts.models import Account
from tidings.accounts.selectors import account_by_handle
from tidings.core.audience import access_post
from tidings.core.errors import DomainError, NotFound
from tidings.groups import forum
from tidings.groups import selectors as group_selectors
from tidings.groups import services as groups
from tidings.groups.models import Group, GroupMember
from tidings.ops import ambassadors
from tidings.orgs import selectors as orgs
from tidings.orgs import services as org_services
from tidings.posts import selectors as posts
from tidings.search import selectors as search
from tidings.web.views.common import back, max_id, number


def _account(request: HttpRequest) -> Account:
    assert isinstance(request.user, Account)
    return request.user


@login_required
def spaces(request: HttpRequest) -> HttpResponse:
    """The switcher: every organisation the person is in, and their groups there."""
    rows = [
        (m, group_selectors.groups_in(request.user, m.organisation))
        for m in orgs.my_organisations(request.user)
    ]
    return render(request, "tidings/spaces.html", {"rows": rows, "nav": "spaces"})


@login_required
def space(request: HttpRequest, slug: str) -> HttpResponse:
    org, membership = orgs.access_space(request.user, slug)
    page = posts.space_posts(request.user, organisation_id=org.id, max_id=max_id(request))
    pinned = posts.hydrate(
        request.user, posts.posts_by_ids(request.user, group_selectors.pinned_post_ids(org, None))
    )
    context = {
        "org": org,
        "membership": membership,
        "page": page,
        "pinned": pinned,
        "announcements": _announcements(request, org.id, None),
        "groups": group_selectors.groups_in(request.user, org),
        # What the company talks about inside (employees only; a guest sees only their groups).
        "inside_trending": search.trending_topics(organisation=org, limit=8) if membership.is_insider else [],
        # The company's official accounts suggest posts its employees may share (never forced).
        "suggestions": ambassadors.for_employee(request.user, org.id),
        "nav": "spaces",
    }
    return render(request, "tidings/space.html", context)


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    org, membership = orgs.access_space(request.user, slug)
    context = {"org": org, "membership": membership, "members": orgs.members(org), "nav": "spaces"}
    return render(request, "tidings/members.html", context)


@login_required
def group_create(request: HttpRequest, slug: str) -> HttpResponse:
    org, _membership = orgs.access_space(request.user, slug)
    values = {"name": request.POST.get("name", ""), "kind": request.POST.get("kind", Group.Kind.OPEN)}
    error = None
    if request.method == "POST":
        try:
            group = groups.create_group(
                org,
                actor=_account(request),
                name=values["name"],
                kind=values["kind"],
                description=request.POST.get("description", ""),
            )
            return redirect("web:group", slug=org.slug, group_id=group.id)
        except DomainError as exc:
            error = exc.message
    context = {"org": org, "values": values, "error": error, "kinds": Group.Kind.choices, "nav": "spaces"}
    return render(request, "tidings/group_create.html", context, status=400 if error else 200)


def _group(request: HttpRequest, slug: str, group_id: int) -> tuple[Group, GroupMember | None]:
    group, member = group_selectors.access_group(request.user, group_id)
    if group.organisation.slug != slug.lower():
        raise NotFound()
    return group, member


@login_required
def group(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    found, member = _group(request, slug, group_id)
    active = member is not None and member.state == GroupMember.State.ACTIVE
    context = {
        "org": found.organisation,
        "group": found,
        "member": member,
        "active": active,
        "page": posts.space_posts(
            request.user, organisation_id=found.organisation_id, group_id=found.id, max_id=max_id(request)
        )
        if active
        else None,
        "pinned": posts.hydrate(
            request.user,
            posts.posts_by_ids(request.user, group_selectors.pinned_post_ids(found.organisation, found)),
        )
        if active
        else [],
        "pending": group_selectors.pending_members(found)
        if active and group_selectors.is_manager(found, _account(request))
        else [],
        "notify_choices": GroupMember.Notify.choices,
        "members": group_selectors.members_of(found) if active else [],
        "announcements": _announcements(request, found.organisation_id, found.id) if active else [],
        "nav": "spaces",
    }
    return render(request, "tidings/group.html", context)


GROUP_ACTIONS = {"join", "leave", "approve", "invite", "notify"}


@login_required
@require_POST
def group_action(request: HttpRequest, slug: str, group_id: int, action: str) -> HttpResponse:
    if action not in GROUP_ACTIONS:
        raise NotFound()
    found, _member = _group(request, slug, group_id)
    actor = _account(request)
    if action == "join":
        groups.join(found, actor)
    elif action == "leave":
        groups.leave(found, actor)
    elif action == "notify":
        groups.set_notify(found, actor, notify=request.POST.get("notify", ""))
    else:
        target = account_by_handle(request.POST.get("handle", "").strip().removeprefix("@"))
        if action == "approve":
            groups.approve(found, target, actor=actor)
        else:
            groups.invite(found, target, actor=actor)
    if action == "leave":
        return redirect("web:spaces")
    return redirect("web:group", slug=found.organisation.slug, group_id=found.id)


@login_required
@require_POST
def pin(request: HttpRequest, post_id: int, action: str) -> HttpResponse:
    if action not in {"pin", "unpin"}:
        raise NotFound()
    post = access_post(request.user, post_id, related=("group", "organisation"))
    (groups.pin if action == "pin" else groups.unpin)(post, actor=_account(request))
    return back(request, reverse("web:post", args=[post.id]))


@login_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        membership = org_services.accept_invitation(_account(request), token=token)
        if membership.is_insider:
            return redirect("web:space", slug=membership.organisation.slug)
        return redirect("web:spaces")
    return render(request, "tidings/invitation.html", {"token": token})


def brand(request: HttpRequest, slug: str) -> HttpResponse:
    """The public brand page: about, official accounts, their public posts, the followers."""
    org = orgs.organisation_by_slug(slug)
    officials = orgs.official_accounts(org)
    ids = [a.id for a in officials]
    context = {
        "org": org,
        "officials": officials,
        "followers": orgs.brand_followers(ids),
        "page": posts.official_posts(request.user, ids, max_id=max_id(request)),
        "membership": orgs.membership(request.user, org),
    }
    return render(request, "tidings/brand.html", context)


@login_required
@require_POST
def join_by_email(request: HttpRequest) -> HttpResponse:
    from tidings.orgs import joining

    org = joining.request_by_email(_account(request), email=request.POST.get("email", ""))
    return render(request, "tidings/join_email_sent.html", {"org": org})


@login_required
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the mail: a page with a button (opening a link must not change anything)."""
    from tidings.orgs import joining

    if request.method == "POST":
        membership = joining.confirm_email(_account(request), token=token)
        return redirect("web:space", slug=membership.organisation.slug)
    return render(request, "tidings/join_email_confirm.html", {"token": token})


@login_required
@require_POST
def ask_to_join(request: HttpRequest, slug: str) -> HttpResponse:
    from tidings.orgs import joining

    org = orgs.organisation_by_slug(slug)
    joining.ask(_account(request), org, message=request.POST.get("message", ""))
    return render(request, "tidings/join_asked.html", {"org": org})


@login_required
@require_POST
def mark_read(request: HttpRequest, post_id: int) -> HttpResponse:
    forum.mark_read(_account(request), post_id=post_id)
    return back(request, reverse("web:post", args=[post_id]))


@login_required
def receipts(request: HttpRequest, post_id: int) -> HttpResponse:
    found = forum.receipts(_account(request), post_id=post_id)
    return render(request, "tidings/receipts.html", {"receipts": found, "nav": "spaces"})


@login_required
@require_POST
def accept_answer(request: HttpRequest, post_id: int) -> HttpResponse:
    raw = request.POST.get("answer", "")
    answer = number(raw)
    forum.accept_answer(_account(request), question_id=post_id, comment_id=answer)
    return redirect("web:post", post_id=post_id)


def _announcements(request: HttpRequest, organisation_id: int, group_id: int | None) -> list[posts.PostView]:
    ids = forum.unread_announcements(request.user, organisation_id=organisation_id, group_id=group_id)
    return posts.hydrate(request.user, posts.posts_by_ids(request.user, ids)) if ids else []
