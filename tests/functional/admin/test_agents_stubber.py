"""Onboarding and offboarding against botocore's Stubber (Connect: every request is checked against the
real service model) with moto for the agents table and Secrets Manager."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import ANY, Stubber
from helpers import REGION

from aicc.settings import config
from aicc_ops.admin import agents as a
from aicc_ops.admin.context import OpsContext, Target

from ..conftest import AGENTS, CUSTOMERS, ROSTERS, Tables

INSTANCE_ID = "c8c0e68d-2200-4265-82c0-000000000000"
INSTANCE_ARN = f"arn:aws:connect:{REGION}:111122223333:instance/{INSTANCE_ID}"
ROUTING = {"MSP TS Engineer": "rp-ts", "General Agent": "rp-ga", "Manager": "rp-mgr"}
SECURITY = {"AICC Agent": "sp-agent", "AICC Supervisor": "sp-sup", "AICC Admin": "sp-admin"}
HEADER = "login,name,email,team,part,role,routing_profile,security_profile,skills\n"
KIM = "ts.kim,남궁민수,ts.kim@saltware.co.kr,TS,TS1,agent,MSP TS Engineer,,EC2;VPC\n"
LEE = "ga.lee,이서연,ga.lee@saltware.co.kr,GENERAL,GEN,supervisor,general_agent,AICC Admin,Billing\n"
KMS_KEY = "arn:aws:kms:ap-northeast-2:111122223333:key/0b7e3f4c-1d2e-4f60-8a9b-0c1d2e3f4a5b"
PASSWORD = re.compile(
    botocore.session.get_session()
    .get_service_model("connect")
    .shape_for("Password")
    .metadata["pattern"]
    .strip("/")
)


@pytest.fixture(scope="module")
def moto_tables(aws_module: dict[str, str]) -> dict[str, str]:
    return aws_module


@pytest.fixture
def tables(moto_tables: dict[str, str]) -> Iterator[Tables]:
    """Empty tables and no secrets at the start of each test; `tables.put` arranges items."""
    yield Tables(moto_tables)
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    for key, name in moto_tables.items():
        table = dynamodb.Table(name)
        schema = next(s for s in config().tables.values() if s.env == key)
        keys = [schema.hash_key] + ([schema.range_key] if schema.range_key else [])
        with table.batch_writer() as batch:
            for item in table.scan()["Items"]:
                batch.delete_item(Key={k: item[k] for k in keys})
    secrets = boto3.client("secretsmanager", region_name=REGION)
    for secret in secrets.list_secrets()["SecretList"]:
        secrets.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)


@pytest.fixture
def seeded(tables: Tables) -> Tables:
    """The functional tests' small contact center: customers, agents, rosters."""
    for customer in CUSTOMERS:
        tables.put("CUSTOMERS_TABLE", customer)
    for agent in AGENTS:
        tables.put("AGENTS_TABLE", {**agent, "email": f"{agent['login']}@saltware.co.kr"})
    for roster in ROSTERS:
        tables.put("ROSTERS_TABLE", roster)
    return tables


@pytest.fixture(scope="module")
def ops(moto_tables: dict[str, str]) -> OpsContext:
    """One context (one session: loading Connect's service model takes a second)."""
    return OpsContext(Target(region=REGION, instance_id=INSTANCE_ID))


@pytest.fixture
def connect(ops: OpsContext, tables: Tables) -> Iterator[Stubber]:
    with Stubber(ops.client("connect")) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def secrets(ops: OpsContext, tables: Tables) -> Iterator[Stubber]:
    """Secrets Manager stubbed: its requests are checked against the real service model."""
    with Stubber(ops.client("secretsmanager")) as stub:
        yield stub
        stub.assert_no_pending_responses()


def _user_arn(user_id: str) -> str:
    return f"{INSTANCE_ARN}/agent/{user_id}"


def _instance_reads(stub: Stubber, identity: str = "CONNECT_MANAGED") -> None:
    stub.add_response(
        "describe_instance",
        {"Instance": {"Id": INSTANCE_ID, "Arn": INSTANCE_ARN, "IdentityManagementType": identity}},
        {"InstanceId": INSTANCE_ID},
    )
    stub.add_response(
        "list_routing_profiles",
        {"RoutingProfileSummaryList": [{"Id": i, "Name": n} for n, i in ROUTING.items()]},
        {"InstanceId": INSTANCE_ID},
    )
    stub.add_response(
        "list_security_profiles",
        {"SecurityProfileSummaryList": [{"Id": i, "Name": n} for n, i in SECURITY.items()]},
        {"InstanceId": INSTANCE_ID},
    )


