"""Test helpers shared by the fixtures in conftest.py and the tests (importable as `helpers`)."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from click.testing import CliRunner

if TYPE_CHECKING:
    from aicc_ops.engine.flows import Flow

EVENTS_DIR = Path(__file__).parent / "events"
REGION = "ap-northeast-2"
# Data others wrote, which the tests read in place and never copy: ../shared next to the checkout.
SHARED_DIR = Path(os.environ.get("AICC_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
PUBLIC_FLOWS_DIR = SHARED_DIR / "data" / "public-flows"


def public_flows() -> list[tuple[Path, str]]:
    """(file, flow type) of every public flow in ../shared/data/public-flows (its manifest.json)."""
    manifest = PUBLIC_FLOWS_DIR / "manifest.json"
    if not manifest.is_file():
        raise FileNotFoundError(
            f"{manifest} is missing: the public flows live in ../shared next to the checkout "
            "(or set AICC_SHARED_DIR)"
        )
    entries = json.loads(manifest.read_text(encoding="utf-8"))["flows"]
    return [(PUBLIC_FLOWS_DIR / e["file"], e["type"]) for e in entries]


# The `connect_event` fixture: (name, parameters=..., attributes=..., caller=..., contact_id=...) -> event
EventLoader = Callable[..., dict[str, Any]]


def prompt(key: str, locale: str = "ko-KR", **attributes: str) -> str:
    """What a caller hears for prompts.yaml's `key`: references filled from `attributes`, SSML read out.

    Tests compare with this instead of restating a prompt's wording, which lives in the configuration.
    """
    from aicc.settings import config
    from aicc_ops.engine.references import interpolate
    from aicc_ops.engine.ssml import spoken_text

    text = interpolate(config().prompts[key].text(locale), {"Attributes": attributes})
    return spoken_text(text) if text.lstrip().startswith("<speak>") else text


def prompt_opening(key: str) -> str:
    """The words of prompts.yaml's `key` before its first dynamic reference: what every call hears."""
    from aicc.settings import config

    return config().prompts[key].text("ko-KR").split("$.", 1)[0]


def read_event(name: str) -> dict[str, Any]:
    """tests/events/<name>.json as a fresh dict."""
    path = EVENTS_DIR / (name if name.endswith(".json") else f"{name}.json")
    event: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return event


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from the Lambda context."""

    function_name: str = "aicc-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:111122223333:function:aicc-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 8000


def metrics_emitted(stdout: str) -> list[tuple[str, dict[str, str]]]:
    """The EMF metrics a handler printed: (name, {dimension: value}) per metric, in order."""
    out = []
    for line in stdout.splitlines():
        blob = json.loads(line) if line.startswith('{"_aws"') else None
        for directive in blob["_aws"]["CloudWatchMetrics"] if blob else ():
            (names,) = directive["Dimensions"]
            out += [(m["Name"], {d: blob[d] for d in names}) for m in directive["Metrics"]]
    return out


def kinesis_event(*records: dict[str, Any] | bytes) -> dict[str, Any]:
    """A Lambda event from the agent-event stream carrying these records (JSON objects, or bytes)."""
    from aicc_ops.local.streams import kinesis_event as build

    return build(records, f"arn:aws:kinesis:{REGION}:111122223333:stream/aicc-test-agent-events")


def agent_event(
    login: str | None = None,
    at: str | None = None,
    states: tuple[str, ...] = ("CONNECTED",),
    *,
    event_type: str = "STATE_CHANGE",
    ccp: str | None = None,
) -> dict[str, Any]:
    """tests/events/connect_agent_event.json with one contact per state, and the agent (Username),
    EventTimestamp and CCP status type (ROUTABLE, CUSTOM, OFFLINE) changed where given."""
    event = read_event("connect_agent_event")
    event["EventType"] = event_type
    if at is not None:
        event["EventTimestamp"] = at
    snapshot = event["CurrentAgentSnapshot"]
    if login is not None:
        snapshot["Configuration"]["Username"] = login
    if ccp is not None:
        snapshot["AgentStatus"]["Type"] = ccp
    contact = snapshot["Contacts"][0]
    snapshot["Contacts"] = [{**contact, "State": s} for s in states]
    return event


# ---- synthetic flows ------------------------------------------------------------------------------

BYE: dict[str, Any] = {
    "Identifier": "bye",
    "Type": "DisconnectParticipant",
    "Parameters": {},
    "Transitions": {},
}


def block(
    ident: str, kind: str, params: dict[str, Any], nxt: str = "bye", on_error: str = "bye"
) -> dict[str, Any]:
    """An action going on to `nxt`, and to `on_error` on NoMatchingError."""
    return {
        "Identifier": ident,
        "Type": kind,
        "Parameters": params,
        "Transitions": {
            "NextAction": nxt,
            "Errors": [{"NextAction": on_error, "ErrorType": "NoMatchingError"}],
        },
    }


def set_language(code: str, nxt: str = "ask", on_error: str = "bye") -> dict[str, Any]:
    """The Set voice block's "Set language attribute": the contact's language (ko-KR...)."""
    return block("language", "UpdateContactData", {"LanguageCode": code}, nxt, on_error)


def flow_of(actions: list[dict[str, Any]], ftype: str = "CONTACT_FLOW", key: str = "test") -> Flow:
    """A rendered flow of these actions, starting at the first."""
    from aicc_ops.engine.flows import Flow

    content = {"Version": "2019-10-30", "StartAction": actions[0]["Identifier"], "Actions": actions}
    flow = Flow(key, "Test", ftype, content, "{}")
    flow.actions = {a["Identifier"]: a for a in actions}
    return flow


def public_flow_objects() -> dict[str, Flow]:
    """Every public flow as someone else's flow (foreign), keyed and named by its file's stem, typed
    from the manifest: the Flow Language files as they are, without the loader's naming."""
    from aicc_ops.engine.flows import Flow

    flows: dict[str, Flow] = {}
    for path, ftype in public_flows():
        text = path.read_text(encoding="utf-8")
        content = json.loads(text)
        flow = Flow(path.stem, path.stem, ftype, content, text, source=str(path), foreign=True)
        for action in content.get("Actions") or []:
            flow.actions.setdefault(action["Identifier"], action)
        flows[flow.key] = flow
    return flows


