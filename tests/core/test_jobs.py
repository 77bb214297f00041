"""An event's work, try by try (core.jobs): a message for a try already taken runs nothing, the
sweep queues the next try once a lease has run out, and a job tried too often is given up."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from tidings.core import jobs
from tidings.core.models import Job
from tidings.posts import services as posts
from tidings.social import services as social
from tidings.timelines.selectors import home_timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(make_account, run_hooks):
    """A post whose job is written but not run yet, and a follower with a kept timeline."""
    author, reader = make_account("作者"), make_account("讀者")
    with run_hooks():
        social.follow(reader, account_id=author.id)
    home_timeline(reader)
    post = posts.publish(author, text="等待中的工作")  # its on-commit message is never sent here
    job = Job.objects.get(event="post.published", args__post_id=post.id)
    return reader, post, job


def shown(reader) -> list[int]:
    return [item.post.id for item in home_timeline(reader).items]


def test_a_message_for_a_try_another_worker_took_runs_nothing(waiting):
    reader, post, job = waiting
    Job.objects.filter(id=job.id).update(attempts=1)  # try 0 was taken by another worker

    assert jobs.run(job.id, 0) is False

    assert Job.objects.filter(id=job.id, attempts=1).exists()
    assert post.id not in shown(reader)
    assert jobs.run(job.id, 1) is True  # the try that is the job's runs, once
    assert not Job.objects.filter(id=job.id).exists()
    assert shown(reader).count(post.id) == 1


def test_the_sweep_queues_the_next_try_only_after_the_lease(waiting):
    reader, post, job = waiting
    Job.objects.filter(id=job.id).update(attempts=1, lease_until=timezone.now() + dt.timedelta(seconds=30))
    assert jobs.sweep() == 0  # its worker may still be at it
    assert post.id not in shown(reader)

    Job.objects.filter(id=job.id).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert jobs.sweep() == 1  # the worker stopped: the next try runs (at once, in the tests)

    assert not Job.objects.filter(id=job.id).exists()
    assert shown(reader).count(post.id) == 1


def test_a_job_tried_too_often_is_given_up_with_an_error_in_the_log(waiting, caplog):
    _reader, _post, job = waiting
    Job.objects.filter(id=job.id).update(
        attempts=jobs.MOST_ATTEMPTS, lease_until=timezone.now() - dt.timedelta(seconds=1)
    )

    with caplog.at_level(logging.ERROR, logger="tidings.core.jobs"):
        assert jobs.sweep() == 0

    assert not Job.objects.filter(id=job.id).exists()
    assert f"job {job.id} (post.published" in caplog.text
