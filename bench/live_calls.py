"""The local stack server under load: concurrent live calls through the call API, from a burst of
callers dialling at once to the concurrency where it saturates.

The server runs as `aicc-ops local up` runs it (`python -m aicc_ops.local.server`, ports 0, a private
state directory); the callers are coroutines of this process, each on its own keep-alive HTTP/1.1
connection, as Locust users are. A caller dials one of the demo's scripted calls, and whenever the
flows wait for it, thinks, then answers the next input of its script (then "silence"); once the
flows queue the call it holds, hangs up, and dials again at once, so that each caller keeps one
live call. A flow step is timed by the server (`steps` of a call, docs/local-stack.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

THINK_SECONDS = (2.0, 4.0)  # a caller's pause before answering a prompt
HOLD_SECONDS = (30.0, 90.0)  # how long a queued caller holds before hanging up
MAX_SILENCES = 3  # a caller whose script ran out stays silent this many prompts, then hangs up
P95_LIMIT_MS = 100.0
RING_LIMIT_S = 2.0  # past this (p95), the server no longer answers callers as they come
SERVER = [sys.executable, "-m", "aicc_ops.local.server"]
PORTS_0 = [
    "--aws-port",
    "0",
    "--connect-port",
    "0",
    "--calls-port",
    "0",
]  # the goal: flow-step p95 at most this


# ---- one keep-alive HTTP/1.1 connection -----------------------------------------------------------
class Connection:
    """A caller's connection to the call API: opened once, kept alive, reopened if the server
    closed it while idle (a request that found it closed is sent again on a new one)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: dict[str, Any] | None = None, timeout: float = 120.0
    ) -> tuple[int, Any]:
        data = json.dumps(body).encode("utf-8") if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        ).encode("ascii")
        for attempt in (0, 1):
            reused = self.writer is not None
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.wait_for(
                        asyncio.open_connection(self.host, self.port), timeout
                    )
                self.writer.write(head + data)
                return await asyncio.wait_for(self._response(), timeout)
            except (ConnectionError, asyncio.IncompleteReadError, EOFError):
                self.close()
                if not reused or attempt:
                    raise
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, Any]:
        assert self.reader is not None
        line = await self.reader.readline()
        if not line:
            raise EOFError("the server closed the connection")
        status = int(line.split()[1])
        length, close = 0, False
        while (header := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, json.loads(body) if body else None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# ---- what the callers saw -------------------------------------------------------------------------
@dataclass
class Tally:
    placed: int = 0
    dropped: list[str] = field(default_factory=list)  # a call the server never took: why
    failed: list[str] = field(default_factory=list)  # a taken call that broke: why
    rings: list[tuple[float, float]] = field(default_factory=list)  # (arrived, s until answered)
    steps: list[tuple[float, float]] = field(default_factory=list)  # (started, ms) of each flow step
    round_trips: list[tuple[float, float]] = field(default_factory=list)  # (sent, ms) of inputs


def _epoch(iso: str | None) -> float:
    return datetime.fromisoformat(iso).timestamp() if iso else 0.0


def spread(values: list[float]) -> list[tuple[str, float]]:
    return [("p50", percentile(values, 50)), ("p95", percentile(values, 95)), ("max", max(values, default=0))]


def progress(*lines: str) -> None:
    """Lines as they come, on stderr: a run takes minutes."""
    print(f"[{time.strftime('%H:%M:%S')}]", *lines, sep="\n", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


# ---- the callers ----------------------------------------------------------------------------------
class Load:
    def __init__(self, calls_url: str, seed: int = 7) -> None:
        from aicc_ops.local.scenarios import DEMO_CALLS

        parts = urlsplit(calls_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.scripts = [c for c in DEMO_CALLS if not c.faults]  # faults are server-wide: not per call
        self.tally = Tally()
        self.rng = random.Random(seed)
        self.stopping = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.first: list[dict[str, Any] | None] = []  # each caller's first call as answered (None: dropped)

    def add(self, count: int) -> None:
        for _ in range(count):
            self.tasks.append(asyncio.ensure_future(self._caller(len(self.tasks))))

    async def stop(self) -> None:
        self.stopping.set()
        await asyncio.gather(*self.tasks)

    async def _pause(self, bounds: tuple[float, float]) -> bool:
        """Sleep a random time within bounds; False when the load stops meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), self.rng.uniform(*bounds))
        return not self.stopping.is_set()

    async def _caller(self, number: int) -> None:
        conn = Connection(self.host, self.port)
        turn = number
        try:
            while not self.stopping.is_set():
                await self._call(conn, self.scripts[turn % len(self.scripts)], first=turn == number)
                turn += 1
        finally:
            conn.close()

    async def _call(self, conn: Connection, script: Any, first: bool) -> None:
        tally = self.tally
        tally.placed += 1
        body = {"caller": script.number, "at": script.at, "wait_step": True, "timeout": 300}
        try:
            status, call = await conn.request("POST", "/calls", body, timeout=300)
        except (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError) as exc:
            status, call = 0, type(exc).__name__
        if first:
            self.first.append(call if status == 201 else None)
        if status == 201 and call["answered_at"]:
            arrived = _epoch(call["arrived_at"])
            tally.rings.append((arrived, _epoch(call["answered_at"]) - arrived))
        if status != 201:
            tally.dropped.append(f"POST /calls: {f'HTTP {status} {call}' if status else call}")
            await self._pause((1.0, 2.0))
            return
        inputs, silences, seen = list(script.inputs), 0, self._steps(call, 0)
        try:
            while call["state"] == "waiting_input":
                if not await self._pause(THINK_SECONDS) or silences >= MAX_SILENCES:
                    break
                value = inputs.pop(0) if inputs else "silence"
                silences += value == "silence" and not inputs
                sent = time.time()
                status, answer = await conn.request(
                    "POST", f"/calls/{call['contact_id']}/input", {"input": value, "wait_step": True}
                )
                tally.round_trips.append((sent, (time.time() - sent) * 1000))
                if status != 202:
                    tally.failed.append(f"POST input: HTTP {status} {answer}")
                    return
                call, seen = answer, self._steps(answer, seen)
            if call["state"] in ("queued", "connected"):
                await self._pause(HOLD_SECONDS)
            if call["state"] != "ended":
                status, answer = await conn.request("DELETE", f"/calls/{call['contact_id']}")
                if status != 200:
                    tally.failed.append(f"DELETE: HTTP {status} {answer}")
                    return
                call, seen = answer, self._steps(answer, seen)
        except (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError) as exc:
            tally.failed.append(f"{type(exc).__name__} during the call")
            return
        if call.get("error"):
            tally.failed.append(f"flow error: {call['error']}")
        if call.get("lambda_errors"):
            tally.failed.append("a Lambda failed: the flows took its error branch")
        if seen < len(call["steps"]):
            tally.failed.append("a flow step did not end within the wait")

    def _steps(self, call: dict[str, Any], seen: int) -> int:
        """Record the call's steps that ended since the last answer; how many are recorded."""
        for step in call["steps"][seen:]:
            if step["ms"] is None:
                break
            self.tally.steps.append((_epoch(step["started_at"]), step["ms"]))
            seen += 1
        return seen


# ---- the server -----------------------------------------------------------------------------------
@dataclass
class Server:
    process: subprocess.Popen[bytes]
    info: Any  # ServerInfo

    def pids(self) -> dict[str, int]:
        """The server's process and its children (the AWS endpoint's, when it has one)."""
        found = {"server": self.process.pid}
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{self.process.pid}/task").iterdir():
                for child in (task / "children").read_text().split():
                    found["AWS endpoint (moto)"] = int(child)
        return found


@contextlib.contextmanager
def server(state_dir: Path, *extra: str) -> Iterator[Server]:
    from aicc_ops.local.runtime import read_info

    log = (state_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [*SERVER, "--state-dir", str(state_dir), *PORTS_0, "--connect-rate", "0", *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while (info := read_info(state_dir)) is None or info.pid != process.pid:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(
                    f"the server did not start: {(state_dir / 'server.log').read_text()[-2000:]}"
                )
            time.sleep(0.2)
        yield Server(process, info)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK"), sum(ticks) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def size_queues(info: Any, capacity: int) -> None:
    """Queues sized for the load, as an operator would with UpdateQueueMaxContacts."""
    client = info.client("connect")
    for queue in client.list_queues(InstanceId=info.instance_id, QueueTypes=["STANDARD"])["QueueSummaryList"]:
        client.update_queue_max_contacts(
            InstanceId=info.instance_id, QueueId=queue["Id"], MaxContacts=capacity
        )


# ---- measuring ------------------------------------------------------------------------------------
@dataclass
class Window:
    """What happened between two moments: the steps that started in it, failures, CPU."""

    started: float
    ended: float = 0.0
    live: list[int] = field(default_factory=list)  # live calls, sampled
    cpu: dict[str, float] = field(default_factory=dict)  # process -> CPU seconds in the window
    counts: tuple[int, int, int] = (0, 0, 0)  # placed, dropped, failed when it started
    cores: float = 0.0  # CPUs the machine had

    def within(self, pairs: list[tuple[float, float]]) -> list[float]:
        return [value for at, value in pairs if self.started <= at < self.ended]


@dataclass(frozen=True)
class Verdict:
    p95_ms: float
    ring_p95_s: float
    broken: int  # dropped + failed

    def saturated(self) -> str:
        """Why this level is past what the server holds ("" when it holds)."""
        if self.broken:
            return f"{self.broken} calls dropped or failed"
        if self.p95_ms > P95_LIMIT_MS:
            return f"flow-step p95 {self.p95_ms:.0f} ms"
        if self.ring_p95_s > RING_LIMIT_S:
            return f"callers ring {self.ring_p95_s:.1f} s (p95) before an answer"
        return ""


async def sample_live(conn: Connection, window: Window, until: asyncio.Event) -> None:
    while not until.is_set():
        status, answer = await conn.request("GET", "/status")
        if status == 200:
            window.live.append(sum(n for state, n in answer["calls"].items() if state != "ended"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(until.wait(), 2.0)


async def measure(load: Load, srv: Server, seconds: float, start: int = 0) -> Window:
    """Measure `seconds` (after `start` callers dial at once, once all their calls are answered)."""
    tally = load.tally
    pids = srv.pids()
    window = Window(time.time(), counts=(tally.placed, len(tally.dropped), len(tally.failed)))
    cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
    own0 = resource.getrusage(resource.RUSAGE_SELF)
    busy0, total0 = machine_busy()
    if start:
        load.add(start)
        give_up = time.monotonic() + 900
        while len(load.first) < start and time.monotonic() < give_up:
            await asyncio.sleep(0.5)
    done = asyncio.Event()  # live calls are sampled once a burst is answered
    sampler = asyncio.ensure_future(sample_live(Connection(load.host, load.port), window, done))
    await asyncio.sleep(seconds)
    done.set()
    await sampler
    window.ended = time.time()
    window.cpu = {name: cpu_seconds(pid) - cpu0[name] for name, pid in pids.items()}
    own = resource.getrusage(resource.RUSAGE_SELF)
    window.cpu["load client"] = own.ru_utime + own.ru_stime - own0.ru_utime - own0.ru_stime
    busy, total = machine_busy()
    # What else ran on the machine meanwhile (shared machines): the rest of its busy time.
    window.cpu["other processes"] = max(0.0, busy - busy0 - sum(window.cpu.values()))
    window.cores = (total - total0) / (window.ended - window.started)
    return window


def report(load: Load, window: Window, label: str) -> tuple[list[str], Verdict]:
    tally, (placed0, dropped0, failed0) = load.tally, window.counts
    steps, rings = window.within(tally.steps), window.within(tally.rings)
    trips = window.within(tally.round_trips)
    seconds = window.ended - window.started
    dropped, failed = len(tally.dropped) - dropped0, len(tally.failed) - failed0
    verdict = Verdict(percentile(steps, 95), percentile(rings, 95), dropped + failed)
    live = sorted(window.live) or [0]
    cpu = ", ".join(f"{name} {used / seconds * 100:.0f} %" for name, used in window.cpu.items())
    lines = [
        f"  {label}: live calls min {live[0]}, median {live[len(live) // 2]}; "
        f"{tally.placed - placed0} calls placed ({(tally.placed - placed0) / seconds:.1f}/s), "
        f"{len(steps)} flow steps ({len(steps) / seconds:.1f}/s); ring p95 {verdict.ring_p95_s:.2f} s",
        f"    dropped {dropped}, failed {failed}; flow step p50 {percentile(steps, 50):.1f} ms, "
        f"p95 {verdict.p95_ms:.1f} ms, p99 {percentile(steps, 99):.1f} ms "
        f"(input round trip at the client: p95 {percentile(trips, 95):.1f} ms)",
        f"    CPU (% of one core; the machine has {window.cores:.0f}): {cpu}",
    ]
    return lines + reasons(tally.dropped[dropped0:] + tally.failed[failed0:]), verdict


def reasons(found: list[str]) -> list[str]:
    """The commonest reasons of failures and drops, with their counts."""
    return [f"    {n} x {reason}" for reason, n in Counter(found).most_common(3)]


def burst_lines(load: Load, calls: int) -> list[str]:
    """How the server took `calls` callers dialling at the same moment."""
    answered = [c for c in load.first[:calls] if c is not None]
    rings = [_epoch(c["answered_at"]) - _epoch(c["arrived_at"]) for c in answered if c["answered_at"]]
    ring = ", ".join(f"{name} {value:.1f} s" for name, value in spread(rings))
    return [f"    burst: {len(answered)} of {calls} answered, {calls - len(answered)} dropped; ring {ring}"]


async def run(calls: int, seconds: float, warmup: float, ramp: int, most: int, extra: list[str]) -> list[str]:
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="aicc-bench-live-") as state, server(Path(state), *extra) as srv:
        size_queues(srv.info, 100_000)
        load = Load(srv.info.calls_endpoint)
        # The burst: every caller dials at the same moment; measured from then on, ringing included.
        found, verdict = report(
            load, await measure(load, srv, seconds, start=calls), f"{calls} callers at once"
        )
        found[1:1] = burst_lines(load, calls)
        lines += found
        progress(*found)
        why = "" if not verdict.broken and verdict.p95_ms <= P95_LIMIT_MS else verdict.saturated()
        level = calls
        while not why:  # then as many callers, steady; then more, `ramp` a second, until it saturates
            await asyncio.sleep(warmup)
            found, verdict = report(load, await measure(load, srv, seconds), f"{level} callers")
            lines += found
            progress(*found)
            why = verdict.saturated()
            if why or level >= most:
                break
            level = min(most, level + max(500, level // 2))
            while len(load.tasks) < level:
                load.add(min(ramp, level - len(load.tasks)))
                await asyncio.sleep(1)
        progress("stopping the callers")
        await load.stop()
        progress("stopping the server")
    verdict_line = f"saturates at {level} callers: {why}" if why else f"holds up to {level} callers"
    return [
        *lines,
        f"  {verdict_line} (limits: flow-step p95 {P95_LIMIT_MS:g} ms, ring p95 {RING_LIMIT_S:g} s "
        "after a burst has been answered, no failure)",
    ]


def bench_live_calls(
    calls: int = 1000, seconds: float = 45.0, most: int = 6000, extra: list[str] | None = None
) -> list[str]:
    warmup, ramp = 20.0, 250
    header = [
        f"Live calls: the server as `local up` runs it, {calls} callers dialling at once, then more "
        f"callers ({ramp}/s) until it saturates;",
        "each caller on its own keep-alive connection: the demo's scripted calls, think "
        f"{THINK_SECONDS[0]:g}-{THINK_SECONDS[1]:g} s per prompt, "
        f"hold {HOLD_SECONDS[0]:g}-{HOLD_SECONDS[1]:g} s once queued, then hang up and dial again;",
        f"each level measured {seconds:g} s after {warmup:g} s; flow step = server time from the answer "
        "or an input until the flows wait again, queue or end.",
    ]
    return header + asyncio.run(run(calls, seconds, warmup, ramp, most, extra or []))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--most", type=int, default=6000)
    parser.add_argument("server_args", nargs="*")
    args = parser.parse_args()
    print("\n".join(bench_live_calls(args.calls, args.seconds, args.most, args.server_args)))
