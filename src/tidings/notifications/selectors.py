"""Reads of notifications and conversations, the posts in them filtered by audience."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import F, Q

from tidings.accounts.models import Account
from tidings.core.audience import visible_posts
from tidings.core.errors import NotFound
from tidings.notifications.models import Conversation, Notification
from tidings.posts.models import Post
from tidings.posts.selectors import cards


class NotificationPage:
    """Notifications whose post, if they have one, the viewer may see. `items` gives each its
    post, read on first use (the web page); the client API renders the posts from their ids."""

    def __init__(self, notifications: list[Notification], next_max_id: int | None) -> None:
        self.notifications = notifications
        self.next_max_id = next_max_id

    @cached_property
    def items(self) -> list[Notification]:
        related = ("root", "repost_of", "group", "author__organisation", "organisation", "repost_of__author")
        posts = {p.id: p for p in cards([n.post_id for n in self.notifications if n.post_id], related)}
        shown = []
        for n in self.notifications:
            if n.post_id:
                if n.post_id not in posts:  # deleted since
                    continue
                n.post = posts[n.post_id]
            shown.append(n)
        return shown


def notifications(
    viewer: Account,
    *,
    max_id: int | None = None,
    limit: int = 30,
    since_id: int | None = None,
    min_id: int | None = None,
    kinds: list[str] | None = None,
    actor_id: int | None = None,
    only: int | None = None,
) -> NotificationPage:
    """The viewer's notifications, newest first (or just above `min_id`), optionally of some
    kinds, from one account only, or just the one of id `only`."""
    rows = Notification.objects.filter(recipient=viewer).select_related("actor__organisation")
    if only is not None:
        rows = rows.filter(id=only)
    if max_id:
        rows = rows.filter(id__lt=max_id)
    if since_id or min_id:
        rows = rows.filter(id__gt=max(since_id or 0, min_id or 0))
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    if actor_id is not None:
        rows = rows.filter(actor_id=actor_id)
    upward = bool(min_id) and not since_id
    items = list(rows.order_by("id" if upward else "-id")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    if upward:
        items.reverse()
    # Through the audience filter: one whose post is deleted or no longer visible is left out.
    post_ids = {n.post_id for n in items if n.post_id}
    seen = set(Post.objects.filter(visible_posts(viewer), id__in=post_ids).values_list("id", flat=True))
    visible = [n for n in items if not n.post_id or n.post_id in seen]
    return NotificationPage(visible, items[-1].id if more and items else None)


def unread_count(viewer: Account) -> int:
    return Notification.objects.filter(recipient=viewer, read_at__isnull=True).count()


def unread_counts(viewer: Account) -> dict[str, int]:
    """For the badges: unread notifications, and conversations with an unread message."""
    conversations = Conversation.objects.filter(
        Q(low=viewer, low_read_id__lt=F("last_message_id"))
        | Q(high=viewer, high_read_id__lt=F("last_message_id"))
    ).count()
    return {"notifications": unread_count(viewer), "messages": conversations}


@dataclass
class ConversationRow:
    conversation: Conversation
    other: Account
    last: Post | None
    unread: bool


def conversations(
    viewer: Account, *, limit: int = 50, max_id: int | None = None, only: int | None = None
) -> list[ConversationRow]:
    """The viewer's conversations, the one with the newest message first (paged below the
    newest message id `max_id`)."""
    found = Conversation.objects.filter(Q(low=viewer) | Q(high=viewer))
    if max_id:
        found = found.filter(last_message_id__lt=max_id)
    if only is not None:
        found = found.filter(id=only)
    rows = list(
        found.select_related("low__organisation", "high__organisation").order_by("-last_message_id")[:limit]
    )
    seen = Post.objects.filter(visible_posts(viewer), id__in=[c.last_message_id for c in rows])
    last = {m.id: m for m in cards(list(seen.values_list("id", flat=True)), ("author__organisation",))}
    out = []
    for c in rows:
        other = c.high if c.low_id == viewer.id else c.low
        read = c.low_read_id if c.low_id == viewer.id else c.high_read_id
        out.append(ConversationRow(c, other, last.get(c.last_message_id), read < c.last_message_id))
    return out


def conversation_with(viewer: Account, other: Account) -> Conversation | None:
    low, high = sorted((viewer.id, other.id))
    return Conversation.objects.filter(low_id=low, high_id=high).first()


def messages(viewer: Account, conversation: Conversation, *, limit: int = 100) -> list[Post]:
    if viewer.id not in (conversation.low_id, conversation.high_id):
        raise NotFound()
    rows = list(
        Post.objects.filter(visible_posts(viewer), conversation=conversation)
        .select_related("author")
        .order_by("-id")[:limit]
    )
    rows.reverse()
    return rows
