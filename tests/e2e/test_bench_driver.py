"""The benchmark's load driver against a real `tidings serve`: what it counts is what the server
answered (so the figures in BENCHMARKS.md are of real answers, errors told apart)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load

pytestmark = pytest.mark.e2e


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 99) == 99
    assert load.percentile([7.0], 99) == 7


def test_the_driver_counts_answers_and_errors_from_the_server(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    requests = [
        load.request("GET", "/healthz", host=host),
        load.request("GET", "/api/v1/timelines/home", host=host, token="not-a-token"),
    ]
    result = load.drive((host, int(port)), requests, connections=2, seconds=30, most=40, keep_bodies=True)
    assert result.statuses == {200: 20, 401: 20}
    figures = result.figures()
    assert figures["requests"] == 40
    assert figures["errors"] == 20
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    refusals = [json.loads(b) for b in result.bodies if b.startswith(b"{")]
    assert refusals and all(r == {"error": "The access token is invalid"} for r in refusals)


def test_the_driver_posts_forms(server: str, tidings) -> None:  # type: ignore[no-untyped-def]
    tidings(
        "createuser",
        "bench_poster",
        "--email",
        "bench_poster@example.com",
        "--password-stdin",
        stdin="a long bench passphrase\n",
    )
    token = tidings("token", "create", "bench_poster", "--scopes", "write").strip()
    host, port = server.removeprefix("http://").split(":")
    post = load.request("POST", "/api/v1/statuses", host=host, token=token, form={"status": "壓測 #測試#"})
    result = load.drive((host, int(port)), [post], connections=1, seconds=30, most=1, keep_bodies=True)
    assert result.statuses == {200: 1}
    assert json.loads(result.bodies[0])["tags"][0]["name"] == "測試"
