from __future__ import annotations

import pytest

from tidings.notifications.models import Notification
from tidings.posts import services as posts
from tidings.social import services as social
from tidings.timelines.selectors import home_timeline

pytestmark = pytest.mark.django_db


def test_a_followers_home_timeline_shows_the_new_post_after_fan_out(make_account, run_hooks):
    author, reader = make_account("作者"), make_account("讀者")
    home_timeline(reader)  # the reader is active: their timeline is kept
    with run_hooks():
        social.follow(reader, account_id=author.id)
    with run_hooks():
        post = posts.publish(author, text="你好 #測試#")
    reader.refresh_from_db()
    page = home_timeline(reader)
    assert [v.post.id for v in page.items] == [post.id]
    assert Notification.objects.filter(recipient=author, kind="follow", actor=reader).exists()
