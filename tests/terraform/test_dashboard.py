"""The CloudWatch dashboard, planned for real: the monitoring module alone, fed from the data files
as the root module feeds it, planned against moto (a literal instance ID, so that the dashboard
body is known at plan time). Every metric it draws is one AWS documents with those dimensions or
one our handlers publish; it covers the operations view issue 13 asks for."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hcl_files import parsed
from plan_gate import MIRROR, ROOT, gate_skip_reason, modern_terraform

from aicc.domain import sla, workload
from aicc.settings import config

pytestmark = pytest.mark.slow  # terraform init and plan: some 10 s

INSTANCE = "11111111-2222-3333-4444-555555555555"
CONFIG = ROOT / "lambdas" / "aicc" / "config"

# AWS's metrics the dashboard may draw, with the dimensions each is published with:
# https://docs.aws.amazon.com/connect/latest/adminguide/monitoring-cloudwatch.html (AWS/Connect),
# https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (AWS/Lambda),
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
# (AWS/DynamoDB: SuccessfulRequestLatency and ThrottledRequests per TableName and Operation).
VOICE = frozenset({"InstanceId", "MetricGroup"})
QUEUE = frozenset({"InstanceId", "MetricGroup", "QueueName"})
DOCUMENTED = {
    ("AWS/Connect", "CallsPerInterval"): VOICE,
    ("AWS/Connect", "MissedCalls"): VOICE,
    ("AWS/Connect", "ConcurrentCalls"): VOICE,
    ("AWS/Connect", "ConcurrentCallsPercentage"): VOICE,
    ("AWS/Connect", "QueueSize"): QUEUE,
    ("AWS/Connect", "LongestQueueWaitTime"): QUEUE,
    ("AWS/Lambda", "Duration"): frozenset({"FunctionName"}),
    ("AWS/Lambda", "Errors"): frozenset({"FunctionName"}),
    ("AWS/Lambda", "Throttles"): frozenset({"FunctionName"}),
    ("AWS/DynamoDB", "SuccessfulRequestLatency"): frozenset({"TableName", "Operation"}),
    ("AWS/DynamoDB", "ThrottledRequests"): frozenset({"TableName", "Operation"}),
}
METRIC_GROUPS = {VOICE: "VoiceCalls", QUEUE: "Queue"}


def functions() -> dict[str, Any]:
    return yaml.safe_load((CONFIG / "functions.yaml").read_text(encoding="utf-8"))["functions"]


@cache
def namespace() -> str:
    """The namespace the lambdas module gives every function (POWERTOOLS_METRICS_NAMESPACE)."""
    return str(parsed(ROOT / "terraform" / "modules" / "lambdas")["locals"]["metrics_namespace"]).strip('"')


def monitor_service() -> str:
    """The service dimension of the SLA monitor's metrics: the function that reads agents' data."""
    (key,) = [k for k, f in functions().items() if f.get("reads_agent_data")]
    return key


def published() -> dict[str, frozenset[str]]:
    """Our metrics the dashboard may draw (name -> dimensions), as the handlers name them."""
    return {
        sla.SLA_WAIT_SHARE: frozenset({sla.QUEUE_DIMENSION, "service"}),
        **{m: frozenset({workload.AGENT_DIMENSION, "service"}) for m in workload.METRICS},
    }


ROOT_TF = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.100" }
  }
}
provider "aws" {
  region = "ap-northeast-2"
}
locals {
  config    = "CONFIG"
  functions = yamldecode(file("${local.config}/functions.yaml")).functions
}
module "monitoring" {
  source               = "MODULE"
  name_prefix          = "aicc-dash"
  instance_id          = "INSTANCE"
  queues               = yamldecode(file("${local.config}/queues.yaml")).queues
  function_names       = { for k, f in local.functions : k => "aicc-dash-${k}" }
  function_kinds       = { for k, f in local.functions : k => f.invoked_by }
  table_names          = { for k, t in yamldecode(file("${local.config}/tables.yaml")).tables : k => "aicc-dash-${k}" }
  flow_names           = { for k, f in yamldecode(file("FLOWS")).flows : k => f.name }
  runbooks_base_url    = "https://example.com/runbooks"
  queue_sla_risk_ratio = yamldecode(file("${local.config}/monitoring.yaml")).sla_monitor.risk_share
  metrics_namespace    = "NAMESPACE"
  sla_monitor_service  = "SERVICE"
}
"""


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    reason = gate_skip_reason()
    if reason:
        pytest.skip(f"needs Terraform >= 1.10 and the aws provider mirror: {reason}")
    from aicc_ops.local.stack import moto_endpoint

    work = tmp_path_factory.mktemp("dashboard")
    text = ROOT_TF
    for placeholder, value in {
        "CONFIG": str(CONFIG),
        "MODULE": str(ROOT / "terraform" / "modules" / "monitoring"),
        "FLOWS": str(ROOT / "terraform" / "flows" / "flows.yaml"),
        "INSTANCE": INSTANCE,
        "NAMESPACE": namespace(),
        "SERVICE": monitor_service(),
    }.items():
        text = text.replace(placeholder, value)
    (work / "main.tf").write_text(text, encoding="utf-8")
    rc = work / "terraformrc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n')
    with moto_endpoint() as endpoint:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        env |= {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_CLI_CONFIG_FILE": str(rc),
            "TF_IN_AUTOMATION": "1",
        }
        binary = str(modern_terraform())
        for args in (["init", "-backend=false"], ["plan", "-out=plan"]):
            command = [binary, *args, "-input=false", "-no-color"]
            done = subprocess.run(command, check=False, cwd=work, env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stdout + done.stderr
        shown = subprocess.run(
            [binary, "show", "-json", "plan"], cwd=work, env=env, capture_output=True, text=True, check=True
        )
    changes = json.loads(shown.stdout)["resource_changes"]
    (body,) = [
        c["change"]["after"]["dashboard_body"] for c in changes if c["type"] == "aws_cloudwatch_dashboard"
    ]
    yield json.loads(body)


def drawn(dashboard: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(namespace, metric, dimensions) of every metric a widget draws, SEARCH expressions too
    (their dimension schema, with the values they match on)."""
    out = []
    for widget in dashboard["widgets"]:
        for row in (widget.get("properties") or {}).get("metrics") or []:
            if isinstance(row[0], dict):  # an expression
                found = re.match(r"""SEARCH\('\{([^}]+)\} MetricName="(\w+)"(.*)'""", row[0]["expression"])
                assert found, f"{widget['properties']['title']}: an expression that is not a SEARCH"
                ns, *dims = found[1].split(",")
                values = dict(re.findall(r'(\w+)="([^"]*)"', found[3]))
                out.append((ns, found[2], {d: values.get(d, "*") for d in dims}))
                continue
            names = [x for x in row if not isinstance(x, dict)]
            ns, metric, pairs = names[0], names[1], names[2:]
            out.append((ns, metric, dict(zip(pairs[::2], pairs[1::2], strict=True))))
    return out


def test_the_dashboard_draws_only_documented_or_published_metrics(dashboard: dict[str, Any]) -> None:
    ours = published()
    for ns, metric, dims in drawn(dashboard):
        if ns == namespace():
            assert metric in ours, f"{metric}: no handler publishes it"
            assert set(dims) == ours[metric], (
                f"{metric}: published with {sorted(ours[metric])}, drawn with {dims}"
            )
            assert dims["service"] == monitor_service()
        else:
            wanted = DOCUMENTED.get((ns, metric))
            assert wanted is not None, f"{ns} {metric}: not a metric this test knows AWS to document"
            assert set(dims) == wanted, (
                f"{ns} {metric}: AWS publishes it with {sorted(wanted)}, drawn with {dims}"
            )
            if ns == "AWS/Connect":
                assert dims["InstanceId"] == INSTANCE and dims["MetricGroup"] == METRIC_GROUPS[wanted]


def test_the_dashboard_covers_the_operations_view(dashboard: dict[str, Any]) -> None:
    """Calls and queues now, agent workload, response time and SLA per queue, Lambda duration,
    DynamoDB latency: each drawn, for every queue, agent, function and table there is."""
    cfg = config()
    metrics = drawn(dashboard)
    names = {(ns, m) for ns, m, _ in metrics}
    assert ("AWS/Connect", "ConcurrentCalls") in names
    for metric in ("QueueSize", "LongestQueueWaitTime"):
        queues = {d["QueueName"] for ns, m, d in metrics if m == metric}
        assert queues == {q.name for q in cfg.queues.values()}
    for metric in workload.METRICS:  # every signed-in agent: SEARCH over the Agent dimension
        (agent,) = [d for ns, m, d in metrics if m == metric]
        assert agent[workload.AGENT_DIMENSION] == "*"
    sla_queues = {q.name for q in cfg.queues.values() if q.sla_seconds is not None}
    assert {d[sla.QUEUE_DIMENSION] for ns, m, d in metrics if m == sla.SLA_WAIT_SHARE} == sla_queues
    assert {d["FunctionName"] for ns, m, d in metrics if m == "Duration"} == {
        f"aicc-dash-{k}" for k in functions()
    }
    latency = {d["TableName"] for ns, m, d in metrics if m == "SuccessfulRequestLatency"}
    assert latency == {f"aicc-dash-{k}" for k in cfg.tables}


def test_the_sla_lines_are_monitoring_yamls_share(dashboard: dict[str, Any]) -> None:
    """One home for the at-risk share: the SLA widget's line is monitoring.yaml's, not a default."""
    (widget,) = [w for w in dashboard["widgets"] if "SlaWaitShare" in json.dumps(w.get("properties", {}))]
    lines = {a["value"] for a in widget["properties"]["annotations"]["horizontal"]}
    assert lines == {config().sla_monitor.risk_share * 100, 100}
    variables = Path(ROOT / "terraform" / "modules" / "monitoring" / "variables.tf").read_text(
        encoding="utf-8"
    )
    block = variables[variables.index('variable "queue_sla_risk_ratio"') :].split("\n}\n", 1)[0]
    assert "default" not in block, "queue_sla_risk_ratio must come from monitoring.yaml, not a default"
