"""The SLA monitor's run against the Connect emulator: the agents' workload read with
GetCurrentUserData and published as embedded metrics (one EMF line per signed-in agent, dimension
Agent), and each queue's SLA share; signed-out agents publish nothing (Connect lists them not)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from aicc.adapters import aws as aicc_aws
from aicc.domain import sla, workload
from aicc.settings import config

INSTANCE = "aicc-local"
EVENT = {"id": "e-1", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}


@pytest.fixture
def agents(connect: Any) -> Iterator[list[dict[str, str]]]:
    """Three agents on routing profiles that serve the SLA queues, signed out; removed afterwards."""
    created = []
    for login, profile in (
        ("wl.kim", "general_agent"),
        ("wl.lee", "msp_ts_engineer"),
        ("wl.park", "general_agent"),
    ):
        user = connect.create_user(
            InstanceId=INSTANCE,
            Username=login,
            Password="Str0ngPassw0rd!",
            IdentityInfo={"FirstName": "테스트", "LastName": "김"},
            PhoneConfig={"PhoneType": "SOFT_PHONE"},
            SecurityProfileIds=["agent"],
            RoutingProfileId=profile,
        )
        connect.put_user_status(InstanceId=INSTANCE, UserId=user["UserId"], AgentStatusId="offline")
        created.append({"Id": user["UserId"], "Username": login})
    yield created
    for u in created:
        with contextlib.suppress(Exception):
            connect.delete_user(InstanceId=INSTANCE, UserId=u["Id"])


def emf_lines(out: str) -> list[dict[str, Any]]:
    return [d for d in (json.loads(line) for line in out.splitlines() if line.startswith("{")) if "_aws" in d]


def metric_names(line: Mapping[str, Any]) -> set[str]:
    return {m["Name"] for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}


def test_each_signed_in_agent_gets_its_workload_metrics(
    aws: Mapping[str, str],
    connect: Any,
    agents: list[dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from aicc.handlers import sla_monitor

    signed_in = ["wl.kim", "wl.lee"]  # wl.park stays signed out
    for u in agents:
        if u["Username"] in signed_in:
            connect.put_user_status(InstanceId=INSTANCE, UserId=u["Id"], AgentStatusId="available")
    monkeypatch.setenv("CONNECT_INSTANCE_ID", INSTANCE)
    monkeypatch.setattr(aicc_aws, "connect", lambda: connect)
    capsys.readouterr()

    answer = sla_monitor.handler(EVENT, lambda_context)

    lines = emf_lines(capsys.readouterr().out)
    published = {line[workload.AGENT_DIMENSION]: line for line in lines if workload.AGENT_DIMENSION in line}
    assert answer["agents"] == len(signed_in)
    # By Connect user ID (no staff name in a metric kept 15 months), signed-out agents not at all.
    assert sorted(published) == sorted(u["Id"] for u in agents if u["Username"] in signed_in)
    for line in published.values():
        assert metric_names(line) == set(workload.METRICS)
        assert line[workload.CONTACTS] == [0.0] and line[workload.OCCUPANCY] == [0.0]
        dims = line["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
        assert dims == [[workload.AGENT_DIMENSION, "service"]]
    queues = {line[sla.QUEUE_DIMENSION] for line in lines if sla.SLA_WAIT_SHARE in line}
    assert queues == {q.name for q in config().queues.values() if q.sla_seconds is not None}


def test_no_more_agents_than_max_agents_are_published(
    aws: Mapping[str, str],
    connect: Any,
    agents: list[dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from aicc.handlers import sla_monitor

    for u in agents:
        connect.put_user_status(InstanceId=INSTANCE, UserId=u["Id"], AgentStatusId="available")
    settings = config().sla_monitor._replace(max_agents=1)
    monkeypatch.setattr(type(config()), "sla_monitor", property(lambda self: settings))
    monkeypatch.setenv("CONNECT_INSTANCE_ID", INSTANCE)
    monkeypatch.setattr(aicc_aws, "connect", lambda: connect)
    capsys.readouterr()

    sla_monitor.handler(EVENT, lambda_context)

    lines = emf_lines(capsys.readouterr().out)
    assert len([line for line in lines if workload.AGENT_DIMENSION in line]) == 1


def test_an_agent_created_after_the_first_run_is_one_series_from_the_start(
    aws: Mapping[str, str],
    connect: Any,
    agents: list[dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A warm container that ran before the agent existed and a fresh one publish the agent under
    the same dimension value (a second value would be a second series for the same person)."""
    import importlib

    from aicc.adapters import sla_monitor as adapter
    from aicc.handlers import sla_monitor

    monkeypatch.setenv("CONNECT_INSTANCE_ID", INSTANCE)
    monkeypatch.setattr(aicc_aws, "connect", lambda: connect)
    first = agents[0]
    connect.put_user_status(InstanceId=INSTANCE, UserId=first["Id"], AgentStatusId="available")
    importlib.reload(adapter)  # a cold start
    sla_monitor.handler(EVENT, lambda_context)  # the container's first run, before the new agent
    late = connect.create_user(
        InstanceId=INSTANCE,
        Username="wl.late",
        Password="Str0ngPassw0rd!",
        IdentityInfo={"FirstName": "테스트", "LastName": "최"},
        PhoneConfig={"PhoneType": "SOFT_PHONE"},
        SecurityProfileIds=["agent"],
        RoutingProfileId="general_agent",
    )
    agents.append({"Id": late["UserId"], "Username": "wl.late"})  # removed by the fixture
    connect.put_user_status(InstanceId=INSTANCE, UserId=late["UserId"], AgentStatusId="available")
    seen = []
    for cold in (False, True):  # the same warm container, then a new one
        if cold:
            importlib.reload(adapter)
        capsys.readouterr()
        sla_monitor.handler(EVENT, lambda_context)
        lines = emf_lines(capsys.readouterr().out)
        seen.append({line[workload.AGENT_DIMENSION] for line in lines if workload.AGENT_DIMENSION in line})
    assert seen[0] == seen[1] == {first["Id"], late["UserId"]}
