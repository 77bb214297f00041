"""The soak test, bounded for CI: bench/soak.py runs 40 seconds (four rounds) of twice the
benchmark's load against a real `tidings serve` and `tidings worker` on PostgreSQL and Redis,
and passes only with no 5xx, flat memory, a bounded job queue that drains, and 429s with
Retry-After for the one script that goes too fast while ordinary people are never refused.

It runs in CI's second pass only: scale-out is the mode a company under heavy load runs, and the
soak fills both cores for a minute and a half. The README tells how to run it for hours, in
either mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.installations import POSTGRES

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not POSTGRES,
        reason="the soak runs in scale-out mode (TIDINGS_DATABASE_URL and TIDINGS_REDIS_URL set, as in "
        "CI's second pass); on SQLite run bench/soak.py --mode sqlite by hand",
    ),
]

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def test_forty_seconds_of_twice_the_benchmarks_load_break_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.pop("TIDINGS_TASKS_IMMEDIATE", None)
    out = tmp_path / "soak.json"
    args = ["--size", "tiny", "--mode", "postgres", "--seconds", "40", "--data-dir", str(tmp_path / "data")]

    done = subprocess.run(
        [sys.executable, str(SOAK), *args, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    result = json.loads(out.read_text())
    assert result["checks"] == dict.fromkeys(result["checks"], True), done.stdout[-3000:]
    assert done.returncode == 0
    assert sum(result["people_statuses"].values()) > 100  # the load really ran
    assert int(result["retry_after"]) > 0
