"""Analytics counted by the worker from events: an official account's posts, reach, reposts,
comments, likes, followers gained and lost, and engagement by hour; an organisation's internal
posts, active members and groups. Each event counts once, and personal accounts are not counted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tidings.analytics import counting, origins, selectors
from tidings.analytics.models import Daily
from tidings.groups import services as groups
from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.social import services as social

pytestmark = pytest.mark.django_db


def figure(subject_id: int, metric: str, scope: str = "a") -> int:
    return sum(
        Daily.objects.filter(scope=scope, subject=subject_id, metric=metric).values_list("value", flat=True)
    )


def test_an_official_accounts_day_is_counted_from_what_happens(team, make_account, run_hooks):
    fans = [make_account(f"粉絲{i}") for i in range(3)]
    with run_hooks():
        for fan in fans:
            social.follow(fan, account_id=team.account.id)
        post = posts.publish(team.account, text="新品上市 #X15#")
    first_hour = timezone.localtime().hour
    with run_hooks():
        posts.repost(fans[0], post_id=post.id, comment="好看")
        posts.comment(fans[1], post_id=post.id, text="多少錢?")
        posts.like(fans[2], post_id=post.id)
        posts.comment(team.account, post_id=post.id, text="下週公布")  # its own comment: not engagement
        social.unfollow(fans[2], account_id=team.account.id)

    # The engagement falls in the hour it happened: this one, or the one before when the test
    # crossed the hour (as a CI run at 21:00 in Taipei once did).
    hours = {first_hour, timezone.localtime().hour}
    assert figure(team.account.id, "posts") == 1
    assert figure(team.account.id, "reach") == 3  # three followers when it posted, the reposter's none
    assert (
        figure(team.account.id, "reposts"),
        figure(team.account.id, "comments"),
        figure(team.account.id, "likes"),
    ) == (1, 1, 1)
    assert (figure(team.account.id, "gained"), figure(team.account.id, "lost")) == (3, 1)
    assert sum(figure(team.account.id, f"engaged_h{hour:02d}") for hour in hours) == 3

    team.account.refresh_from_db()
    figures = selectors.account_figures(team.account)
    assert figures.series["followers"].values[-1] == 2
    assert figures.series["followers"].values[-2] == 0  # yesterday: worked back from today's gains and losses
    assert figures.series["engagement"].values[-1] == 3
    assert sum(figures.hours[hour] for hour in hours) == 3 and sum(figures.hours) == 3
    assert [p.id for p in figures.best] == [post.id]


def test_an_event_handled_twice_counts_once(team, make_account, run_hooks):
    with run_hooks():
        post = posts.publish(team.account, text="公告")
        fan = make_account("粉絲")
        posts.like(fan, post_id=post.id)

    counting.on_post_published(post.id)
    counting.on_liked(post.id, fan.id)

    assert figure(team.account.id, "posts") == 1 and figure(team.account.id, "likes") == 1


def test_personal_accounts_are_not_counted(team, make_account, run_hooks):
    person, fan = make_account("一般人"), make_account("朋友")
    with run_hooks():
        social.follow(fan, account_id=person.id)
        post = posts.publish(person, text="今天天氣好")
        posts.like(fan, post_id=post.id)

    assert not Daily.objects.filter(scope="a", subject=person.id).exists()


def test_the_inside_of_an_organisation_is_counted_by_posts_members_and_groups(team, run_hooks):
    group = groups.create_group(team.org, actor=team.admin, name="研發", kind="open")
    groups.join(group, team.editor)
    with run_hooks():
        posts.publish(team.employee, text="內部消息", audience="org", organisation_id=team.org.id)
        posts.publish(team.employee, text="又一則", audience="org", organisation_id=team.org.id)
        posts.publish(team.editor, text="群組消息", audience="group", group_id=group.id)

    figures = selectors.organisation_figures(team.org)

    assert figures.series["internal"].values[-1] == 3
    assert figures.series["members"].values[-1] == 2
    assert figures.extra["groups"] == [(group, 1)]
    assert figures.extra["distinct_active"] == 2


def test_followers_origins_name_their_organisations_and_topics(team, make_account, run_hooks):
    outsider = make_account("外部粉絲")
    other = orgs.create_organisation(slug="partner", name="夥伴公司", owner=outsider)
    assert other.id
    for person in (team.employee, outsider):
        social.follow(person, account_id=team.account.id)
    with run_hooks():
        posts.publish(outsider, text="我在用 #X15# 手機")

    origins.refresh(team.account.id)
    figures = selectors.account_figures(team.account)

    assert sorted((o.label, o.count) for o in figures.origins["org"]) == [("夥伴公司", 1), ("示範科技", 1)]
    assert [(o.label, o.count) for o in figures.origins["topic"]] == [("X15", 1)]


def test_the_organisations_activities_count_who_took_part(team, make_account):
    import datetime as dt

    from tidings.activities import live, surveys

    closes = timezone.now() + dt.timedelta(hours=1)
    survey = surveys.create(
        team.account,
        person=team.manager,
        title="滿意度",
        text="填問卷",
        closes_at=closes,
        questions=[{"kind": "rating", "text": "整體滿意度"}],
    )
    show = live.create(team.account, person=team.manager, title="直播", text="直播開始", closes_at=closes)
    fans = [make_account(f"觀眾{i}") for i in range(3)]
    surveys.respond(fans[0], survey, answers=["5"])
    for fan in fans:
        live.comment(fan, show, text="加油")
    live.comment(fans[0], show, text="再一次")
    live.update(show, person=team.manager, text="主持人的更新")

    taking = {a.id: n for a, n in selectors.activities_of(team.org)}

    assert taking == {survey.id: 1, show.id: 3}
