"""The native API's operations. Thin: each finds what the caller may see through the same
selectors as the web pages and writes through the same services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status

from tidings.accounts.models import Account
from tidings.api import audience as audiences
from tidings.api.native.auth import read, write
from tidings.api.native.schemas import (
    AuditOut,
    Error,
    GroupOut,
    HeldOut,
    MemberOut,
    MeOut,
    OrganisationOut,
    PostIn,
    PostOut,
    PostPage,
    ReleaseIn,
    RuleIn,
    RuleOut,
)
from tidings.core.errors import Invalid, NotFound
from tidings.core.text import is_id
from tidings.groups import selectors as group_selectors
from tidings.groups import services as groups
from tidings.groups.models import Group, GroupMember
from tidings.orgs import policy
from tidings.orgs import selectors as org_selectors
from tidings.orgs.models import Organisation, PolicyRule
from tidings.posts import selectors as posts
from tidings.posts import services as post_services
from tidings.posts.models import Post

router = Router()
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


def answers(ok: Any, status: int = 200) -> dict[int, Any]:
    return {status: ok, **ERRORS}


MAX_LIMIT = 40


def _me(request: HttpRequest) -> Account:
    assert isinstance(request.user, Account)
    return request.user


def _id(raw: str) -> int:
    if not is_id(raw):
        raise NotFound()
    return int(raw)


def _account(a: Account) -> dict[str, Any]:
    org = a.organisation if a.organisation_id and a.kind != "personal" else None
    return {
        "id": str(a.id),
        "handle": a.handle,
        "display_name": a.display_name,
        "kind": a.kind,
        "organisation": org.slug if org else None,
    }


def _post(request: HttpRequest, p: Post) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "kind": p.kind,
        "text": p.text,
        "audience": p.audience_name,
        "flavour": p.flavour,
        "author": _account(p.author),
        "created_at": p.created_at,
        "edited_at": p.edited_at,
        "reposts_count": p.reposts_count,
        "comments_count": p.comments_count,
        "likes_count": p.likes_count,
        "url": request.build_absolute_uri(f"/p/{p.id}/"),
    }


def _page(request: HttpRequest, page: posts.Page) -> dict[str, Any]:
    return {
        "items": [_post(request, v.post) for v in page.items],
        "next_max_id": str(page.next_max_id) if page.next_max_id else None,
    }


def _limit(limit: int) -> int:
    if not MAX_LIMIT >= limit >= 1:
        raise Invalid(f"limit must be from 1 to {MAX_LIMIT}")
    return limit


def _max_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not is_id(raw):
        raise Invalid("max_id must be an id")
    return int(raw)


def _staff_space(request: HttpRequest, slug: str) -> Organisation:
    """The organisation, for its owners and admins; others get the answer for a missing one."""
    org, membership = org_selectors.access_space(request.user, slug)
    if not membership.is_staff:
        raise NotFound()
    return org


# --- the caller and organisations ------------------------------------------------------------


@router.get("/me", response=answers(MeOut), auth=write("read:accounts"), tags=["accounts"])
def me(request: HttpRequest) -> Any:
    """The caller's account and the organisations they belong to, with their role in each."""
    memberships = org_selectors.my_organisations(_me(request))
    return {
        "account": _account(_me(request)),
        "memberships": [
            {"organisation": m.organisation.slug, "name": m.organisation.name, "role": m.role}
            for m in memberships
        ],
    }


@router.get("/organisations/{slug}", response=answers(OrganisationOut), auth=read(), tags=["organisations"])
def organisation(request: HttpRequest, slug: str) -> Any:
    """An organisation's public brand page: anyone may read it."""
    org = org_selectors.organisation_by_slug(slug[:40])
    return {
        "id": str(org.id),
        "slug": org.slug,
        "name": org.name,
        "about": org.about,
        "official_accounts": [_account(a) for a in org_selectors.official_accounts(org)],
        "brand_url": request.build_absolute_uri(reverse("web:brand", args=[org.slug])),
    }


