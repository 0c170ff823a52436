"""One load run, end to end: `aicc-ops loadtest run` is a thin layer over `run_loadtest`.

1. What the run needs is checked before anything starts: the locustfiles (the repository's
   loadtest/), the SLO file, the call mix, and, for a real environment, that the scenario can run
   there and the operator's word that AWS approved a load on its Connect instance.
2. The target: the local stack (the running one, or one of the run's own) or the environment.
3. The plan (plan.json): the demo callers run offline, sorted into the mix, with their events.
4. Locust runs headless (processes.py); its progress is handed to `on_progress`.
5. The verdict: the summary Locust wrote, against the SLOs (slo.py).

Everything lands in the report directory: plan.json, Locust's CSV files and HTML report, its logs,
summary.json and verdict.json (what `--json` prints), and the run's own local stack's log.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ...core.repository import REPO_ROOT, OutsideRepositoryError
from . import chat_polling
from . import mix as mix_file
from . import plan as plans
from .errors import ApprovalRequiredError, LoadTestError
from .processes import CSV_PREFIX, HTML_REPORT, LocustJob, Progress, run_locust
from .slo import Verdict, failure_ratio, judge, load_slo
from .target import CHAT_ENTRY_FLOW, LoadTarget, T, environment_target, local_target

LOADTEST_DIR = REPO_ROOT / "loadtest"
SCENARIOS = ("calls", "lambdas", "chat")
SHAPES = ("steady", "ramp", "surge")
# AWS's load test policy for Amazon Connect: tests out of hours (18:00-06:00 in the Region's time
# zone), an emergency contact, a documented plan, and AWS's approval at least two weeks ahead
# (request by e-mail to Amazon-Connect-Load-Test-Requests@amazon.com).
CONNECT_LOAD_TEST_POLICY = (
    "https://docs.aws.amazon.com/connect/latest/adminguide/load-and-penetration-testing.html"
)
# The machine's CPU counters (Linux): their 8th field is the time the hypervisor ran other guests
# while this one's vCPUs had work (steal). A run that lost more than this share measured its host:
# the steal comes in spells that stall every step in flight at once. Of issue 10's runs on an
# otherwise idle machine, every one with 0.3 % or more stolen failed its latency SLO, none with
# 0.1 % or less (docs/performance.md, sessions 30-32).
PROC_STAT = Path("/proc/stat")
STEAL_NOTE_SHARE = 0.002


@dataclass(frozen=True)
class RunRequest:
    scenario: str
    users: int
    spawn_rate: float
    duration_s: int
    target: str = "local"
    state_dir: Path | None = None
    workers: int = 0
    slo_file: Path | None = None
    shape: str = "steady"
    report_dir: Path | None = None
    weights: dict[str, float] = field(default_factory=dict)  # --mix
    callers: plans.Callers = field(default_factory=plans.Callers)
    include_paging: bool = False
    aws_approval: bool = False
    profile: str | None = None

    @property
    def local(self) -> bool:
        return self.target == "local"


@dataclass
class RunResult:
    request: RunRequest
    summary: dict[str, Any]
    verdict: Verdict
    report_dir: Path
    notes: list[str]
    cpu_steal: float | None = None  # the share of the machine's CPU time stolen during the run

    @property
    def reports(self) -> dict[str, str]:
        d = self.report_dir
        return {
            "dir": str(d),
            "html": str(d / HTML_REPORT),
            "csv": str(d / f"{CSV_PREFIX}_stats.csv"),
            "history_csv": str(d / f"{CSV_PREFIX}_stats_history.csv"),
            "failures_csv": str(d / f"{CSV_PREFIX}_failures.csv"),
            "summary": str(d / "summary.json"),
            "plan": str(d / "plan.json"),
        }

    def to_json(self) -> dict[str, Any]:
        calls, steps = self.summary.get("calls") or {}, self.summary.get("steps") or {}
        completed, failed = int(calls.get("completed") or 0), int(calls.get("failed") or 0)
        return {
            "verdict": self.verdict.word,
            "scenario": self.request.scenario,
            "target": self.request.target,
            "shape": self.request.shape,
            "users": self.request.users,
            "workers": self.request.workers,
            "duration_s": self.summary.get("duration_s"),
            "calls_completed": completed,
            "calls_failed": failed,
            "calls_abandoned": int(calls.get("abandoned") or 0),
            "failure_ratio": failure_ratio(completed, failed),
            "p95_ms": steps.get("p95_ms"),
            "p99_ms": steps.get("p99_ms"),
            "max_concurrent": self.summary.get("max_concurrent"),
            "cpu_steal_share": None if self.cpu_steal is None else round(self.cpu_steal, 3),
            "slos": self.verdict.to_json(),
            "calls_by_flow": calls.get("by_flow") or {},
            "steps": steps.get("by_name") or {},
            "lambdas": self.summary.get("lambdas") or {},
            "queues": self.summary.get("queues") or {},
            "ringing": self.summary.get("ringing") or {},
            "failures": self.summary.get("failures") or [],
            "notes": self.notes,
            "reports": self.reports,
        }


def _nothing(progress: Progress) -> None:
    pass


def run_loadtest(
    request: RunRequest,
    on_progress: Callable[[Progress], None] = _nothing,
    on_note: Callable[[str], None] = lambda note: None,
) -> RunResult:
    locustfile = check(request)
    slo = load_slo(request.slo_file or LOADTEST_DIR / "slo.yaml", request.scenario)
    from ...engine.flows import load_catalog

    mix = mix_file.load_mix(LOADTEST_DIR / "mix.yaml", list(load_catalog()), request.weights)
    out = (request.report_dir or default_report_dir(request.scenario)).resolve()  # Locust runs in it
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        on_note(text)

    leave_out = plans.paging_handlers() if not request.local and not request.include_paging else set()
    if leave_out:
        note(f"left out on a real environment (they page people): {', '.join(sorted(leave_out))}")
    # The plan is made while a local stack of the run's own starts.
    with target_of(request, out, lambda: plans.demo_calls(mix, leave_out)) as (target, (entries, skipped)):
        for why, names in skipped.items():
            note(f"demo calls left out ({why}): {', '.join(names)}")
        entries = [e for e in entries if e["weight"] > 0]
        empty = [e["name"] for e in entries if not e["calls"]]
        if empty:
            raise LoadTestError(
                f"no demo call goes through the flows of {', '.join(empty)} (loadtest/mix.yaml)"
            )
        drain_s = drain_seconds(request, entries)
        if request.scenario == "lambdas" and not target.lambda_endpoint and target.kind == "local":
            raise LoadTestError(
                "the local stack has no Lambda endpoint (its server.json has no lambda_endpoint): "
                "start a newer one, or set AWS_ENDPOINT_URL_LAMBDA; --scenario calls needs none"
            )
        if request.scenario == "chat" and not (target.instance_id and target.chat_flow_id):
            raise LoadTestError(
                f"{target.name} has no instance ID or no {CHAT_ENTRY_FLOW} flow ID in its Terraform outputs "
                "(instance_id, flow_ids): deploy it first"
            )
        polling = chat_polling.warning(request.users) if request.scenario == "chat" else None
        if polling:
            note(polling)
        if target.owned:
            note(f"started a local stack for this run (its log: {out / 'local-stack' / 'server.log'})")
        plan_path = out / "plan.json"
        plan_path.write_text(
            json.dumps(
                {
                    "scenario": request.scenario,
                    "target": target.to_json(),
                    "load": {
                        "users": request.users,
                        "spawn_rate": request.spawn_rate,
                        "duration_s": request.duration_s,
                        "shape": request.shape,
                        "drain_s": drain_s,
                    },
                    "callers": request.callers.to_json(),
                    # The chat scenario paces the Connect and Participant Service quotas, shared
                    # by every Locust process of the run.
                    "processes": max(1, request.workers),
                    "mix": plans.retarget(entries, target.replacements),
                    "notes": notes,
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        job = LocustJob(
            locustfile,
            out,
            plan_path,
            request.users,
            request.spawn_rate,
            request.duration_s,
            drain_s,
            request.workers,
            target.env,
        )
        before = cpu_times()
        run_locust(job, on_progress)
        steal = steal_share(before, cpu_times())
    stolen = steal_note(steal)
    if stolen:
        note(stolen)
    try:
        summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise LoadTestError(f"Locust ended without a summary; see the logs in {out}") from None
    result = RunResult(request, summary, judge(summary, slo), out, notes, steal)
    (out / "verdict.json").write_text(
        json.dumps(result.to_json(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return result


def cpu_times(stat: Path = PROC_STAT) -> list[int] | None:
    """The machine's CPU time counters (user nice system idle iowait irq softirq steal, in ticks),
    or None where there is no /proc/stat to read them from."""
    try:
        with stat.open(encoding="ascii") as lines:
            fields = lines.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu" or not all(f.isdigit() for f in fields[1:9]):
        return None
    return [int(f) for f in fields[1:9]]


def steal_share(before: list[int] | None, after: list[int] | None) -> float | None:
    """The share of the CPU time between two readings that the hypervisor gave other guests."""
    if before is None or after is None:
        return None
    spent = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(spent)
    return spent[7] / total if total > 0 else None


def steal_note(share: float | None) -> str | None:
    """What to say of a run whose machine lost `share` of its CPU time to other guests."""
    if share is None or share < STEAL_NOTE_SHARE:
        return None
    return (
        f"the hypervisor took {share:.1%} of this machine's CPU time during the run (steal): its "
        "latencies measure the host as much as the target; run again when the machine is quiet "
        "before trusting a latency verdict"
    )


def check(request: RunRequest) -> Path:
    """The scenario's locustfile, once the run is allowed; else why not and what to do."""
    if importlib.util.find_spec("locust") is None:
        raise LoadTestError(
            f"Locust is not installed in {sys.prefix}: `make install` (the dev extra pins it), or "
            "pip install the locust version pyproject.toml pins"
        )
    if request.scenario not in SCENARIOS:
        raise LoadTestError(f"unknown scenario {request.scenario!r}; one of {', '.join(SCENARIOS)}")
    if request.shape not in SHAPES:
        raise LoadTestError(f"unknown shape {request.shape!r}; one of {', '.join(SHAPES)}")
    locustfile = LOADTEST_DIR / f"{request.scenario}.py"
    if not locustfile.is_file():
        raise OutsideRepositoryError(
            f"the load tests need the aicc-ops repository: their locustfiles are in its loadtest/ "
            f"({locustfile} is missing), and this aicc-ops runs from an installed package. Run "
            "`aicc-ops loadtest run` from a clone of the repository (`make install`, then "
            ".venv/bin/aicc-ops)."
        )
    if request.local:
        return locustfile
    if request.scenario == "calls":
        raise LoadTestError(
            f"--scenario calls dials the local stack's call API, and {request.target} has none (its calls "
            "come through Amazon Connect's telephony): load its handlers with --scenario lambdas"
        )
    if loads_connect(request) and not request.aws_approval:
        why = (
            "its chats start with StartChatContact and talk through the Participant Service"
            if request.scenario == "chat"
            else "the paging handlers call StartOutboundVoiceContact"
        )
        raise ApprovalRequiredError(
            f"this run would load the Amazon Connect instance of {request.target} ({why}). "
            "AWS requires an approved load test request for that: "
            "out of hours only (18:00-06:00 in the Region's time zone), an emergency contact reachable "
            "during the test, a documented plan, and approval at least two weeks ahead, requested from "
            f"Amazon-Connect-Load-Test-Requests@amazon.com ({CONNECT_LOAD_TEST_POLICY}). With that "
            "approval, run again with --i-have-aws-approval"
            + ("." if request.scenario == "chat" else "; without it, drop --include-paging.")
        )
    return locustfile


