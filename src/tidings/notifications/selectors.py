"""Reads of notifications and conversations, the posts in them filtered by audience."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q

from tidings.accounts.models import Account
from tidings.core.audience import visible_posts
from tidings.core.errors import NotFound
from tidings.notifications.models import Conversation, Message, Notification
from tidings.posts.models import Post


@dataclass
class NotificationPage:
    items: list[Notification]
    next_max_id: int | None


def notifications(viewer: Account, *, max_id: int | None = None, limit: int = 30) -> NotificationPage:
    rows = Notification.objects.filter(recipient=viewer).select_related("actor")
    if max_id:
        rows = rows.filter(id__lt=max_id)
    items = list(rows.order_by("-id")[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    # Posts are fetched through the audience filter: one deleted or no longer visible is left out.
    post_ids = {n.post_id for n in items if n.post_id}
    posts = {
        p.id: p
        for p in Post.objects.filter(visible_posts(viewer), id__in=post_ids).select_related(
            "root", "repost_of", "group"
        )
    }
    visible = []
    for n in items:
        if n.post_id:
            if n.post_id not in posts:
                continue
            n.post = posts[n.post_id]
        visible.append(n)
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
    last: Message | None
    unread: bool


def conversations(viewer: Account, *, limit: int = 50) -> list[ConversationRow]:
    rows = list(
        Conversation.objects.filter(Q(low=viewer) | Q(high=viewer))
        .select_related("low", "high")
        .order_by("-last_message_id")[:limit]
    )
    last = {m.id: m for m in Message.objects.filter(id__in=[c.last_message_id for c in rows])}
    out = []
    for c in rows:
        other = c.high if c.low_id == viewer.id else c.low
        read = c.low_read_id if c.low_id == viewer.id else c.high_read_id
        out.append(ConversationRow(c, other, last.get(c.last_message_id), read < c.last_message_id))
    return out


def conversation_with(viewer: Account, other: Account) -> Conversation | None:
    low, high = sorted((viewer.id, other.id))
    return Conversation.objects.filter(low_id=low, high_id=high).first()


def messages(viewer: Account, conversation: Conversation, *, limit: int = 100) -> list[Message]:
    if viewer.id not in (conversation.low_id, conversation.high_id):
        raise NotFound()
    rows = list(conversation.messages.select_related("sender").order_by("-id")[:limit])
    rows.reverse()
    return rows
