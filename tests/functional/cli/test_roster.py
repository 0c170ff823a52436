"""`aicc-ops roster` through CliRunner against moto tables (no --env/--local: the table env vars)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner, Result
from helpers import REGION

from aicc.adapters.agents import RosterRepository
from aicc_ops.admin import rosters as admin
from aicc_ops.admin.context import OpsContext, Target
from aicc_ops.cli.roster import roster

from ..conftest import Tables

_SESSION: list[boto3.Session] = []


@pytest.fixture(autouse=True)
def one_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """One boto3 Session for every command of the module: a new Session re-reads botocore's JSON
    service models (~0.2 s per command), which is most of a command's time here. The tables and
    credentials are still those of each test's moto (`aws` fixture)."""
    if not _SESSION:
        _SESSION.append(boto3.Session(region_name=REGION))
    monkeypatch.setattr(OpsContext, "session", property(lambda self: _SESSION[0]))


def run(*args: str) -> Result:
    return CliRunner().invoke(roster, list(args), catch_exceptions=False)


def as_json(*args: str) -> Any:
    result = run(*args, "--output", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def members(part: str) -> tuple[str, ...]:
    found = RosterRepository().get(part)  # read as the escalation Lambda reads it
    assert found is not None
    return found.members


def history(part: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = as_json("history", part)
    return data


# ---- show -------------------------------------------------------------------------------------------
def test_show_lists_parts_members_in_order_manager_and_customers(tables: Tables) -> None:
    result = run("show")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    ts1 = next(line for line in lines if line.startswith("TS1"))
    assert "ts.park (박준영) → ts.choi (최지우) → ts.yoon (윤서준)" in ts1
    assert "mgr.kim (김현우)" in ts1 and "솔트웨어" in ts1 and ts1.rstrip().endswith("ok")

    one = run("show", "TS1")
    assert one.exit_code == 0, one.output
    assert "ts.park → ts.choi → ts.yoon → team GENERAL → manager mgr.kim notified" in one.output
    assert "김민수" in one.output  # both contacts of 솔트웨어

    unknown = run("show", "TS9")
    assert unknown.exit_code == 1
    assert "no roster for part 'TS9' (parts: GEN, TS1, TS2)" in unknown.output


def test_show_flags_members_that_are_not_agents(tables: Tables) -> None:
    tables.put(
        "ROSTERS_TABLE",
        {"part": "TS2", "name": "2파트", "members": ["ts.jung", "ts.left"], "manager": "mgr.lee"},
    )
    (view,) = as_json("show", "TS2")
    assert view["on_call"] == "ts.jung"
    assert [m["exists"] for m in view["members"]] == [True, False]
    # ts.kang (한빛금융's TS secondary) left the agents table too.
    assert view["problems"] == ["ts.left: not an agent", "한빛금융: TS ts.kang is not an agent"]
    assert view["customers"][0]["chain"] == [
        "ts.jung",
        "ts.kang",
        "ts.left",
        "team GENERAL",
        "manager mgr.lee notified",
    ]
    rotated = run("rotate", "TS2", "--dry-run")
    assert rotated.exit_code == 0
    assert "warning: roster TS2: ts.left: not an agent" in rotated.stderr


# ---- set ---------------------------------------------------------------------------------------------
def test_set_changes_members_and_records_who_did_it(tables: Tables) -> None:
    result = run("set", "TS1", "--members", "ts.yoon,ts.park", "--add", "ts.choi")
    assert result.exit_code == 0, result.output
    assert "roster TS1 updated: members: ts.park → ts.choi → ts.yoon  =>  ts.yoon → ts.park → ts.choi" in (
        result.output
    )
    assert members("TS1") == ("ts.yoon", "ts.park", "ts.choi")
    (entry,) = history("TS1")
    assert entry["action"] == "set" and entry["by"].startswith("arn:aws:")
    assert entry["before"]["members"] == ["ts.park", "ts.choi", "ts.yoon"]
    assert entry["after"]["members"] == ["ts.yoon", "ts.park", "ts.choi"]

    data = as_json("set", "TS3", "--name", "기술지원 3파트", "--members", "ts.yoon", "--manager", "mgr.lee")
    assert data["status"] == "created" and data["changed_at"]
    assert members("TS3") == ("ts.yoon",)
    assert history("TS3")[0]["action"] == "create"


SET_REFUSALS = [
    (["--add", "ts.nobody"], "unknown agent(s) ts.nobody: not in the agents table"),
    (["--manager", "ts.yoon"], "manager 'ts.yoon' is in team TS, not MANAGER"),
    (["--members", "ts.park,ts.park"], "member 'ts.park' is listed twice"),
    (["--remove", "ts.park,ts.choi,ts.yoon"], "an empty roster is refused"),
    (["--remove", "ga.han"], "--remove ga.han: not a member of TS1"),
    (["--add", "ts.x", "--manager", "ga.han"], "2 problems, nothing was written"),
]


def test_set_refusals_dry_run_and_no_op_write_nothing(tables: Tables) -> None:
    for args, expected in SET_REFUSALS:
        result = run("set", "TS1", *args)
        assert result.exit_code == 1, args
        assert expected in result.output, result.output
        assert "Traceback" not in result.output
    assert members("TS1") == ("ts.park", "ts.choi", "ts.yoon")
    assert history("TS1") == []
    usage = run("set", "TS1")
    assert usage.exit_code == 2 and "nothing to set" in usage.output

    result = run("set", "TS1", "--manager", "mgr.lee", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "roster TS1 would be updated: manager: mgr.kim  =>  mgr.lee" in result.output
    assert "dry run: nothing written" in result.output
    assert RosterRepository().get("TS1").manager == "mgr.kim"  # type: ignore[union-attr]

    same = run("set", "TS1", "--members", "ts.park,ts.choi,ts.yoon")
    assert same.exit_code == 0 and "roster TS1: unchanged" in same.output
    assert history("TS1") == []


# ---- set-ts ------------------------------------------------------------------------------------------
def test_set_ts_by_company_updates_every_contact(tables: Tables) -> None:
    data = as_json("set-ts", "--company", "솔트웨어", "--primary", "ts.yoon")
    assert [(x["customer_id"], x["status"]) for x in data] == [
        ("C-SALTWARE-KMJ", "updated"),
        ("C-SALTWARE-KMS", "updated"),
    ]
    item = tables.client.get_item(
        TableName=tables.names["CUSTOMERS_TABLE"], Key={"customer_id": {"S": "C-SALTWARE-KMS"}}
    )
    assert item["Item"]["ts_primary"]["S"] == "ts.yoon" and item["Item"]["ts_secondary"]["S"] == "ts.choi"
    entries = history("TS1")
    assert {e["action"] for e in entries} == {"set-ts"} and len(entries) == 2
    assert entries[0]["after"] == {"ts_primary": "ts.yoon", "ts_secondary": "ts.choi"}


SET_TS_REFUSALS = [
    (["C-SALTWARE-KMJ", "--secondary", "ts.park"], "must be different people (both ts.park)"),
    (["C-SALTWARE-KMJ", "--primary", "ga.han"], "TS primary 'ga.han' is in team GENERAL, not TS"),
    (["C-DAON", "--primary", "ts.park"], "is GENERAL tier: only MSP customers have TS engineers"),
    (["C-NOPE", "--primary", "ts.park"], "no customer 'C-NOPE'"),
    (["--company", "솔트웨아", "--primary", "ts.park"], "did you mean 솔트웨어?"),
]


def test_set_ts_refusals_and_dry_run_write_nothing(tables: Tables) -> None:
    for args, expected in SET_TS_REFUSALS:
        result = run("set-ts", *args)
        assert result.exit_code == 1, result.output
        assert expected in result.output
    usage = run("set-ts", "C-SALTWARE-KMJ", "--company", "솔트웨어", "--primary", "ts.yoon")
    assert usage.exit_code == 2 and "either CUSTOMER_ID or --company" in usage.output

    dry = run("set-ts", "C-SALTWARE-KMJ", "--primary", "ts.yoon", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would be updated" in dry.output and "ts.park / ts.choi" in dry.output
    assert history("TS1") == []


# ---- import ------------------------------------------------------------------------------------------
def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "rosters.csv"
    path.write_text("\n".join(["part,name,members,manager", *rows]) + "\n", encoding="utf-8")
    return path


def test_import_is_idempotent(tables: Tables, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "TS1,기술지원 1파트,ts.park;ts.choi;ts.yoon,mgr.kim",  # as stored
        "TS2,기술지원 2파트,ts.jung;ts.yoon,mgr.lee",  # one more member
        "TS3,기술지원 3파트,ts.choi,mgr.lee",  # new
    )
    dry = run("import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "members: ts.jung  =>  ts.jung → ts.yoon" in dry.output
    assert "1 created, 1 updated, 1 unchanged  (dry run: nothing written)" in dry.output
    assert members("TS2") == ("ts.jung",) and history("TS2") == []

    first = as_json("import", str(path))
    assert first["summary"] == {"created": 1, "updated": 1, "unchanged": 1, "failed": 0}
    assert members("TS2") == ("ts.jung", "ts.yoon") and members("TS3") == ("ts.choi",)
    assert [e["action"] for e in history("TS2")] == ["import"]

    again = run("import", str(path))
    assert again.exit_code == 0, again.output
    assert f"{path}: 0 created, 0 updated, 3 unchanged" in again.output
    assert len(history("TS2")) == 1 and history("TS1") == []


def test_import_reports_every_bad_row_and_writes_nothing(tables: Tables, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "TS2,기술지원 2파트,ts.jung;ts.yoon,mgr.lee",  # 2: fine, but must not be written
        "TS3,x,ts.ghost,mgr.lee",  # 3
        "TS4,x,ts.park,ga.han",  # 4
        "TS2,x,ts.park,mgr.lee",  # 5
    )
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "3 problems, nothing was written" in result.output
    assert f"{path}:3: unknown agent(s) ts.ghost" in result.output
    assert f"{path}:4: manager 'ga.han' is in team GENERAL, not MANAGER" in result.output
    assert f"{path}:5: part TS2 is already on line 2" in result.output
    assert members("TS2") == ("ts.jung",)
    assert RosterRepository().get("TS3") is None

    missing = run("import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "nope.csv: no such file" in missing.output

    limit = csv.field_size_limit()
    path = _csv(tmp_path, "TS2,기술지원 2파트,ts.jung;ts.yoon,mgr.lee", "TS1," + "x" * (limit + 1))
    unparsable = run("import", str(path))  # catch_exceptions=False: a trace would fail the test
    assert unparsable.exit_code == 1
    assert (
        unparsable.output
        == f"Error: {path}:3: not readable as CSV (field larger than field limit ({limit}))\n"
    )
    assert members("TS2") == ("ts.jung",)


# ---- the store ---------------------------------------------------------------------------------------
def test_the_store_reads_every_page_of_a_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    client = boto3.client(
        "dynamodb", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    ops = OpsContext(Target())
    monkeypatch.setattr(ops, "client", lambda service: client)
    monkeypatch.setattr(ops, "table_name", lambda key: f"aicc-test-{key}")
    expected = {
        "TableName": "aicc-test-agents",
        "ProjectionExpression": "#l, #n, #t, #p",
        "ExpressionAttributeNames": {"#l": "login", "#n": "name", "#t": "team", "#p": "part"},
    }
    page_key = {"login": {"S": "ts.park"}}

    def agent(login: str, team: str) -> dict[str, Any]:
        return {"login": {"S": login}, "name": {"S": login.upper()}, "team": {"S": team}}

    with Stubber(client) as stub:
        stub.add_response("scan", {"Items": [agent("ts.park", "TS")], "LastEvaluatedKey": page_key}, expected)
        stub.add_response(
            "scan", {"Items": [agent("mgr.kim", "MANAGER")]}, {**expected, "ExclusiveStartKey": page_key}
        )
        people = admin.RosterStore(ops).people()
        stub.assert_no_pending_responses()
    assert people == {
        "ts.park": admin.Person("ts.park", "TS.PARK", "TS"),
        "mgr.kim": admin.Person("mgr.kim", "MGR.KIM", "MANAGER"),
    }


# ---- rotate ------------------------------------------------------------------------------------------
def test_rotate_moves_on_call_to_the_next_member(tables: Tables) -> None:
    dry = run("rotate", "TS1", "--dry-run")
    assert dry.exit_code == 0 and "on call would be: ts.choi" in dry.output
    assert members("TS1") == ("ts.park", "ts.choi", "ts.yoon")

    result = run("rotate", "TS1")
    assert result.exit_code == 0, result.output
    assert "on call: ts.choi" in result.output
    assert members("TS1") == ("ts.choi", "ts.yoon", "ts.park")
    assert as_json("rotate", "TS1", "--to", "ts.park")["after"]["members"] == [
        "ts.park",
        "ts.choi",
        "ts.yoon",
    ]
    assert [e["action"] for e in history("TS1")] == ["rotate", "rotate"]

    bad = run("rotate", "TS1", "--to", "ga.han")
    assert bad.exit_code == 1 and "--to ga.han: not a member of TS1" in bad.output
    missing = run("rotate", "TS9")
    assert missing.exit_code == 1 and "no roster for part 'TS9'" in missing.output


def test_concurrent_changes_are_never_lost(
    tables: Tables, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Another operator writes between our read and our write: ours is refused, theirs stays."""
    read = admin.RosterStore.get

    def read_then_someone_else_writes(self: admin.RosterStore, part: str) -> Any:
        found = read(self, part)
        tables.put("ROSTERS_TABLE", {**found.__dict__, "members": ["ts.yoon", "ts.park", "ts.choi"]})
        return found

    monkeypatch.setattr(admin.RosterStore, "get", read_then_someone_else_writes)
    result = run("rotate", "TS1")
    assert result.exit_code == 1
    assert "roster TS1 changed meanwhile" in result.output and "re-run" in result.output
    assert members("TS1") == ("ts.yoon", "ts.park", "ts.choi")
    assert history("TS1") == []  # the history item is in the same transaction

    # An import whose read of TS2 is overtaken: TS2 fails, the other row is still written.
    scan = admin.RosterStore.rosters

    def scan_then_someone_else_writes(self: admin.RosterStore) -> Any:
        found = scan(self)
        tables.put("ROSTERS_TABLE", {**found["TS2"].__dict__, "manager": "mgr.kim"})
        return found

    monkeypatch.setattr(admin.RosterStore, "rosters", scan_then_someone_else_writes)
    path = _csv(tmp_path, "TS2,기술지원 2파트,ts.jung;ts.yoon,mgr.lee", "TS3,기술지원 3파트,ts.choi,mgr.lee")
    imported = run("import", str(path))
    assert imported.exit_code == 1
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in imported.output
    assert "1 roster(s) changed meanwhile and were not written; re-run the import" in imported.output
    assert members("TS2") == ("ts.jung",) and members("TS3") == ("ts.choi",)

    # A TS change whose read of the customer is overtaken.
    read_customer = admin.RosterStore.customer

    def read_customer_then_someone_else_writes(self: admin.RosterStore, customer_id: str) -> Any:
        found = read_customer(self, customer_id)
        tables.put("CUSTOMERS_TABLE", {**found.__dict__, "ts_primary": "ts.yoon"})
        return found

    monkeypatch.setattr(admin.RosterStore, "customer", read_customer_then_someone_else_writes)
    result = run("set-ts", "C-SALTWARE-KMJ", "--secondary", "ts.yoon")
    assert result.exit_code == 1 and "customer C-SALTWARE-KMJ changed meanwhile" in result.output


# ---- history -----------------------------------------------------------------------------------------
def test_history_lists_changes_newest_first(tables: Tables) -> None:
    for args in (
        ["rotate", "TS1"],
        ["set", "TS1", "--manager", "mgr.lee"],
        ["rotate", "TS1", "--to", "ts.park"],
    ):
        assert run(*args).exit_code == 0
    entries = history("TS1")
    assert [e["action"] for e in entries] == ["rotate", "set", "rotate"]
    assert entries == sorted(entries, key=lambda e: e["changed_at"], reverse=True)
    assert [e["action"] for e in as_json("history", "TS1", "--limit", "1")] == ["rotate"]

    table = run("history", "TS1")
    assert table.exit_code == 0
    assert "manager: mgr.kim  =>  mgr.lee" in table.output
    assert "#" not in table.output  # the unique suffix is not shown
    # Operators read Seoul time, with its offset (stored: UTC keys)
    assert "changed at (KST)" in table.output and "+09:00" in table.output
    assert all(e["changed_at"].endswith("+09:00") for e in as_json("history", "TS1"))
    empty = run("history", "GEN")
    assert empty.exit_code == 0 and "no changes recorded for part GEN" in empty.output
