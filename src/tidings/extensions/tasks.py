"""Background work of the app platform: turning events into webhook deliveries, and sending them
(at once, and by a sweep every minute for retries and for what a stopped worker left)."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tidings.core import events
from tidings.extensions import deliveries


@db_task()
def deliver(delivery_id: int) -> None:
    deliveries.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> None:
    deliveries.deliver_due()


def _organisation_of(account: object) -> int | None:
    """The organisation an official account speaks for (its events are the organisation's)."""
    if getattr(account, "kind", "") != "official":
        return None
    return getattr(account, "organisation_id", None)


@events.subscribe("post.published")
def post_published(post_id: int) -> None:
    from tidings.posts.models import Mention, Post

    post = Post.objects.select_related("author").filter(id=post_id).first()
    if post is None:
        return
    payload = {"post": deliveries.post_payload(post)}
    organisation = post.organisation_id or _organisation_of(post.author)
    if organisation and post.audience != "direct":
        deliveries.queue(organisation, "post", f"post:{post.id}", payload, post_id=post.id)
    for mention in Mention.objects.filter(post_id=post.id).select_related("account"):
        mentioned = _organisation_of(mention.account)
        if mentioned:
            deliveries.queue(
                mentioned,
                "mention",
                f"mention:{post.id}:{mention.account_id}",
                {"account": mention.account.handle, **payload},
                post_id=post.id,
            )


@events.subscribe("account.followed")
def account_followed(follower_id: int, followee_id: int) -> None:
    from tidings.accounts.models import Account
    from tidings.social.models import Follow

    people = {a.id: a for a in Account.objects.filter(id__in=[follower_id, followee_id])}
    followee, follower = people.get(followee_id), people.get(follower_id)
    organisation = _organisation_of(followee)
    if followee is None or follower is None or not organisation:
        return
    payload = {
        "account": followee.handle,
        "follower": {"id": str(follower.id), "handle": follower.handle, "name": follower.display_name},
    }
    # A follow, an unfollow and a follow again are two events: two rows.
    follow = Follow.objects.filter(follower_id=follower.id, followee_id=followee.id).first()
    if follow is not None:
        deliveries.queue(organisation, "follow", f"follow:{follow.id}", payload)


@events.subscribe("case.opened")
def case_opened(case_id: int) -> None:
    from tidings.ops.models import Case

    case = Case.objects.select_related("account").filter(id=case_id).first()
    organisation = _organisation_of(case.account) if case else None
    if case is None or not organisation:
        return
    payload = {
        # What the case is about stays on the desk: the receiver gets where to find it.
        "case": {
            "id": str(case.id),
            "account": case.account.handle,
            "level": case.level,
            "url": f"{settings.SITE_URL}/ops/cases/{case.id}/",
            "opened_at": case.opened_at.isoformat(),
        }
    }
    deliveries.queue(organisation, "case", f"case:{case.id}", payload)


def _activity(activity_id: int, state: str) -> None:
    from tidings.activities.models import Activity

    activity = Activity.objects.select_related("host").filter(id=activity_id).first()
    organisation = _organisation_of(activity.host) if activity else None
    if activity is None or not organisation:
        return
    payload = {
        "activity": {
            "id": str(activity.id),
            "kind": activity.kind,
            "title": activity.title,
            "state": state,
            "host": activity.host.handle,
            "url": f"{settings.SITE_URL}/activities/{activity.id}/",
        }
    }
    deliveries.queue(
        organisation, "activity", f"activity:{activity.id}:{state}", payload, post_id=activity.post_id
    )


@events.subscribe("activity.started")
def activity_started(activity_id: int) -> None:
    _activity(activity_id, "started")


@events.subscribe("activity.drawn")
def activity_drawn(activity_id: int) -> None:
    _activity(activity_id, "drawn")
