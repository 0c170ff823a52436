"""The plan gate: `terraform plan` of dev and prod succeeds, and what it would build is what AWS
accepts (every CloudFormation template through cfn-lint's resource schemas, every permission name
against the AWS documentation) and what a first deploy needs.

See conftest.py for how the plans are made (the operators' own commands, moto as the endpoint).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from plan_gate import PROD_NUMBER_ID, ROOT, Plan, PlanGate, template_bodies

from aicc.settings import DEFAULT_CONFIG_DIR, load_config
from aicc_ops.deploy.environment import read_hcl

# Every test here plans the whole root against the local AWS endpoint (tens of seconds).
pytestmark = pytest.mark.slow

CONFIG = load_config()
FUNCTIONS = yaml.safe_load((DEFAULT_CONFIG_DIR / "functions.yaml").read_text(encoding="utf-8"))["functions"]
PERMISSIONS = Path(__file__).parent / "data" / "connect-security-profile-permissions.txt"


def _tfvars(env: str) -> dict[str, Any]:
    return read_hcl(ROOT / "terraform" / "envs" / env / "terraform.tfvars")


def _actions(plan: Plan) -> set[str]:
    return {a for rc in plan.json["resource_changes"] for a in rc["change"]["actions"]}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_environment_plans_clean_from_empty(env: str, plan_gate: PlanGate) -> None:
    plan = plan_gate.plan(env)
    assert _actions(plan) <= {"create", "read"}, "a first plan only creates (and reads data sources)"
    assert len(plan.json["resource_changes"]) > 150
    assert f"{env} (account " in plan.output and "plan saved to" in plan.output
    # One provider, from the committed lock file: nothing to download that was not reviewed.
    providers = {p["full_name"] for p in plan.json["configuration"]["provider_config"].values()}
    assert providers - {"terraform.io/builtin/terraform"} == {"registry.terraform.io/hashicorp/aws"}


def test_every_cloudformation_template_passes_cfn_lint(dev_plan: Plan, prod_plan_with_number: Plan) -> None:
    """The Lex bot and the Connect-Lex association are CloudFormation: cfn-lint checks them against
    the resource schemas CloudFormation itself validates with (names, types, enums, patterns)."""
    from cfnlint.api import ManualArgs, lint

    for plan in (dev_plan, prod_plan_with_number):
        for address, template in template_bodies(plan).items():
            matches = lint(json.dumps(template), config=ManualArgs(regions=["ap-northeast-2"]))
            problems = [f"{m.rule.id} {m.path_string}: {m.message}" for m in matches if m.rule.id[0] in "EW"]
            assert problems == [], f"{plan.env} {address}:\n" + "\n".join(problems)


def _bot(plan: Plan) -> dict[str, Any]:
    template = template_bodies(plan)["module.lex.aws_cloudformation_stack.bot"]
    bots = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lex::Bot"]
    assert len(bots) == 1
    return dict(bots[0]["Properties"])


def test_every_required_slot_has_a_priority_so_the_locale_builds(dev_plan: Plan) -> None:
    """Lex refuses to build a locale whose intents leave a slot without a priority ("Slot ids [...]
    don't define a slot priority"): then no version, alias or flow is ever created."""
    bot = _bot(dev_plan)
    checked = 0
    for locale in bot["BotLocales"]:
        for intent in locale["Intents"]:
            slots = [s["Name"] for s in intent.get("Slots", [])]
            priorities = sorted(intent.get("SlotPriorities", []), key=lambda p: p["Priority"])
            where = f"{locale['LocaleId']} {intent['Name']}: slots {slots}, priorities {priorities}"
            assert sorted(p["SlotName"] for p in priorities) == sorted(slots), where
            assert [p["Priority"] for p in priorities] == list(range(1, len(slots) + 1)), where
            checked += len(slots)
    slots_per_locale = sum(len(intent.get("slots") or {}) for intent in CONFIG.intents["intents"].values())
    assert checked == len(CONFIG.intents["locales"]) * slots_per_locale


def test_the_bot_is_built_from_intents_yaml_and_a_failed_build_fails_the_apply(dev_plan: Plan) -> None:
    bot = _bot(dev_plan)
    assert bot["AutoBuildBotLocales"] is True  # CloudFormation builds; a failed build fails the stack
    assert [loc["LocaleId"] for loc in bot["BotLocales"]] == CONFIG.intents["locales"]
    for locale in bot["BotLocales"]:
        names = {i["Name"] for i in locale["Intents"]}
        assert names == {*CONFIG.intents["intents"], "FallbackIntent"}
        fallback = next(i for i in locale["Intents"] if i["Name"] == "FallbackIntent")
        assert fallback["ParentIntentSignature"] == "AMAZON.FallbackIntent"
        assert fallback["DialogCodeHook"] == {"Enabled": True}  # bare answers reach lex_hook
    stack = dev_plan.one("aws_cloudformation_stack", "module.lex.")
    assert stack["on_failure"] == "DO_NOTHING"  # the failed bot stays, with its build's reasons
    assert stack["timeout_in_minutes"] < 30 and stack["timeouts"]["create"] == "30m"
    template = template_bodies(dev_plan)["module.lex.aws_cloudformation_stack.bot"]
    versions = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::Lex::BotVersion"]
    alias = next(r for r in template["Resources"].values() if r["Type"] == "AWS::Lex::BotAlias")
    assert len(versions) == 1 and alias["Properties"]["BotVersion"] == {
        "Fn::GetAtt": [versions[0], "BotVersion"]
    }
    hooks = alias["Properties"]["BotAliasLocaleSettings"]
    assert {h["LocaleId"] for h in hooks} == set(CONFIG.intents["locales"])


def _documented_permissions() -> tuple[set[str], dict[str, str]]:
    current, legacy = set(), {}
    for line in PERMISSIONS.read_text(encoding="utf-8").splitlines():
        if line.startswith("legacy "):
            old, new = line.removeprefix("legacy ").split(" -> ")
            legacy[old] = new
        elif line.strip() and not line.startswith("#"):
            current.add(line.strip())
    return current, legacy


def test_security_profile_permissions_are_the_documented_names(dev_plan: Plan) -> None:
    current, legacy = _documented_permissions()
    profiles = dev_plan.after("aws_connect_security_profile")
    assert len(profiles) == len(CONFIG.security_profiles)
    for address, profile in profiles.items():
        for name in profile["permissions"]:
            assert name not in legacy, f"{address}: {name} is a legacy permission; use {legacy[name]}"
            assert name in current, (
                f"{address}: {name} is not a permission of the admin guide ({PERMISSIONS.name})"
            )
    by_name = {p["name"]: set(p["permissions"]) for p in profiles.values()}
    for role in CONFIG.security_profiles.values():
        assert by_name[role.name] == set(role.permissions)  # Terraform expands `includes` as Python does


def _queues(plan: Plan) -> dict[str, dict[str, Any]]:
    return {q["name"]: q for q in plan.after("aws_connect_queue").values()}


def test_queues_dial_out_with_the_support_line_and_their_caller_name(
    dev_plan: Plan, prod_plan: Plan, prod_plan_with_number: Plan
) -> None:
    names = {q.name: q.outbound_caller_name for q in CONFIG.queues.values()}
    for queue in _queues(prod_plan_with_number).values():
        (config,) = queue["outbound_caller_config"]
        assert config["outbound_caller_id_number_id"] == PROD_NUMBER_ID
        assert config["outbound_caller_id_name"] == names[queue["name"]]
    for queue in _queues(dev_plan).values():
        (config,) = queue["outbound_caller_config"]  # the claimed number's ID is known after apply
        assert config["outbound_caller_id_name"] == names[queue["name"]]
    # Every queue runs the outbound whisper flow for a callback's customer (its ID: known after apply).
    for rc in prod_plan.changes["aws_connect_queue"]:
        assert rc["change"]["after_unknown"]["outbound_caller_config"][0]["outbound_flow_id"] is True
    for queue in _queues(prod_plan).values():  # no number yet: a name, the whisper flow, no number
        (config,) = queue["outbound_caller_config"]
        assert config["outbound_caller_id_name"] == names[queue["name"]]
        assert config.get("outbound_caller_id_number_id") is None


def test_korean_numbers_come_through_aws_support_not_by_search(
    dev_plan: Plan, prod_plan_with_number: Plan
) -> None:
    assert "aws_connect_phone_number" not in prod_plan_with_number.changes
    association = prod_plan_with_number.one("terraform_data", "phone_number_flow")
    assert association["triggers_replace"]["phone_number_id"] == PROD_NUMBER_ID
    claimed = dev_plan.one("aws_connect_phone_number")
    claim = _tfvars("dev")["phone_number"]["claim"]
    assert claimed["country_code"] == claim["country_code"] and claimed["type"] == claim["type"]


def test_claiming_a_korean_number_by_search_is_refused_at_plan(plan_gate: PlanGate, prod_plan: Plan) -> None:
    from aicc_ops.deploy.environment import Environment
    from aicc_ops.deploy.errors import DeployError
    from aicc_ops.deploy.terraform import Deployer

    environment = Environment.load("prod", plan_gate.terraform_dir)
    deployer = Deployer(environment, str(plan_gate.binary), echo=lambda _: None)
    with plan_gate.environment(environment.account_id), pytest.raises(DeployError) as failed:
        deployer.run(
            "plan",
            "-input=false",
            f"-var-file={environment.tfvars_file}",
            "-var",
            'phone_number={claim={country_code="KR"}}',
            capture=True,
        )
    assert "Korean numbers cannot be claimed by search" in str(failed.value)


def test_contact_records_reach_s3_partitioned_by_date(dev_plan: Plan) -> None:
    firehose = dev_plan.one("aws_kinesis_firehose_delivery_stream")
    (s3,) = firehose["extended_s3_configuration"]
    # Partitioned by the records' date, the way Athena and the reports read them.
    assert re.search(
        r"/year=!\{timestamp:yyyy\}/month=!\{timestamp:MM\}/day=!\{timestamp:dd\}/$", s3["prefix"]
    )
    assert s3["custom_time_zone"] == "Asia/Seoul"  # a day of records is a Korean day
    # Firehose refuses a prefix with expressions unless failed records go apart by error type.
    assert "!{firehose:error-output-type}" in s3["error_output_prefix"]
    # GZIP JSON lines, as the root output contact_records_bucket describes them.
    assert s3["compression_format"] == "GZIP"
    assert [p["type"] for p in s3["processing_configuration"][0]["processors"]] == ["AppendDelimiterToRecord"]
    assert firehose["kinesis_source_configuration"], "Firehose reads the contact-record stream"
    # With a stream as source Firehose takes no encryption of its own (the stream's KMS is at rest).
    assert (
        firehose["server_side_encryption"] in ([], None)
        or not firehose["server_side_encryption"][0]["enabled"]
    )
    buckets = {b["bucket"] for b in dev_plan.after("aws_s3_bucket").values()}
    assert any("-contact-records-" in b for b in buckets)


def test_agent_events_keep_the_agents_live_load(dev_plan: Plan) -> None:
    ((address, mapping),) = dev_plan.after("aws_lambda_event_source_mapping").items()
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["bisect_batch_on_function_error"] is True
    # It feeds the stream function of functions.yaml ...
    (handler,) = [key for key, spec in FUNCTIONS.items() if spec["invoked_by"] == "kinesis"]
    assert address.endswith(f'["{handler}"]')
    functions = {f["function_name"]: f for f in dev_plan.after("aws_lambda_function").values()}
    name = f"{_tfvars('dev')['name_prefix']}-{handler.replace('_', '-')}"
    assert functions[name]["handler"] == FUNCTIONS[handler]["handler"]
    # ... from the agent-event stream of Connect's storage config, which the root module passes to
    # the lambdas module (ARNs are known after apply: the wiring is read from the configuration).
    calls = dev_plan.json["configuration"]["root_module"]["module_calls"]
    assert "module.connect.agent_events_stream" in calls["lambdas"]["expressions"]["streams"]["references"]
    stream = calls["connect"]["module"]["outputs"]["agent_events_stream"]["expression"]["references"]
    assert 'aws_kinesis_stream.this["AGENT_EVENTS"]' in stream
    streams = {a for a in dev_plan.after("aws_connect_instance_storage_config") if "AGENT_EVENTS" in a}
    assert len(streams) == 1


CONNECT_ALARMS = {
    "ContactFlowErrors",
    "ContactFlowFatalErrors",
    "ThrottledCalls",
    "CallsBreachingConcurrencyQuota",
    "CallRecordingUploadError",
}


def test_connect_alarms_with_their_runbooks(dev_plan: Plan) -> None:
    alarms = list(dev_plan.after("aws_cloudwatch_metric_alarm").values())
    found = {a["metric_name"] for a in alarms if a.get("namespace") == "AWS/Connect"}
    assert found >= CONNECT_ALARMS
    flows = yaml.safe_load((ROOT / "terraform" / "flows" / "flows.yaml").read_text(encoding="utf-8"))["flows"]
    per_flow = {a["alarm_name"] for a in alarms if a.get("metric_name") == "ContactFlowErrors"}
    prefix = _tfvars("dev")["name_prefix"]
    assert per_flow == {f"{prefix}-flow-{key.replace('_', '-')}-errors" for key in flows}
    for alarm in alarms:
        # A description naming the instance ID is known after apply: its runbook tag is known now.
        link = re.search(r"Runbook: \S+/runbooks/([\w.-]+\.md)$", alarm.get("alarm_description") or "")
        if not link and "alarm_description" not in alarm:
            link = re.search(r"^([\w.-]+\.md)$", alarm["tags"]["Runbook"])
        assert link, f"{alarm['alarm_name']}: no runbook link"
        assert (ROOT / "runbooks" / link.group(1)).is_file(), (
            f"{alarm['alarm_name']}: runbooks/{link.group(1)} is missing"
        )


def test_the_alarm_topic_reaches_the_on_call_lists_of_the_tfvars(dev_plan: Plan, prod_plan: Plan) -> None:
    for plan in (dev_plan, prod_plan):
        wanted = _tfvars(plan.env)["alarm_emails"]
        endpoints = {
            s["endpoint"] for a, s in plan.after("aws_sns_topic_subscription").items() if "alarm_email" in a
        }
        assert endpoints == set(wanted)


def _guarded(plan: Plan) -> dict[str, int]:
    """Guards per kind of protected resource: terraform_data.protect["<kind>.<key>"]."""
    counts: dict[str, int] = {}
    for address in plan.after("terraform_data"):
        found = re.match(r'terraform_data\.protect\["(\w+)', address)
        if found:
            counts[found.group(1)] = counts.get(found.group(1), 0) + 1
    return counts


def test_prod_guards_its_instance_queues_tables_keys_and_buckets(prod_plan: Plan, dev_plan: Plan) -> None:
    guards = _guarded(prod_plan)
    assert guards["instance"] == 1
    assert guards["queue"] == len(CONFIG.queues)
    assert guards["table"] == len(CONFIG.tables)
    keys = len(prod_plan.after("aws_kms_key"))
    assert guards["key"] == keys  # the security module's keys and the SNS topics' key
    assert guards["bucket"] == len(prod_plan.after("aws_s3_bucket"))
    assert _guarded(dev_plan) == {}  # dev can be torn down


def test_the_sla_monitor_runs_on_its_schedule_with_least_privilege(dev_plan: Plan) -> None:
    scheduled = [key for key, spec in FUNCTIONS.items() if spec["invoked_by"] == "schedule"]
    assert sorted(scheduled) == ["report", "sla_monitor"]
    for handler in scheduled:
        name = f"{_tfvars('dev')['name_prefix']}-{handler.replace('_', '-')}"
        rule = dev_plan.one("aws_cloudwatch_event_rule", f'["{handler}"]')
        assert rule["schedule_expression"] == FUNCTIONS[handler]["schedule"] and rule["name"] == name
        target = dev_plan.one("aws_cloudwatch_event_target", f'["{handler}"]')
        assert target["retry_policy"][0]["maximum_retry_attempts"] == 0
        invoke = dev_plan.one("aws_lambda_function_event_invoke_config", f'schedule["{handler}"]')
        assert invoke["function_name"] == name
        permission = dev_plan.one("aws_lambda_permission", f'schedule["{handler}"]')
        assert permission["principal"] == "events.amazonaws.com" and permission["function_name"] == name
    # EventBridge invokes asynchronously: Lambda's own retries (two by default) are off for the SLA
    # monitor, which runs again within a minute; the daily report is retried and, throttled, kept
    # for an hour (functions.yaml).
    invoke = {
        handler: dev_plan.one("aws_lambda_function_event_invoke_config", f'schedule["{handler}"]')
        for handler in scheduled
    }
    assert {h: i["maximum_retry_attempts"] for h, i in invoke.items()} == {"report": 2, "sla_monitor": 0}
    assert {h: i["maximum_event_age_in_seconds"] for h, i in invoke.items()} == {
        "report": 3600,
        "sla_monitor": 60,
    }
    # The token's secret exists, encrypted, and Terraform never holds its value.
    secret = dev_plan.one("aws_secretsmanager_secret", "slack_token")
    assert secret["name"].endswith("/slack-bot-token")
    assert not dev_plan.after("aws_secretsmanager_secret_version")
    # Its policy and environment (known after apply: read from the configuration).
    text = json.dumps(dev_plan.json["configuration"]["root_module"]["module_calls"]["lambdas"]["module"])
    for word in (
        "connect:ListQueues",
        "connect:GetCurrentMetricData",
        "connect:GetCurrentUserData",
        "secretsmanager:GetSecretValue",
        "CONNECT_INSTANCE_ID",
        "SLACK_TOKEN_SECRET_ID",
    ):
        assert word in text
    assert "connect:ListUsers" not in text  # agents go by user ID: their logins are not read


def test_reports_run_at_nine_in_seoul_into_their_own_encrypted_bucket(dev_plan: Plan) -> None:
    # EventBridge rules read cron in UTC (https://docs.aws.amazon.com/eventbridge/latest/ref/eb-scheduled-rule-pattern.html):
    # 00:00 UTC is 09:00 in Asia/Seoul, which keeps no daylight saving.
    assert (
        dev_plan.one("aws_cloudwatch_event_rule", '["report"]')["schedule_expression"] == "cron(0 0 * * ? *)"
    )
    bucket = dev_plan.one("aws_s3_bucket", '["reports"]')
    assert "-reports-" in bucket["bucket"]
    sse = dev_plan.one("aws_s3_bucket_server_side_encryption_configuration", '["reports"]')
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    assert (
        dev_plan.one("aws_s3_bucket_versioning", '["reports"]')["versioning_configuration"][0]["status"]
        == "Enabled"
    )
    # Its grants (known after apply: the buckets' ARNs) are checked on the module's text in test_gate.
