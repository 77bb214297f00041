"""What a status shows of a post and its author, read on a raw cursor in one query: building the
model objects for a page of 40 statuses (some 300 of them with their authors and organisations)
cost several times the query itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import connection
from django.utils.dateparse import parse_datetime

from tidings.accounts.models import Account
from tidings.core.audience import visible_posts_sql
from tidings.orgs.models import Organisation
from tidings.posts.models import Audience, Post


class Org(NamedTuple):
    slug: str
    name: str
    created_at: dt.datetime


class AuthorRow(NamedTuple):
    """The fields of an account that `Serializer.account` reads, under the same names."""

    id: int
    handle: str
    display_name: str
    avatar: str
    bio: str
    kind: str
    date_joined: dt.datetime
    followers_count: int
    following_count: int
    posts_count: int
    organisation_id: int | None
    language: str
    organisation: Org | None


class PostRow(NamedTuple):
    id: int
    kind: str
    text: str
    audience: str
    organisation_slug: str | None  # of the organisation an internal post is in
    group_id: int | None
    language: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    reply_to_id: int | None
    root_id: int | None
    repost_of_id: int | None
    likes_count: int
    reposts_count: int
    comments_count: int
    author: AuthorRow

    @property
    def audience_name(self) -> str:
        """As `Post.audience_name`: public, followers, org:<slug>, group:<id> or direct."""
        if self.audience == Audience.ORGANISATION and self.organisation_slug is not None:
            return f"org:{self.organisation_slug}"
        if self.audience == Audience.GROUP and self.group_id:
            return f"group:{self.group_id}"
        return self.audience

    @property
    def is_plain_repost(self) -> bool:
        return self.kind == Post.Kind.REPOST and not self.text


_POST_COLUMNS = (
    "p.id, p.kind, p.text, p.audience, po.slug, p.group_id, p.language, p.created_at, p.edited_at,"
    " p.reply_to_id, p.root_id, p.repost_of_id, p.likes_count, p.reposts_count, p.comments_count"
)
_AUTHOR_COLUMNS = (
    "a.id, a.handle, a.display_name, a.avatar, a.bio, a.kind, a.date_joined, a.followers_count,"
    " a.following_count, a.posts_count, a.organisation_id, a.language, ao.slug, ao.name, ao.created_at"
)


def _sql(count: int) -> str:
    posts, accounts, orgs = Post._meta.db_table, Account._meta.db_table, Organisation._meta.db_table
    marks = ", ".join(["%s"] * count)
    return (
        f"SELECT {_POST_COLUMNS}, {_AUTHOR_COLUMNS} FROM {posts} p"  # noqa: S608 - names and placeholders only
        f" JOIN {accounts} a ON a.id = p.author_id"
        f" LEFT JOIN {orgs} po ON po.id = p.organisation_id"
        f" LEFT JOIN {orgs} ao ON ao.id = a.organisation_id"
        f" WHERE p.id IN ({marks})"
    )


def _when(value: Any) -> Any:
    """A time as the ORM gives it (aware, UTC): SQLite's raw cursor gives naive ones or text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def post_rows(ids: Iterable[int]) -> dict[int, PostRow]:
    """The rows of these posts that still exist, by id (the caller checked who may see them)."""
    return _read(ids, "", [])


def visible_post_rows(viewer: Any, ids: Iterable[int]) -> dict[int, PostRow]:
    """The rows of those of these posts the viewer may see (the one audience check), by id."""
    condition, params = visible_posts_sql(viewer, "p")
    return _read(ids, " AND " + condition, params)


def _read(ids: Iterable[int], condition: str, params: list[Any]) -> dict[int, PostRow]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_sql(len(wanted)) + condition, [*wanted, *params])
        found = cursor.fetchall()
    out = {}
    for r in found:
        org = Org(r[27], r[28], _when(r[29])) if r[27] is not None else None
        author = AuthorRow._make((*r[15:21], _when(r[21]), *r[22:27], org))
        out[r[0]] = PostRow._make((*r[0:7], _when(r[7]), _when(r[8]), *r[9:15], author))
    return out
