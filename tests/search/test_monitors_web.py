"""Monitors in the browser: made from the form, shown with their column and figures to the people
who run the account, and to anybody else exactly like a monitor that does not exist."""

from __future__ import annotations

import pytest
from django.test import Client

from tidings.search import monitors
from tidings.search.models import Monitor

from ..web.helpers import anonymous, comparable, english
from .conftest import Brand, watch

pytestmark = pytest.mark.django_db

MONITOR_PAGES = [
    ("get", "/monitors/{id}/"),
    ("get", "/monitors/{id}/volume.svg"),
    ("get", "/monitors/{id}/events/"),
    ("post", "/monitors/{id}/edit/"),
    ("post", "/monitors/{id}/delete/"),
]


def _same_as_missing(client: Client, method: str, url: str, monitor: Monitor) -> None:
    missing = monitor.id + 1
    send = getattr(client, method)
    refused = send(url.format(id=monitor.id), {"name": "偷改", "query": "x"})
    absent = send(url.format(id=missing), {"name": "偷改", "query": "x"})
    assert refused.status_code == absent.status_code == 404
    assert comparable(refused.content, monitor.id) == comparable(absent.content, missing)


@pytest.mark.parametrize(("method", "url"), MONITOR_PAGES)
@pytest.mark.parametrize("who", ["employee", "rival_admin", "customer"])
def test_a_monitor_answers_others_like_a_missing_one(brand: Brand, client_for, who, method, url):
    monitor = watch(brand)
    client = english(client_for(getattr(brand, who)))

    _same_as_missing(client, method, url, monitor)
    assert client.get(f"/monitors/{monitor.id}/").status_code == 404
    monitor.refresh_from_db()
    assert monitor.name == "品牌聲量"


@pytest.mark.parametrize(("method", "url"), MONITOR_PAGES)
def test_a_logged_out_visitor_gets_nothing_of_a_monitor(brand: Brand, method, url):
    monitor = watch(brand)
    response = getattr(anonymous(), method)(url.format(id=monitor.id))
    assert response.status_code in (302, 401, 403)
    assert "品牌聲量".encode() not in response.content
    assert Monitor.objects.filter(id=monitor.id).exists()


def test_someone_who_runs_no_account_is_told_so(brand: Brand, client_for):
    body = english(client_for(brand.customer)).get("/monitors/").content.decode()
    assert "You run none" in body
    assert "New monitor" not in body


def test_an_admin_makes_a_monitor_from_the_form_and_sees_its_catches(brand: Brand, client_for, say):
    client = english(client_for(brand.admin))
    response = client.post(
        "/monitors/",
        {
            "account": brand.official.id,
            "name": "X14 口碑",
            "query": "X14 OR 示範",
            "source": "public",
            "notify": "on",
        },
    )
    monitor = Monitor.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/monitors/{monitor.id}/"
    assert monitor.account == brand.official and monitor.created_by == brand.admin and monitor.notify

    say(brand.customer, "X14 的螢幕<b>很棒</b>")
    page = client.get(f"/monitors/{monitor.id}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "X14 的螢幕&lt;b&gt;很棒&lt;/b&gt;" in body
    assert f"/monitors/{monitor.id}/volume.svg" in body
    assert "A machine&#x27;s guess" in body or "A machine's guess" in body  # the caveat is shown
    assert "X14 口碑" in client.get("/monitors/").content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "空的", "query": ""}, "A monitor needs at least one keyword."),
        ({"name": "引號", "query": '"X14'}, "A quotation mark is not closed."),
        ({"name": "", "query": "X14"}, "Give the monitor a name."),
    ],
)
def test_a_bad_form_says_why_and_saves_nothing(brand: Brand, client_for, fields, message):
    client = english(client_for(brand.admin))
    response = client.post("/monitors/", {"account": brand.official.id, "source": "public", **fields})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Monitor.objects.count() == 0


def test_an_account_one_does_not_run_cannot_be_chosen(brand: Brand, client_for):
    client = english(client_for(brand.rival_admin))
    response = client.post("/monitors/", {"account": brand.official.id, "name": "偷聽", "query": "示範"})
    assert response.status_code == 404
    assert Monitor.objects.count() == 0


def test_editing_and_deleting_from_the_page(brand: Brand, client_for):
    from tidings.orgs import services as orgs

    orgs.add_member(brand.org, brand.official, actor=brand.admin)  # may listen inside too
    monitor = watch(brand)
    client = english(client_for(brand.admin))

    bad = client.post(f"/monitors/{monitor.id}/edit/", {"name": "新名字", "query": "的"})
    assert bad.status_code == 400 and "too common" in bad.content.decode()
    monitor.refresh_from_db()
    assert monitor.name == "品牌聲量"

    client.post(f"/monitors/{monitor.id}/edit/", {"name": "新名字", "query": "示範", "source": "both"})
    monitor.refresh_from_db()
    assert (monitor.name, monitor.query, monitor.source) == ("新名字", "示範", "both")
    assert client.post(f"/monitors/{monitor.id}/delete/").status_code == 302
    assert not Monitor.objects.exists()


def test_the_chart_is_an_inert_svg(brand: Brand, client_for, say):
    monitor = watch(brand)
    say(brand.customer, "示範")
    response = english(client_for(brand.admin)).get(f"/monitors/{monitor.id}/volume.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"<script" not in response.content


def test_the_monitor_page_costs_the_same_queries_with_many_catches(
    brand: Brand, client_for, say, django_assert_max_num_queries
):
    monitor = watch(brand)
    client = english(client_for(brand.admin))
    say(brand.customer, "示範 一")
    client.get(f"/monitors/{monitor.id}/")  # warm the session

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/monitors/{monitor.id}/")
    for n in range(15):
        say(brand.customer, f"示範 第{n}則")
    with django_assert_max_num_queries(len(few)):
        assert client.get(f"/monitors/{monitor.id}/").status_code == 200


def test_the_accounts_own_login_runs_its_monitors_too(brand: Brand, client_for):
    monitor = monitors.create(brand.official, brand.official, name="自己", query="示範")
    assert english(client_for(brand.official)).get(f"/monitors/{monitor.id}/").status_code == 200