def flows_in_file(path: Path, flow_type: str | None = None) -> list[Flow]:
    """The flows of one file as `flows lint` reads it; FlowFileError (naming the file) if the
    loader found an error in it."""
    from aicc_ops.engine.flow_files import FlowFileError, read_flow_file

    flows, problems = read_flow_file(path, flow_type)
    errors = [p.message for p in problems if p.severity == "error"]
    if errors:
        raise FlowFileError(f"{path}: {'; '.join(errors)}")
    return flows


def config_with_sla(directory: Path, queue: str, seconds: int) -> Path:
    """A copy of the configuration in `directory` whose `queue` promises an answer within
    `seconds`: a local stack with it breaches in real time (AICC_CONFIG_DIR)."""
    import shutil

    from aicc.settings import DEFAULT_CONFIG_DIR, config

    shutil.copytree(DEFAULT_CONFIG_DIR, directory, dirs_exist_ok=True)
    queues_yaml = directory / "queues.yaml"
    sla = config().queues[queue].sla_seconds
    text = queues_yaml.read_text(encoding="utf-8")
    assert f"sla_seconds: {sla}" in text, f"queues.yaml has no 'sla_seconds: {sla}' to change"
    queues_yaml.write_text(text.replace(f"sla_seconds: {sla}", f"sla_seconds: {seconds}"), encoding="utf-8")
    return directory


def cyclic_garbage(operation: Callable[[], object]) -> list[Any]:
    """What operation leaves that only the garbage collector frees (objects in reference cycles):
    the collector is off meanwhile, then one collection keeps them all (DEBUG_SAVEALL)."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.garbage.clear()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        operation()
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


def wait_for(condition: Callable[[], Any], what: str = "the condition", timeout: float = 20) -> Any:
    """Poll `condition` until it is truthy (its value is returned); fail saying what never came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class StackCliRunner(CliRunner):
    """CliRunner for a command run beside the local stack server in this process: what the stack's
    Lambda workers print (Powertools' metric and log lines, to stdout as in AWS) stays out of the
    command's output, as the server's own filter keeps it out of a terminal. CliRunner swaps
    sys.stdout past that filter, so a call or an agent event still being handled would otherwise
    land in the middle of the command's JSON."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        from aicc_ops.engine.lambdas import _WorkerOutputFilter

        with super().isolation(*args, **kwargs) as streams:
            captured = sys.stdout
            sys.stdout = _WorkerOutputFilter(captured)
            try:
                yield streams
            finally:
                sys.stdout = captured