@router.get(
    "/organisations/{slug}/members",
    response=answers(list[MemberOut]),
    auth=read(),
    tags=["organisations"],
)
def organisation_members(request: HttpRequest, slug: str) -> Any:
    """Who works there (employees only, not guests, may ask)."""
    org, _membership = org_selectors.access_space(request.user, slug[:40])
    return [{"account": _account(m.account), "role": m.role} for m in org_selectors.members(org)]


@router.get("/organisations/{slug}/timeline", response=answers(PostPage), auth=read(), tags=["organisations"])
def organisation_timeline(
    request: HttpRequest, slug: str, max_id: str | None = None, limit: int = Query(20)
) -> Any:
    """The internal timeline: posts to the whole organisation, newest first."""
    org, _membership = org_selectors.access_space(request.user, slug[:40])
    page = posts.space_posts(
        request.user, organisation_id=org.id, max_id=_max_id(max_id), limit=_limit(limit)
    )
    return _page(request, page)


@router.get("/organisations/{slug}/groups", response=answers(list[GroupOut]), auth=read(), tags=["groups"])
def organisation_groups(request: HttpRequest, slug: str) -> Any:
    """The groups of the organisation the caller can find (and those they belong to)."""
    org = org_selectors.organisation_by_slug(slug[:40])
    if org_selectors.membership(request.user, org) is None:
        raise NotFound()
    return [_group(g, m) for g, m in group_selectors.groups_in(request.user, org)]


# --- groups ----------------------------------------------------------------------------------


def _group(g: Group, member: GroupMember | None) -> dict[str, Any]:
    return {
        "id": str(g.id),
        "organisation": g.organisation.slug,
        "name": g.name,
        "description": g.description,
        "kind": g.kind,
        "members_count": g.members_count,
        "my_state": member.state if member is not None and member.state in ("active", "pending") else None,
    }


@router.get("/groups/{group_id}", response=answers(GroupOut), auth=read(), tags=["groups"])
def group(request: HttpRequest, group_id: str) -> Any:
    found, member = group_selectors.access_group(request.user, _id(group_id))
    return _group(found, member)


@router.get("/groups/{group_id}/timeline", response=answers(PostPage), auth=read(), tags=["groups"])
def group_timeline(
    request: HttpRequest, group_id: str, max_id: str | None = None, limit: int = Query(20)
) -> Any:
    """A group's feed, for its members."""
    found, member = group_selectors.access_group(request.user, _id(group_id))
    if member is None or member.state != GroupMember.State.ACTIVE:
        raise NotFound()
    page = posts.space_posts(
        request.user,
        organisation_id=found.organisation_id,
        group_id=found.id,
        max_id=_max_id(max_id),
        limit=_limit(limit),
    )
    return _page(request, page)


@router.post(
    "/groups/{group_id}/join", response=answers(GroupOut), auth=write("write:lists"), tags=["groups"]
)
def group_join(request: HttpRequest, group_id: str) -> Any:
    """Join an open group, or ask to join a private one (the state is then "pending")."""
    found, _member = group_selectors.access_group(request.user, _id(group_id))
    member = groups.join(found, _me(request))
    found.refresh_from_db()
    return _group(found, member)


@router.post(
    "/groups/{group_id}/leave", response=answers(GroupOut), auth=write("write:lists"), tags=["groups"]
)
def group_leave(request: HttpRequest, group_id: str) -> Any:
    found, _member = group_selectors.access_group(request.user, _id(group_id))
    groups.leave(found, _me(request))
    found.refresh_from_db()
    return _group(found, None)


# --- posts -------------------------------------------------------------------------------------