def _summary(login: str, user_id: str, **overrides: Any) -> dict[str, Any]:
    user = {
        "Id": user_id,
        "Arn": _user_arn(user_id),
        "Username": login,
        "IdentityInfo": {"FirstName": "민수", "LastName": "남궁"},
        "PhoneConfig": dict(a.PHONE_CONFIG),
        "RoutingProfileId": "rp-ts",
        "SecurityProfileIds": ["sp-agent"],
    }
    return {**user, **overrides}


def _search(
    stub: Stubber, users: list[dict[str, Any]], token: str | None = None, next_token: str = ""
) -> None:
    expected: dict[str, Any] = {"InstanceId": INSTANCE_ID, "MaxResults": 100}
    if token:
        expected["NextToken"] = token
    response: dict[str, Any] = {"Users": users, "ApproximateTotalCount": len(users)}
    if next_token:
        response["NextToken"] = next_token
    stub.add_response("search_users", response, expected)


def _prepare(ops: OpsContext, path: Path) -> tuple[a.Instance, list[a.Step]]:
    rows = a.read_csv(path, config())
    instance = a.load_instance(ops)
    assert a.instance_problems(path, rows, instance, config()) == []
    steps = a.plan_onboarding(ops, rows, instance, a.search_users(ops), a.agent_records(ops), config())
    return instance, steps


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "agents.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _record(login: str) -> dict[str, Any] | None:
    item = (
        boto3.resource("dynamodb", region_name=REGION).Table(_agents_table()).get_item(Key={"login": login})
    )
    return item.get("Item")


def _agents_table() -> str:
    return os.environ["AGENTS_TABLE"]


def _capture(ops: OpsContext, operation: str) -> list[dict[str, Any]]:
    """The parameters of each `operation` call (as sent, before Stubber answers)."""
    seen: list[dict[str, Any]] = []
    ops.client("connect").meta.events.register(
        f"provide-client-params.connect.{operation}", lambda params, **_: seen.append(dict(params))
    )
    return seen


# ---- onboarding -------------------------------------------------------------------------------------
def test_a_new_agent_is_created_with_a_stored_password_and_a_record(
    ops: OpsContext, connect: Stubber, tmp_path: Path
) -> None:
    _instance_reads(connect)
    _search(connect, [])
    connect.add_response(
        "create_user",
        {"UserId": "u-kim", "UserArn": _user_arn("u-kim")},
        {
            "InstanceId": INSTANCE_ID,
            "Username": "ts.kim",
            "Password": ANY,
            "IdentityInfo": {"FirstName": "민수", "LastName": "남궁", "Email": "ts.kim@saltware.co.kr"},
            "PhoneConfig": {"PhoneType": "SOFT_PHONE", "AutoAccept": False, "AfterContactWorkTimeLimit": 120},
            "SecurityProfileIds": ["sp-agent"],
            "RoutingProfileId": "rp-ts",
        },
    )
    sent = _capture(ops, "CreateUser")
    instance, steps = _prepare(ops, _csv(tmp_path, KIM))
    assert [s.action for s in steps] == ["create"]

    (result,) = a.onboard(ops, instance, steps, config())

    assert result.outcome == "created"
    secret = boto3.client("secretsmanager", region_name=REGION).get_secret_value(
        SecretId="aicc/agents/ts.kim/initial-password"
    )
    assert secret["SecretString"] == sent[0]["Password"]
    assert PASSWORD.fullmatch(secret["SecretString"])
    assert _record("ts.kim") == {
        "login": "ts.kim",
        "name": "남궁민수",
        "email": "ts.kim@saltware.co.kr",
        "team": "TS",
        "part": "TS1",
        "skills": ["EC2", "VPC"],
        "routing_profile": "msp_ts_engineer",
        "user_arn": _user_arn("u-kim"),
        "user_id": "u-kim",
        "status": "OFFLINE",
        "active_contacts": 0,
        "handled_today": 0,
    }


