"""Our objects in Mastodon's JSON shapes. A page of statuses is serialized in a constant number
of queries: the posts come hydrated, and mentions, topics and reply targets are fetched for the
whole page at once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape

from tidings.core.render import render_text, topic_url
from tidings.posts.models import Audience, Media, Mention, Post, PostTopic, ProfilePin
from tidings.posts.polls import PollView
from tidings.posts.selectors import PostView
from tidings.social.models import Block, Follow, Mute

VISIBILITY = {
    Audience.PUBLIC: "public",
    Audience.FOLLOWERS: "private",
    # Inside a space only its people see a post: the nearest Mastodon word is "private".
    Audience.ORGANISATION: "private",
    Audience.GROUP: "private",
    Audience.DIRECT: "direct",
}


# What `reverse` leaves unquoted in a path argument.
URL_SAFE = "/~:@!$&'()*+,;="


def iso(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Serializer:
    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.viewer = request.user if request.user.is_authenticated else None
        self.base = request.build_absolute_uri("/").rstrip("/")
        # Resolved once: a page of 40 statuses asked the URL map a hundred times.
        self.media_prefix = self.url(reverse("web:media", args=["-"]))[:-1]
        self.brand_prefix = self.url(reverse("web:brand", args=["-"]))[:-2]
        self.authors: dict[int, dict[str, Any]] = {}  # each author of a page rendered once

    def url(self, path: str) -> str:
        return self.base + path

    def media_url(self, relative: str) -> str:
        return self.media_prefix + quote(relative, safe=URL_SAFE)

    # --- accounts ---------------------------------------------------------------------------

    def account(self, a: Any, *, source: bool = False) -> dict[str, Any]:
        profile = self.url("/@" + quote(a.handle, safe="") + "/")
        avatar = self.media_url(a.avatar) if a.avatar else self.url("/static/tidings/avatar.png")
        header = self.url("/static/tidings/header.png")
        joined = a.date_joined.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        fields = []
        org = a.organisation if a.organisation_id and a.kind != "personal" else None
        if org is not None:
            # Clients show a field with verified_at as a checked link: the verified badge.
            brand = f"{self.brand_prefix}{quote(org.slug, safe=URL_SAFE)}/"
            fields.append(
                {
                    "name": "✔",
                    "value": f'<a href="{escape(brand)}" rel="me">{escape(org.name)}</a>',
                    "verified_at": iso(org.created_at),
                }
            )
        data: dict[str, Any] = {
            "id": str(a.id),
            "username": a.handle,
            "acct": a.handle,
            "display_name": a.display_name,
            "locked": False,
            "bot": a.kind == "bot",
            "discoverable": True,
            "indexable": True,
            "group": False,
            "noindex": False,
            "created_at": iso(joined),
            "note": f"<p>{render_text(a.bio, base=self.base)}</p>" if a.bio else "",
            "url": profile,
            "uri": profile,
            "avatar": avatar,
            "avatar_static": avatar,
            "header": header,
            "header_static": header,
            "followers_count": a.followers_count,
            "following_count": a.following_count,
            "statuses_count": a.posts_count,
            "last_status_at": None,
            "hide_collections": False,
            "emojis": [],
            "fields": fields,
            "roles": [],
            "tidings": {"kind": a.kind, "organisation": org.slug if org else None},
        }
        if source:
            data["source"] = {
                "privacy": "public",
                "sensitive": False,
                "language": a.language or "",
                "note": a.bio,
                "fields": [],
                "follow_requests_count": 0,
            }
        return data

    def relationships(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """The viewer's relationship to each account, in five queries whatever the count."""
        me = self.viewer.id if self.viewer else 0
        ids = list(ids)
        following = set(
            Follow.objects.filter(follower_id=me, followee_id__in=ids).values_list("followee_id", flat=True)
        )
        followed_by = set(
            Follow.objects.filter(followee_id=me, follower_id__in=ids).values_list("follower_id", flat=True)
        )
        blocking = set(
            Block.objects.filter(blocker_id=me, blocked_id__in=ids).values_list("blocked_id", flat=True)
        )
        blocked_by = set(
            Block.objects.filter(blocked_id=me, blocker_id__in=ids).values_list("blocker_id", flat=True)
        )
        muting = set(Mute.objects.filter(muter_id=me, muted_id__in=ids).values_list("muted_id", flat=True))
        return [
            {
                "id": str(i),
                "following": i in following,
                "showing_reblogs": i in following,
                "notifying": False,
                "languages": None,
                "followed_by": i in followed_by,
                "blocking": i in blocking,
                "blocked_by": i in blocked_by,
                "muting": i in muting,
                "muting_notifications": i in muting,
                "requested": False,
                "requested_by": False,
                "domain_blocking": False,
                "endorsed": False,
                "note": "",
            }
            for i in ids
        ]

    # --- statuses ---------------------------------------------------------------------------

    def poll(self, view: PollView) -> dict[str, Any]:
        p = view.poll
        shown = view.totals_shown or (self.viewer is not None and p.post.author_id == self.viewer.id)
        return {
            "id": str(p.id),
            "expires_at": iso(p.expires_at),
            "expired": p.expired,
            "multiple": p.multiple,
            "votes_count": p.votes_count,
            "voters_count": p.voters_count,
            "options": [
                {"title": title, "votes_count": count if shown else None}
                for title, count in zip(p.options, view.counts, strict=True)
            ],
            "emojis": [],
            "voted": bool(view.own) if self.viewer is not None else None,
            "own_votes": view.own if self.viewer is not None else None,
        }

    def attachment(self, m: Media) -> dict[str, Any]:
        def size(w: int, h: int) -> dict[str, Any]:
            return {"width": w, "height": h, "size": f"{w}x{h}", "aspect": round(w / h, 4) if h else 1}

        return {
            "id": str(m.id),
            "type": "image",
            "url": self.media_url(m.file),
            "preview_url": self.media_url(m.thumbnail),
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": {"original": size(m.width, m.height), "small": size(m.thumb_width, m.thumb_height)},
            "description": m.description or None,
            "blurhash": None,
        }

    def preview_card(self, p: Post) -> dict[str, Any] | None:
        """An app's card (a task, a project's update) as Mastodon's preview card: what a stock
        client can show of it. Only when the page's query brought it (no query here)."""
        card = p._state.fields_cache.get("app_card")
        if card is None:
            return None
        url = self.url(card.path)
        return {
            "url": url,
            "title": f"{card.icon} {card.title}",
            "description": " · ".join(f"{k}: {v}" for k, v in card.lines),
            "type": "link",
            "author_name": "",
            "author_url": "",
            "provider_name": "Tidings",
            "provider_url": self.base,
            "html": "",
            "width": 0,
            "height": 0,
            "image": None,
            "embed_url": "",
            "blurhash": None,
        }

    def statuses(self, views: Sequence[PostView]) -> list[dict[str, Any]]:
        posts: dict[int, Post] = {}
        for v in views:
            posts[v.post.id] = v.post
            if v.original is not None:
                posts[v.original.id] = v.original
        extra = _Extras(posts.values(), self.viewer)
        # Polls come hydrated with the page: on what a view shows (its subject).
        extra.polls = {v.subject.id: v.poll for v in views if v.poll is not None}
        out = []
        for v in views:
            flags = {"favourited": v.liked, "reblogged": v.reposted, "bookmarked": v.favourited}
            if v.is_plain_repost and v.original is not None:
                inner = self._status(v.original, v.original_media, extra, flags)
                outer = self._status(v.post, [], extra, flags)
                outer.update(content="", reblog=inner, mentions=[], tags=[])
                out.append(outer)
                continue
            data = self._status(v.post, v.media, extra, flags)
            if v.post.kind == Post.Kind.REPOST and v.original is not None:
                quoted = self._status(v.original, v.original_media, extra, _NO_FLAGS)
                data["quote"] = {"state": "accepted", "quoted_status": quoted}
            out.append(data)
        return out

    def status(self, view: PostView) -> dict[str, Any]:
        return self.statuses([view])[0]

    def _status(self, p: Post, media: list[Media], extra: _Extras, flags: dict[str, bool]) -> dict[str, Any]:
        url = self.url(f"/p/{p.id}/")
        reply_to = p.reply_to_id or p.root_id
        mine = self.viewer is not None and p.author_id == self.viewer.id
        return {
            "id": str(p.id),
            "created_at": iso(p.created_at),
            "edited_at": iso(p.edited_at),
            "in_reply_to_id": str(reply_to) if reply_to else None,
            "in_reply_to_account_id": str(extra.authors[reply_to]) if reply_to in extra.authors else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": VISIBILITY.get(Audience(p.audience), "private"),
            "audience": p.audience_name,
            "language": p.language or None,
            "uri": url,
            "url": url,
            "replies_count": p.comments_count,
            "reblogs_count": p.reposts_count,
            "favourites_count": p.likes_count,
            "quotes_count": 0,
            "favourited": flags["favourited"],
            "reblogged": flags["reblogged"],
            "muted": False,
            "bookmarked": flags["bookmarked"],
            "pinned": bool(mine and p.id in extra.pinned),
            "content": f"<p>{render_text(p.text, base=self.base)}</p>" if p.text else "",
            "reblog": None,
            "quote": None,
            "application": None,
            "account": self.authors.get(p.author_id)
            or self.authors.setdefault(p.author_id, self.account(p.author)),
            "media_attachments": [self.attachment(m) for m in media],
            "mentions": [
                {
                    "id": str(a.id),
                    "username": a.handle,
                    "acct": a.handle,
                    "url": self.url("/@" + quote(a.handle, safe="") + "/"),
                }
                for a in extra.mentions.get(p.id, [])
            ],
            "tags": [{"name": name, "url": self.url(topic_url(name))} for name in extra.tags.get(p.id, [])],
            "emojis": [],
            "card": self.preview_card(p),
            "poll": self.poll(extra.polls[p.id]) if p.id in extra.polls else None,
            "filtered": [],
        }


