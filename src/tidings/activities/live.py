"""Live broadcasts: a live event page on the post that announces it. The host's updates are its
comments under that post, streamed to open pages as they come; the audience comments beside
them; the host pins highlights. After the end the page stays as a replay, oldest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.activities import services
from tidings.activities.models import Activity, Highlight, Live
from tidings.core import pubsub
from tidings.core.errors import Invalid, NotFound
from tidings.ops.services import record
from tidings.posts import services as posts
from tidings.posts.models import Post

AUDIENCE_PAGE = 50


def create(
    host: Account,
    *,
    person: Account,
    title: str,
    text: str,
    closes_at: dt.datetime | None,
    audience: dict[str, Any] | None = None,
) -> Live:
    """A broadcast that starts now; `closes_at` is when it is planned to end."""
    services.require_host(person, host)
    live = Live(
        kind=Activity.Kind.LIVE,
        host=host,
        title=services.clean_title(title),
        closes_at=services.clean_closes_at(closes_at),
    )
    services.start(live, person, text=text, audience=audience or {})
    return live


def _running(live: Live) -> None:
    if live.ended_at is not None:
        raise Invalid(_("The broadcast has ended."))


def update(live: Live, *, person: Account, text: str) -> Post:
    """One of the host's updates: a comment of the host under the broadcast's post."""
    services.require_host(person, live.host)
    _running(live)
    post = posts.comment(live.host, post_id=live.post_id, text=text)
    record(live.host, person, "comment", post.id)
    return post


def comment(account: Account, live: Live, *, text: str) -> Post:
    _running(live)
    return posts.comment(account, post_id=live.post_id, text=text)


def highlight(live: Live, *, person: Account, post_id: int | None, pin: bool) -> None:
    """Pin an update or a comment of the broadcast as a highlight, or unpin it."""
    services.require_host(person, live.host)
    post = Post.objects.filter(id=post_id or 0, root_id=live.post_id, kind=Post.Kind.COMMENT).first()
    if post is None:
        raise NotFound()
    if not pin:
        Highlight.objects.filter(live=live, post=post).delete()
        return
    try:
        with transaction.atomic():
            Highlight.objects.create(live=live, post=post)
    except IntegrityError:
        pass  # pinned already


def end(live: Live, *, person: Account) -> None:
    services.require_host(person, live.host)
    _running(live)
    Live.objects.filter(pk=live.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    live.refresh_from_db()


def on_post_published(post_id: int) -> None:
    """A comment under a running broadcast's post reaches the open live pages (their channel is
    the broadcast's id); each page fetches the card through the audience check."""
    row = Post.objects.filter(id=post_id, kind=Post.Kind.COMMENT).values_list("root_id", "author_id").first()
    if row is None or row[0] is None:
        return
    live = Live.objects.filter(post_id=row[0], ended_at__isnull=True).values_list("id", "host_id").first()
    if live is not None:
        pubsub.publish(live[0], "live-post", {"id": str(post_id), "host": row[1] == live[1]})


def feed(viewer: Any, live: Live) -> dict[str, list[Any]]:
    """The host's updates (newest first while live, oldest first in the replay), the audience's
    latest comments and the highlights, as post views through the audience check."""
    from tidings.posts import selectors

    under = selectors.visible_to(viewer).filter(root_id=live.post_id, kind=Post.Kind.COMMENT)
    order = "id" if live.ended_at else "-id"
    host_ids = list(under.filter(author_id=live.host_id).order_by(order).values_list("id", flat=True)[:200])
    audience_ids = list(
        under.exclude(author_id=live.host_id).order_by("-id").values_list("id", flat=True)[:AUDIENCE_PAGE]
    )
    pinned = list(
        Highlight.objects.filter(live=live, post_id__in=under.values("id"))
        .order_by("-id")
        .values_list("post_id", flat=True)
    )
    views = {
        v.post.id: v for v in selectors.hydrate(viewer, selectors.cards(host_ids + audience_ids + pinned))
    }
    return {
        "updates": [views[i] for i in host_ids if i in views],
        "comments": [views[i] for i in audience_ids if i in views],
        "highlights": [views[i] for i in pinned if i in views],
    }
