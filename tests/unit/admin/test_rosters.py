"""Roster logic without AWS: validation against agents, edits, rotation, CSV import, descriptions."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aicc.domain.agents import Roster
from aicc_ops.admin import rosters as r

PEOPLE = {
    p.login: p
    for p in [
        r.Person("ts.park", "박준영", "TS", "TS1"),
        r.Person("ts.choi", "최지우", "TS", "TS1"),
        r.Person("ts.yoon", "윤서준", "TS", "TS1"),
        r.Person("ga.han", "한소희", "GENERAL", "GEN"),
        r.Person("mgr.kim", "김현우", "MANAGER", "TS1"),
    ]
}
TS1 = Roster("TS1", "기술지원 1파트", ("ts.park", "ts.choi", "ts.yoon"), "mgr.kim")
MSP = r.CustomerTS("C1", "솔트웨어", "김민준", "MSP", "TS1", "ts.park", "ts.choi")


# ---- validation ------------------------------------------------------------------------------------
def test_a_roster_of_existing_agents_with_a_manager_is_valid() -> None:
    assert r.roster_problems(TS1, PEOPLE) == []


@pytest.mark.parametrize(
    ("roster", "expected"),
    [
        (Roster("TS1", "x", (), "mgr.kim"), "an empty roster is refused"),
        (Roster("TS1", "x", ("ts.park", "ts.park"), "mgr.kim"), "member 'ts.park' is listed twice"),
        (Roster("TS1", "x", ("ts.park", "ts.nobody"), "mgr.kim"), "unknown agent(s) ts.nobody"),
        (Roster("TS1", "x", ("ts.park",), ""), "a manager is required"),
        (Roster("TS1", "x", ("ts.park",), "mgr.ghost"), "manager 'mgr.ghost' is not in the agents table"),
        (Roster("TS1", "x", ("ts.park",), "ts.yoon"), "manager 'ts.yoon' is in team TS, not MANAGER"),
        (Roster("TS 1", "x", ("ts.park",), "mgr.kim"), "part 'TS 1' must be"),
    ],
)
def test_roster_problems_say_what_to_fix(roster: Roster, expected: str) -> None:
    problems = r.roster_problems(roster, PEOPLE)
    assert any(expected in p for p in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    problems = r.roster_problems(Roster("TS1", "x", ("x1", "x1"), "ts.park"), PEOPLE)
    assert len(problems) == 3  # twice, unknown, manager team


def test_flags_on_a_stored_roster_name_the_missing_agents() -> None:
    stored = Roster("TS1", "x", ("ts.park", "ts.gone"), "mgr.gone")
    assert r.roster_flags(stored, PEOPLE) == ["ts.gone: not an agent", "manager mgr.gone: not an agent"]
    assert r.roster_flags(TS1, PEOPLE) == []


# ---- edits -----------------------------------------------------------------------------------------
def test_edit_keeps_what_is_not_given() -> None:
    after = r.edit(TS1, "TS1", manager="mgr.lee")
    assert after == Roster("TS1", "기술지원 1파트", TS1.members, "mgr.lee")


def test_edit_replaces_then_adds_then_removes() -> None:
    after = r.edit(TS1, "TS1", members=["ts.yoon", "ts.park"], add=["ts.choi"], remove=["ts.park"])
    assert after.members == ("ts.yoon", "ts.choi")


def test_edit_creates_a_roster_named_after_its_part_by_default() -> None:
    after = r.edit(None, "TS3", members=["ts.park"], manager="mgr.kim")
    assert after == Roster("TS3", "TS3", ("ts.park",), "mgr.kim")


def test_edit_refuses_to_create_without_members() -> None:
    with pytest.raises(r.RosterError, match="TS3 has no roster yet: give --members"):
        r.edit(None, "TS3", manager="mgr.kim")


def test_edit_reports_bad_add_and_remove_together() -> None:
    with pytest.raises(r.RosterError) as err:
        r.edit(TS1, "TS1", add=["ts.park"], remove=["ga.han"])
    assert err.value.problems == [
        "--add ts.park: already a member of TS1",
        "--remove ga.han: not a member of TS1 (ts.park, ts.choi, ts.yoon)",
    ]


def test_removing_every_member_leaves_an_empty_roster_that_validation_refuses() -> None:
    after = r.edit(TS1, "TS1", remove=list(TS1.members))
    assert after.members == ()
    assert any("empty roster" in p for p in r.roster_problems(after, PEOPLE))


def test_logins_split_on_commas_and_semicolons() -> None:
    assert r.split_logins(" a, b;c ,, ") == ["a", "b", "c"]


# ---- rotation --------------------------------------------------------------------------------------
def test_rotate_moves_the_first_member_to_the_end() -> None:
    assert r.rotate(TS1).members == ("ts.choi", "ts.yoon", "ts.park")
    assert r.rotate(r.rotate(r.rotate(TS1))) == TS1


def test_rotate_to_a_member_keeps_the_cyclic_order() -> None:
    assert r.rotate(TS1, "ts.yoon").members == ("ts.yoon", "ts.park", "ts.choi")
    assert r.rotate(TS1, "ts.park") == TS1


def test_rotate_to_a_stranger_is_refused() -> None:
    with pytest.raises(r.RosterError, match=r"--to ga\.han: not a member of TS1"):
        r.rotate(TS1, "ga.han")


def test_rotating_one_member_changes_nothing() -> None:
    solo = Roster("TS2", "x", ("ts.park",), "mgr.kim")
    assert r.Change(solo, r.rotate(solo)).status == "unchanged"


# ---- TS engineers ----------------------------------------------------------------------------------
def test_ts_engineers_must_be_two_different_ts_agents() -> None:
    assert r.ts_problems(MSP, "ts.yoon", "ts.park", PEOPLE) == []
    assert r.ts_problems(MSP, "ts.park", "ts.park", PEOPLE) == [
        "TS primary and secondary must be different people (both ts.park)"
    ]
    assert r.ts_problems(MSP, "ga.han", "ts.nope", PEOPLE) == [
        "TS primary 'ga.han' is in team GENERAL, not TS",
        "TS secondary 'ts.nope' is not in the agents table",
    ]
    assert r.ts_problems(MSP, "ts.park", "", PEOPLE) == [
        "customer C1 (솔트웨어) has no TS secondary: give --secondary"
    ]


def test_general_customers_have_no_ts_engineers() -> None:
    general = r.CustomerTS("C2", "다온로지스", tier="GENERAL")
    assert r.ts_problems(general, "ts.park", "ts.choi", PEOPLE) == [
        "customer C2 (다온로지스) is GENERAL tier: only MSP customers have TS engineers"
    ]


def test_escalation_chain_follows_the_policy_without_trying_ts_twice() -> None:
    chain = r.escalation_chain(
        MSP, TS1, ["ts_primary", "ts_secondary", "part_members", "general_agent"], "GENERAL"
    )
    assert chain == ["ts.park", "ts.choi", "ts.yoon", "team GENERAL", "manager mgr.kim notified"]


# ---- changes and descriptions ----------------------------------------------------------------------
def test_change_status() -> None:
    assert r.Change(None, TS1).status == "created"
    assert r.Change(TS1, TS1).status == "unchanged"
    assert r.Change(TS1, r.rotate(TS1)).status == "updated"


def test_describe_shows_only_what_differs() -> None:
    text = r.Change(TS1, r.rotate(TS1)).describe()
    assert text == "members: ts.park → ts.choi → ts.yoon  =>  ts.choi → ts.yoon → ts.park"
    assert r.describe({"ts_primary": "a", "ts_secondary": "b"}, {"ts_primary": "a", "ts_secondary": "c"}) == (
        "ts_secondary: b  =>  c"
    )
    assert r.describe(None, {"members": ["a"], "manager": ""}) == "members: a; manager: (none)"


def test_import_plan_keeps_the_stored_name_when_the_file_has_none() -> None:
    rows = [Roster("TS1", "", TS1.members, "mgr.kim"), Roster("TS9", "", ("ts.park",), "mgr.kim")]
    changes = r.plan_import(rows, {"TS1": TS1})
    assert [c.status for c in changes] == ["unchanged", "created"]
    assert changes[1].after.name == "TS9"


def test_history_keys_sort_by_time_and_are_unique() -> None:
    at = datetime(2024, 5, 1, 3, 4, 5, 123456, tzinfo=UTC)
    first, second = r.history_key(at), r.history_key(at)
    assert first.startswith("2024-05-01T03:04:05.123Z#") and first != second
    assert r.history_key(at.replace(second=6)) > first


# ---- the import file -------------------------------------------------------------------------------
def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rosters.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_file_reads_members_in_order(tmp_path: Path) -> None:
    path = _csv(tmp_path, "part,name,members,manager\nTS1,기술지원 1파트,ts.park;ts.choi;ts.yoon,mgr.kim\n\n")
    assert r.load_import(path, PEOPLE) == [TS1]


def test_import_file_reports_every_bad_row_with_its_line(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "part,name,members,manager\n"
        "TS1,ok,ts.park;ts.choi,mgr.kim\n"  # 2: fine
        "TS1,again,ts.yoon,mgr.kim\n"  # 3: part twice
        "TS2,x,ts.park;ts.ghost,mgr.kim\n"  # 4: unknown agent
        ",x,ts.park,mgr.kim\n"  # 5: no part
        "GEN,x,,ts.park\n",  # 6: empty, manager not MANAGER
    )
    with pytest.raises(r.RosterError) as err:
        r.load_import(path, PEOPLE)
    problems = err.value.problems
    assert f"{path}:3: part TS1 is already on line 2" in problems
    assert any(p.startswith(f"{path}:4: unknown agent(s) ts.ghost") for p in problems)
    assert f"{path}:5: part is empty" in problems
    assert any(p.startswith(f"{path}:6: an empty roster is refused") for p in problems)
    assert any(p.startswith(f"{path}:6: manager 'ts.park' is in team TS") for p in problems)
    assert not any(f"{path}:2:" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("part,members,manager\nTS1,a,b\n", ":1: missing column(s) name"),
        ("part,name,members,manager,extra\n", ":1: unknown column(s) extra"),
        ("part,name,members,manager\n", "no roster rows below the header"),
        ("part,name,members,manager\nTS1,x,ts.park,ts.choi,mgr.kim\n", ":2: more values than columns"),
    ],
)
def test_malformed_import_files(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(r.RosterError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        r.read_roster_csv(_csv(tmp_path, text))


def test_a_file_csv_cannot_parse_is_a_problem_at_its_line(tmp_path: Path) -> None:
    huge = "x" * (csv.field_size_limit() + 1)
    path = _csv(tmp_path, f"part,name,members,manager\nTS1,ok,ts.park,mgr.kim\nTS2,{huge},ts.park,mgr.kim\n")
    with pytest.raises(r.RosterError) as err:
        r.read_roster_csv(path)
    assert err.value.problems == [
        f"{path}:3: not readable as CSV (field larger than field limit ({csv.field_size_limit()}))"
    ]


def test_unreadable_import_files(tmp_path: Path) -> None:
    with pytest.raises(r.RosterError, match="no such file"):
        r.read_roster_csv(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("part,name,members,manager\nTS1,파트,a,b\n".encode("euc-kr"))
    with pytest.raises(r.RosterError, match="not UTF-8"):
        r.read_roster_csv(latin)


def test_the_bundled_sample_rosters_import_cleanly() -> None:
    sample = Path(r.__file__).parents[1] / "local" / "sample_data" / "rosters.csv"
    rows = r.read_roster_csv(sample)
    assert [row.roster.part for row in rows] == ["TS1", "TS2", "GEN"]
    assert rows[0].roster.members == TS1.members
