"""JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of what the Mastodon routes answer with, as
`serializers.py` and the views that shape their own answers write it: every key they always
send is required, and a value they may leave empty is nullable."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
BOOL: Schema = {"type": "boolean"}
COUNT: Schema = {"type": "integer", "minimum": 0}
ID: Schema = {"type": "string", "pattern": "^[0-9]+$"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
URL: Schema = {"type": "string", "format": "uri"}
NONE_HERE: Schema = {"type": "array", "maxItems": 0, "description": "Always empty on this server."}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    if "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Schema], *, optional: tuple[str, ...] = ()) -> Schema:
    """An object with these keys, all sent unless named optional; clients ignore extra keys."""
    return {
        "type": "object",
        "properties": properties,
        "required": [k for k in properties if k not in optional],
    }


def _size() -> Schema:
    return obj({"width": COUNT, "height": COUNT, "size": STRING, "aspect": {"type": "number"}})


_ACCOUNT = obj(
    {
        "id": ID,
        "username": STRING,
        "acct": STRING,
        "display_name": STRING,
        "locked": BOOL,
        "bot": BOOL,
        "discoverable": nullable(BOOL),
        "indexable": BOOL,
        "group": BOOL,
        "noindex": nullable(BOOL),
        "created_at": DATETIME,
        "note": {"type": "string", "description": "HTML."},
        "url": URL,
        "uri": URL,
        "avatar": URL,
        "avatar_static": URL,
        "header": URL,
        "header_static": URL,
        "followers_count": COUNT,
        "following_count": COUNT,
        "statuses_count": COUNT,
        "last_status_at": nullable({"type": "string", "format": "date"}),
        "hide_collections": nullable(BOOL),
        "emojis": NONE_HERE,
        "fields": array(obj({"name": STRING, "value": STRING, "verified_at": nullable(DATETIME)})),
        "roles": NONE_HERE,
        "tidings": obj(
            {
                "kind": {"enum": ["personal", "official", "executive", "bot"]},
                "organisation": {
                    "type": ["string", "null"],
                    "description": "The organisation an official or executive account speaks for.",
                },
            }
        ),
    }
)

_SOURCE = obj(
    {
        "privacy": {"enum": ["public", "unlisted", "private", "direct"]},
        "sensitive": BOOL,
        "language": STRING,
        "note": STRING,
        "fields": array(obj({"name": STRING, "value": STRING})),
        "follow_requests_count": COUNT,
    }
)

_RELATIONSHIP = obj(
    {
        "id": ID,
        **{
            k: BOOL
            for k in (
                "following",
                "showing_reblogs",
                "notifying",
                "followed_by",
                "blocking",
                "blocked_by",
                "muting",
                "muting_notifications",
                "requested",
                "requested_by",
                "domain_blocking",
                "endorsed",
            )
        },
        "languages": nullable(array(STRING)),
        "note": STRING,
    }
)

_POLL = obj(
    {
        "id": ID,
        "expires_at": nullable(DATETIME),
        "expired": BOOL,
        "multiple": BOOL,
        "votes_count": COUNT,
        "voters_count": nullable(COUNT),
        "options": array(
            obj({"title": STRING, "votes_count": {**nullable(COUNT), "description": "Null while hidden."}})
        ),
        "emojis": NONE_HERE,
        "voted": {**nullable(BOOL), "description": "Null without a signed-in person."},
        "own_votes": nullable(array(COUNT)),
    }
)

_MEDIA = obj(
    {
        "id": ID,
        "type": {"enum": ["unknown", "image", "gifv", "video", "audio"]},
        "url": URL,
        "preview_url": nullable(URL),
        "remote_url": nullable(URL),
        "preview_remote_url": nullable(URL),
        "text_url": nullable(URL),
        "meta": obj({"original": _size(), "small": _size()}),
        "description": nullable(STRING),
        "blurhash": nullable(STRING),
    }
)

_CARD = obj(
    {
        "url": URL,
        "title": STRING,
        "description": STRING,
        "type": {"enum": ["link", "photo", "video", "rich"]},
        "author_name": STRING,
        "author_url": STRING,
        "provider_name": STRING,
        "provider_url": STRING,
        "html": STRING,
        "width": COUNT,
        "height": COUNT,
        "image": nullable(URL),
        "embed_url": STRING,
        "blurhash": nullable(STRING),
    }
)

_STATUS = obj(
    {
        "id": ID,
        "created_at": DATETIME,
        "edited_at": nullable(DATETIME),
        "in_reply_to_id": nullable(ID),
        "in_reply_to_account_id": nullable(ID),
        "sensitive": BOOL,
        "spoiler_text": STRING,
        "visibility": {"enum": ["public", "unlisted", "private", "direct"]},
        "audience": {
            "type": "string",
            "description": "Tidings: public, followers, org:<slug>, group:<id> or direct.",
        },
        "language": nullable(STRING),
        "uri": URL,
        "url": nullable(URL),
        "replies_count": COUNT,
        "reblogs_count": COUNT,
        "favourites_count": COUNT,
        "quotes_count": COUNT,
        "favourited": BOOL,
        "reblogged": BOOL,
        "muted": BOOL,
        "bookmarked": BOOL,
        "pinned": BOOL,
        "content": {"type": "string", "description": "HTML."},
        "reblog": nullable(ref("Status")),
        "quote": nullable(
            obj(
                {
                    "state": {
                        "enum": ["pending", "accepted", "rejected", "revoked", "deleted", "unauthorized"]
                    },
                    "quoted_status": nullable(ref("Status")),
                }
            )
        ),
        "application": nullable(obj({"name": STRING}, optional=("name",))),
        "account": ref("Account"),
        "media_attachments": array(ref("MediaAttachment")),
        "mentions": array(obj({"id": ID, "username": STRING, "acct": STRING, "url": URL})),
        "tags": array(obj({"name": STRING, "url": URL})),
        "emojis": NONE_HERE,
        "card": nullable(ref("PreviewCard")),
        "poll": nullable(ref("Poll")),
        "filtered": array({"type": "object"}),
    }
)

_TAG = obj({"name": STRING, "url": URL, "history": array({"type": "object"}), "following": BOOL})

_NOTIFICATION = obj(
    {
        "id": ID,
        "type": {"enum": ["mention", "status", "reblog", "follow", "favourite"]},
        "group_key": STRING,
        "created_at": DATETIME,
        "account": ref("Account"),
        "status": nullable(ref("Status")),
    }
)

_CONVERSATION = obj(
    {"id": ID, "unread": BOOL, "accounts": array(ref("Account")), "last_status": nullable(ref("Status"))}
)

_LIST = obj(
    {
        "id": {
            "type": "string",
            "pattern": "^(org|group)-[0-9]+$",
            "description": "A space: org-<id>, group-<id>.",
        },
        "title": STRING,
        "replies_policy": {"enum": ["followed", "list", "none"]},
        "exclusive": BOOL,
    }
)

_MARKER = obj({"last_read_id": ID, "version": COUNT, "updated_at": DATETIME})

_APPLICATION = obj(
    {
        "id": ID,
        "name": STRING,
        "website": nullable(STRING),
        "scopes": array(STRING),
        "redirect_uri": STRING,
        "redirect_uris": array(STRING),
        "vapid_key": STRING,
    }
)

_LIMITS = {
    "statuses": obj(
        {"max_characters": COUNT, "max_media_attachments": COUNT, "characters_reserved_per_url": COUNT}
    ),
    "media_attachments": obj(
        {
            "supported_mime_types": array(STRING),
            "image_size_limit": COUNT,
            "image_matrix_limit": COUNT,
            "video_size_limit": COUNT,
            "video_frame_rate_limit": COUNT,
            "video_matrix_limit": COUNT,
            "description_limit": COUNT,
        }
    ),
    "polls": obj(
        {
            "max_options": COUNT,
            "max_characters_per_option": COUNT,
            "min_expiration": COUNT,
            "max_expiration": COUNT,
        }
    ),
    "accounts": obj({"max_featured_tags": COUNT, "max_pinned_statuses": COUNT}),
    "translation": obj({"enabled": BOOL}),
}

_INSTANCE_V1 = obj(
    {
        "uri": STRING,
        "title": STRING,
        "short_description": STRING,
        "description": STRING,
        "email": STRING,
        "version": STRING,
        "urls": obj({"streaming_api": STRING}),
        "stats": obj({"user_count": COUNT, "status_count": COUNT, "domain_count": COUNT}),
        "thumbnail": nullable(URL),
        "languages": array(STRING),
        "registrations": BOOL,
        "approval_required": BOOL,
        "invites_enabled": BOOL,
        "configuration": obj(_LIMITS),
        "contact_account": nullable(ref("Account")),
        "rules": array({"type": "object"}),
    }
)

_INSTANCE_V2 = obj(
    {
        "domain": STRING,
        "title": STRING,
        "version": STRING,
        "source_url": STRING,
        "description": STRING,
        "usage": obj({"users": obj({"active_month": COUNT})}),
        "thumbnail": obj({"url": URL}),
        "icon": array({"type": "object"}),
        "languages": array(STRING),
        "configuration": obj(
            {
                "urls": obj({"streaming": STRING, "status": nullable(URL)}),
                "vapid": obj({"public_key": STRING}),
                **_LIMITS,
            }
        ),
        "registrations": obj(
            {
                "enabled": BOOL,
                "approval_required": BOOL,
                "message": nullable(STRING),
                "url": nullable(URL),
            }
        ),
        "api_versions": obj({"mastodon": COUNT}),
        "contact": obj({"email": STRING, "account": nullable(ref("Account"))}),
        "rules": array({"type": "object"}),
        "tidings": obj({"scopes": array(STRING), "audiences": array(STRING)}),
    }
)

ENTITIES: dict[str, Schema] = {
    "Account": _ACCOUNT,
    "CredentialAccount": {"allOf": [ref("Account"), obj({"source": _SOURCE})]},
    "Relationship": _RELATIONSHIP,
    "Poll": _POLL,
    "MediaAttachment": _MEDIA,
    "PreviewCard": _CARD,
    "Status": _STATUS,
    "DeletedStatus": {
        "allOf": [ref("Status"), obj({"text": {"type": "string", "description": "The source, to redraft."}})]
    },
    "StatusEdit": obj(
        {
            "content": STRING,
            "spoiler_text": STRING,
            "sensitive": BOOL,
            "created_at": DATETIME,
            "account": ref("Account"),
            "media_attachments": array(ref("MediaAttachment")),
            "emojis": NONE_HERE,
        }
    ),
    "StatusSource": obj({"id": ID, "text": STRING, "spoiler_text": STRING}),
    "Context": obj({"ancestors": array(ref("Status")), "descendants": array(ref("Status"))}),
    "Tag": _TAG,
    "Notification": _NOTIFICATION,
    "Conversation": _CONVERSATION,
    "List": _LIST,
    "Markers": obj({"home": _MARKER, "notifications": _MARKER}, optional=("home", "notifications")),
    "Preferences": obj(
        {
            "posting:default:visibility": {"enum": ["public", "unlisted", "private", "direct"]},
            "posting:default:sensitive": BOOL,
            "posting:default:language": nullable(STRING),
            "reading:expand:media": {"enum": ["default", "show_all", "hide_all"]},
            "reading:expand:spoilers": BOOL,
        }
    ),
    "Search": obj(
        {"accounts": array(ref("Account")), "statuses": array(ref("Status")), "hashtags": array(ref("Tag"))}
    ),
    "Application": _APPLICATION,
    "CredentialApplication": {
        "allOf": [
            ref("Application"),
            obj({"client_id": STRING, "client_secret": STRING, "client_secret_expires_at": COUNT}),
        ]
    },
    "InstanceV1": _INSTANCE_V1,
    "Instance": _INSTANCE_V2,
    "UnreadCount": obj({"count": COUNT}),
    "Empty": {"type": "object", "maxProperties": 0},
    "Error": obj({"error": STRING}),
}
