"""Where a load run sends its load: the local stack, or a deployed environment's functions.

`local` is the local stack server running from the state directory, or, when none runs, one of
the run's own: started on free ports with its state in the report directory, and stopped when the
run ends. Its agents do one second of after-contact work, so that they answer again soon.

Any other target is an environment (terraform/envs/ENV): its Terraform outputs give the Region,
the function names, the instance and the queues, so the events recorded offline are sent with the
environment's ARNs in place of the local stack's.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ...core.signals import cleaning_up, held, redeliver
from ...local.launch import StartError, spawn, wait_until_up
from ...local.runtime import ServerInfo, read_info, stop_process_group
from .errors import LoadTestError
from .processes import child_env

START_SECONDS = 90.0
CHAT_ENTRY_FLOW = "customer_authentication"  # the flow the phone number starts calls in
OWN_ACW_SECONDS = 1.0
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
T = TypeVar("T")


@dataclass(frozen=True)
class LoadTarget:
    kind: str  # local | aws
    name: str  # local, or the environment
    region: str
    calls_endpoint: str | None = None
    lambda_endpoint: str | None = None
    functions: dict[str, str] = field(default_factory=dict)  # handler -> function name
    replacements: dict[str, str] = field(default_factory=dict)  # local ARN -> the target's
    env: dict[str, str] = field(default_factory=dict)  # for Locust's processes
    owned: bool = False  # a local stack started for this run
    # Chats (StartChatContact and the Participant Service): the Connect endpoint (None against
    # AWS: botocore's own, or AWS_ENDPOINT_URL_CONNECT / _CONNECTPARTICIPANT), the instance, and
    # the inbound flow chats start in (its ID: the local flow key, or the environment's flow ID).
    connect_endpoint: str | None = None
    instance_id: str = ""
    chat_flow_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "region": self.region,
            "calls_endpoint": self.calls_endpoint,
            "lambda_endpoint": self.lambda_endpoint,
            "functions": self.functions,
            "connect_endpoint": self.connect_endpoint,
            "instance_id": self.instance_id,
            "chat_flow_id": self.chat_flow_id,
        }


@contextmanager
def local_target(
    state_dir: Path | None, own_dir: Path, meanwhile: Callable[[], T]
) -> Iterator[tuple[LoadTarget, T]]:
    """The running local stack, else one started in `own_dir` for the run's length; with what
    `meanwhile` returned (run while a stack of the run's own starts)."""
    from ...engine.flows import local_function_name
    from ...local.runtime import default_state_dir

    info = read_info(state_dir or default_state_dir())
    owned = info is None
    with contextlib.ExitStack() as stack:
        if info is None:
            info, done = stack.enter_context(own_local_stack(own_dir, meanwhile))
        else:
            done = meanwhile()
        # botocore's own variable when the operator sets it (as for any AWS tool), else the server's.
        lambda_endpoint = os.environ.get("AWS_ENDPOINT_URL_LAMBDA") or getattr(info, "lambda_endpoint", None)
        from aicc.settings import config

        yield (
            LoadTarget(
                "local",
                "local",
                info.region,
                calls_endpoint=info.calls_endpoint,
                lambda_endpoint=lambda_endpoint,
                functions={h: local_function_name(h) for h in config().invoked_by},
                env=dict(LOCAL_CREDENTIALS),
                owned=owned,
                connect_endpoint=info.connect_endpoint,
                instance_id=info.instance_id,
                chat_flow_id=CHAT_ENTRY_FLOW,
            ),
            done,
        )


@contextmanager
def own_local_stack(state_dir: Path, meanwhile: Callable[[], T]) -> Iterator[tuple[ServerInfo, T]]:
    """A local stack server on free loopback ports, stopped (with its whole process group) at the
    end; with what `meanwhile` returned. `meanwhile` runs here while the server starts on the other
    core (the run's plan takes as long as the start), after its environment was taken from this
    process's: `meanwhile` may change it (the plan's offline stack sets the tables' names)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    options = {"aws_port": 0, "connect_port": 0, "calls_port": 0, "acw_seconds": OWN_ACW_SECONDS}
    with held() as caught:  # started and recorded, or not started
        process, since = spawn(state_dir, options, env=child_env({}))
    try:
        redeliver(caught)
        done = meanwhile()
        try:
            info = wait_until_up(process, state_dir, START_SECONDS, since)
        except StartError as exc:
            raise LoadTestError(f"the run's own {exc}") from None
        yield info, done
    finally:
        with cleaning_up():
            stop_process_group(process)


def environment_target(env: str, profile: str | None) -> LoadTarget:
    """A deployed environment, from its Terraform outputs."""
    from aicc.settings import config

    from ...engine.flows import build_resources
    from ..context import OpsContext, Target, TargetError

    ops = OpsContext(Target(profile=profile, env=env))
    try:
        functions = ops.output("function_names") or {}
        region = ops.output("region")
        instance_arn = ops.output("instance_arn")
        instance_id = ops.output("instance_id") or ""
        flow_ids = ops.output("flow_ids") or {}
    except TargetError as exc:
        raise LoadTestError(str(exc)) from None
    if not functions or not region:
        raise LoadTestError(f"{env}'s Terraform outputs have no function_names or region: deploy it first")
    local = build_resources(config())
    replacements: dict[str, str] = {}
    if instance_arn:
        replacements[local.instance_arn] = str(instance_arn)
        for key, queue_id in (ops.output("queue_ids") or {}).items():
            replacements[local.queue_arn(key)] = f"{instance_arn}/queue/{queue_id}"
    return LoadTarget(
        "aws",
        env,
        str(region),
        functions={str(k): str(v) for k, v in functions.items()},
        replacements=replacements,
        env={"AWS_PROFILE": profile} if profile else {},
        instance_id=str(instance_id),
        chat_flow_id=str(flow_ids.get(CHAT_ENTRY_FLOW, "")),
    )
