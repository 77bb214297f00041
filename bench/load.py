"""The load driver: keep-alive HTTP/1.1 connections over loopback, each sending its next request
as soon as the last answer is read (a closed loop), timing every request from the first byte sent
to the last byte read. Plain asyncio streams, so the driver costs the machine little next to the
server it measures."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


def request(
    method: str, path: str, *, host: str, token: str = "", form: dict[str, str] | None = None
) -> bytes:
    """The bytes of one request."""
    body = urlencode(form).encode() if form else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class Result:
    """Latencies in milliseconds and what came back."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    bodies: list[bytes] = field(default_factory=list)  # kept only when asked

    def figures(self) -> dict[str, float | int]:
        times = sorted(self.latencies)
        if not times:
            return {"requests": 0}
        return {
            "requests": len(times),
            "rps": round(len(times) / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(percentile(times, 95), 2),
            "p99_ms": round(percentile(times, 99), 2),
            "max_ms": round(times[-1], 2),
            "errors": sum(n for s, n in self.statuses.items() if s >= 400),
        }


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest rank: the value at or below which p% of the measurements fall."""
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


async def _connection(
    address: tuple[str, int],
    requests: itertools.cycle[bytes],
    result: Result,
    until: float,
    count: list[int],
    keep: bool,
) -> None:
    reader, writer = await asyncio.open_connection(*address)
    try:
        while time.monotonic() < until and count[0] > 0:
            count[0] -= 1
            payload = next(requests)
            started = time.perf_counter()
            writer.write(payload)
            status, body = await _read_response(reader)
            result.latencies.append((time.perf_counter() - started) * 1000)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if keep:
                result.bodies.append(body)
    finally:
        writer.close()


async def drive_async(
    address: tuple[str, int],
    requests: Sequence[bytes],
    *,
    connections: int,
    seconds: float,
    most: int = 10**9,
    keep_bodies: bool = False,
) -> Result:
    result = Result()
    shared = itertools.cycle(requests)
    count = [most]
    started = time.perf_counter()
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(_connection(address, shared, result, until, count, keep_bodies) for _ in range(connections))
    )
    result.seconds = time.perf_counter() - started
    return result


def drive(address: tuple[str, int], requests: Sequence[bytes], **options: Any) -> Result:
    """Send the requests in turn over `connections` connections for `seconds` (or `most` requests).
    The loop runs in a thread of its own, so the driver also works beside another event loop
    (the browser tests' Playwright, when both run in one test process)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(drive_async(address, requests, **options))).result()
