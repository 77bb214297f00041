"""A refusal for going too fast says when to come back: every 429 (the client API, the native API,
the login form, posting) carries Retry-After, the seconds until the caller's window ends."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import Api
from tidings.accounts.tokens import create_token
from tidings.core import ratelimit
from tidings.core.models import Job
from tidings.posts.models import Post

pytestmark = pytest.mark.django_db


def seconds(response) -> int:
    assert response.status_code == 429
    return int(response["Retry-After"])


@pytest.mark.parametrize("path", ["/api/v1/accounts/verify_credentials", "/api/tidings/v1/me"])
def test_an_api_caller_past_its_limit_is_told_when_to_come_back(make_account, settings, path):
    settings.API_REQUESTS_PER_5_MINUTES = 3
    api = Api(create_token(make_account("腳本"), scopes="read"))

    answers = [api.get(path) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert 0 < seconds(answers[3]) <= 300


def test_someone_guessing_a_password_is_told_when_to_come_back(make_account):
    make_account("目標")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    answers = [client.post("/login/", {"login": "目標", "password": f"wrong {n}"}) for n in range(12)]

    refused = [a for a in answers if a.status_code == 429]
    assert refused and all(0 < seconds(a) <= 3600 for a in refused)
    assert answers[0].status_code != 429 and not answers[0].has_header("Retry-After")


def test_posting_too_fast_is_refused_with_when_to_post_again(make_account, client_for, settings):
    settings.WRITES_PER_MINUTE = 2
    client = client_for(make_account("快手"))

    answers = [client.post("/compose/", {"text": f"第 {n} 則", "audience": "public"}) for n in range(3)]

    assert [a.status_code for a in answers[:2]] == [302, 302]
    assert 0 < seconds(answers[2]) <= 60


def test_while_the_worker_is_far_behind_a_new_post_waits_and_is_told_when(
    make_account, client_for, settings, monkeypatch
):
    settings.TASK_BACKLOG_LIMIT = 2
    writer = make_account("趕工")
    client = client_for(writer)
    waiting = [Job(event="post.published", args={"post_id": n}, lease_until=timezone.now()) for n in range(3)]
    Job.objects.bulk_create(waiting)  # three events whose work the worker has not done
    monkeypatch.setattr(ratelimit, "_backlog", (0, -1e9))  # as if this process had not looked yet

    answer = client.post(
        "/compose/", {"text": "忙碌時的一則", "audience": "public"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert seconds(answer) == 10
    assert "The server is busy" in answer.content.decode()
    assert not Post.objects.filter(author=writer).exists()
