"""Our objects in Mastodon's JSON shapes. A page of statuses is serialized in a constant number
of queries, from the posts' rows (`rows.py`); what a status shows that only an edit changes is
rendered once per process and kept."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape

from tidings.api.mastodon.rows import AuthorRow, PostRow, post_rows, visible_post_rows
from tidings.core.render import render_text, topic_url
from tidings.posts import polls
from tidings.posts.models import AppCard, Audience, Media, Mention, Post, PostTopic, ProfilePin
from tidings.posts.polls import PollView
from tidings.posts.selectors import marks
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

    def poll(self, view: PollView, *, author_id: int) -> dict[str, Any]:
        p = view.poll
        shown = view.totals_shown or (self.viewer is not None and author_id == self.viewer.id)
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

    def preview_card(self, card: AppCard) -> dict[str, Any]:
        """An app's card (a task, a project's update) as Mastodon's preview card: what a stock
        client can show of it."""
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

    def statuses_of(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """Statuses of posts whose ids the caller checked the viewer may see, in that order (a
        post deleted meanwhile left out). The original a repost shows is checked here. A page is
        its rows in one query, what it shows that does not change (kept per process, keyed by
        the row), then the counts, the author and the viewer's marks, in a constant number of
        queries."""
        found = self.by_id(ids)
        return [found[i] for i in ids if i in found]

    def by_id(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """`statuses_of`, by post id."""
        rows = post_rows(ids)
        originals = {r.repost_of_id for r in rows.values() if r.repost_of_id}
        shown = visible_post_rows(self.viewer, originals) if originals else {}
        rows.update(shown)
        bodies = self._bodies(rows.values())
        pages = []  # (row, the original it shows, what the viewer's actions act on)
        for i in ids:
            r = rows.get(i)
            if r is None:
                continue
            original = rows.get(r.repost_of_id) if r.repost_of_id in shown else None
            pages.append((r, original, original if r.is_plain_repost and original else r))
        subjects = sorted({s.id for _r, _o, s in pages})
        poll_views = polls.views_for(self.viewer, subjects) if subjects else {}
        marked: set[tuple[int, str]] = set()
        own: list[int] = []
        if self.viewer is not None and subjects:
            marked = marks(self.viewer.id, subjects)
            own = [r.id for r in rows.values() if r.author.id == self.viewer.id]
        pinned = (
            set(ProfilePin.objects.filter(post_id__in=own).values_list("post_id", flat=True))
            if own
            else set()
        )

        def one(r: PostRow, flags: dict[str, bool]) -> dict[str, Any]:
            data = dict(bodies[r.id])
            poll = poll_views.get(r.id)
            data.update(
                replies_count=r.comments_count,
                reblogs_count=r.reposts_count,
                favourites_count=r.likes_count,
                pinned=r.id in pinned,
                account=self._author(r.author),
                poll=self.poll(poll, author_id=r.author.id) if poll else None,
                **flags,
            )
            return data

        out = {}
        for r, original, subject in pages:
            flags = {
                "favourited": (subject.id, "like") in marked,
                "reblogged": (subject.id, "repost") in marked,
                "bookmarked": (subject.id, "favourite") in marked,
            }
            data = one(r, flags)
            if original is not None and r.is_plain_repost:
                data.update(
                    content="", reblog=one(original, flags), mentions=[], tags=[], media_attachments=[]
                )
            elif original is not None and r.kind == Post.Kind.REPOST:
                data["quote"] = {"state": "accepted", "quoted_status": one(original, _NO_FLAGS)}
            out[r.id] = data
        return out

    def _author(self, a: AuthorRow) -> dict[str, Any]:
        found = self.authors.get(a.id)
        if found is None:
            key = (self.base, a)
            found = _ACCOUNTS.get(key)
            if found is None:
                found = _ACCOUNTS.put(key, self.account(a))
            self.authors[a.id] = found
        return found

    def _bodies(self, rows: Iterable[PostRow]) -> dict[int, dict[str, Any]]:
        """What each status shows that its row's fields decide (its text rendered, mentions,
        topics, pictures, app card, the author it answers): kept per process under the row's
        fields, so an edit or a move makes a new entry. Pictures and an app's card are written
        with the post and never change; mentions and topics change only with an edit, which sets
        `edited_at`."""
        out: dict[int, dict[str, Any]] = {}
        missing: list[tuple[tuple[Any, ...], PostRow]] = []
        for r in rows:
            key = (self.base, r[:12])
            body = _BODIES.get(key)
            if body is None:
                missing.append((key, r))
            else:
                out[r.id] = body
        if missing:
            extra = _Extras([r for _k, r in missing])
            for key, r in missing:
                out[r.id] = _BODIES.put(key, self._body(r, extra))
        return out

    def _body(self, p: PostRow, extra: _Extras) -> dict[str, Any]:
        url = self.url(f"/p/{p.id}/")
        reply_to = p.reply_to_id or p.root_id
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
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "quotes_count": 0,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "pinned": False,
            "content": f"<p>{render_text(p.text, base=self.base)}</p>" if p.text else "",
            "reblog": None,
            "quote": None,
            "application": None,
            "account": None,
            "media_attachments": [self.attachment(m) for m in extra.media.get(p.id, [])],
            "mentions": [
                {
                    "id": str(a_id),
                    "username": handle,
                    "acct": handle,
                    "url": self.url("/@" + quote(handle, safe="") + "/"),
                }
                for a_id, handle in extra.mentions.get(p.id, [])
            ],
            "tags": [{"name": name, "url": self.url(topic_url(name))} for name in extra.tags.get(p.id, [])],
            "emojis": [],
            "card": self.preview_card(extra.cards[p.id]) if p.id in extra.cards else None,
            "poll": None,
            "filtered": [],
        }


class _Kept:
    """A bounded map kept for the life of the process, shared by its threads; the oldest entry
    goes first when it is full. Entries, and what they hold, are never changed once put: a
    status is a new dict over a kept body, and kept accounts are only ever read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: dict[Any, Any] = {}
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        return self.entries.get(key)

    def put(self, key: Any, value: Any) -> Any:
        with self.lock:
            while len(self.entries) >= self.size:
                del self.entries[next(iter(self.entries))]
            self.entries[key] = value
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_BODIES = _Kept(4000)
_ACCOUNTS = _Kept(4000)


