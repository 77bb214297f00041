"""An audience as the APIs name it (the inverse of `Post.audience_name`): public, followers,
org:<slug>, group:<id>, and for the Mastodon routes direct."""

from __future__ import annotations

from tidings.core.errors import Invalid, NotFound
from tidings.core.text import is_number
from tidings.groups.models import Group
from tidings.orgs.selectors import organisation_by_slug
from tidings.posts.models import Audience


def parse(raw: str, *, direct: bool = False) -> tuple[str, int | None, int | None]:
    """(audience, organisation id, group id). A space that does not exist is not found; whether
    the caller may post into it is the publishing service's to say."""
    plain = ("public", "followers", "direct") if direct else ("public", "followers")
    if raw in plain:
        return raw, None, None
    kind, _sep, ref = raw.partition(":")
    if kind == "org" and ref:
        return Audience.ORGANISATION, organisation_by_slug(ref[:40]).id, None
    if kind == "group" and ref:
        group = Group.objects.filter(id=int(ref)).first() if is_number(ref) and len(ref) < 20 else None
        if group is None:
            raise NotFound()
        return Audience.GROUP, group.organisation_id, group.id
    names = (
        "public, followers, org:<slug>, group:<id> or direct"
        if direct
        else ("public, followers, org:<slug> or group:<id>")
    )
    raise Invalid(f"audience must be {names}")