def loads_connect(request: RunRequest) -> bool:
    """Whether the run sends load to a real Amazon Connect instance: the calls go through it, or
    the handlers invoked call its API (the pages: StartOutboundVoiceContact), or chats start on it."""
    if request.local:
        return False
    return request.scenario in ("calls", "chat") or (request.scenario == "lambdas" and request.include_paging)


@contextlib.contextmanager
def target_of(request: RunRequest, out: Path, meanwhile: Callable[[], T]) -> Iterator[tuple[LoadTarget, T]]:
    """The run's target, and what `meanwhile` returned (run while a local stack of its own starts)."""
    if request.local:
        with local_target(request.state_dir, out / "local-stack", meanwhile) as found:
            yield found
    else:
        target = environment_target(request.target, request.profile)
        yield target, meanwhile()


def drain_seconds(request: RunRequest, entries: list[dict[str, Any]]) -> float:
    """How long the calls in progress at the end of the duration may take to finish: the longest
    call the plan can make (a Lambda call: every think time and every block's limit)."""
    if request.scenario in ("calls", "chat"):
        return request.callers.longest_call_s()
    think = request.callers.think_s[1]
    return max(
        (
            sum(think * i["inputs_before"] + i["limit_s"] for i in call["invocations"])
            for entry in entries
            for call in entry["calls"]
        ),
        default=0.0,
    )


def default_report_dir(scenario: str) -> Path:
    # reports/ is where the repository's runs write (git ignores it), under the current directory
    return Path.cwd() / "reports" / "loadtest" / f"{scenario}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