def test_a_stored_password_is_reused_after_an_interrupted_run(ops: OpsContext, tables: Tables) -> None:
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secrets.create_secret(Name=a.secret_name("ts.kim"), SecretString="Earlier-run-1")
    assert a.initial_password(ops, "ts.kim") == "Earlier-run-1"


def test_saml_instances_get_no_password_and_no_secret(
    ops: OpsContext, connect: Stubber, tmp_path: Path
) -> None:
    _instance_reads(connect, identity="SAML")
    _search(connect, [])
    connect.add_response(
        "create_user",
        {"UserId": "u-lee", "UserArn": _user_arn("u-lee")},
        {
            "InstanceId": INSTANCE_ID,
            "Username": "ga.lee",
            "IdentityInfo": {"FirstName": "서연", "LastName": "이", "Email": "ga.lee@saltware.co.kr"},
            "PhoneConfig": a.PHONE_CONFIG,
            "SecurityProfileIds": ["sp-sup", "sp-admin"],
            "RoutingProfileId": "rp-ga",
        },
    )
    instance, steps = _prepare(ops, _csv(tmp_path, LEE))
    assert [r.outcome for r in a.onboard(ops, instance, steps, config())] == ["created"]
    assert boto3.client("secretsmanager", region_name=REGION).list_secrets()["SecretList"] == []


def test_users_are_read_100_per_page(ops: OpsContext, connect: Stubber) -> None:
    first = [_summary(f"agent{i:03}", f"u-{i}") for i in range(100)]
    _search(connect, first, next_token="page-2")
    _search(connect, [_summary("agent100", "u-100")], token="page-2")
    assert len(a.search_users(ops)) == 101


def test_a_changed_agent_gets_exactly_the_calls_for_what_changed(
    ops: OpsContext, connect: Stubber, tables: Tables, tmp_path: Path
) -> None:
    """Names and profiles differ; phone settings match. The record keeps its status and counters."""
    tables.put(
        "AGENTS_TABLE",
        {"login": "ts.kim", "name": "남궁민", "email": "ts.kim@saltware.co.kr", "team": "TS", "part": "TS2"}
        | {"status": "AVAILABLE", "handled_today": 4, "user_arn": _user_arn("u-kim"), "user_id": "u-kim"},
    )
    _instance_reads(connect)
    user = _summary(
        "ts.kim",
        "u-kim",
        IdentityInfo={"FirstName": "민", "LastName": "남궁"},
        RoutingProfileId="rp-ga",
        SecurityProfileIds=["sp-agent", "sp-admin"],
    )
    _search(connect, [user])
    described = {
        "FirstName": "민",
        "LastName": "남궁",
        "Email": "ts.kim@saltware.co.kr",
        "Mobile": "+821012345678",
    }
    connect.add_response(
        "describe_user",
        {"User": {"Id": "u-kim", "IdentityInfo": described}},
        {"InstanceId": INSTANCE_ID, "UserId": "u-kim"},
    )
    connect.add_response(
        "update_user_identity_info",
        {},
        {"InstanceId": INSTANCE_ID, "UserId": "u-kim", "IdentityInfo": {**described, "FirstName": "민수"}},
    )
    connect.add_response(
        "update_user_routing_profile",
        {},
        {"InstanceId": INSTANCE_ID, "UserId": "u-kim", "RoutingProfileId": "rp-ts"},
    )
    connect.add_response(
        "update_user_security_profiles",
        {},
        {"InstanceId": INSTANCE_ID, "UserId": "u-kim", "SecurityProfileIds": ["sp-agent"]},
    )
    instance, (step,) = _prepare(ops, _csv(tmp_path, KIM))
    assert step.action == "update"
    assert {c.field for c in step.changes} == {
        "name",
        "routing_profile",
        "security_profiles",
        "part",
        "skills",
    }
    assert "General Agent -> MSP TS Engineer" in str(
        next(c for c in step.changes if c.field == "routing_profile")
    )

    (result,) = a.onboard(ops, instance, [step], config())

    assert result.outcome == "updated"
    record = _record("ts.kim")
    assert record is not None
    assert record["part"] == "TS1" and record["skills"] == ["EC2", "VPC"] and record["name"] == "남궁민수"
    assert record["status"] == "AVAILABLE" and record["handled_today"] == 4


