"""Engine throughput: the demo's mix of scripted calls through the embedded local stack, with moto in
this process (`local_stack()`) and, interleaved with it, over loopback HTTP (a moto server, as the
local stack server has it): calls/s, latency, AWS requests per call, the engine's own cost."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Mode:
    label: str
    moto_server: bool
    latencies: list[float] = field(default_factory=list)
    own: list[float] = field(default_factory=list)  # wall time minus time in the endpoint, per call
    endpoint: list[float] = field(default_factory=list)
    wall: float = 0.0
    requests: dict[str, Counter[str]] = field(default_factory=dict)  # scenario -> operation -> count
    setup: Counter[str] = field(default_factory=Counter)
    passes: int = 0


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
        started = time.perf_counter()
        for _ in range(passes):
            for demo_call in DEMO_CALLS:
                before, t0 = meter.read(), time.perf_counter()
                run_call(stack, demo_call)
                wall = time.perf_counter() - t0
                used = meter.read() - before
                mode.latencies.append(wall)
                mode.endpoint.append(used.endpoint_seconds)
                mode.own.append(wall - used.endpoint_seconds)
                mode.requests.setdefault(demo_call.name, Counter()).update(used.of())
                mode.setup.update(used.of(SETUP))
        mode.wall += time.perf_counter() - started
        mode.passes += passes


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _by_operation(counts: Counter[str], per: float) -> str:
    return ", ".join(f"{op} {n / per:.2f}".rstrip("0").rstrip(".") for op, n in counts.most_common())


def bench_calls(rounds: int, passes: int = 2) -> list[str]:
    from aicc_ops.local.scenarios import DEMO_CALLS

    modes = [Mode("moto in process", False), Mode("moto over loopback HTTP", True)]
    for _ in range(rounds):
        for mode in modes:  # interleaved: machine drift hits both alike
            _round(mode, passes)
    lines = [
        f"Engine throughput: the demo's mix of {len(DEMO_CALLS)} scripted calls, one process, handlers "
        "in-process (`local_stack()`), on one core.",
        f"{rounds} rounds, each on a fresh stack per mode, alternating the modes: one warm-up pass, then "
        f"{passes} measured passes.",
    ]
    for mode in modes:
        calls = len(mode.latencies)
        q = statistics.quantiles(mode.latencies, n=20)
        lines += [
            f"  {mode.label}: {calls} calls in {mode.wall:.2f} s, {calls / mode.wall:.1f} calls/s; per call "
            f"median {_ms(statistics.median(mode.latencies))}, p95 {_ms(q[18])}, "
            f"max {_ms(max(mode.latencies))}",
            f"    in the endpoint {_ms(statistics.mean(mode.endpoint))} per call (mean); the rest, the "
            f"engine's own cost: mean {_ms(statistics.mean(mode.own))}, median "
            f"{_ms(statistics.median(mode.own))}",
        ]
    inproc = modes[0]
    per_call = Counter[str]()
    for counts in inproc.requests.values():
        per_call.update(counts)
    calls = len(inproc.latencies)
    lines += [
        "Engine's own cost: a call's wall time minus the time its AWS requests spent between botocore's "
        "before-send",
        "and before-parse events (moto's work, or the loopback round trip); it holds the flow engine, "
        "the handlers",
        "and botocore building, signing and parsing the requests.",
        "AWS requests per call (botocore before-send, each attempt counts; moto in process):",
    ]
    for name, counts in inproc.requests.items():
        total = sum(counts.values()) / inproc.passes
        lines.append(f"  {name:<36} {total:5.1f}  {_by_operation(counts, inproc.passes)}")
    average = sum(per_call.values()) / calls
    lines.append(f"  {'average over the mix':<36} {average:5.2f}  {_by_operation(per_call, calls)}")
    if inproc.setup:
        setup = sum(inproc.setup.values()) / inproc.passes
        lines.append(
            f"  not counted above: {setup:.0f} requests per pass setting agents' statuses for a "
            f"scenario and back ({_by_operation(inproc.setup, inproc.passes)})"
        )
    return lines
