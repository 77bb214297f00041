"""Lotteries: a draw among those who reposted or commented on the lottery's post, or followed
its host, between the post and the close; with filters (no staff, no accounts newer than N days)
and Weibo's usual rule that entrants must follow the host."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from tidings.accounts.models import Account
from tidings.activities import services
from tidings.activities.models import Activity, Lottery
from tidings.core.errors import Invalid
from tidings.posts.models import Post
from tidings.social.models import Follow


def create(
    host: Account,
    *,
    person: Account,
    title: str,
    text: str,
    closes_at: dt.datetime | None,
    prizes: int | None,
    prize: str = "",
    by_repost: bool = True,
    by_comment: bool = False,
    by_follow: bool = False,
    must_follow: bool = False,
    exclude_staff: bool = True,
    min_account_days: int = 0,
    audience: dict[str, Any] | None = None,
) -> Lottery:
    services.require_host(person, host)
    if not (by_repost or by_comment or by_follow):
        raise Invalid(_("Choose how people enter: by reposting, commenting or following."), field="ways")
    if by_follow and (audience or {}).get("audience", "public") != "public":
        raise Invalid(_("Entering by following works only for a public lottery."), field="ways")
    terms = services.draw_terms(prizes, prize, exclude_staff, min_account_days)
    lottery = Lottery(
        kind=Activity.Kind.LOTTERY,
        host=host,
        title=services.clean_title(title),
        closes_at=services.clean_closes_at(closes_at),
        by_repost=by_repost,
        by_comment=by_comment,
        by_follow=by_follow,
        must_follow=must_follow,
        **terms,
    )
    services.start(lottery, person, text=text, audience=audience or {})
    return lottery


def candidates(lottery: Lottery) -> dict[int, str]:
    """Who entered between the post and the close, and why not eligible ("unfollowed": they do
    not follow the host when it is drawn, where the lottery asks it)."""
    window = {"created_at__gte": lottery.created_at, "created_at__lt": lottery.closes_at}
    ids: set[int] = set()
    if lottery.by_repost:
        reposts = Post.objects.filter(repost_of_id=lottery.post_id, kind=Post.Kind.REPOST, **window)
        ids.update(reposts.values_list("author_id", flat=True))
    if lottery.by_comment:
        comments = Post.objects.filter(root_id=lottery.post_id, kind=Post.Kind.COMMENT, **window)
        ids.update(comments.values_list("author_id", flat=True))
    followers = Follow.objects.filter(followee_id=lottery.host_id)
    if lottery.by_follow:
        ids.update(followers.filter(**window).values_list("follower_id", flat=True))
    following = set(followers.filter(follower_id__in=ids).values_list("follower_id", flat=True))
    active = set(Account.objects.filter(id__in=ids, is_active=True).values_list("id", flat=True))
    return {
        i: ("" if not lottery.must_follow or i in following else "unfollowed") for i in sorted(ids & active)
    }