def test_phone_settings_are_put_back(
    ops: OpsContext, connect: Stubber, tables: Tables, tmp_path: Path
) -> None:
    _instance_reads(connect)
    phone = {
        "PhoneType": "DESK_PHONE",
        "AutoAccept": True,
        "AfterContactWorkTimeLimit": 0,
        "DeskPhoneNumber": "+8221234567",
    }
    _search(connect, [_summary("ts.kim", "u-kim", PhoneConfig=phone)])
    connect.add_response(
        "update_user_phone_config",
        {},
        {"InstanceId": INSTANCE_ID, "UserId": "u-kim", "PhoneConfig": a.PHONE_CONFIG},
    )
    _agent_record(tables, "u-kim")
    instance, steps = _prepare(ops, _csv(tmp_path, KIM))
    assert [str(c) for c in steps[0].changes] == [
        "phone: DESK_PHONE, auto-accept on, ACW 0 s -> SOFT_PHONE, auto-accept off, ACW 120 s"
    ]
    assert [r.outcome for r in a.onboard(ops, instance, steps, config())] == ["updated"]


def _agent_record(tables: Tables, user_id: str, **extra: str) -> None:
    tables.put(
        "AGENTS_TABLE",
        {
            "login": "ts.kim",
            "name": "남궁민수",
            "email": "ts.kim@saltware.co.kr",
            "team": "TS",
            "part": "TS1",
            "skills": ["VPC", "EC2"],
            "routing_profile": "msp_ts_engineer",
            "user_arn": _user_arn(user_id),
            "user_id": user_id,
            "status": "BUSY",
        }
        | extra,
    )


def test_an_agent_that_matches_is_unchanged_without_a_single_write(
    ops: OpsContext, connect: Stubber, tables: Tables, tmp_path: Path
) -> None:
    """Stubber fails on any call not queued: only the reads are."""
    _instance_reads(connect)
    _search(connect, [_summary("ts.kim", "u-kim")])
    _agent_record(tables, "u-kim")
    instance, steps = _prepare(ops, _csv(tmp_path, KIM))
    assert [(s.action, s.changes) for s in steps] == [("unchanged", [])]
    assert [r.outcome for r in a.onboard(ops, instance, steps, config())] == ["unchanged"]


def test_an_email_not_in_the_record_is_read_with_describe_user(
    ops: OpsContext, connect: Stubber, tmp_path: Path
) -> None:
    """SearchUsers has no email: without a record the user is described; a matching one is unchanged."""
    _instance_reads(connect)
    _search(connect, [_summary("ts.kim", "u-kim")])
    identity = {"FirstName": "민수", "LastName": "남궁", "Email": "ts.kim@saltware.co.kr"}
    connect.add_response(
        "describe_user",
        {"User": {"Id": "u-kim", "IdentityInfo": identity}},
        {"InstanceId": INSTANCE_ID, "UserId": "u-kim"},
    )
    instance, (step,) = _prepare(ops, _csv(tmp_path, KIM))
    assert step.identity is None and [c.field for c in step.changes] == ["agents record"]
    assert [r.outcome for r in a.onboard(ops, instance, [step], config())] == ["updated"]
    assert _record("ts.kim") is not None


def test_a_failing_agent_is_counted_and_the_others_continue(
    ops: OpsContext, connect: Stubber, tmp_path: Path
) -> None:
    _instance_reads(connect)
    _search(connect, [])
    connect.add_client_error(
        "create_user", "InvalidParameterException", "Email is not valid", 400, expected_params=None
    )
    connect.add_response("create_user", {"UserId": "u-lee", "UserArn": _user_arn("u-lee")})
    instance, steps = _prepare(ops, _csv(tmp_path, KIM, LEE))
    first, second = a.onboard(ops, instance, steps, config())
    assert (first.outcome, first.error) == (
        "failed",
        "CreateUser: InvalidParameterException: Email is not valid",
    )
    assert second.outcome == "created" and _record("ga.lee") is not None and _record("ts.kim") is None


