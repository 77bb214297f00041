"""The shapes of the native API, which the OpenAPI document publishes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema


class ProjectIn(Schema):
    group: str = Field(description="The team's group")
    name: str = Field(description="At most 40 characters")
    description: str = ""


class ProjectUpdateIn(Schema):
    kind: Literal["status", "problem", "solution"]
    text: str = Field(description="At most 100 characters")
    problem: str | None = Field(None, description="For a proposed solution: the problem it answers")


class SolvedIn(Schema):
    proposal: str = Field(description="The proposal that solved the problem")


class UpdateOut(Schema):
    id: str
    kind: Literal["status", "problem", "solution"]
    text: str
    author: str
    created_at: dt.datetime
    problem: str | None = Field(description="A proposal's problem")
    solved_by: str | None = Field(description="A solved problem's proposal")
    post: str | None = Field(description="The post in the group's feed")


class ProjectOut(Schema):
    id: str
    group: str
    name: str
    description: str
    owner: str | None
    url: str
    updates: list[UpdateOut] = Field(description="On a single project: its latest updates, newest first")


class TaskIn(Schema):
    group: str = Field(description="The group whose board the task goes on")
    title: str = Field(description="At most 60 characters")
    notes: str = ""
    assignees: list[str] = Field(default_factory=list, description="Handles of members of the group")
    due_on: dt.date | None = None
    source: str | None = Field(None, description="The post or comment the task is made from")


class TaskChange(Schema):
    title: str | None = None
    notes: str | None = None
    status: Literal["todo", "doing", "done"] | None = None
    assignees: list[str] | None = None
    due_on: dt.date | None = None


class TaskOut(Schema):
    id: str
    group: str
    title: str
    notes: str
    status: Literal["todo", "doing", "done"]
    assignees: list[str] = Field(description="Handles")
    due_on: dt.date | None
    source: str | None
    created_by: str | None
    created_at: dt.datetime
    done_at: dt.datetime | None
    url: str


class Error(Schema):
    error: str = Field(description="What went wrong, in the caller's language")


class AccountOut(Schema):
    id: str
    handle: str
    display_name: str
    kind: Literal["personal", "official", "executive", "bot"]
    organisation: str | None = Field(
        None, description="Slug of the organisation an official account speaks for"
    )


class MembershipOut(Schema):
    organisation: str = Field(description="The organisation's slug")
    name: str
    role: Literal["owner", "admin", "member", "guest"]


class MeOut(Schema):
    account: AccountOut
    memberships: list[MembershipOut]


class OrganisationOut(Schema):
    id: str
    slug: str
    name: str
    about: str
    official_accounts: list[AccountOut]
    brand_url: str


class MemberOut(Schema):
    account: AccountOut
    role: Literal["owner", "admin", "member", "guest"]


class GroupOut(Schema):
    id: str
    organisation: str
    name: str
    description: str
    kind: Literal["open", "private", "cross"]
    members_count: int
    my_state: Literal["active", "pending"] | None = Field(None, description="The caller's membership, if any")


class PostOut(Schema):
    id: str
    kind: Literal["post", "repost", "comment"]
    text: str
    audience: str = Field(description="public, followers, org:<slug>, group:<id> or direct")
    flavour: Literal["", "announcement", "question"]
    author: AccountOut
    created_at: dt.datetime
    edited_at: dt.datetime | None
    reposts_count: int
    comments_count: int
    likes_count: int
    url: str


class PostPage(Schema):
    items: list[PostOut]
    next_max_id: str | None = Field(description="Pass as max_id for the next (older) page; null at the end")


class PostIn(Schema):
    text: str = Field(max_length=5000)
    audience: str = Field("public", max_length=80, description="public, followers, org:<slug> or group:<id>")
    flavour: Literal["", "announcement", "question"] = ""


class RuleOut(Schema):
    id: int
    pattern: str
    is_regex: bool
    action: Literal["block", "hold"]
    reason: str


class RuleIn(Schema):
    pattern: str = Field(max_length=500)
    is_regex: bool = False
    action: Literal["block", "hold"] = "block"
    reason: str = Field(max_length=500)


class HeldOut(Schema):
    post: PostOut
    reason: str
    created_at: dt.datetime


class ReleaseIn(Schema):
    approve: bool


class AuditOut(Schema):
    id: int
    actor: str | None = Field(description="Handle of who did it")
    action: str
    detail: dict[str, str]
    address: str
    created_at: dt.datetime


# --- search and monitors -------------------------------------------------------------------------


class TopicOut(Schema):
    name: str
    posts_count: int
    url: str


class SearchOut(Schema):
    posts: list[PostOut]
    people: list[AccountOut]
    organisations: list[OrganisationOut]
    groups: list[GroupOut]
    topics: list[TopicOut]
    next_offset: int | None = Field(None, description="Best-match order: pass as offset for the next page")
    next_max_id: str | None = Field(None, description="Newest-first order: pass as max_id for the next page")


MonitorSource = Literal["public", "space", "both"]
MonitorDigest = Literal["", "hourly", "daily"]


class MonitorIn(Schema):
    account: str = Field(max_length=60, description="Handle of the official account the monitor is for")
    name: str = Field(max_length=200)
    query: str = Field(
        max_length=1000, description='Keywords in the search language: AND, OR, -NOT, "phrases"'
    )
    source: MonitorSource = "public"
    languages: list[str] = Field(
        default_factory=list, max_length=10, description="zh, en, ja, ko; empty: any"
    )
    notify: bool = True
    digest: MonitorDigest = ""
    webhook_url: str = Field("", max_length=1000)


class MonitorPatch(Schema):
    name: str | None = Field(None, max_length=200)
    query: str | None = Field(None, max_length=1000)
    source: MonitorSource | None = None
    languages: list[str] | None = Field(None, max_length=10)
    notify: bool | None = None
    digest: MonitorDigest | None = None
    webhook_url: str | None = Field(None, max_length=1000)


class MonitorOut(Schema):
    id: str
    account: AccountOut
    name: str
    query: str
    source: MonitorSource
    languages: list[str]
    notify: bool
    digest: MonitorDigest
    webhook_url: str
    webhook_secret: str | None = Field(
        description="Webhook calls carry X-Tidings-Signature: sha256=HMAC(secret, body); "
        "shown to a token with write:monitors only"
    )
    hits_count: int
    created_at: dt.datetime


class HitOut(Schema):
    post: PostOut
    sentiment: Literal[-1, 0, 1] = Field(
        description="A machine's guess from word lists: -1 negative, 1 positive"
    )
    flagged: bool = Field(description="Negative, by an author with many followers: the early warning")


class HitPage(Schema):
    items: list[HitOut]
    next_max_id: str | None


class CountOut(Schema):
    day: dt.date
    posts: int


class AuthorCountOut(Schema):
    account: AccountOut
    posts: int


class TopicCountOut(Schema):
    name: str
    posts: int


class FiguresOut(Schema):
    total: int
    positive: int
    neutral: int
    negative: int
    volume: list[CountOut]
    top_authors: list[AuthorCountOut]
    top_topics: list[TopicCountOut]
    sentiment_caveat: str
