"""Analytics pages: an official account's for the roles that see figures, an organisation's for
its owners and admins; each chart as SVG that runs nothing, each figure as CSV; refused to
everyone else."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest
from django.test import Client

from tests.web.helpers import NOT_FOUND_MESSAGE, english
from tidings.posts import services as posts
from tidings.social import services as social

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(team, make_account, run_hooks):
    fan = make_account("粉絲")
    with run_hooks():
        social.follow(fan, account_id=team.account.id)
        post = posts.publish(team.account, text="新品上市")
        posts.publish(team.employee, text="內部消息", audience="org", organisation_id=team.org.id)
    with run_hooks():
        posts.like(fan, post_id=post.id)
    return post


def test_an_analyst_reads_the_accounts_figures_charts_and_csv(team, busy, client_for):
    analyst = english(client_for(team.analyst))
    base = f"/ops/@{team.account.handle}/analytics/"

    page = analyst.get(base).content.decode()
    chart = analyst.get(base + "followers.svg")
    hours = analyst.get(base + "hours.svg")
    followers = list(
        csv.reader(io.StringIO(analyst.get(base + "?csv=followers").content.decode("utf-8-sig")))
    )
    best = analyst.get(base + "?csv=best").content.decode("utf-8-sig")

    assert "新品上市" in page and quote(base, safe="/@") + "followers.svg" in page and "Best hours" in page
    assert chart["Content-Type"] == "image/svg+xml" and b"<script" not in chart.content
    assert "default-src 'none'" in chart["Content-Security-Policy"] and hours.status_code == 200
    assert followers[0] == ["day", "followers"] and followers[-1][1] == "1" and len(followers) == 31
    assert str(busy.id) in best
    assert analyst.get(base + "nothing.svg").status_code == 404


def test_an_admin_reads_the_organisations_figures(team, busy, client_for):
    admin = english(client_for(team.admin))

    page = admin.get(f"/o/{team.org.slug}/analytics/").content.decode()
    members = admin.get(f"/o/{team.org.slug}/analytics/?csv=members").content.decode("utf-8-sig")
    chart = admin.get(f"/o/{team.org.slug}/analytics/internal.svg")

    assert "1 person posted inside" in page
    assert f"@{team.account.handle}" in page  # its response desk's figures
    assert members.splitlines()[-1].endswith(",1")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"


ACCOUNT_PATHS = [
    "/ops/@{handle}/analytics/",
    "/ops/@{handle}/analytics/followers.svg",
    "/ops/@{handle}/analytics/?csv=posts",
]


@pytest.mark.parametrize("who", ["customer", "rival", "employee"])
@pytest.mark.parametrize("path", ACCOUNT_PATHS)
def test_people_with_no_role_get_not_found_for_the_accounts_figures(team, client_for, who, path):
    response = english(client_for(getattr(team, who))).get(path.format(handle=team.account.handle))

    assert response.status_code == 404 and NOT_FOUND_MESSAGE in response.content.decode()


@pytest.mark.parametrize("path", ACCOUNT_PATHS)
def test_a_responder_is_told_their_role_does_not_show_figures_and_a_visitor_must_log_in(
    team, client_for, path
):
    refused = english(client_for(team.responder)).get(path.format(handle=team.account.handle))
    visitor = Client().get(path.format(handle=team.account.handle))

    assert refused.status_code == 403 and "does not let you see its figures" in refused.content.decode()
    assert visitor.status_code == 302 and visitor.url.startswith("/login/")


ORG_PATHS = ["/o/{slug}/analytics/", "/o/{slug}/analytics/members.svg", "/o/{slug}/analytics/?csv=internal"]


@pytest.mark.parametrize("path", ORG_PATHS)
def test_only_the_organisations_owners_and_admins_read_its_figures(team, client_for, path):
    url = path.format(slug=team.org.slug)

    employee = english(client_for(team.employee)).get(url)
    rival = english(client_for(team.rival)).get(url)
    customer = english(client_for(team.customer)).get(url)
    visitor = Client().get(url)

    assert employee.status_code == 403
    assert rival.status_code == customer.status_code == 404
    assert visitor.status_code == 302 and visitor.url.startswith("/login/")
