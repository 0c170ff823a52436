"""`aicc-ops agents onboard|list|offboard` with CliRunner over HTTP against the local stack server
(`serve()`: the Connect emulator and moto), the same boto3 code that runs against AWS.

The server runs once for the module; each test uses logins of its own. Every AWS call the commands
make is recorded (service, operation), so "a re-run makes no write call" is asserted, not assumed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.client
import botocore.exceptions
import botocore.session
import pytest
from click.testing import Result
from helpers import StackCliRunner

from aicc_ops.admin import agents as work
from aicc_ops.admin import queues as q
from aicc_ops.admin.context import OpsContext, Target
from aicc_ops.cli.agents import agents
from aicc_ops.cli.queues import queues
from aicc_ops.local.runtime import ServerInfo
from aicc_ops.local.server import serve

HEADER = "login,name,email,team,part,role,routing_profile,security_profile,skills\n"
NAMES = [
    "김민준",
    "이서연",
    "박도윤",
    "최하은",
    "정시우",
    "남궁민수",
    "황보예린",
    "선우재덕",
    "강지호",
    "윤채원",
    "장수아",
    "임태현",
]
READS = ("Describe", "List", "Search", "Scan", "Get", "Query", "BatchGet")


@dataclass
class Stack:
    state_dir: Path
    info: ServerInfo
    calls: list[tuple[str, str]] = field(default_factory=list)
    # (service, operation) -> called before each such call; raise to inject a failure
    hooks: dict[tuple[str, str], Callable[[], None]] = field(default_factory=dict)

    def run(self, *args: str, input: str | None = None) -> Result:
        self.calls.clear()
        return StackCliRunner().invoke(
            agents, [*args, "--local", "--state-dir", str(self.state_dir)], input=input
        )

    def writes(self) -> list[tuple[str, str]]:
        return [c for c in self.calls if not c[1].startswith(READS)]

    def resource(self, service: str) -> Any:
        factory: Any = boto3.resource  # by name: the stubs type only literal service names
        return factory(
            service,
            endpoint_url=self.info.aws_endpoint,
            region_name=self.info.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def client(self, service: str) -> Any:
        endpoint = self.info.connect_endpoint if service == "connect" else self.info.aws_endpoint
        factory: Any = boto3.client
        return factory(
            service,
            endpoint_url=endpoint,
            region_name=self.info.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def record(self, login: str) -> dict[str, Any] | None:
        item = self.resource("dynamodb").Table(self.info.tables["agents"]).get_item(Key={"login": login})
        found: dict[str, Any] | None = item.get("Item")
        return found

    def user(self, login: str) -> dict[str, Any] | None:
        found = self.client("connect").search_users(
            InstanceId=self.info.instance_id,
            SearchCriteria={
                "StringCondition": {"FieldName": "Username", "Value": login, "ComparisonType": "EXACT"}
            },
        )["Users"]
        return found[0] if found else None

    def secret(self, login: str) -> str | None:
        try:
            value = self.client("secretsmanager").get_secret_value(SecretId=work.secret_name(login))
        except botocore.exceptions.ClientError:
            return None
        return str(value["SecretString"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state_dir = tmp_path_factory.mktemp("state")
    shared = botocore.session.get_session()
    found = Stack(state_dir, None)  # type: ignore[arg-type]
    original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]

    def session(ops: OpsContext) -> boto3.Session:
        # One botocore session (and model cache) for every CLI run: a fresh one re-reads the JSON
        # service models, most of a command's time here.
        assert ops.server is not None
        return boto3.Session("testing", "testing", region_name=ops.server.region, botocore_session=shared)

    def recorded(client: Any, operation: str, params: dict[str, Any]) -> Any:
        key = (client.meta.service_model.service_name, operation)
        found.calls.append(key)
        if key in found.hooks:
            found.hooks[key]()
        return original(client, operation, params)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(OpsContext, "session", property(session))
        mp.setattr(botocore.client.BaseClient, "_make_api_call", recorded)
        with serve(state_dir) as info:
            found.info = info
            yield found


def _csv(tmp_path: Path, rows: list[str], name: str = "agents.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8-sig")  # with a BOM, as Excel saves it
    return path


def _rows(prefix: str, count: int, part: str) -> list[str]:
    return [
        f"{prefix}{i:02},{NAMES[i % len(NAMES)]},{prefix}{i:02}@saltware.co.kr,TS,{part},agent,msp_ts_engineer,,EC2;VPC\n"
        for i in range(count)
    ]


def _counts(text: str) -> dict[str, int]:
    """The outcome table of the table output: {outcome: agents}."""
    found = (re.fullmatch(r"([a-z ]+?)\s+(\d+)", line.strip()) for line in text.splitlines())
    return {m[1]: int(m[2]) for m in found if m}


def _summary(result: Result) -> dict[str, int]:
    assert result.exit_code == 0, result.output + (result.stderr or "")
    data: dict[str, int] = json.loads(result.stdout)["summary"]
    return data


# ---- onboard ----------------------------------------------------------------------------------------
def test_onboard_creates_then_reruns_without_writes_then_updates(stack: Stack, tmp_path: Path) -> None:
    rows = _rows("qa.on", 11, "QA1")  # a progress bar from 11 changes
    path = _csv(tmp_path, rows)

    created = stack.run("onboard", str(path))

    assert created.exit_code == 0, created.output + created.stderr
    assert _counts(created.stdout) == {"created": 11, "updated": 0, "unchanged": 0, "failed": 0}
    assert "Onboarding: 11/11 (100%)" in created.stderr  # progress lines on stderr (not a terminal)
    assert stack.calls.count(("connect", "CreateUser")) == 11
    user = stack.user("qa.on05")
    assert user is not None and user["IdentityInfo"] == {"FirstName": "민수", "LastName": "남궁"}
    assert user["PhoneConfig"]["AfterContactWorkTimeLimit"] == work.PHONE_CONFIG["AfterContactWorkTimeLimit"]
    record = stack.record("qa.on05")
    assert record is not None
    assert (record["status"], record["user_arn"], record["skills"]) == (
        "OFFLINE",
        user["Arn"],
        ["EC2", "VPC"],
    )
    password = stack.secret("qa.on05")
    assert password and password not in created.stdout + created.stderr  # stored, never printed

    again = stack.run("onboard", str(path), "--output", "json")

    assert _summary(again) == {"created": 0, "updated": 0, "unchanged": 11, "failed": 0}
    assert stack.writes() == []
    assert ("connect", "SearchUsers") in stack.calls

    # A row changes: routing profile by its Connect name, skills, and an extra security profile.
    rows[3] = rows[3].replace("msp_ts_engineer,,EC2;VPC", "General Agent,AICC Supervisor,Billing")
    path = _csv(tmp_path, rows)
    stack.hooks.clear()
    updated = stack.run("onboard", str(path), "--output", "json")

    assert _summary(updated) == {"created": 0, "updated": 1, "unchanged": 10, "failed": 0}
    (result,) = [r for r in json.loads(updated.stdout)["results"] if r["outcome"] == "updated"]
    assert result["login"] == "qa.on03"
    assert {c["field"] for c in result["changes"]} == {"routing_profile", "security_profiles", "skills"}
    assert sorted(stack.writes()) == [
        ("connect", "UpdateUserRoutingProfile"),
        ("connect", "UpdateUserSecurityProfiles"),
        ("dynamodb", "UpdateItem"),
    ]
    assert stack.record("qa.on03")["routing_profile"] == "general_agent"  # type: ignore[index]
    assert stack.secret("qa.on05") == password  # created once


def test_onboarding_records_the_mobile_that_on_call_pages_reach(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "mobile.csv"
    header = HEADER.rstrip("\n") + ",mobile\n"
    row = "qa.mob,김하늘,qa.mob@saltware.co.kr,TS,QA9,agent,msp_ts_engineer,,EC2,010-5550-3001\n"
    path.write_text(header + row, encoding="utf-8")
    assert stack.run("onboard", str(path)).exit_code == 0
    record = stack.record("qa.mob")
    assert record is not None and record["mobile"] == "+821055503001"
    # A file without the column keeps the number; an empty cell clears it.
    (tmp_path / "plain.csv").write_text(HEADER + row.rsplit(",", 1)[0] + "\n", encoding="utf-8")
    assert stack.run("onboard", str(tmp_path / "plain.csv")).exit_code == 0
    assert (stack.record("qa.mob") or {}).get("mobile") == "+821055503001"
    path.write_text(header + row.rsplit(",", 1)[0] + ",\n", encoding="utf-8")
    assert stack.run("onboard", str(path)).exit_code == 0
    assert "mobile" not in (stack.record("qa.mob") or {})


def test_an_interrupted_run_continues_where_it_stopped(stack: Stack, tmp_path: Path) -> None:
    path = _csv(tmp_path, _rows("qa.int", 4, "QA2"))
    created: list[None] = []

    def ctrl_c_on_the_third() -> None:
        created.append(None)
        if len(created) == 3:
            raise KeyboardInterrupt

    stack.hooks[("connect", "CreateUser")] = ctrl_c_on_the_third
    try:
        stopped = stack.run("onboard", str(path))
    finally:
        stack.hooks.clear()

    assert stopped.exit_code == 130
    assert _counts(stopped.stdout) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "not reached": 2,
    }
    assert "re-run the same command to continue" in stopped.stderr
    assert stack.user("qa.int01") is not None and stack.user("qa.int02") is None
    first_password = stack.secret("qa.int02")  # stored before CreateUser was interrupted

    resumed = stack.run("onboard", str(path), "--output", "json")

    assert _summary(resumed) == {"created": 2, "updated": 0, "unchanged": 2, "failed": 0}
    assert stack.secret("qa.int02") == first_password  # reused, not replaced
    assert all(stack.record(f"qa.int{i:02}") for i in range(4))


def test_dry_run_shows_the_plan_and_changes_nothing(stack: Stack, tmp_path: Path) -> None:
    path = _csv(tmp_path, _rows("qa.dry", 2, "QA3"))

    result = stack.run("onboard", str(path), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "create    qa.dry00" in result.stdout and "routing_profile MSP TS Engineer" in result.stdout
    assert "would create 2, update 0, leave 0 unchanged. Nothing was changed." in result.stdout
    assert stack.writes() == []
    assert stack.user("qa.dry00") is None


def test_a_rerun_leaves_agents_moved_by_rebalance_where_they_are(stack: Stack, tmp_path: Path) -> None:
    """`queues rebalance --apply` lends two engineers to the general agents (the real apply_moves);
    re-running the onboarding CSV, which names their home profile, leaves them lent. (Onboarded with
    --kms-key-id: the initial-password secrets are encrypted with that key.)"""
    rows = _rows("qa.rb", 2, "QA6")
    path = _csv(tmp_path, rows)
    created = stack.run("onboard", str(path), "--kms-key-id", "alias/aicc-test-data")
    assert created.exit_code == 0, created.output + created.stderr
    described = stack.client("secretsmanager").describe_secret(SecretId=work.secret_name("qa.rb00"))
    assert described["KmsKeyId"] == "alias/aicc-test-data"
    ops = OpsContext(Target(local=True, state_dir=stack.state_dir))
    for login in ("qa.rb00", "qa.rb01"):
        user = stack.user(login)
        assert user is not None and user["RoutingProfileId"] == "msp_ts_engineer"
        lend = q.Move(
            login,
            user["Id"],
            "msp_ts_engineer",
            "msp_ts_engineer",
            "msp_ts_engineer",
            "general_agent",
            "general_agent",
            "general_agent",
            "MSP General",
            "test",
        )
        assert [o.ok for o in q.apply_moves(ops, [lend])] == [True]

    dry = stack.run("onboard", str(path), "--dry-run", "--output", "json")
    assert [(p["action"], p.get("note")) for p in json.loads(dry.stdout)["plan"]] == [
        ("unchanged", work.MOVED_NOTE)
    ] * 2

    again = stack.run("onboard", str(path))

    assert again.exit_code == 0, again.output + again.stderr
    assert _counts(again.stdout)["unchanged"] == 2
    assert f"qa.rb00: {work.MOVED_NOTE}" in again.stdout
    assert stack.writes() == []
    assert stack.user("qa.rb00")["RoutingProfileId"] == "general_agent"  # type: ignore[index]
    record = stack.record("qa.rb00")
    assert record is not None
    assert (record["routing_profile"], record["home_routing_profile"]) == ("general_agent", "msp_ts_engineer")

    # A row naming another profile than home wins, and ends the loan.
    rows[1] = rows[1].replace("msp_ts_engineer", "manager")
    changed = stack.run("onboard", str(_csv(tmp_path, rows)), "--output", "json")

    assert _summary(changed) == {"created": 0, "updated": 1, "unchanged": 1, "failed": 0}
    (updated,) = [r for r in json.loads(changed.stdout)["results"] if r["outcome"] == "updated"]
    assert updated["login"] == "qa.rb01" and "note" not in updated
    assert {c["field"] for c in updated["changes"]} == {"routing_profile", "home_routing_profile"}
    assert stack.user("qa.rb01")["RoutingProfileId"] == "manager"  # type: ignore[index]
    record = stack.record("qa.rb01")
    assert record is not None and record["routing_profile"] == "manager"
    assert "home_routing_profile" not in record

    # As the note says, `queues rebalance --restore` brings the other one home.
    restored = StackCliRunner().invoke(
        queues, ["rebalance", "--restore", "--local", "--state-dir", str(stack.state_dir)]
    )
    assert restored.exit_code == 0, restored.output
    assert stack.user("qa.rb00")["RoutingProfileId"] == "msp_ts_engineer"  # type: ignore[index]
    assert "home_routing_profile" not in stack.record("qa.rb00")  # type: ignore[operator]


def test_a_bad_csv_is_refused_before_any_call(stack: Stack, tmp_path: Path) -> None:
    rows = _rows("qa.bad", 3, "QA4")
    rows[1] = rows[1].replace("@saltware.co.kr", "@")
    rows[2] = rows[0]
    path = _csv(tmp_path, rows)

    result = stack.run("onboard", str(path))

    assert result.exit_code == 1
    assert f"{path}:3: email 'qa.bad01@' is not an email address" in result.stderr
    assert f"{path}:4: login 'qa.bad00' is a duplicate: already on line 2" in result.stderr
    assert "nothing was changed" in result.stderr
    assert stack.calls == []


def test_a_security_profile_the_instance_lacks_is_refused_with_its_line(stack: Stack, tmp_path: Path) -> None:
    rows = _rows("qa.sp", 2, "QA4")
    rows[1] = rows[1].replace(",,EC2", ",Quality Auditor,EC2")
    result = stack.run("onboard", str(_csv(tmp_path, rows)))

    assert result.exit_code == 1
    assert ":3: security profile(s) 'Quality Auditor' do not exist in instance" in result.stderr
    assert stack.writes() == []


# ---- list ---------------------------------------------------------------------------------------------
def test_list_joins_users_and_records_with_filters(stack: Stack) -> None:
    result = stack.run("list", "--team", "ts", "--part", "TS1", "--output", "json")

    assert result.exit_code == 0, result.output
    listed = {a["login"]: a for a in json.loads(result.stdout)}
    assert set(listed) == {"ts.park", "ts.choi", "ts.yoon"}
    assert listed["ts.park"]["routing_profile"] == "MSP TS Engineer"
    assert listed["ts.park"]["security_profiles"] == "AICC Agent"
    assert listed["ts.park"]["name"] == "박준영" and listed["ts.park"]["status"] in {"AVAILABLE", "BUSY"}

    table = stack.run("list", "--part", "TS2")
    assert table.exit_code == 0 and "4 agent(s)" in table.stdout and "mgr.lee" in table.stdout
    assert "ts.park" not in table.stdout


# ---- offboard -----------------------------------------------------------------------------------------
def test_offboard_refuses_agents_still_named_by_rosters_or_customers(stack: Stack) -> None:
    result = stack.run("offboard", "ts.park", "--yes")

    assert result.exit_code == 1
    assert "ts.park: roster TS1: members" in result.stderr
    assert "ts_primary" in result.stderr and "--force" in result.stderr
    assert stack.writes() == []
    assert stack.user("ts.park") is not None


def test_offboard_dry_run_shows_the_plan_with_the_blocked_agents(stack: Stack) -> None:
    result = stack.run("offboard", "ts.park", "qa.nobody", "--dry-run")

    assert result.exit_code == 0, result.output + result.stderr
    park = next(line for line in result.stdout.splitlines() if "ts.park" in line)
    assert park.split()[0] == "blocked" and "roster TS1: members" in park
    assert "1 of 2 blocked" in result.stdout and "Nothing was changed." in result.stdout
    assert stack.writes() == []

    plan = json.loads(stack.run("offboard", "ts.park", "--dry-run", "--output", "json").stdout)
    assert plan["summary"] == {"delete": 0, "blocked": 1, "unchanged": 0}
    assert plan["plan"][0]["action"] == "blocked" and "ts_primary" in " ".join(plan["plan"][0]["named_by"])

    forced = json.loads(stack.run("offboard", "ts.park", "--dry-run", "--force", "--output", "json").stdout)
    assert forced["plan"][0]["action"] == "delete" and forced["plan"][0]["named_by"]
    assert stack.writes() == [] and stack.user("ts.park") is not None


def test_offboard_deletes_user_record_and_secret_and_is_idempotent(stack: Stack, tmp_path: Path) -> None:
    path = _csv(tmp_path, _rows("qa.off", 2, "QA5"))
    assert stack.run("onboard", str(path)).exit_code == 0

    dry = stack.run("offboard", "qa.off00", "--dry-run")
    assert dry.exit_code == 0 and "would offboard 1 of 1" in dry.stdout and stack.writes() == []

    refused = stack.run("offboard", "qa.off00", input="n\n")
    assert refused.exit_code == 1 and stack.user("qa.off00") is not None

    gone = stack.run("offboard", "qa.off00", "qa.nobody", input="y\n")

    assert gone.exit_code == 0, gone.output
    assert _counts(gone.stdout) == {"deleted": 1, "unchanged": 1, "failed": 0}
    assert "qa.nobody: not found" in gone.stdout
    assert stack.user("qa.off00") is None and stack.record("qa.off00") is None
    assert stack.secret("qa.off00") is None

    again = stack.run("offboard", "qa.off00", "--yes", "--output", "json")
    assert json.loads(again.stdout)["summary"] == {"deleted": 0, "unchanged": 1, "failed": 0}
    assert stack.writes() == []

    by_file = stack.run("offboard", "--file", str(path), "--yes", "--output", "json")
    assert json.loads(by_file.stdout)["summary"] == {"deleted": 1, "unchanged": 1, "failed": 0}


def test_offboard_with_force_removes_a_rostered_agent_and_warns(stack: Stack) -> None:
    result = stack.run("offboard", "ts.lim", "--force", "--yes")

    assert result.exit_code == 0, result.output + result.stderr
    assert "Warning: still named by rosters or customers" in result.stderr and "roster TS2" in result.stderr
    assert stack.user("ts.lim") is None and stack.record("ts.lim") is None


def test_offboard_needs_logins(stack: Stack) -> None:
    result = stack.run("offboard")
    assert result.exit_code == 2 and "give LOGIN... or --file CSV" in result.stderr
    bad = stack.run("offboard", "ts park")
    assert bad.exit_code == 2 and "may hold only letters, digits" in bad.stderr


# ---- Connect's own limits, a dead endpoint, rostered engineers (issue 9) ----------------------------
def test_connect_limits_of_the_instance_are_checked_before_any_write(stack: Stack, tmp_path: Path) -> None:
    """The local instance manages its own identities: Connect allows 20 characters there, not 64."""
    rows = _rows("qa.limits", 2, "QA7")
    rows[1] = rows[1].replace("qa.limits01,", "qa.limits.twentyone.x,", 1)  # 21 characters
    result = stack.run("onboard", str(_csv(tmp_path, rows)))

    assert result.exit_code == 1
    assert ":3: login 'qa.limits.twentyone.x' has 21 characters; an instance with CONNECT_MANAGED" in (
        result.stderr
    )
    assert stack.writes() == []


def test_a_login_that_is_an_existing_user_in_another_case_is_refused(stack: Stack, tmp_path: Path) -> None:
    row = "TS.Park,박준영,ts.park@saltware.co.kr,TS,TS1,agent,msp_ts_engineer,,EC2;VPC;RDS\n"
    result = stack.run("onboard", str(_csv(tmp_path, [row])), "--dry-run")

    assert result.exit_code == 1
    assert ":2: login 'TS.Park' is the existing user 'ts.park'; write it as Connect has it" in result.stderr


def test_a_dead_endpoint_stops_at_once_with_what_remains_and_how_to_resume(
    stack: Stack, tmp_path: Path
) -> None:
    path = _csv(tmp_path, _rows("qa.dead", 4, "QA8"))
    created: list[None] = []

    def endpoint_gone_on_the_second() -> None:
        created.append(None)
        if len(created) >= 2:
            raise botocore.exceptions.EndpointConnectionError(endpoint_url=stack.info.connect_endpoint)

    stack.hooks[("connect", "CreateUser")] = endpoint_gone_on_the_second
    try:
        stopped = stack.run("onboard", str(path))
    finally:
        stack.hooks.clear()

    assert stopped.exit_code == 1
    assert stack.calls.count(("connect", "CreateUser")) == 2  # no attempt for the agents after it
    assert _counts(stopped.stdout) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "not reached": 3,
    }
    assert "stopped: EndpointConnectionError" in stopped.stderr and "(at qa.dead01)" in stopped.stderr
    assert "remaining 3: qa.dead01, qa.dead02, qa.dead03" in stopped.stderr
    resume = f"aicc-ops agents onboard {path} --local --state-dir {stack.state_dir}"
    assert resume in stopped.stderr

    resumed = stack.run(*resume.split()[2:4], "--output", "json")

    assert _summary(resumed) == {"created": 3, "updated": 0, "unchanged": 1, "failed": 0}


def test_moving_a_rostered_engineer_to_another_part_needs_force(stack: Stack, tmp_path: Path) -> None:
    row = "ts.kang,강하늘,ts.kang@saltware.co.kr,TS,TS1,agent,msp_ts_engineer,,Security;IAM\n"
    path = _csv(tmp_path, [row])

    planned = stack.run("onboard", str(path), "--dry-run", "--output", "json")
    refused = stack.run("onboard", str(path))

    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["rostered_moves"] == [
        "ts.kang: part: TS2 -> TS1 (named by roster TS2: members)"
    ]
    assert refused.exit_code == 1 and "give --force" in refused.stderr
    assert "ts.kang: part: TS2 -> TS1 (named by roster TS2: members)" in refused.stderr
    assert stack.writes() == []

    forced = stack.run("onboard", str(path), "--force")

    assert forced.exit_code == 0, forced.output
    assert "warning: changing the team or part of rostered engineers (--force)" in forced.stderr
    assert stack.record("ts.kang")["part"] == "TS1"  # type: ignore[index]


def test_dry_run_shows_the_korean_name_split_and_the_connect_writes(stack: Stack, tmp_path: Path) -> None:
    rows = _rows("qa.split", 6, "QA9")  # 남궁민수 is the sixth name
    table = stack.run("onboard", str(_csv(tmp_path, rows)), "--dry-run")
    data = json.loads(stack.run("onboard", str(_csv(tmp_path, rows)), "--dry-run", "--output", "json").stdout)

    assert table.exit_code == 0, table.output
    assert "family / given" in table.stdout and "남궁 / 민수" in table.stdout
    assert "Connect API: 6 write call(s)" in table.stdout
    (split,) = [p for p in data["plan"] if p["login"] == "qa.split05"]
    assert (split["family_name"], split["given_name"]) == ("남궁", "민수")
    assert data["connect_writes"] == 6
