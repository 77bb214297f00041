"""Writes: notifications made from events, read marks, and direct messages."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tidings.accounts.models import Account
from tidings.core import events, pubsub, ratelimit
from tidings.core.audience import can_see
from tidings.core.errors import Invalid, NotFound
from tidings.core.text import clean_post_text, extract_mentions
from tidings.notifications.models import Conversation, Marker, Notification
from tidings.posts import services as posts
from tidings.posts.models import Audience, Mention, Post
from tidings.social.models import Block, Mute


def notify(
    *,
    recipient_id: int,
    kind: str,
    actor_id: int,
    post_id: int | None = None,
    link: str = "",
    own: bool = False,
) -> Notification | None:
    """Tell `recipient` of something `actor` did, unless it is their own doing (save a reminder
    of their own, `own`), they blocked or muted the actor, or they may not see the post.
    Idempotent."""
    if recipient_id == actor_id and not own:
        return None
    if Block.objects.filter(blocker_id=recipient_id, blocked_id=actor_id).exists():
        return None
    if Mute.objects.filter(muter_id=recipient_id, muted_id=actor_id).exists():
        return None
    recipient = Account.objects.filter(id=recipient_id, is_active=True).first()
    if recipient is None:
        return None
    if post_id is not None and not can_see(recipient, post_id):
        return None
    notification, created = Notification.objects.get_or_create(
        recipient_id=recipient_id,
        dedupe_key=f"{kind}:{actor_id}:{post_id or link}"[:80],
        defaults={"kind": kind, "actor_id": actor_id, "post_id": post_id, "link": link},
    )
    if created:
        pubsub.publish(recipient_id, "notification", {"id": str(notification.id), "kind": kind})
    return notification


def on_post_published(post_id: int) -> None:
    post = (
        Post.objects.filter(id=post_id)
        .select_related("root", "reply_to", "repost_parent", "repost_of")
        .first()
    )
    if post is None:
        return
    notify_mentions(post)
    if post.group_id and post.kind == Post.Kind.POST:
        # Members who asked to hear of every post in the group.
        from tidings.groups.models import GroupMember

        everyone = GroupMember.objects.filter(
            group_id=post.group_id, state=GroupMember.State.ACTIVE, notify=GroupMember.Notify.ALL
        ).values_list("account_id", flat=True)
        for account_id in everyone:
            notify(
                recipient_id=account_id,
                kind=Notification.Kind.GROUP_POST,
                actor_id=post.author_id,
                post_id=post.id,
            )
    if post.kind == Post.Kind.COMMENT and post.root is not None:
        notify(
            recipient_id=post.root.author_id,
            kind=Notification.Kind.COMMENT,
            actor_id=post.author_id,
            post_id=post.id,
        )
        if post.reply_to is not None:
            notify(
                recipient_id=post.reply_to.author_id,
                kind=Notification.Kind.COMMENT,
                actor_id=post.author_id,
                post_id=post.id,
            )
    if post.kind == Post.Kind.REPOST:
        for target in {p for p in (post.repost_of, post.repost_parent) if p is not None}:
            notify(
                recipient_id=target.author_id,
                kind=Notification.Kind.REPOST,
                actor_id=post.author_id,
                post_id=post.id,
            )


def notify_mentions(post: Post) -> None:
    mentioned = Mention.objects.filter(post=post).values_list("account_id", flat=True)
    if post.group_id:  # a member who silenced the group hears nothing from it, mentions included
        from tidings.groups.models import GroupMember

        silenced = GroupMember.objects.filter(group_id=post.group_id, notify=GroupMember.Notify.NONE)
        mentioned = mentioned.exclude(account_id__in=silenced.values("account_id"))
    for account_id in mentioned:
        notify(
            recipient_id=account_id, kind=Notification.Kind.MENTION, actor_id=post.author_id, post_id=post.id
        )


def on_post_edited(post_id: int) -> None:
    post = Post.objects.filter(id=post_id).first()
    if post is not None:
        notify_mentions(post)


def on_liked(post_id: int, account_id: int) -> None:
    post = Post.objects.filter(id=post_id).first()
    if post is not None:
        notify(recipient_id=post.author_id, kind=Notification.Kind.LIKE, actor_id=account_id, post_id=post_id)


def on_followed(follower_id: int, followee_id: int) -> None:
    notify(recipient_id=followee_id, kind=Notification.Kind.FOLLOW, actor_id=follower_id)


def mark_all_read(account: Account, *, ids: list[int] | None = None) -> int:
    """Mark read everything, or only the notifications with these ids (those a page showed)."""
    unread = Notification.objects.filter(recipient=account, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(id__in=ids)
    return unread.update(read_at=timezone.now())


def send_message(sender: Account, *, recipient_id: int, text: str, media_ids: Sequence[int] = ()) -> Post:
    """A direct message: a post whose audience is the conversation of the two. Refused (as not
    found) when the recipient blocked the sender."""
    recipient = Account.objects.filter(id=recipient_id, is_active=True).first()
    if recipient is None or recipient.id == sender.id:
        raise NotFound() if recipient is None else Invalid(_("You cannot send a message to yourself."))
    if Block.objects.filter(blocker_id=recipient.id, blocked_id=sender.id).exists():
        raise NotFound()
    if Block.objects.filter(blocker_id=sender.id, blocked_id=recipient.id).exists():
        raise Invalid(_("You have blocked this account. Unblock it first."))
    if media_ids and not text.strip():
        text = text.strip()
    else:
        text = clean_post_text(text, max_length=posts.DIRECT_MAX_LENGTH)
    ratelimit.hit(f"message:{sender.id}", limit=settings.WRITES_PER_MINUTE, window_seconds=60)
    low, high = sorted((sender.id, recipient.id))
    with transaction.atomic():
        conversation, _created = Conversation.objects.get_or_create(low_id=low, high_id=high)
        message = Post.objects.create(
            author=sender,
            audience_owner=sender,
            audience=Audience.DIRECT,
            conversation=conversation,
            text=text,
        )
        posts.attach_media(message, sender, media_ids)
        posts.link_mentions(message, extract_mentions(text))
        read_field = "low_read_id" if sender.id == low else "high_read_id"
        Conversation.objects.filter(id=conversation.id).update(
            last_message_id=message.id, **{read_field: message.id}
        )
        events.emit("message.sent", message_id=message.id)
    return message


def on_message_sent(message_id: int) -> None:
    message = (
        Post.objects.filter(id=message_id, audience=Audience.DIRECT).select_related("conversation").first()
    )
    if message is None or message.conversation is None:
        return
    recipient_id = message.conversation.other(message.author_id)
    pubsub.publish(
        recipient_id, "message", {"id": str(message.id), "conversation": str(message.conversation_id)}
    )


def mark_conversation_read(account: Account, conversation: Conversation) -> None:
    field = "low_read_id" if account.id == conversation.low_id else "high_read_id"
    Conversation.objects.filter(id=conversation.id).update(**{field: F("last_message_id")})


def save_marker(account: Account, *, timeline: str, last_read_id: int) -> None:
    """Where the person stopped reading a timeline; each save bumps the version clients compare."""
    marker, created = Marker.objects.get_or_create(
        account=account, timeline=timeline, defaults={"last_read_id": last_read_id}
    )
    if not created:
        Marker.objects.filter(id=marker.id).update(
            last_read_id=last_read_id, version=F("version") + 1, updated_at=timezone.now()
        )


def dismiss(account: Account, *, notification_id: int | None = None) -> int:
    """Remove one notification, or all of them."""
    rows = Notification.objects.filter(recipient=account)
    if notification_id is not None:
        rows = rows.filter(id=notification_id)
    return int(rows.delete()[0])