def forget_rendered() -> None:
    """Drops what this process kept (for tests that compare a fresh render)."""
    _BODIES.clear()
    _ACCOUNTS.clear()


_NO_FLAGS = {"favourited": False, "reblogged": False, "bookmarked": False}


class _Extras:
    """What the statuses of some posts show beyond their rows, in at most five queries: each
    lookup only where it can find something (a mention needs an @ in the text, a topic a #)."""

    def __init__(self, posts: Sequence[PostRow]) -> None:
        ids = [p.id for p in posts]
        self.mentions: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self.tags: dict[int, list[str]] = defaultdict(list)
        self.authors: dict[int, int] = {}
        self.media: dict[int, list[Media]] = defaultdict(list)
        self.cards: dict[int, AppCard] = {}
        mentioning = [p.id for p in posts if "@" in p.text]
        if mentioning:
            mentions = Mention.objects.filter(post_id__in=mentioning).order_by("id")
            for post_id, account_id, handle in mentions.values_list(
                "post_id", "account_id", "account__handle"
            ):
                self.mentions[post_id].append((account_id, handle))
        tagged = [p.id for p in posts if "#" in p.text]
        if tagged:
            topics = PostTopic.objects.filter(post_id__in=tagged).order_by("id")
            for post_id, name in topics.values_list("post_id", "topic__name"):
                self.tags[post_id].append(name)
        targets = {p.reply_to_id or p.root_id for p in posts} - {None}
        if targets:
            self.authors = dict(Post.objects.filter(id__in=targets).values_list("id", "author_id"))
        for m in Media.objects.filter(post_id__in=ids):
            self.media[m.post_id].append(m)  # type: ignore[index]
        self.cards = {c.post_id: c for c in AppCard.objects.filter(post_id__in=ids)}