# ---- the initial-password secret: a customer-managed KMS key ------------------------------------------
def _secret_response(login: str) -> dict[str, Any]:
    name = a.secret_name(login)
    return {"ARN": f"arn:aws:secretsmanager:{REGION}:111122223333:secret:{name}-AbCdEf", "Name": name}


def test_initial_passwords_are_stored_with_the_kms_key(
    ops: OpsContext, connect: Stubber, secrets: Stubber, tmp_path: Path
) -> None:
    _instance_reads(connect)
    _search(connect, [])
    secrets.add_response(
        "create_secret",
        _secret_response("ts.kim"),
        {
            "Name": "aicc/agents/ts.kim/initial-password",
            "SecretString": ANY,
            "Description": ANY,
            "Tags": [{"Key": "aicc:agent", "Value": "ts.kim"}],
            "KmsKeyId": KMS_KEY,
        },
    )
    connect.add_response("create_user", {"UserId": "u-kim", "UserArn": _user_arn("u-kim")}, None)
    instance, steps = _prepare(ops, _csv(tmp_path, KIM))

    (result,) = a.onboard(ops, instance, steps, config(), kms_key_id=KMS_KEY)

    assert result.outcome == "created"


@pytest.mark.parametrize("key", [KMS_KEY, None], ids=["kms-key", "aws-managed"])
def test_a_secret_pending_deletion_is_restored_and_rewritten_with_the_key(
    ops: OpsContext, secrets: Stubber, key: str | None
) -> None:
    """Offboarded with a recovery window, onboarded again: the new password goes under the key too
    (and without a key, no KmsKeyId is sent at all: Stubber compares the parameters exactly)."""
    name = a.secret_name("ts.kim")
    with_key = {"KmsKeyId": key} if key else {}
    secrets.add_client_error(
        "create_secret",
        "InvalidRequestException",
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
        400,
        expected_params={
            "Name": name,
            "SecretString": ANY,
            "Description": ANY,
            "Tags": ANY,
            **with_key,
        },
    )
    secrets.add_response("restore_secret", _secret_response("ts.kim"), {"SecretId": name})
    sent: list[dict[str, Any]] = []
    ops.client("secretsmanager").meta.events.register(
        "provide-client-params.secrets-manager.UpdateSecret", lambda params, **_: sent.append(dict(params))
    )
    secrets.add_response(
        "update_secret", _secret_response("ts.kim"), {"SecretId": name, "SecretString": ANY, **with_key}
    )

    password = a.initial_password(ops, "ts.kim", key)

    assert PASSWORD.fullmatch(password) and sent[-1]["SecretString"] == password


# ---- a re-run after `queues rebalance --apply` ----------------------------------------------------------
def test_an_agent_moved_by_rebalance_stays_moved_without_a_write(
    ops: OpsContext, connect: Stubber, tables: Tables, tmp_path: Path
) -> None:
    """The row names the agent's home profile; rebalance lent him to the general agents."""
    _instance_reads(connect)
    _search(connect, [_summary("ts.kim", "u-kim", RoutingProfileId="rp-ga")])
    _agent_record(tables, "u-kim", routing_profile="general_agent", home_routing_profile="msp_ts_engineer")
    instance, (step,) = _prepare(ops, _csv(tmp_path, KIM))
    assert (step.action, step.changes, step.note) == ("unchanged", [], a.MOVED_NOTE)

    (result,) = a.onboard(ops, instance, [step], config())  # Stubber: no write call is queued

    assert (result.outcome, result.note) == ("unchanged", a.MOVED_NOTE)
    record = _record("ts.kim")
    assert record is not None
    assert (record["routing_profile"], record["home_routing_profile"]) == ("general_agent", "msp_ts_engineer")


def test_a_moved_agent_with_other_changes_keeps_the_loan(
    ops: OpsContext, connect: Stubber, tables: Tables, tmp_path: Path
) -> None:
    """Skills change; the routing profile (Connect and record) stays where rebalance put it."""
    _instance_reads(connect)
    _search(connect, [_summary("ts.kim", "u-kim", RoutingProfileId="rp-ga")])
    _agent_record(tables, "u-kim", routing_profile="general_agent", home_routing_profile="msp_ts_engineer")
    instance, (step,) = _prepare(ops, _csv(tmp_path, KIM.replace("EC2;VPC", "EC2;VPC;RDS")))
    assert [c.field for c in step.changes] == ["skills"] and step.note == a.MOVED_NOTE

    (result,) = a.onboard(ops, instance, [step], config())

    assert (result.outcome, result.note) == ("updated", a.MOVED_NOTE)
    record = _record("ts.kim")
    assert record is not None and record["skills"] == ["EC2", "VPC", "RDS"]
    assert (record["routing_profile"], record["home_routing_profile"]) == ("general_agent", "msp_ts_engineer")


