"""BENCHMARKS.md from the newest result of each size and mode in bench/results/<date>.json, with
charts drawn by pygal into bench/charts/ (SVG, no scripts)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pygal
from pygal.style import CleanStyle

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "BENCHMARKS.md"
CHARTS = HERE / "charts"
SIZES = ["tiny", "small", "medium", "large"]
DATED = re.compile(r"\d{4}-\d{2}-\d{2}\.json")


def _memory(run: dict[str, Any]) -> None:
    """Runs before 2026-11-27's last ones kept one figure per process (all resident pages)."""
    run["memory_mb"] = {
        k: v if isinstance(v, dict) else {"rss": v, "own": None} for k, v in run["memory_mb"].items()
    }


def newest_runs() -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, Any]]:
    """The newest run of each (size, mode), with the date it was measured, and the machine."""
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    machine: dict[str, Any] = {}
    for path in sorted(p for p in (HERE / "results").glob("*.json") if DATED.fullmatch(p.name)):
        data = json.loads(path.read_text())
        machine = data.get("machine", machine)
        for run in data["runs"]:
            _memory(run)
            runs[(run["size"], run["mode"])] = {**run, "date": data["date"]}
    return runs, machine


def chart(
    title: str,
    labels: list[str],
    series: dict[str, list[float | None]],
    unit: str,
    name: str,
    log: bool = False,
) -> str:
    bar = pygal.Bar(style=CleanStyle, js=[], width=800, height=360, legend_at_bottom=True, logarithmic=log)
    bar.title = f"{title} ({unit})"
    bar.x_labels = labels
    for label, values in series.items():
        bar.add(label, values)
    CHARTS.mkdir(exist_ok=True)
    bar.render_to_file(str(CHARTS / f"{name}.svg"))
    return f"![{title}](bench/charts/{name}.svg)"


def ms(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}"


def counting_lines(run: dict[str, Any]) -> list[str]:
    """The analytics counting against the rate posts came in (results before it have none)."""
    counted = run.get("counting")
    if not counted:
        return []
    arriving = run["create"]["c8"]["rps"]
    return [
        "",
        f"Analytics counting (the worker's handlers, one process): {counted['posts_per_second']:,} posts/s and "
        f"{counted['likes_per_second']:,} likes/s, against {arriving:,.0f} posts/s created at 8 connections: "
        + ("it keeps up." if counted["posts_per_second"] >= arriving else "it falls behind."),
    ]


def monitor_lines(run: dict[str, Any]) -> list[str]:
    """How soon a brand's monitor caught a post naming it (results before it have none)."""
    caught = run.get("monitor")
    if not caught:
        return []
    return [
        "",
        f"Monitor: of {caught['posts']} customer posts naming the brand, its monitor caught "
        f"{caught.get('caught', caught['posts'])}, after p50 {caught['p50_ms']} ms, at most {caught['max_ms']} ms "
        "(timed from the request).",
    ]


