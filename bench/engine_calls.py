"""Engine throughput: the demo's mix of scripted calls through the embedded local stack, with moto in
this process (`local_stack()`) and, interleaved with it, over loopback HTTP (a moto server, as the
local stack server has it): calls/s, latency, AWS requests per call, the engine's own cost.

Each round runs in a process of its own, as a stack runs (`call simulate`, `local up`): moto's state
is global to a process, so rounds sharing one would measure each stack with the tables, items and
threads the earlier ones left behind."""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field


@dataclass
class Mode:
    label: str
    moto_server: bool
    pass_walls: list[float] = field(default_factory=list)  # each measured pass, set-ups included
    latency: list[float] = field(default_factory=list)  # per call, its scenario's set-up left out
    endpoint: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)  # botocore's own work on the call's requests
    stand_in: list[float] = field(default_factory=list)  # the local Lex NLU's and sentiment model's
    requests: dict[str, Counter[str]] = field(default_factory=dict)  # scenario -> operation -> count
    setup: Counter[str] = field(default_factory=Counter)

    @property
    def own(self) -> list[float]:
        """Per call: everything but the endpoint (the engine, the handlers, botocore)."""
        return [lat - end for lat, end in zip(self.latency, self.endpoint, strict=True)]

    @property
    def engine(self) -> list[float]:
        """Per call: the flow engine and the handlers alone (botocore's and the stand-ins' work left
        out too)."""
        return [
            own - client - ai for own, client, ai in zip(self.own, self.client, self.stand_in, strict=True)
        ]


def _isolated_round(mode: Mode, passes: int) -> Mode:
    """`_round` in a fresh process; the measurements come back in `mode`'s copy."""
    # An executor, not a Pool: a Pool's exit terminates its worker, and the resource tracker then
    # warns of a leaked semaphore on the operator's screen.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_measured_round, mode, passes).result()


def _measured_round(mode: Mode, passes: int) -> Mode:
    on_one_core()
    _round(mode, passes)
    return mode


def on_one_core() -> None:
    """This process on one CPU, as the figures are per core. The flow engine's thread and a Lambda's
    worker thread take turns (the engine waits for the handler): on two vCPUs of this VM each
    hand-over woke the other vCPU, ~75 µs each way an invocation against ~18 on one (session 28)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})


def _round(mode: Mode, passes: int) -> None:
    """One stack: a warm-up pass (imports, clients, moto's first tables), then measured passes."""
    from aicc_ops.local.aws_meter import SETUP
    from aicc_ops.local.scenarios import DEMO_CALLS, run_call
    from aicc_ops.local.stack import local_stack

    with local_stack(moto_server=mode.moto_server) as stack:
        meter = stack.meter
        assert meter is not None
        for demo_call in DEMO_CALLS:
            run_call(stack, demo_call)
        for _ in range(passes):
            started = time.perf_counter()
            for demo_call in DEMO_CALLS:
                before, t0 = meter.read(), time.perf_counter()
                run_call(stack, demo_call)
                wall = time.perf_counter() - t0
                used = meter.read() - before
                mode.latency.append(wall - used.setup)
                mode.endpoint.append(used.endpoint())
                mode.client.append(used.client())
                mode.stand_in.append(used.stand_in())
                mode.requests.setdefault(demo_call.name, Counter()).update(used.of())
                mode.setup.update(used.of(SETUP))
            mode.pass_walls.append(time.perf_counter() - started)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` columns (Hangul takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


def _by_operation(counts: Counter[str], per: float) -> str:
    return ", ".join(f"{op} {f'{n / per:.2f}'.rstrip('0').rstrip('.')}" for op, n in counts.most_common())


def bench_calls(rounds: int, passes: int = 2) -> list[str]:
    from aicc_ops.local.scenarios import DEMO_CALLS

    modes = [Mode("moto in process", False), Mode("moto over loopback HTTP", True)]
    for _ in range(rounds):
        for n, mode in enumerate(modes):  # interleaved: machine drift hits both alike
            modes[n] = _isolated_round(mode, passes)
    lines = [
        f"Engine throughput: the demo's mix of {len(DEMO_CALLS)} scripted calls, one process and one "
        "core, handlers in-process (`local_stack()`);",
        f"{rounds} rounds, each on a fresh stack per mode in a process of its own pinned to one CPU, the "
        f"modes alternating: one warm-up pass, then {passes} measured passes.",
        "Latency and costs per call leave out the set-up of a scenario's agents (calls/s keeps it). "
        "Endpoint: the time",
        "between botocore's before-send and before-parse events (moto's work, or the loopback round "
        "trip); botocore:",
        "its API calls (each client's _make_api_call, whole) less the endpoint's time; AI stand-ins: "
        "the local Lex bot's",
        "NLU and the offline sentiment model (Lex's and Comprehend's work in AWS; repeated transcripts "
        "reuse their",
        "embeddings, as a turn's NLU and sentiment share one), and the local knowledge index and answerer",
        "(Bedrock's work in AWS); the flow engine and handlers: the rest.",
    ]
    for mode in modes:
        calls, wall = len(mode.latency), sum(mode.pass_walls)
        per_pass = len(DEMO_CALLS) / statistics.median(mode.pass_walls)
        q = statistics.quantiles(mode.latency, n=20)
        own, engine = mode.own, mode.engine
        lines += [
            f"  {mode.label}: {calls} calls in {wall:.2f} s, {calls / wall:.1f} calls/s (median pass "
            f"{per_pass:.1f}); per call median {_ms(statistics.median(mode.latency))}, p95 {_ms(q[18])}, "
            f"max {_ms(max(mode.latency))}",
            f"    per call (mean): endpoint {_ms(statistics.mean(mode.endpoint))}; own cost "
            f"{_ms(statistics.mean(own))} (median {_ms(statistics.median(own))}) = botocore "
            f"{_ms(statistics.mean(mode.client))} + AI stand-ins {_ms(statistics.mean(mode.stand_in))} + "
            f"flow engine and handlers {_ms(statistics.mean(engine))}",
        ]
    inproc = modes[0]
    per_call = Counter[str]()
    for counts in inproc.requests.values():
        per_call.update(counts)
    calls = len(inproc.latency)
    lines.append("AWS requests per call (botocore before-send, each attempt counts; moto in process):")
    passes = len(inproc.pass_walls)
    for name, counts in inproc.requests.items():
        total = sum(counts.values()) / passes
        lines.append(f"  {_pad(name, 36)} {total:5.1f}  {_by_operation(counts, passes)}")
    average = sum(per_call.values()) / calls
    lines.append(f"  {_pad('average over the mix', 36)} {average:5.2f}  {_by_operation(per_call, calls)}")
    if inproc.setup:
        setup = sum(inproc.setup.values()) / passes
        lines.append(
            f"  not counted above: {setup:.0f} requests per pass setting a scenario's agents and putting "
            f"them back ({_by_operation(inproc.setup, passes)})"
        )
    return lines