@pytest.mark.parametrize(
    ("csv_profile", "user_profile", "update_to", "recorded"),
    [
        ("manager", "rp-ga", "rp-mgr", "manager"),  # another profile than home: the CSV wins
        ("general_agent", "rp-ga", None, "general_agent"),  # the CSV adopts the loan
        ("msp_ts_engineer", "rp-ts", None, "msp_ts_engineer"),  # home already: a stale record
    ],
    ids=["other-profile", "where-rebalance-put-it", "already-home"],
)
def test_the_csv_overrides_rebalance_and_clears_the_home_record(
    ops: OpsContext,
    connect: Stubber,
    tables: Tables,
    tmp_path: Path,
    csv_profile: str,
    user_profile: str,
    update_to: str | None,
    recorded: str,
) -> None:
    _instance_reads(connect)
    _search(connect, [_summary("ts.kim", "u-kim", RoutingProfileId=user_profile)])
    current = {"rp-ga": "general_agent", "rp-ts": "msp_ts_engineer"}[user_profile]
    _agent_record(tables, "u-kim", routing_profile=current, home_routing_profile="msp_ts_engineer")
    if update_to:
        connect.add_response(
            "update_user_routing_profile",
            {},
            {"InstanceId": INSTANCE_ID, "UserId": "u-kim", "RoutingProfileId": update_to},
        )
    row = KIM.replace("MSP TS Engineer", csv_profile)
    instance, (step,) = _prepare(ops, _csv(tmp_path, row))
    assert step.action == "update" and step.note == ""
    assert "home_routing_profile: msp_ts_engineer -> (removed)" in [str(c) for c in step.changes]

    (result,) = a.onboard(ops, instance, [step], config())

    assert result.outcome == "updated"
    record = _record("ts.kim")
    assert record is not None and "home_routing_profile" not in record
    assert record["routing_profile"] == recorded


# ---- listing and offboarding -------------------------------------------------------------------------
def test_list_joins_users_and_records(ops: OpsContext, connect: Stubber, seeded: Tables) -> None:
    _instance_reads(connect)
    _search(
        connect,
        [_summary("ts.kim", "u-kim", SecurityProfileIds=["sp-agent", "sp-sup"]), _summary("admin", "u-0")],
    )
    _agent_record(seeded, "u-kim")
    listed = {x["login"]: x for x in a.list_agents(ops)}
    assert listed["ts.kim"]["routing_profile"] == "MSP TS Engineer"
    assert listed["ts.kim"]["security_profiles"] == "AICC Agent, AICC Supervisor"
    assert listed["ts.kim"]["status"] == "BUSY" and listed["ts.kim"]["team"] == "TS"
    assert listed["admin"]["in_table"] is False and listed["admin"]["name"] == "남궁민수"
    assert listed["ts.park"]["in_connect"] is False  # a record of the fixture without a Connect user


def test_offboarding_searches_exactly_and_deletes_user_record_and_secret(
    ops: OpsContext, connect: Stubber, tables: Tables
) -> None:
    _agent_record(tables, "u-kim")
    boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name=a.secret_name("ts.kim"), SecretString="Initial-pass-1"
    )
    for login, users in (("ts.kim", [_summary("ts.kim", "u-kim")]), ("ts.gone", [])):
        connect.add_response(
            "search_users",
            {"Users": users},
            {
                "InstanceId": INSTANCE_ID,
                "MaxResults": 100,
                "SearchCriteria": {
                    "StringCondition": {"FieldName": "Username", "Value": login, "ComparisonType": "EXACT"}
                },
            },
        )
    connect.add_response("delete_user", {}, {"InstanceId": INSTANCE_ID, "UserId": "u-kim"})
    kim, gone = a.plan_offboarding(ops, ["ts.kim", "ts.gone"])
    assert (kim.user_id, kim.record, kim.secret, kim.references) == ("u-kim", True, True, [])
    assert not gone.found

    results = list(a.offboard(ops, [kim, gone]))

    assert [r.outcome for r in results] == ["deleted", "unchanged"]
    assert "not found" in results[1].note
    assert _record("ts.kim") is None
    assert boto3.client("secretsmanager", region_name=REGION).list_secrets()["SecretList"] == []