def targets(run: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Each target of issue 6 against this run: what was asked, what was measured, met or not."""
    home = run["reads"]["home"]
    fan = run["fanout"]
    limit_fan = 1000 if run["mode"] == "postgres" else 2000
    worst_fan = max(fan["in_every_kept_timeline_ms"] + fan["every_open_page_told_ms"])
    web = [mb for name, mb in run["memory_mb"].items() if name.startswith("web")]
    web_rss = max((m["rss"] for m in web), default=0)
    owns = [m["own"] for m in web if m["own"] is not None]
    web_own = max(owns, default=None)

    def row(what: str, got: str, met: bool) -> tuple[str, str, str]:
        return what, got, "met" if met else "missed"

    return [
        row("home timeline ≥ 1 000 req/s", f"{home['c8']['rps']:,.0f} req/s", home["c8"]["rps"] >= 1000),
        row(
            "home p50 at 1 connection ≤ 3 × floor",
            f"× {home.get('ratio_p50_c1', 0):.1f} ({ms(home['c1']['p50_ms'])} / {ms(home['floor_ms'])} ms)",
            home.get("ratio_p50_c1", 99) <= 3,
        ),
        row("home p99 at 8 connections < 20 ms", f"{ms(home['c8']['p99_ms'])} ms", home["c8"]["p99_ms"] < 20),
        row(
            "create post p99 < 30 ms",
            f"{ms(run['create']['c8']['p99_ms'])} ms (8 connections)",
            run["create"]["c8"]["p99_ms"] < 30,
        ),
        row(
            f"post of the most followed account in every follower's timeline < {limit_fan} ms",
            f"{worst_fan:,.0f} ms, {fan['followers_missed']} missed",
            worst_fan < limit_fan and fan["followers_missed"] == 0,
        ),
        row(
            "search p95 < 50 ms",
            f"{ms(run['reads']['search']['c1']['p95_ms'])} ms",
            run["reads"]["search"]["c1"]["p95_ms"] < 50,
        ),
        row("stream delay p99 < 100 ms", f"{run['stream']['p99_ms']} ms", run["stream"]["p99_ms"] < 100),
        row("each web process < 150 MB resident", f"{web_rss} MB at most", web_rss < 150),
        row(
            "each web process < 150 MB of its own (without the mapped database)",
            f"{web_own} MB at most" if web_own is not None else "not measured",
            web_own is not None and web_own < 150,
        ),
    ]


def section(size: str, runs: list[dict[str, Any]]) -> list[str]:
    modes = [r["mode"] for r in runs]
    world = runs[0]["world"]
    lines = [
        f"## {size}: {world['people']:,} people, {world['posts']:,} posts",
        "",
        f"{world['follows']:,} follows, {world['likes']:,} likes; @{world['brand']} has {world['brand_followers']:,} followers. "
        f"Measured {', '.join(r['mode'] + ' on ' + r['date'] for r in runs)}.",
        "",
    ]
    names = list(runs[0]["reads"])
    for run in runs:
        server = run["server"]
        lines += [
            f"### {run['mode']} ({server['workers']} web processes × {server['threads']} threads, one worker; commit {run.get('commit')})",
            "",
            "| read | queries | floor ms | p50 ms (1 conn) | × floor | p95 | p99 | req/s (8 conn) | p99 ms (8 conn) | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, r in run["reads"].items():
            c1, c8 = r["c1"], r["c8"]
            lines.append(
                f"| {name} | {r.get('queries', '–')} | {ms(r.get('floor_ms'))} | {ms(c1['p50_ms'])} | "
                f"{r.get('ratio_p50_c1', '–')} | {ms(c1['p95_ms'])} | {ms(c1['p99_ms'])} | {c8['rps']:,.0f} | "
                f"{ms(c8['p99_ms'])} | {c1['errors'] + c8['errors']} |"
            )
        create = run["create"]
        fan = run["fanout"]
        stream = run["stream"]
        lines += [
            f"| create post | | | {ms(create['c1']['p50_ms'])} | | {ms(create['c1']['p95_ms'])} | {ms(create['c1']['p99_ms'])} | "
            f"{create['c8']['rps']:,.0f} | {ms(create['c8']['p99_ms'])} | {create['c1']['errors'] + create['c8']['errors']} |",
            "",
            f"Fan-out: a post of @{world['brand']} ({fan['account_followers']:,} followers, "
            f"{'fanned out on write' if fan['fanned_out_on_write'] else 'merged into timelines at read'}; "
            f"{fan['kept_followers']:,} followers with kept timelines) was in every kept timeline after "
            f"{', '.join(f'{t:,.0f}' for t in fan['in_every_kept_timeline_ms'])} ms, and every kept follower's open page "
            f"had been told after {', '.join(f'{t:,.0f}' for t in fan['every_open_page_told_ms'])} ms (five posts, "
            f"timed from the request). Of {fan['followers_checked']:,} followers whose home timeline was then read, "
            f"{fan['followers_missed']} missed the post. After the load of new posts the worker needed "
            f"{run['backlog_seconds']} s to finish its queue.",
            *counting_lines(run),
            *monitor_lines(run),
            "",
            f"Streamed updates ({stream['listeners']} WebSocket listeners, {stream['updates']} updates): "
            f"p50 {stream['p50_ms']} ms, p95 {stream['p95_ms']} ms, p99 {stream['p99_ms']} ms after the post was answered.",
            "",
            "Resident memory (in all / the process's own, without file pages such as the mapped "
            "database): "
            + ", ".join(f"{k} {v['rss']} / {v['own'] or '–'} MB" for k, v in run["memory_mb"].items())
            + f". Database: {run['database_mb']:,} MB.",
            "",
            "| target | measured | |",
            "|---|---|---|",
            *(f"| {a} | {b} | {c} |" for a, b, c in targets(run)),
            "",
        ]
    lines.append(
        chart(
            f"{size}: p50 at one connection and p99 at eight",
            names,
            {
                **{
                    f"p50 {m}": [r["reads"][n]["c1"]["p50_ms"] for n in names]
                    for m, r in zip(modes, runs, strict=True)
                },
                **{
                    f"p99 8 conn {m}": [r["reads"][n]["c8"]["p99_ms"] for n in names]
                    for m, r in zip(modes, runs, strict=True)
                },
            },
            "ms",
            f"{size}-latency",
        )
    )
    lines.append("")
    lines.append(
        chart(
            f"{size}: requests per second at eight connections",
            names,
            {m: [r["reads"][n]["c8"]["rps"] for n in names] for m, r in zip(modes, runs, strict=True)},
            "req/s",
            f"{size}-throughput",
        )
    )
    lines.append("")
    floored = [n for n in names if runs[0]["reads"][n].get("floor_ms")]
    lines.append(
        chart(
            f"{size}: p50 at one connection divided by the floor",
            floored,
            {
                m: [r["reads"][n].get("ratio_p50_c1") for n in floored]
                for m, r in zip(modes, runs, strict=True)
            },
            "×, logarithmic",
            f"{size}-floor",
            log=True,
        )
    )
    lines.append("")
    return lines


def write() -> Path:
    runs, machine = newest_runs()
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run.py, bench/report.py); the raw figures are in bench/results/.",
        "How it measures: bench/README.md.",
        "",
        f"Machine: {machine.get('cpus')} cores ({machine.get('cpu')}), {machine.get('memory_mb', 0):,} MB, "
        f"Python {machine.get('python')}, {machine.get('platform')}; the load driver runs on the same machine.",
        "",
    ]
    for size in SIZES:
        here = [runs[(size, m)] for m in ("sqlite", "postgres") if (size, m) in runs]
        if here:
            lines += section(size, here)
    notes = HERE / "notes.md"
    if notes.exists():
        lines += [notes.read_text().rstrip(), ""]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"Report: {OUT}")
    return OUT


if __name__ == "__main__":
    write()
