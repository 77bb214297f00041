"""The OpenAPI 3.1 document of the Mastodon-compatible routes, served at /api/v1/openapi.json.
Paths and methods come from the URL patterns and the scope each route needs from its `@api`
declaration, so the document cannot drift from the routes on those; what each operation takes
and answers is written here, once per route, the repetitive parts by small helpers."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tidings.accounts import scopes
from tidings.api.mastodon.common import DEFAULT_LIMIT, MAX_LIMIT, api
from tidings.api.mastodon.entities import BOOL, ENTITIES, ID, STRING, Schema, array, obj, ref
from tidings.posts import polls

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
INTEGER: Schema = {"type": "integer"}
NUMBER_TEXT: Schema = {"type": "string", "pattern": "^[0-9]{1,19}$"}
FLAG: Schema = {"type": "boolean"}
EVENTS = "text/event-stream"

ERRORS = {
    400: "The parameters are malformed (a paging id, a limit, a missing `q`, a body that does not parse)"
    " or too many (over 200).",
    401: "No token, or a token that is unknown, expired or revoked (also on a public route).",
    403: "The token does not hold the scope.",
    404: "Missing, or not for the caller's eyes: both answer alike.",
    413: "The request body or the picture is too large.",
    415: "The body is neither JSON, a form nor multipart.",
    422: "A rule refused it; or the route needs a person's token and got an app's own.",
    429: "Too many requests; `Retry-After` says when to come back.",
}


@dataclass
class Op:
    """What one route takes and answers. `returns`: the 200 body's schema (JSON unless `media`);
    `body`: the properties of a JSON or form body; `files`: pictures, sent as multipart (with the
    body's fields); `paged`: Mastodon's paging by id, answered with a `Link` header, with at most
    `most` items."""

    summary: str
    returns: Schema
    query: dict[str, Schema] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    body: dict[str, Schema] | None = None
    files: tuple[str, ...] = ()
    paged: bool = False
    most: int = MAX_LIMIT
    errors: tuple[int, ...] = ()
    media: str = JSON


def page_of(entity: str) -> Schema:
    return array(ref(entity))


PAGING = {"max_id": NUMBER_TEXT, "since_id": NUMBER_TEXT, "min_id": NUMBER_TEXT}
ALWAYS_EMPTY: Schema = {"type": "array", "maxItems": 0, "description": "None on this server."}
POLL_SPEC = obj(
    {
        "options": {
            "type": "array",
            "minItems": 2,
            "maxItems": polls.MAX_OPTIONS,
            "items": {"type": "string", "minLength": 1, "maxLength": polls.OPTION_MAX_LENGTH},
        },
        "expires_in": {"type": "integer", "minimum": polls.MIN_SECONDS, "maximum": polls.MAX_SECONDS},
        "multiple": BOOL,
        "hide_totals": BOOL,
    },
    optional=("multiple", "hide_totals"),
)
STATUS_BODY: dict[str, Schema] = {
    "status": {
        "type": "string",
        "description": f"The text: {settings.POST_MAX_LENGTH} by default, a CJK character counting 1, "
        "an ASCII one 1/2, a link 10.",
    },
    "media_ids": {"type": "array", "items": ID, "maxItems": settings.POST_MAX_IMAGES},
    "poll": POLL_SPEC,
    "in_reply_to_id": ID,
    "quoted_status_id": ID,
    "spoiler_text": {"type": "string", "description": "Put before the text: no content warnings here."},
    "visibility": {"enum": ["public", "unlisted", "private", "direct"]},
    "audience": {
        "type": "string",
        "description": "Tidings: public, followers, org:<slug>, group:<id> or direct; wins over visibility.",
    },
    "language": STRING,
}


def _status_action(summary: str) -> Op:
    return Op(summary, ref("Status"), errors=(404, 422))


def _relation(summary: str) -> Op:
    return Op(summary, ref("Relationship"), errors=(404, 422))


def _timeline(summary: str, entity: str = "Status", **query: Schema) -> Op:
    return Op(summary, page_of(entity), query=query, paged=True)


def _stream(summary: str, **query: Schema) -> Op:
    return Op(summary, {"type": "string"}, query=query, media=EVENTS, errors=(400, 404) if query else ())


# By route name; a route with several methods has one entry per method ("name METHOD").
OPERATIONS: dict[str, Op] = {
    "apps": Op(
        "Register a client app",
        ref("CredentialApplication"),
        body={
            "client_name": {"type": "string", "minLength": 1, "maxLength": 100},
            "redirect_uris": {"anyOf": [STRING, array(STRING)]},
            "scopes": {"type": "string", "description": "Space-separated; `read` if none."},
            "website": STRING,
        },
        required=("client_name", "redirect_uris"),
        errors=(422,),
    ),
    "apps_verify": Op("The calling token's app", ref("Application")),
    "openapi": Op("This document", {"type": "object"}),
    "instance_v1": Op("The server (Mastodon 3.x shape)", ref("InstanceV1")),
    "instance_v2": Op("The server and its limits", ref("Instance")),
    "custom_emojis": Op("Custom emojis", ALWAYS_EMPTY),
    "announcements": Op("Announcements", ALWAYS_EMPTY),
    "filters": Op("Filters", ALWAYS_EMPTY),
    "filters_v1": Op("Filters (v1)", ALWAYS_EMPTY),
    "follow_requests": Op("Follow requests: nobody's account is locked", ALWAYS_EMPTY),
    "preferences": Op("The person's posting and reading preferences", ref("Preferences")),
    "markers GET": Op(
        "Where the person stopped reading",
        ref("Markers"),
        query={"timeline[]": array({"enum": ["home", "notifications"]})},
    ),
    "markers POST": Op(
        "Save where the person stopped reading",
        ref("Markers"),
        body={
            "home": obj({"last_read_id": NUMBER_TEXT}),
            "notifications": obj({"last_read_id": NUMBER_TEXT}),
        },
        errors=(422,),
    ),
    "trends": Op("Trending topics", page_of("Tag"), query={"limit": INTEGER}, errors=(400,)),
    "trends_tags": Op("Trending topics", page_of("Tag"), query={"limit": INTEGER}, errors=(400,)),
    "search": Op(
        "Search accounts, topics and (signed in) posts",
        ref("Search"),
        query={
            "q": {"type": "string", "minLength": 1},
            "type": {"enum": ["accounts", "hashtags", "statuses"]},
            "offset": {"type": "integer", "minimum": 0, "maximum": 999999},
            "limit": INTEGER,
            "max_id": NUMBER_TEXT,
        },
        required=("q",),
        errors=(400, 422),
    ),
    "verify_credentials": Op("The calling person's account", ref("CredentialAccount")),
    "update_credentials": Op(
        "Change the calling person's profile",
        ref("CredentialAccount"),
        body={
            "display_name": STRING,
            "note": {"type": "string", "maxLength": 160},
            "source": obj({"language": STRING}, optional=("language",)),
        },
        files=("avatar",),
        errors=(413, 422),
    ),
    "account_lookup": Op(
        "An account by handle",
        ref("Account"),
        query={"acct": {"type": "string"}},
        required=("acct",),
        errors=(404,),
    ),
    "relationships": Op(
        "The caller's relationships to accounts",
        page_of("Relationship"),
        query={"id[]": {"type": "array", "items": STRING, "maxItems": 80}},
        errors=(422,),
    ),
    "account_search": Op(
        "Accounts by name",
        page_of("Account"),
        query={"q": {"type": "string", "minLength": 1}, "limit": INTEGER},
        required=("q",),
        errors=(400,),
    ),
    "account": Op("An account", ref("Account")),
    "account_statuses": _timeline("An account's posts", pinned=FLAG, only_media=FLAG, exclude_reblogs=FLAG),
    "account_followers": Op("An account's followers", page_of("Account"), paged=True, most=80),
    "account_following": Op("Whom an account follows", page_of("Account"), paged=True, most=80),
    "account_follow": _relation("Follow"),
    "account_unfollow": _relation("Stop following"),
    "account_block": _relation("Block"),
    "account_unblock": _relation("Unblock"),
    "account_mute": _relation("Mute"),
    "account_unmute": _relation("Unmute"),
    "statuses": Op(
        "Post, comment (reply), quote or message", ref("Status"), body=STATUS_BODY, errors=(404, 422)
    ),
    "status GET": Op("A post", ref("Status")),
    "status DELETE": Op("Delete a post", ref("DeletedStatus"), errors=(422,)),
    "status PUT": Op(
        "Edit a post's text",
        ref("Status"),
        body={"status": STATUS_BODY["status"], "spoiler_text": STRING, "language": STRING},
        errors=(422,),
    ),
    "status_context": Op("The thread around a post", ref("Context")),
    "status_history": Op("A post's versions", page_of("StatusEdit")),
    "status_source": Op("The text of one's own post", ref("StatusSource")),
    "status_reblogged_by": Op("Who reposted a post", page_of("Account")),
    "status_favourited_by": Op("Who liked a post", page_of("Account"), paged=True, most=80),
    "status_favourite": _status_action("Like"),
    "status_unfavourite": _status_action("Unlike"),
    "status_reblog": _status_action("Repost"),
    "status_unreblog": _status_action("Undo a repost"),
    "status_bookmark": _status_action("Save (收藏)"),
    "status_unbookmark": _status_action("Unsave"),
    "status_pin": _status_action("Pin to the profile"),
    "status_unpin": _status_action("Unpin"),
    "poll": Op("A poll", ref("Poll")),
    "poll_vote": Op(
        "Vote",
        ref("Poll"),
        body={"choices": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 999}}},
        required=("choices",),
        errors=(422,),
    ),
    "timeline_home": _timeline("Home: the posts of those one follows"),
    "timeline_public": _timeline("The public square", local=FLAG, remote=FLAG, only_media=FLAG),
    "timeline_tag": _timeline("A topic's posts"),
    "timeline_list": _timeline("A space's posts: an organisation (org-<id>) or a group (group-<id>)"),
    "lists": Op("The caller's spaces, as lists", page_of("List")),
    "list": Op("One space", ref("List")),
    "bookmarks": _timeline("Saved (收藏) posts"),
    "favourites": _timeline("Liked posts"),
    "notifications": Op(
        "Notifications",
        page_of("Notification"),
        query={
            "types[]": array({"enum": ["mention", "status", "reblog", "follow", "favourite"]}),
            "exclude_types[]": array(STRING),
            "account_id": STRING,
        },
        paged=True,
        most=80,
    ),
    "notifications_clear": Op("Dismiss every notification", ref("Empty")),
    "notifications_unread": Op("How many are unread (at most 1000)", ref("UnreadCount")),
    "notification": Op("A notification", ref("Notification")),
    "notification_dismiss": Op("Dismiss a notification", ref("Empty")),
    "conversations": _timeline("Direct-message conversations", "Conversation"),
    "conversation_read": Op("Mark a conversation read", ref("Conversation")),
    "conversation": Op("Hide a conversation", ref("Empty")),
    "media_v2": Op(
        "Upload a picture (ready at once)",
        ref("MediaAttachment"),
        body={"description": {"type": "string", "maxLength": 500}},
        files=("file",),
        required=("file",),
        errors=(413, 422),
    ),
    "media GET": Op("One's picture", ref("MediaAttachment")),
    "media PUT": Op(
        "Describe one's picture before posting it",
        ref("MediaAttachment"),
        body={"description": {"type": "string", "maxLength": 500}},
        errors=(422,),
    ),
    "streaming_health": Op("Whether streaming works", {"const": "OK"}, media="text/plain"),
    "streaming_user": _stream("The person's home posts, notifications and messages"),
    "streaming_notification": _stream("The person's notifications"),
    "streaming_public": _stream("The public square"),
    "streaming_public_local": _stream("The public square"),
    "streaming_hashtag": _stream("A topic", tag=STRING),
    "streaming_hashtag_local": _stream("A topic", tag=STRING),
    "streaming_list": _stream("A space", list=STRING),
    "streaming_direct": _stream("The person's direct messages"),
}
OPERATIONS["media_v1"] = OPERATIONS["media_v2"]


def route_path(pattern: str) -> str:
    """A URL pattern as OpenAPI writes it: v1/statuses/(?P<status_id>[^/]+)/?$ is
    /api/v1/statuses/{status_id}."""
    path = re.sub(r"\(\?P<(\w+)>\[\^/\]\+\)", r"{\1}", pattern.lstrip("^").removesuffix("/?$"))
    return "/api/" + path.replace("\\", "")


def views_by_method(view: Any) -> dict[str, Any]:
    declared = getattr(view, "api_methods", ("GET",))
    if isinstance(declared, dict):
        return {m: v for m, v in declared.items() if m != "HEAD"}
    return {m: view for m in declared if m != "HEAD"}


def security_of(view: Any) -> list[dict[str, list[str]]]:
    """What the route declares: a token (with its scope) that must be there, one that may be,
    or none at all."""
    needs = [view.api_scope] if view.api_scope else []
    if view.api_auth:
        return [{"bearer": needs}]
    return [{"bearer": needs}, {}] if needs else []


def _parameters(path: str, op: Op) -> list[Schema]:
    out: list[Schema] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in re.findall(r"{(\w+)}", path)
    ]
    query = dict(op.query)
    if op.paged:
        limit = {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT}
        query = {
            **PAGING,
            "limit": {**limit, "description": f"At most {op.most}: more asks for {op.most}."},
            **query,
        }
    for name, schema in query.items():
        parameter = {"name": name, "in": "query", "required": name in op.required, "schema": schema}
        if schema.get("type") == "array":
            parameter.update(style="form", explode=True)
        out.append(parameter)
    return out


def _body(op: Op) -> Schema:
    properties = dict(op.body or {})
    form = {
        "type": "object",
        "properties": properties,
        "required": [k for k in op.required if k in properties],
    }
    content = {JSON: {"schema": form}, FORM: {"schema": form}}
    if op.files:
        # `format: binary` too: tools read it as "a file part", contentMediaType alone as text.
        picture = {"type": "string", "format": "binary", "contentMediaType": "image/*"}
        with_files = {**properties, **{name: picture for name in op.files}}
        multipart = {
            **form,
            "properties": with_files,
            "required": [k for k in op.required if k in with_files],
        }
        # A picture comes only in multipart: a route that needs one takes nothing else.
        needs_picture = any(name in op.required for name in op.files)
        content = {**({} if needs_picture else content), MULTIPART: {"schema": multipart}}
    return {"required": bool(op.required), "content": content}


def _errors(path: str, view: Any, op: Op) -> set[int]:
    codes = {400, 401, 429, *op.errors}  # 400: more parameters than a request may carry, anywhere
    if view.api_scope:
        codes.add(403)
    if view.api_user:
        codes.add(422)
    if "{" in path:
        codes.add(404)
    if op.body is not None or op.files:
        codes |= {413, 415}
    return codes


def operation(path: str, method: str, view: Any, op: Op) -> Schema:
    ok: Schema = {"description": "OK", "content": {op.media: {"schema": op.returns}}}
    if op.paged:
        ok["headers"] = {
            "Link": {"description": 'Pages: rel="next" (older) and rel="prev" (newer).', "schema": STRING}
        }
    responses: dict[str, Schema] = {"200": ok}
    for code in sorted(_errors(path, view, op)):
        responses[str(code)] = {"$ref": f"#/components/responses/{code}"}
    out: Schema = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "summary": op.summary,
        "parameters": _parameters(path, op),
        "responses": responses,
        "security": security_of(view),
    }
    if op.body is not None or op.files:
        out["requestBody"] = _body(op)
    return out


def build(patterns: list[Any]) -> Schema:
    """The document for these URL patterns (the Mastodon ones, mounted under /api/). A route
    that OPERATIONS does not describe is left out, and the test comparing both fails."""
    paths: dict[str, Schema] = {}
    for pattern in patterns:
        path = route_path(str(pattern.pattern))
        methods = views_by_method(pattern.callback)
        for method, view in methods.items():
            op = OPERATIONS.get(f"{pattern.name} {method}") or OPERATIONS.get(pattern.name)
            if op is not None:
                paths.setdefault(path, {})[method.lower()] = operation(path, method, view, op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tidings: the Mastodon-compatible client API",
            "version": "1.0.0",
            "description": (
                "The routes of Mastodon's client API that Tidings serves, as Tidings answers them. "
                "Get a token by OAuth 2 (`/oauth/authorize`, `/oauth/token`, PKCE with S256) and send "
                "it as `Authorization: Bearer ...`; each operation names the scope it needs. Bodies "
                'may be JSON, a form or multipart. Ids are strings. Errors are `{"error": ...}`. '
                "What the caller may not see is answered 404, exactly as what does not exist."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": ENTITIES,
            "responses": {
                str(code): {"description": text, "content": {JSON: {"schema": ref("Error")}}}
                for code, text in ERRORS.items()
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An OAuth 2 access token. The requirement lists the scope the "
                    f"operation needs; broad scopes hold their parts ({', '.join(scopes.BROAD)}).",
                }
            },
        },
    }


@functools.cache
def document() -> Schema:
    from tidings.api.urls import mastodon_patterns  # the URL map imports this module's view

    return build(mastodon_patterns)


@api(auth=False)
def serve(request: HttpRequest) -> Any:
    return document()
