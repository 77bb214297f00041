"""Every timeline-like page costs the same number of queries whatever it shows: 5 posts or 20,
from as many authors, with reposts and pictures. Counted, not timed."""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tidings.accounts.models import Account
from tidings.posts import services as posts

pytestmark = pytest.mark.django_db


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def fill(make_account: Callable[..., Account], reader: Account, n: int, prefix: str) -> Account:
    """n posts by n different authors, every third a repost with a comment, every fourth with a
    picture; all of them also by or reposted into one `hub` account's profile."""
    hub = make_account(f"{prefix}hub")
    for i in range(n):
        author = make_account(f"{prefix}{i}")
        original = posts.publish(
            author, text=f"#計數# 第 {i} 則", images_data=[picture()] if i % 4 == 0 else []
        )
        if i % 3 == 0:
            posts.repost(hub, post_id=original.id, comment=f"轉 {i}")
        else:
            posts.repost(hub, post_id=original.id)
        posts.like(reader, post_id=original.id)
        posts.comment(author, post_id=original.id, text="留言")
    return hub


def count(client: Client, url: str) -> int:
    client.get(url)  # warm: sessions, the timeline build, translations
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", ["public", "profile", "topic", "home"])
def test_a_page_of_20_costs_the_same_queries_as_a_page_of_5(make_account, client_for, settings, page):
    settings.WRITES_PER_MINUTE = 1000
    counts = []
    for n, prefix in ((5, "a"), (20, "b")):
        reader = make_account(f"{prefix}reader")
        hub = fill(make_account, reader, n, prefix)
        url = {
            "public": "/public/",
            "profile": f"/@{quote(hub.handle)}/",
            "topic": f"/topics/{quote('計數')}/",
            "home": "/",
        }[page]
        if page == "home":
            from tidings.social import services as social

            social.follow(reader, account_id=hub.id)
        counts.append(count(client_for(reader), url))
        # Next round starts from nothing of this one on the public pages.
        Account.objects.all().delete()
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for 5 posts, {counts[1]} for 20"


def test_a_post_page_with_20_comments_costs_the_same_queries_as_with_5(make_account, client_for, settings):
    settings.WRITES_PER_MINUTE = 1000
    counts = []
    for n in (5, 20):
        author, reader = make_account(), make_account()
        post = posts.publish(author, text="大家來留言")
        for i in range(n):
            commenter = make_account()
            comment = posts.comment(commenter, post_id=post.id, text=f"第 {i} 則留言")
            if i % 2:
                posts.comment(author, post_id=comment.id, text="謝謝")
        counts.append(count(client_for(reader), f"/p/{post.id}/"))
    assert counts[0] == counts[1]
