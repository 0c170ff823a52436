"""The deploy rehearsal (`make rehearse`, `python -m aicc_ops.deploy.rehearse`): the whole root
applied to a private local stack of its own (ports 0, a temporary state directory) with envs/local,
an immediate plan that must show no changes, checks on what Terraform created, scenario calls on the
number Terraform claimed (run by the flows, Lambdas and queues as deployed), and a destroy that
must leave the stack as it started. Each step prints what it found; the exit code is 1 at the first
step that failed. docs/deploy.md, "Rehearsal on the local stack".
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.repository import TERRAFORM_DIR
from ..core.signals import end_on_signals, held, redeliver
from ..local.call_client import CallApiError, CallClient
from ..local.launch import log_tail, spawn, wait_until_up
from ..local.runtime import ServerInfo, stop_process_group
from ..local.scenarios import DEMO_CALLS
from . import run
from .environment import LOCAL_STACK, Environment
from .errors import DeployError


class RehearsalError(Exception):
    """A step found what a deploy must not do; the message says what."""


def _say(text: str = "", err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout, flush=True)


def _console() -> run.Console:
    return run.Console(echo=_say, confirm=lambda _question: True, prompt=lambda _question: LOCAL_STACK)


def check_created(env: Environment, info: ServerInfo) -> list[str]:
    """What Terraform created, read back from the Connect API as an agent's or caller's call would
    find it: every flow, the number on the entry flow, every queue offering the other queues'
    quick connects (associated outside the provider, so a re-apply must not empty them)."""
    outputs = env.saved_outputs() or {}

    def value(name: str) -> Any:
        return outputs[name]["value"]

    connect, instance = info.client("connect"), value("instance_id")
    found: list[str] = []
    flows = {f["Id"] for f in connect.list_contact_flows(InstanceId=instance)["ContactFlowSummaryList"]}
    missing = sorted(key for key, ident in value("flow_ids").items() if ident not in flows)
    if missing:
        raise RehearsalError(f"flows Terraform created are not in the instance: {missing}")
    found.append(
        f"{len(value('flow_ids'))} flows of flows.yaml in the instance ({len(flows)} with Connect's own)"
    )
    queues = value("queue_ids")
    for key, queue_id in sorted(queues.items()):
        listed = connect.list_queue_quick_connects(InstanceId=instance, QueueId=queue_id)[
            "QuickConnectSummaryList"
        ]
        if len(listed) != len(queues) - 1:
            raise RehearsalError(
                f"queue {key} offers {len(listed)} quick connects, not the other {len(queues) - 1} queues'"
            )
    found.append(f"{len(queues)} queues, each offering the other queues' quick connects")
    number = connect.describe_phone_number(PhoneNumberId=value("phone_number_id"))[
        "ClaimedPhoneNumberSummary"
    ]
    found.append(f"number {number['PhoneNumber']} {number['PhoneNumberStatus']['Status']} on the instance")
    return found


# The demo's scenario calls placed on the number Terraform claimed: an MSP emergency, general
# customers reaching a queue and answered from the knowledge base, after hours, an unknown caller.
REHEARSED_CALLS = (
    "MSP outage (speech auth)",
    "General: email address",
    "General: question answered from the knowledge base",
    "After hours: MSP emergency",
    "Unregistered → new customer",
)
CALL_SECONDS = 120.0


def onboard(outputs: dict[str, Any], info: ServerInfo) -> int:
    """The stack's sample customers, agents and rosters put into the tables Terraform created, as
    onboarding does after a first deploy (the deployed functions read those tables); the count.
    `outputs`: the Terraform outputs' values."""
    import boto3

    from aicc.settings import load_config

    from ..local import seed

    config = load_config()
    tables = {config.tables[key].env: name for key, name in outputs["table_names"].items()}
    instance_arn = outputs["instance_arn"]
    data = seed.load(seed.SAMPLE_DIR, config)
    dynamodb = boto3.resource(
        "dynamodb",
        endpoint_url=info.aws_endpoint,
        region_name=info.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    seed.write(data, tables, dynamodb, lambda login: f"{instance_arn}/agent/{login}")
    return len(data.customers)


def place_calls(info: ServerInfo, number: str, outputs: dict[str, Any]) -> list[str]:
    """The scenario calls on `number` through the call API, each expected to go as the same call
    goes on the stack's own number (the same flows.yaml, rendered by the engine): the same flows in
    the same order, the same prompts, the same queue, which must be one Terraform created.
    `outputs`: the Terraform outputs' values."""
    client = CallClient(info.calls_endpoint, timeout=CALL_SECONDS + 10)
    found: list[str] = []
    try:
        for demo in (c for c in DEMO_CALLS if c.name in REHEARSED_CALLS):
            body: dict[str, Any] = {
                "caller": demo.number,
                "at": demo.at,
                "inputs": list(demo.inputs),
                "wait": True,
                "timeout": CALL_SECONDS,
            }
            try:
                expected = client.request("POST", "/calls", body)
                deployed = client.request("POST", "/calls", {**body, "dialed": number})
            except CallApiError as exc:
                raise RehearsalError(f"{demo.name}: the call API refused the call: {exc}") from None
            found.append(compare(demo.name, expected, deployed, outputs))
    finally:
        client.close()
    return found


def compare(name: str, expected: dict[str, Any], deployed: dict[str, Any], outputs: dict[str, Any]) -> str:
    """What a call on the deployed number found, or RehearsalError naming where it went otherwise
    than the same call on the stack's own number (`expected`); both as the call API answers."""
    if deployed.get("error") or not deployed.get("call"):
        raise RehearsalError(f"{name}: the call on the deployed number failed: {deployed.get('error')}")
    call, own = deployed["call"], expected.get("call") or {}
    if call["instance"] != outputs["instance_arn"]:
        raise RehearsalError(
            f"{name}: the number's call ran on {call['instance']}, not on the instance Terraform created"
        )
    queue_ids: dict[str, str] = outputs["queue_ids"]
    path, queue = " → ".join(call["flows"]), deployed.get("queue")
    differences = [
        f"{what}: {call[what]} (expected {own.get(what)})"
        for what in ("flows", "prompts", "queue")
        if call[what] != own.get(what)
    ]
    if queue != expected.get("queue"):
        differences.append(f"queued in {queue} (expected {expected.get('queue')})")
    failed = [c["function"] for c in call["lambda_calls"] if c["error"]]
    if len(failed) != sum(1 for c in own.get("lambda_calls", []) if c["error"]):
        differences.append(f"Lambda errors: {failed}")
    if queue and queue not in queue_ids:
        differences.append(f"queued in {queue}, not a queue Terraform created")
    if differences:
        raise RehearsalError(f"{name}: on the deployed number, " + "; ".join(differences))
    ended = call["end_reason"] or "disconnected"
    where = f"queue {queue} ({queue_ids[queue]})" if queue else f"ended: {ended}"
    return f"{name}: {path}; {where}; {len(call['prompts'])} prompts, last {call['prompts'][-1]!r}"


def calls(env: Environment, info: ServerInfo) -> str:
    outputs = {name: output["value"] for name, output in (env.saved_outputs() or {}).items()}
    number = outputs["phone_number"]
    customers = onboard(outputs, info)
    found = place_calls(info, number, outputs)
    _say("\n".join(f"  {line}" for line in found))
    return f"{len(found)} calls on {number} ran as deployed ({customers} customers onboarded first)"


MIRROR = Path(os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins"))


def use_mirror(state_dir: Path) -> None:
    """Providers from the machine's mirror (checked against the committed lock file), not the
    registry, unless a CLI configuration that exists says otherwise (these machines set
    TF_CLI_CONFIG_FILE to a file that is not there, and Terraform then asks the registry)."""
    configured = os.environ.get("TF_CLI_CONFIG_FILE")
    if not (configured and Path(configured).is_file()) and MIRROR.is_dir():
        rc = state_dir / "terraformrc"
        rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n')
        os.environ["TF_CLI_CONFIG_FILE"] = str(rc)


def rehearse(terraform_dir: Path, state_dir: Path, timeout: float) -> int:
    os.environ["AICC_LOCAL_DIR"] = str(state_dir)
    use_mirror(state_dir)
    ports = {"aws_port": 0, "connect_port": 0, "calls_port": 0, "lambda_port": 0, "connect_rate": 0}
    with held() as caught:  # started and recorded, or not started
        process, since = spawn(state_dir, ports)
    started = time.monotonic()
    try:
        redeliver(caught)
        info = wait_until_up(process, state_dir, timeout, since)
        env = Environment.load(LOCAL_STACK, terraform_dir)
        before = sorted(i["Id"] for i in info.client("connect").list_instances()["InstanceSummaryList"])
        steps: list[tuple[str, Callable[[], str]]] = [
            ("bootstrap", lambda: ", ".join(run.bootstrap(env, None).created) or "nothing to create"),
            ("apply", lambda: _apply(env)),
            ("plan again", lambda: _clean_plan(env)),
            ("check", lambda: "; ".join(check_created(env, info))),
            ("calls", lambda: calls(env, info)),
            ("destroy", lambda: _destroy(env, info, before)),
        ]
        for name, step in steps:
            _say(f"\n== rehearsal: {name}", err=True)
            try:
                found = step()
            except (DeployError, RehearsalError) as exc:
                _say(f"rehearsal: {name} FAILED: {exc}")
                _say(f"the local stack's log (gone with its state directory):\n{log_tail(state_dir, 40)}")
                return 1
            _say(f"rehearsal: {name}: {found} ({time.monotonic() - started:.0f} s)")
        return 0
    finally:
        stop_process_group(process)


def _apply(env: Environment) -> str:
    run.change("apply", env, None, _console(), True, LOCAL_STACK)
    return f"applied; outputs in {env.outputs_file}"


def _clean_plan(env: Environment) -> str:
    changes = run.plan(env, None, _say).changes
    if changes:
        listed = ", ".join(f"{c.action} {c.address}" for c in changes)
        raise RehearsalError(f"the plan right after the apply is not empty: {listed}")
    return "no changes"


def _destroy(env: Environment, info: ServerInfo, before: list[str]) -> str:
    run.change("destroy", env, None, _console(), True, LOCAL_STACK)
    after = sorted(i["Id"] for i in info.client("connect").list_instances()["InstanceSummaryList"])
    if after != before:
        raise RehearsalError(f"instances left after the destroy: {sorted(set(after) - set(before))}")
    return "destroyed; the local stack holds what it started with"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aicc_ops.deploy.rehearse", description=__doc__)
    parser.add_argument("--terraform-dir", type=Path, default=TERRAFORM_DIR)
    parser.add_argument("--start-timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    # A CI timeout (SIGTERM) stops the rehearsal's local stack too, through rehearse's finally.
    end_on_signals(lambda name: _say(f"rehearsal: {name}: stopping the local stack", err=True))
    with tempfile.TemporaryDirectory(prefix="aicc-rehearsal-") as state:
        return rehearse(args.terraform_dir, Path(state), args.start_timeout)


if __name__ == "__main__":
    sys.exit(main())
