"""`flows lint --local`'s resource map: the local Connect emulator read as a live instance, through
the operators' Connect client (its rate limiter and adaptive retries) and the real wire protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import BYE, block, flow_of

from aicc.settings import load_config
from aicc_ops.admin.instance_map import live_map
from aicc_ops.engine import lint
from aicc_ops.engine.flows import Resources, build_resources, render_all
from aicc_ops.engine.resource_map import LiveMap


@pytest.fixture(scope="module")
def resources() -> Resources:
    return build_resources(load_config())


@pytest.fixture(scope="module")
def live(local_server: Any) -> LiveMap:
    return live_map(local=True, state_dir=Path(local_server.state_dir))


def test_the_repositorys_flows_resolve_against_the_live_local_instance(
    live: LiveMap, resources: Resources
) -> None:
    assert live.describe() == "instance aicc-local in ap-northeast-2 (live)"
    assert live.client.meta.config.retries["mode"] == "adaptive"  # throttles are retried, paced
    flows = render_all(resources)
    for flow in flows.values():
        flow.arn = ""  # found by the instance's listing, not as flows given alongside
    assert lint.errors(lint.lint(flows, resources, refs=live)) == []
    for ref, kind in (
        (resources.queue_arn("msp_general"), "queue"),
        (resources.flow_arn("emergency"), "flow"),
        (resources.hours_arn(next(iter(resources.config.hours))), "hours"),
        (resources.function_arn("customer_lookup"), "lambda"),
        (resources.lex_alias_arn, "lex"),
    ):
        assert live.resolve(ref, kind).status == "found", ref
    assert {"ListQueues", "ListContactFlows", "ListHoursOfOperations", "ListLambdaFunctions"} <= set(
        live.calls
    )


def test_a_queue_the_live_instance_lacks_is_an_error(live: LiveMap, resources: Resources) -> None:
    setq = block("setq", "UpdateContactTargetQueue", {"QueueId": resources.queue_arn("ghost")})
    found = lint.errors(lint.lint({"t": flow_of([setq, BYE])}, resources, refs=live))
    assert [f.message for f in found] == [
        f"QueueId refers to {resources.queue_arn('ghost')}, which is no queue of instance aicc-local in "
        "ap-northeast-2 (live)"
    ]


def test_a_kind_the_instance_cannot_list_is_left_unchecked(live: LiveMap, resources: Resources) -> None:
    prompt = live.resolve(f"{resources.instance_arn}/prompt/p-1", "prompt")
    assert prompt.status == "unchecked"
    assert prompt.message.startswith("not checked: ListPrompts: InvalidRequestException")