@router.post("/posts", response=answers(PostOut), auth=write("write:statuses"), tags=["posts"])
def create_post(request: HttpRequest, data: PostIn) -> Any:
    """A post to any audience, including an announcement or a question inside a space."""
    audience, organisation_id, group_id = audiences.parse(data.audience)
    made = post_services.publish(
        _me(request),
        text=data.text,
        audience=audience,
        organisation_id=organisation_id,
        group_id=group_id,
        flavour=data.flavour,
    )
    return _post(request, posts.post_view(request.user, made.id).post)


@router.get("/posts/{post_id}", response=answers(PostOut), auth=read("read:statuses"), tags=["posts"])
def get_post(request: HttpRequest, post_id: str) -> Any:
    return _post(request, posts.post_view(request.user, _id(post_id)).post)


# --- policy and audit (owners and admins) ----------------------------------------------------


@router.get(
    "/organisations/{slug}/policy/rules",
    response=answers(list[RuleOut]),
    auth=write("read"),
    tags=["policy"],
)
def rules(request: HttpRequest, slug: str) -> Any:
    org = _staff_space(request, slug[:40])
    return list(PolicyRule.objects.filter(organisation=org).order_by("id"))


@router.post(
    "/organisations/{slug}/policy/rules",
    response=answers(RuleOut),
    auth=write("write"),
    tags=["policy"],
)
def add_rule(request: HttpRequest, slug: str, data: RuleIn) -> Any:
    """A word or pattern that blocks public posts of the organisation's people, or holds them
    for review; a pattern that does not compile is refused."""
    org = _staff_space(request, slug[:40])
    return policy.add_rule(
        org,
        actor=_me(request),
        pattern=data.pattern,
        is_regex=data.is_regex,
        action=data.action,
        reason=data.reason,
        address=request.META.get("REMOTE_ADDR", ""),
    )


@router.delete(
    "/organisations/{slug}/policy/rules/{rule_id}",
    response=answers(None, 204),
    auth=write("write"),
    tags=["policy"],
)
def remove_rule(request: HttpRequest, slug: str, rule_id: str) -> Any:
    org = _staff_space(request, slug[:40])
    policy.remove_rule(
        org, actor=_me(request), rule_id=_id(rule_id), address=request.META.get("REMOTE_ADDR", "")
    )
    return Status(204, None)


@router.get(
    "/organisations/{slug}/policy/held",
    response=answers(list[HeldOut]),
    auth=write("read"),
    tags=["policy"],
)
def held(request: HttpRequest, slug: str) -> Any:
    """Posts held by a rule, waiting for an owner or admin."""
    org = _staff_space(request, slug[:40])
    return [
        {"post": _post(request, h.post), "reason": h.reason, "created_at": h.created_at}
        for h in policy.held_posts(org, actor=_me(request))
    ]


@router.post(
    "/organisations/{slug}/policy/held/{post_id}",
    response=answers(None, 204),
    auth=write("write"),
    tags=["policy"],
)
def release(request: HttpRequest, slug: str, post_id: str, data: ReleaseIn) -> Any:
    """Let a held post out (`approve: true`) or turn it down (it is deleted)."""
    org = _staff_space(request, slug[:40])
    policy.release(
        org,
        actor=_me(request),
        post_id=_id(post_id),
        approve=data.approve,
        address=request.META.get("REMOTE_ADDR", ""),
    )
    return Status(204, None)


@router.get(
    "/organisations/{slug}/audit",
    response=answers(list[AuditOut]),
    auth=write("read"),
    tags=["policy"],
)
def audit(request: HttpRequest, slug: str) -> Any:
    """The organisation's audit log: every admin action, who, what, when and from where."""
    org = _staff_space(request, slug[:40])
    return [
        {
            "id": e.id,
            "actor": e.actor.handle if e.actor else None,
            "action": e.action,
            "detail": {str(k): str(v) for k, v in (e.detail or {}).items()},
            "address": e.address,
            "created_at": e.created_at,
        }
        for e in org_selectors.audit_log(org)
    ]
