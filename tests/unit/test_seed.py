"""Seed CSVs: validated as a whole before anything is written, every bad row reported by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicc.settings import load_config
from aicc_ops.local import seed

HEADER = "company,contact_name,phone,account_id,tier\n"


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_bundled_sample_data_loads() -> None:
    data = seed.load(seed.SAMPLE_DIR, load_config())
    msp = [c for c in data.customers if c["tier"] == "MSP"]
    assert msp and all(c["ts_primary"] and c["part"] for c in msp)
    assert {r["part"] for r in data.rosters} == {"TS1", "TS2", "GEN"}


def test_minimal_customers_file_gets_parts_and_ts_from_rosters(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "customers.csv",
        HEADER
        + "한빛,이서연,010-2345-6789,210987654321,MSP\n가나,김가나,+821011112222,111111112222,GENERAL\n",
    )
    data = seed.load(tmp_path, load_config())
    msp, general = data.customers
    assert msp["phone"] == "+821023456789" and msp["account_last4"] == "4321"
    assert msp["part"] in {"TS1", "TS2"} and msp["ts_primary"] and msp["ts_secondary"]
    assert general["part"] == "" and general["ts_primary"] == ""
    assert msp["customer_id"] == seed.customer_id("210987654321", "이서연")


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "customers.csv",
        HEADER
        + "A사,김,010-1111-2222,111122223333,MSP\n"
        + ",박,010-1111-2223,111122223334,MSP\n"
        + "B사,이,12345,11112222333,VIP\n"
        + "A사,김,010-1111-2222,111122223333,MSP\n",
    )
    with pytest.raises(seed.SeedError) as caught:
        seed.load(tmp_path, load_config())
    assert caught.value.problems == [
        "customers.csv:3: company is empty",
        "customers.csv:4: phone '12345' is not a phone number (E.164 +8210... or 010-...)",
        "customers.csv:4: account_id '11112222333' must be 12 digits",
        "customers.csv:4: tier 'VIP' must be MSP or GENERAL",
        "customers.csv:5: same account_id and contact_name as line 2",
    ]


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    _write(
        tmp_path, "customers.csv", "company,name,phone,account_id,tier\nA,B,010-1111-2222,111122223333,MSP\n"
    )
    with pytest.raises(seed.SeedError, match=r"customers\.csv:1: missing column"):
        seed.load(tmp_path, load_config())
    _write(tmp_path, "customers.csv", HEADER.strip() + ",vip\nA,B,010-1111-2222,111122223333,MSP,Y\n")
    with pytest.raises(seed.SeedError, match=r"customers.csv:1: unknown column\(s\) vip"):
        seed.load(tmp_path, load_config())


def test_bad_agents_and_rosters(tmp_path: Path) -> None:
    _write(tmp_path, "customers.csv", HEADER + "A,B,010-1111-2222,111122223333,GENERAL\n")
    _write(
        tmp_path,
        "agents.csv",
        "login,name,email,team,part,skills,routing_profile,status\n"
        "a.kim,김,a.kim@x.kr,TS,TS1,,msp_ts_engineer,AVAILABLE\n"
        "a.kim,김,nope,CEO,TS1,,vip,SLEEPING\n",
    )
    _write(tmp_path, "rosters.csv", "part,name,members,manager\nTS1,1파트,a.kim;ghost,\n")
    with pytest.raises(seed.SeedError) as caught:
        seed.load(tmp_path, load_config())
    problems = caught.value.problems
    assert "agents.csv:3: login 'a.kim' already on line 2" in problems
    assert "agents.csv:3: email 'nope' is not an address" in problems
    assert any(p.startswith("agents.csv:3: team 'CEO'") for p in problems)
    assert any(
        p.startswith("agents.csv:3: routing_profile 'vip' is not in routing_profiles.yaml") for p in problems
    )
    assert any(p.startswith("agents.csv:3: status 'SLEEPING'") for p in problems)
    assert "rosters.csv:2: unknown agent login(s) ghost (not in agents.csv)" in problems


def test_missing_customers_file(tmp_path: Path) -> None:
    with pytest.raises(seed.SeedError, match=r"customers\.csv not found"):
        seed.load(tmp_path, load_config())


def test_a_file_that_is_not_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_bytes(
        (HEADER + "가나,김가나,010-1111-2222,111111112222,MSP\n").encode("cp949")
    )
    with pytest.raises(
        seed.SeedError, match=r"customers\.csv: not UTF-8 text \(in Excel: Save As > CSV UTF-8\)"
    ):
        seed.load(tmp_path, load_config())