def test_references_come_from_rosters_and_customers(ops: OpsContext, seeded: Tables) -> None:
    found = a.references(ops, {"ts.park", "mgr.kim", "ga.nobody"})
    assert "roster TS1: members" in found["ts.park"]
    assert any(
        r.startswith("customer 솔트웨어 김민준 (C-SALTWARE-KMJ): ts_primary") for r in found["ts.park"]
    )
    assert sorted(found["mgr.kim"]) == ["roster GEN: manager", "roster TS1: manager"]
    assert "ga.nobody" not in found


# ---- proficiencies (routing criteria) -----------------------------------------------------------------
def _with_proficiencies(tmp_path: Path, proficiencies: str) -> Path:
    path = tmp_path / "agents.csv"
    path.write_text(f"{HEADER.rstrip()},proficiencies\n{KIM.rstrip()},{proficiencies}\n", encoding="utf-8")
    return path


def _held(*items: tuple[str, str, float]) -> dict[str, Any]:
    listed = [{"AttributeName": n, "AttributeValue": v, "Level": level} for n, v, level in items]
    return {"UserProficiencyList": listed, "LastModifiedTime": "2026-11-25T00:00:00Z"}


def test_proficiencies_are_associated_updated_and_removed_to_match_the_file(
    ops: OpsContext, connect: Stubber, tables: Tables, tmp_path: Path
) -> None:
    """The sentiment rules' proficiency at a new level, one more given, one the file dropped."""
    rules = config().sentiment.rules
    name, value = rules.proficiency_name, rules.proficiency_value
    _instance_reads(connect)
    _search(connect, [_summary("ts.kim", "u-kim")])
    _agent_record(tables, "u-kim")
    user = {"InstanceId": INSTANCE_ID, "UserId": "u-kim"}
    connect.add_response("list_user_proficiencies", _held((name, value, 2.0), ("language", "en", 1.0)), user)
    path = _with_proficiencies(tmp_path, f"{name}:{value}:5;language:ko:3")
    instance, steps = _prepare(ops, path)
    assert [str(c) for c in steps[0].changes] == [
        f"proficiencies: {name}:{value}:2;language:en:1 -> {name}:{value}:5;language:ko:3"
    ]
    assert a.connect_writes(steps) == 3
    associate = [{"AttributeName": "language", "AttributeValue": "ko", "Level": 3.0}]
    connect.add_response("associate_user_proficiencies", {}, {**user, "UserProficiencies": associate})
    update = [{"AttributeName": name, "AttributeValue": value, "Level": 5.0}]
    connect.add_response("update_user_proficiencies", {}, {**user, "UserProficiencies": update})
    gone = [{"AttributeName": "language", "AttributeValue": "en"}]
    connect.add_response("disassociate_user_proficiencies", {}, {**user, "UserProficiencies": gone})
    assert [r.outcome for r in a.onboard(ops, instance, steps, config())] == ["updated"]


def test_proficiencies_that_match_are_unchanged_and_a_bad_one_is_refused(
    ops: OpsContext, connect: Stubber, tables: Tables, tmp_path: Path
) -> None:
    _instance_reads(connect)
    _search(connect, [_summary("ts.kim", "u-kim")])
    _agent_record(tables, "u-kim")
    connect.add_response(
        "list_user_proficiencies",
        _held(("experience", "complaints", 4.0)),
        {"InstanceId": INSTANCE_ID, "UserId": "u-kim"},
    )
    _, steps = _prepare(ops, _with_proficiencies(tmp_path, "experience:complaints:4"))
    assert [(s.action, s.changes) for s in steps] == [("unchanged", [])]
    with pytest.raises(a.CsvError, match="the level must be 1, 2, 3, 4 or 5"):
        a.read_csv(_with_proficiencies(tmp_path, "experience:complaints:4.5"), config())