_NO_FLAGS = {"favourited": False, "reblogged": False, "bookmarked": False}


class _Extras:
    """What a page of posts needs beyond the posts themselves, in at most four queries."""

    def __init__(self, posts: Iterable[Post], viewer: Any) -> None:
        posts = list(posts)
        ids = [p.id for p in posts]
        self.mentions: dict[int, list[Any]] = defaultdict(list)
        self.tags: dict[int, list[str]] = defaultdict(list)
        self.authors: dict[int, int] = {}
        self.pinned: set[int] = set()
        self.polls: dict[int, PollView] = {}
        if not ids:
            return
        # Each lookup only where it can find something: a mention needs an @ in the text, a topic
        # a #, and only the viewer's own posts show as pinned.
        mentioning = [p.id for p in posts if "@" in p.text]
        if mentioning:
            for m in Mention.objects.filter(post_id__in=mentioning).select_related("account"):
                self.mentions[m.post_id].append(m.account)
        tagged = [p.id for p in posts if "#" in p.text]
        if tagged:
            for t in PostTopic.objects.filter(post_id__in=tagged).select_related("topic"):
                self.tags[t.post_id].append(t.topic.name)
        targets = {p.reply_to_id or p.root_id for p in posts} - {None}
        if targets:
            self.authors = dict(Post.objects.filter(id__in=targets).values_list("id", "author_id"))
        own = [p.id for p in posts if viewer is not None and p.author_id == viewer.id]
        if own:
            self.pinned = set(ProfilePin.objects.filter(post_id__in=own).values_list("post_id", flat=True))
