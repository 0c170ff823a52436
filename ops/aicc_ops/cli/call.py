"""`aicc-ops call`: run calls through the flows on the local stack."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from aicc.clock import seoul
from aicc.domain import phones

from ..engine.actions import EVERYWHERE
from ..engine.fixtures import FixtureError, Fixtures
from ..engine.fixtures import load as load_fixtures
from ..engine.flow_files import FileProblem
from ..engine.flows import Flow, call_handlers, load_catalog
from ..engine.interpreter import CallerInput, CallResult
from ..engine.lambdas import FAULTS
from ..engine.presence import SimulatedQueues
from ..local.call_client import CallApiError, CallClient
from ..local.rehearsal import gather
from ..local.scenarios import DEMO_CALLS, DemoCall
from ..local.stack import local_stack
from ._errors import user_errors
from ._options import emit, output_option, running_server, state_dir_option
from ._progress import progress

DEFAULT_NUMBER = "+821012345678"


AT_EXAMPLES = "2026-11-25T10:00:00+09:00 (Seoul) or 2026-11-25T01:00:00Z"


def parse_at(value: str | None) -> datetime:
    """A call time: ISO-8601 with a UTC offset, within the years the holiday calendar knows."""
    if not value:
        return datetime.now(seoul())
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a valid ISO-8601 date and time; e.g. {AT_EXAMPLES}", param_hint="--at"
        ) from None
    if at.tzinfo is None:
        raise click.BadParameter(
            f"{value!r} has no UTC offset; e.g. {at.replace(tzinfo=seoul()).isoformat()} (Seoul)",
            param_hint="--at",
        )
    first, last = calendar_years()
    try:
        in_seoul = at.astimezone(seoul())
    except OverflowError:
        in_seoul = None
    if in_seoul is None or not first <= in_seoul.year <= last:
        raise click.BadParameter(
            f"{value!r} is outside the years the holiday calendar covers ({first}-{last}); "
            f"e.g. {AT_EXAMPLES}",
            param_hint="--at",
        )
    return at


def calendar_years() -> tuple[int, int]:
    """The first and last year the configured holiday calendar (holidays library) covers."""
    import holidays

    from aicc.settings import config

    calendar = holidays.country_holidays(config().holidays.country)
    return int(calendar.start_year), int(calendar.end_year)


def parse_faults(values: tuple[str, ...]) -> dict[str, str]:
    faults: dict[str, str] = {}
    handlers = call_handlers()  # the ones a call reaches
    for v in values:
        name, sep, kind = v.partition("=")
        if not sep or kind not in FAULTS:
            raise click.BadParameter(
                f"{v!r}: use HANDLER=KIND with KIND one of {', '.join(FAULTS)}", param_hint="--fault"
            )
        if name not in handlers:
            raise click.BadParameter(
                f"{name!r} is not a handler a call reaches; one of {', '.join(handlers)}",
                param_hint="--fault",
            )
        faults[name] = kind
    return faults


def parse_number(value: str) -> str:
    """The caller number as E.164; Korean national numbers (010-1234-5678) are accepted too."""
    try:
        return phones.normalize(value)
    except phones.PhoneNumberError as exc:
        raise click.BadParameter(
            f"{value!r}: {exc} (e.g. +821012345678 or 010-1234-5678)", param_hint="--number"
        ) from None


def render_transcript(result: CallResult, notices: Sequence[FileProblem] = ()) -> str:
    icons = {
        "prompt": "🔊",
        "input": "☎ ",
        "lambda": "λ ",
        "queue": "⇢ ",
        "flow": "▶ ",
        "callback": "↩ ",
        "end": "■ ",
        "fixture": "⚠ ",  # not ours and not in the fixtures, or not run offline: why this branch
    }
    # What the loader assumed or skipped reading the --flow and --with files (an untyped export
    # runs as the type its blocks fit first: pass --type if it is another).
    lines = [f"{'⚠ ' if n.severity == 'warning' else 'ℹ '} {n.path}: {n.message}" for n in notices]
    lines.append(f"Call {result.contact_id[:8]} at {result.started_at}")
    for entry in result.transcript:
        at = entry["at"][11:19]
        if entry["kind"] == "flow":
            lines.append(f"{at} ▶ {entry['text']}")
        else:
            lines.append(f"{at}   {icons.get(entry['kind'], '  ')} {entry['text']}")
    if result.in_queue:
        outcome = f"waiting in queue {result.queue_transfers[-1] if result.queue_transfers else result.queue}"
    elif result.disconnected:
        outcome = "disconnected"
    else:
        outcome = result.end_reason or "ended"
    lines.append(f"Result: {outcome}; queue={result.queue or '-'}; flows: {' → '.join(result.flows)}")
    return "\n".join(lines)


@click.group()
def call() -> None:
    """Simulated calls on the local stack."""


@call.command("simulate")
@click.option(
    "--number",
    default=DEFAULT_NUMBER,
    show_default=True,
    help="Caller number, E.164 or Korean (010-1234-5678).",
)
@click.option(
    "--at", "at_text", metavar="ISO-8601", help="Call time with UTC offset (default: now, in Seoul)."
)
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="VALUE",
    help="Caller input, in order: DTMF digits (1234#, 1), say:TEXT for speech, wav:FILE for recorded "
    "speech (recognised offline with vosk), or silence. Repeatable.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Seed data directory (customers.csv; optional agents.csv, rosters.csv). Default: bundled samples.",
)
@click.option(
    "--hold",
    "hold_seconds",
    type=click.IntRange(0, 86400),
    default=300,
    show_default=True,
    help="Simulated seconds the caller waits in a queue before the simulation stops.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="HANDLER=KIND",
    help=f"Inject a Lambda fault ({', '.join(FAULTS)}), e.g. customer_lookup=timeout.",
)
@click.option(
    "--flow",
    "flow_ref",
    metavar="NAME|FILE|FOLDER",
    help="Start the call in this flow: a key or name of our catalog (flows.yaml), or an exported "
    "flow file in any form `flows lint` reads, or a folder (or template) of them with --entry. "
    "Default: our entry flow.",
)
@click.option(
    "--type",
    "flow_type",
    type=click.Choice(EVERYWHERE, case_sensitive=False),
    callback=lambda _ctx, _param, value: value.upper() if value else value,
    help="The --flow file's flow type when the file does not say (default: as `flows lint` "
    "chooses, the first type its blocks allow; the transcript says which). Any case.",
)
@click.option(
    "--entry",
    metavar="NAME",
    help="With --flow FOLDER or a template of several flows: the flow to start in (its file name or "
    "stem, its flow name, or a CloudFormation resource's logical ID).",
)
@click.option(
    "--with",
    "alongside",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    metavar="FILE|FOLDER",
    help="Flows and modules the --flow file reaches (TransferToFlow, InvokeFlowModule, event hooks). "
    "Repeatable.",
)
@click.option(
    "--fixtures",
    "fixtures_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="YAML or JSON answers for what is not ours: Lambdas, queues, hours, Lex bots, views, the agent, "
    "the flows: behind ARNs (see below). Anything not listed takes its documented error branch.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a transcript.")
def simulate(
    number: str,
    at_text: str | None,
    inputs: tuple[str, ...],
    data_dir: Path | None,
    hold_seconds: int,
    faults: tuple[str, ...],
    flow_ref: str | None,
    flow_type: str | None,
    entry: str | None,
    alongside: tuple[Path, ...],
    fixtures_path: Path | None,
    as_json: bool,
) -> None:
    """Place one call through the contact flows, offline, and show what the caller heard.

    With --flow the call starts in any flow, ours or an exported one, under its type's rules: a
    customer queue flow runs for a contact waiting in its working queue, a hold flow for the
    simulated hold time, whisper and transfer-to-agent flows with an agent ($.Agent), an outbound
    whisper for an outbound contact, a queue transfer flow with the quick connect's queue. Our own
    Lambdas and Lex bot run for real; another team's answer from --fixtures.

    \b
    Examples:
      aicc-ops call simulate --at 2026-11-25T10:00:00+09:00 --input say:솔트웨어 --input say:김민준 \\
          --input 1234# --input 1 --input say:웹서버가 응답하지 않습니다
      aicc-ops call simulate --at 2026-09-25T10:00:00+09:00 --input 2 --json     # 추석: after hours
      aicc-ops call simulate --flow outbound_whisper                         # a flow of our catalog
      aicc-ops call simulate --flow exports/main.json --with exports/modules --fixtures main.yaml --input 1
      aicc-ops call simulate --flow exports --entry queue_flow --type CUSTOMER_QUEUE --fixtures f.yaml

    \b
    A fixture file (every section optional; keys are ARNs, IDs or names):
      lambdas:  {NAME: {response: {k: v}} | {responses: [{k: v}, {error: timeout}]} | {error: throttle}}
      queues:   {NAME: {agents_available: 1, agents_online: 2, agents_staffed: 2, contacts_in_queue: 3,
                        oldest_contact_age: 120, at_capacity: false, hours: HOURS}}
      hours:    {HOURS: open | closed}
      bots:     {ALIAS_ARN_OR_V1_NAME: [{intent: Sales, slots: {k: v}, say: "..."}, {error: timeout}]}
      views:    {VIEW_ID: [{result: Next, data: {...}}]}
      agent:    {username: jdoe, first_name: Jane, last_name: Doe, arn: ..., status: AVAILABLE}
      contact:  {queue: NAME, attributes: {k: v}, initiation_method: OUTBOUND}
      flows:    {FLOW_ARN_OR_ID: FILE_NEXT_TO_THE_FIXTURES | FLOW_NAME}
      actions:  {IDENTIFIER_OR_TYPE: {result: X} | {error: ErrorType} | {data: {...}}}
    Lambda errors: timeout, error, throttle, bad_response; Lex errors: timeout, error.
    """
    at = parse_at(at_text)
    caller = parse_number(number)
    fault_map = parse_faults(faults)
    fixtures = read_fixtures(fixtures_path)
    with user_errors():
        script = [CallerInput.parse(i) for i in inputs]
        target = simulation_target(flow_ref, flow_type, entry, alongside, fixtures, fixtures_path)
        with local_stack(data_dir, faults=fault_map, hold_seconds=hold_seconds) as stack:
            engine = None
            if target is not None or fixtures is not None:
                target = target or SimulationTarget()
                engine = stack.new_engine(
                    SimulatedQueues(stack.config),
                    flows=target.flows,
                    entry_flow=target.entry,
                    fixtures=fixtures,
                    references=target.references,
                )
            result = stack.call(caller, at, script, engine=engine)
    notices = target.notices if target else []
    if as_json:
        loader = [{"path": n.path, "severity": n.severity, "message": n.message} for n in notices]
        click.echo(json.dumps({"loader": loader, **result.to_json()}, ensure_ascii=False, indent=2))
    else:
        click.echo(render_transcript(result, notices))


def read_fixtures(path: Path | None) -> Fixtures | None:
    if path is None:
        return None
    try:
        return load_fixtures(path)
    except FixtureError as exc:
        raise click.BadParameter(str(exc), param_hint="--fixtures") from None


@dataclass
class SimulationTarget:
    """Where a simulated call starts: the flows (None: our catalog), the entry key, the ARNs and
    IDs of flows given alongside, and what the loader said of the files (not errors)."""

    flows: dict[str, Flow] | None = None
    entry: str = "customer_authentication"
    references: dict[str, str] | None = None
    notices: list[FileProblem] = field(default_factory=list)


def simulation_target(
    flow_ref: str | None,
    flow_type: str | None,
    entry: str | None,
    alongside: tuple[Path, ...],
    fixtures: Fixtures | None,
    fixtures_path: Path | None,
) -> SimulationTarget | None:
    """Where --flow starts: None for our entry flow, flows None for a flow of our catalog, else the
    exported flows gathered (files are read before the stack starts)."""
    if flow_ref is None:
        if flow_type or entry or alongside:
            raise click.UsageError("--type, --entry and --with go with --flow FILE|FOLDER")
        return None
    path = Path(flow_ref)
    if not path.exists():
        catalog = load_catalog()
        key = next((k for k, d in catalog.items() if flow_ref in (k, d.name)), None)
        if key is None:
            raise click.BadParameter(
                f"{flow_ref!r} is neither a file or folder nor a flow of our catalog ({', '.join(catalog)})",
                param_hint="--flow",
            )
        if flow_type or entry or alongside:
            raise click.UsageError(
                f"{flow_ref!r} is a flow of our catalog, which knows its type and its flows; "
                "--type, --entry and --with are for exported flow files"
            )
        return SimulationTarget(entry=key)
    base = fixtures_path.parent if fixtures_path else None
    r = gather(
        path, flow_type=flow_type, entry=entry, alongside=alongside, fixtures=fixtures, fixtures_dir=base
    )
    return SimulationTarget(r.flows, r.entry, r.references, r.notices)


@call.command("place")
@click.option("--number", default=DEFAULT_NUMBER, show_default=True, help="Caller number (E.164 or 010-...).")
@click.option(
    "--at", "at_text", metavar="ISO-8601", help="Call time with UTC offset (default: now, in Seoul)."
)
@click.option(
    "--input", "inputs", multiple=True, metavar="VALUE", help="Caller input, in order (see simulate)."
)
@click.option("--mix", is_flag=True, help="Cycle through the demo scenarios instead of --number/--input.")
@click.option("--count", type=click.IntRange(1, 10000), default=1, show_default=True, help="Calls to place.")
@click.option("--interval", type=click.FloatRange(0, 3600), default=0.0, help="Seconds between calls.")
@click.option("--talk-seconds", type=click.FloatRange(0, 86400), help="Agents' talk time for these calls.")
@click.option("--follow", is_flag=True, help="Wait until every call has ended, showing progress.")
@state_dir_option
@output_option
def place(
    number: str,
    at_text: str | None,
    inputs: tuple[str, ...],
    mix: bool,
    count: int,
    interval: float,
    talk_seconds: float | None,
    follow: bool,
    state_dir: Path | None,
    output: str,
) -> None:
    """Place live calls on the running local stack (`aicc-ops local up`): they run through the flows,
    wait in their queues in real time and are answered by the simulated agents.

    \b
    Examples:
      aicc-ops call place --mix --count 20 --interval 0.5      # a burst of mixed calls
      aicc-ops call place --input say:솔트웨어 --input say:김민준 --input 1234# --input 2
    """
    ctx = click.get_current_context()
    if mix:
        given = {"--number": "number", "--input": "inputs"}
        ignored = [o for o, p in given.items() if ctx.get_parameter_source(p) is ParameterSource.COMMANDLINE]
        if ignored:
            raise click.UsageError(
                "--mix places the demo scenarios with their own numbers and inputs; "
                f"drop {' and '.join(ignored)}"
            )
    client = CallClient(running_server(state_dir).calls_endpoint)
    caller = parse_number(number)
    at = parse_at(at_text).isoformat() if at_text else None
    with user_errors():
        for raw in inputs:
            CallerInput.parse(raw)
    placed: list[dict[str, Any]] = []
    try:
        with progress(count, "Placing calls") as tick:
            for n in range(count):
                if mix:
                    scenario = DEMO_CALLS[n % len(DEMO_CALLS)]
                    with scenario_conditions(client, scenario):
                        got = client.place(
                            scenario.number,
                            list(scenario.inputs),
                            at or scenario.at,
                            wait=True,
                            talk_seconds=talk_seconds,
                        )
                    name = scenario.name
                else:
                    got = client.place(caller, list(inputs), at, wait=True, talk_seconds=talk_seconds)
                    name = "call"
                placed.append(
                    {"scenario": name, **{k: got[k] for k in ("contact_id", "state", "queue", "end_reason")}}
                )
                tick(1)
                if interval and n + 1 < count:
                    time.sleep(interval)
        if follow:
            _follow(client, [p["contact_id"] for p in placed])
            for p in placed:
                now = client.get(p["contact_id"])
                p.update({k: now[k] for k in ("state", "queue", "end_reason")}, agent=now.get("agent"))
    except CallApiError as exc:
        raise click.ClickException(str(exc)) from None
    emit(output, placed, headers=["scenario", "contact_id", "state", "queue", "end_reason"])


@contextmanager
def scenario_conditions(client: CallClient, scenario: DemoCall) -> Iterator[None]:
    """What a demo scenario is named after, on the live stack for the time its call runs through
    the flows: its Lambda faults (on top of the faults already injected) and its agents not free
    (signed out: the simulated agents are available or offline). Restored afterwards."""
    before: dict[str, Any] = (client.status().get("faults") or {}) if scenario.faults else {}
    if scenario.faults:
        client.set_faults({**before, "lambdas": {**(before.get("lambdas") or {}), **scenario.faults}})
    states = {a["login"]: a["state"] for a in client.agents()} if scenario.agent_status else {}
    taken = [
        login
        for login, status in scenario.agent_status.items()
        if status != "AVAILABLE" and states.get(login) == "AVAILABLE"
    ]
    for login in taken:
        client.set_agent(login, "OFFLINE")
    try:
        yield
    finally:
        for login in taken:
            client.set_agent(login, "AVAILABLE")
        if scenario.faults:
            if before:
                client.set_faults(before)
            else:
                client.clear_faults()


def _follow(client: CallClient, ids: list[str]) -> None:
    while True:
        states = Counter(client.get(i)["state"] for i in ids)
        click.echo("  ".join(f"{k} {v}" for k, v in sorted(states.items())), err=True)
        if set(states) <= {"ended"}:
            return
        time.sleep(1.0)
