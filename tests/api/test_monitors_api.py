"""Monitors and search through the native API (/api/tidings/v1): the same rules as the browser,
with the token's scopes on top."""

from __future__ import annotations

import pytest

from tidings.orgs import services as orgs
from tidings.posts import services as posts
from tidings.search.models import Monitor

from .conftest import Api

pytestmark = pytest.mark.django_db
BASE = "/api/tidings/v1"


@pytest.fixture
def brand(make_account, run_hooks, settings):
    settings.WRITES_PER_MINUTE = 1000
    admin, employee, customer = make_account("品牌主管"), make_account("員工"), make_account("顧客")
    rival = make_account("對手主管")
    org = orgs.create_organisation(slug="demo", name="示範科技", owner=admin)
    orgs.create_organisation(slug="rival", name="對手", owner=rival)
    orgs.add_member(org, employee, actor=admin)
    official = make_account("示範官方")
    orgs.register_official_account(org, official, actor=admin)
    return {"org": org, "admin": admin, "employee": employee, "customer": customer, "rival": rival}


def _create(api, **fields):
    body = {"account": "示範官方", "name": "聲量", "query": "示範 OR X14", **fields}
    return api.post(f"{BASE}/monitors", body)


def test_an_admin_creates_reads_changes_and_deletes_a_monitor(brand, api_for, run_hooks):
    api = api_for(brand["admin"])
    made = _create(api, languages=["zh"], digest="daily")
    assert made.status_code == 201, made.json()
    monitor = made.json()
    assert monitor["account"]["handle"] == "示範官方" and monitor["languages"] == ["zh"]
    assert len(monitor["webhook_secret"]) == 64

    with run_hooks():
        posts.publish(brand["customer"], text="示範的客服太差了,我要投訴", language="zh-hant")
    page = api.get(f"{BASE}/monitors/{monitor['id']}/posts").json()
    assert [(i["post"]["text"], i["sentiment"]) for i in page["items"]] == [("示範的客服太差了,我要投訴", -1)]
    figures = api.get(f"{BASE}/monitors/{monitor['id']}/figures").json()
    assert (figures["total"], figures["negative"]) == (1, 1) and "guess" in figures["sentiment_caveat"]
    assert [m["id"] for m in api.get(f"{BASE}/monitors").json()] == [monitor["id"]]

    changed = api.patch(f"{BASE}/monitors/{monitor['id']}", {"query": "X14", "notify": False})
    assert changed.status_code == 200 and changed.json()["query"] == "X14" and not changed.json()["notify"]
    assert api.delete(f"{BASE}/monitors/{monitor['id']}").status_code == 204
    assert not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"query": ""}, "at least one keyword"),
        ({"query": "的"}, "too common"),
        ({"query": '"X14'}, "quotation mark"),
        ({"languages": ["xx"]}, "Languages are among"),
        ({"webhook_url": "http://localhost:8080/"}, "private or local"),
        ({"source": "everywhere"}, "Validation failed"),
    ],
)
def test_bad_monitors_are_a_422_saying_why(brand, api_for, fields, message):
    response = _create(api_for(brand["admin"]), **fields)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not Monitor.objects.exists()


@pytest.mark.parametrize("who", ["employee", "customer", "rival"])
def test_others_get_a_monitor_like_a_missing_one(brand, api_for, who):
    monitor = _create(api_for(brand["admin"])).json()
    api = api_for(brand[who])
    assert _create(api).status_code == 404
    for method, path in [
        ("get", f"/monitors/{monitor['id']}"),
        ("get", f"/monitors/{monitor['id']}/posts"),
        ("get", f"/monitors/{monitor['id']}/figures"),
        ("patch", f"/monitors/{monitor['id']}"),
        ("delete", f"/monitors/{monitor['id']}"),
    ]:
        send = getattr(api, method)
        refused = send(BASE + path, {"name": "偷改"}) if method == "patch" else send(BASE + path)
        missing_path = BASE + path.replace(monitor["id"], str(int(monitor["id"]) + 1))
        absent = send(missing_path, {"name": "偷改"}) if method == "patch" else send(missing_path)
        assert refused.status_code == absent.status_code == 404
        assert refused.json() == absent.json()
    assert api.get(f"{BASE}/monitors").json() == []
    assert Monitor.objects.get().name == "聲量"


def test_monitors_need_their_scope_and_a_token(brand, api_for):
    api = Api()
    reader = api_for(brand["admin"], scopes="read")
    assert _create(reader).status_code == 403
    assert reader.get(f"{BASE}/monitors").status_code == 200
    assert api_for(brand["admin"], scopes="read:search").get(f"{BASE}/monitors").status_code == 403
    assert api.get(f"{BASE}/monitors").status_code == 401


def test_native_search_keeps_internal_posts_inside(brand, api_for, run_hooks):
    api = Api()
    with run_hooks():
        posts.publish(
            brand["employee"], text="示範 內部新品計畫", audience="org", organisation_id=brand["org"].id
        )
        posts.publish(brand["employee"], text="示範 公開新品")

    def found(client):
        response = client.get(f"{BASE}/search", {"q": "新品"})
        assert response.status_code == 200
        return sorted(p["text"] for p in response.json()["posts"])

    assert found(api_for(brand["admin"])) == sorted(["示範 公開新品", "示範 內部新品計畫"])
    for outsider in (api_for(brand["rival"]), api_for(brand["customer"]), api):
        assert found(outsider) == ["示範 公開新品"]
    bad = api_for(brand["admin"]).get(f"{BASE}/search", {"q": "的 了"})
    assert bad.status_code == 422 and "too common" in bad.json()["error"]
    people = api.get(f"{BASE}/search", {"q": "示范", "type": "people"}).json()["people"]
    assert [p["handle"] for p in people] == ["示範官方"]


def test_the_webhook_secret_is_shown_only_to_a_token_that_may_change_the_monitor(brand, api_for):
    made = _create(api_for(brand["admin"])).json()
    assert len(made["webhook_secret"]) == 64

    reader = api_for(brand["admin"], scopes="read")
    assert reader.get(f"{BASE}/monitors/{made['id']}").json()["webhook_secret"] is None
    assert [m["webhook_secret"] for m in reader.get(f"{BASE}/monitors").json()] == [None]
    writer = api_for(brand["admin"], scopes="read write")
    assert writer.get(f"{BASE}/monitors/{made['id']}").json()["webhook_secret"] == made["webhook_secret"]
