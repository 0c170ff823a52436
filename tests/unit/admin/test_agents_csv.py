"""The onboarding CSV: every bad row reported with file:line before anything changes; name splitting."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import botocore.session
import pytest

from aicc.settings import config
from aicc_ops.admin import agents as a
from aicc_ops.admin.context import OpsContext, Target
from aicc_ops.core.ratelimit import ConnectLimiter

HEADER = "login,name,email,team,part,role,routing_profile,security_profile,skills\n"
GOOD = "ts.kim,김민준,ts.kim@saltware.co.kr,TS,TS1,agent,msp_ts_engineer,,EC2;VPC\n"


def _csv(tmp_path: Path, text: str, *, bom: bool = False, name: str = "agents.csv") -> Path:
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(a.CsvError) as caught:
        a.read_csv(path, config())
    return caught.value.problems


# ---- good files ---------------------------------------------------------------------------------
def test_a_good_row_becomes_an_agent(tmp_path: Path) -> None:
    (row,) = a.read_csv(_csv(tmp_path, HEADER + GOOD), config())
    assert row.line == 2 and row.login == "ts.kim" and row.team == "TS" and row.part == "TS1"
    assert (row.last_name, row.first_name) == ("김", "민준")
    assert row.routing_profile == "msp_ts_engineer"
    assert row.security_profiles == ("AICC Agent",)
    assert row.skills == ("EC2", "VPC")


def test_bom_header_case_connect_names_and_extra_security_profiles(tmp_path: Path) -> None:
    text = (
        "Login, Name ,EMAIL,team,part,role,routing_profile,security_profile,skills\n"
        "mgr.park,박서연,mgr.park@saltware.co.kr,manager,TS2,Supervisor,manager,AICC Admin; AICC Supervisor,\n"
        "ga.oh,오세훈,ga.oh@saltware.co.kr,GENERAL,GEN,agent,General Agent,,Billing;Billing; Account\n"
    )
    mgr, ga = a.read_csv(_csv(tmp_path, text, bom=True), config())
    assert mgr.team == "MANAGER" and mgr.role == "supervisor"
    assert mgr.security_profiles == ("AICC Supervisor", "AICC Admin")  # the role's first, no repeats
    assert mgr.skills == ()
    assert ga.routing_profile == "general_agent"  # the Connect name resolves to the yaml key
    assert ga.skills == ("Billing", "Account")


def test_optional_columns_may_be_left_out_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    text = (
        "login,name,email,team,part,role,routing_profile\n\n"
        "ga.han,한소희,ga.han@saltware.co.kr,GENERAL,GEN,agent,general_agent\n,,,,,,\n"
    )
    (row,) = a.read_csv(_csv(tmp_path, text), config())
    assert row.line == 3 and row.skills == () and row.security_profiles == ("AICC Agent",)


def test_a_header_only_file_says_it_has_no_agents(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + ",,,,,,,,\n")
    assert _problems(path) == [f"{path}: only the header, no agents; add one line per agent under it"]


def test_the_bundled_200_agent_file_is_valid() -> None:
    rows = a.read_csv(a.SAMPLE_CSV, config())
    assert len(rows) == 200
    assert len({r.login for r in rows}) == 200
    assert {r.part for r in rows} >= {"TS1", "TS2", "TS3", "TS4", "GEN"}
    assert any(len(r.last_name) == 2 for r in rows)  # compound family names are in there


# ---- bad files: every case of the issue, and more ---------------------------------------------------
def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = _csv(tmp_path, "login,name,team,part\nts.kim,김민준,TS,TS1\n")
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:1: missing column(s) email, role, routing_profile")


def test_unknown_and_repeated_columns_are_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER.strip() + ",phone,login\n")
    problems = _problems(path)
    assert any("unknown column(s) phone" in p for p in problems)
    assert any("login appear more than once" in p for p in problems)


def test_duplicate_logins_name_the_first_line(tmp_path: Path) -> None:
    again = GOOD.replace("김민준", "김민수").replace("ts.kim@", "minsu@")
    path = _csv(tmp_path, HEADER + GOOD + again + GOOD.replace("ts.kim,", "TS.Kim,"))
    assert _problems(path) == [
        f"{path}:3: login 'ts.kim' is a duplicate: already on line 2",
        f"{path}:4: login 'TS.Kim' is a duplicate: already on line 2",
        f"{path}:4: email 'ts.kim@saltware.co.kr' is a duplicate: already on line 2",
    ]


def test_unknown_routing_profile_lists_the_valid_ones(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + GOOD.replace("msp_ts_engineer", "vip_desk"))
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:2: routing_profile 'vip_desk' is unknown; one of: ")
    for key, profile in config().routing_profiles.items():
        assert f"{key} ({profile.name})" in problem


@pytest.mark.parametrize("email", ["", "ts.kim", "ts.kim@", "ts kim@saltware.co.kr", "a@b", "a@@b.kr"])
def test_bad_email(tmp_path: Path, email: str) -> None:
    path = _csv(tmp_path, HEADER + GOOD.replace("ts.kim@saltware.co.kr", email))
    assert _problems(path) == [f"{path}:2: email {email!r} is not an email address"]


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ("", "login is empty"),
        ("ts kim", "may hold only letters, digits, _ - . @"),
        ("김민준", "may hold only letters, digits, _ - . @"),
        ("x" * 65, "has 65 characters; Connect allows at most 64"),
        ("ts.kim@saltware", "@ is allowed only in an email address"),
    ],
)
def test_bad_login(tmp_path: Path, login: str, message: str) -> None:
    path = _csv(tmp_path, HEADER + GOOD.replace("ts.kim,", f"{login},", 1))
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:2: ") and message in problem


def test_an_email_address_is_a_valid_login(tmp_path: Path) -> None:
    (row,) = a.read_csv(
        _csv(tmp_path, HEADER + GOOD.replace("ts.kim,", "ts.kim@saltware.co.kr,", 1)), config()
    )
    assert row.login == "ts.kim@saltware.co.kr"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("team", "VIP", "team 'VIP' must be one of TS, GENERAL, MANAGER"),
        ("part", "", "part '' must be 1-32 letters"),
        ("part", "TS 1", "part 'TS 1' must be 1-32 letters"),
        ("role", "boss", "role 'boss' must be one of agent, supervisor, admin"),
        ("role", "", "role '' must be one of"),
        ("name", "", "name is empty"),
        ("name", "김", "needs a family and a given name"),
        ("name", "Madonna", "needs a given and a family name"),
    ],
)
def test_bad_field(tmp_path: Path, column: str, value: str, message: str) -> None:
    fields = dict(zip(HEADER.strip().split(","), GOOD.strip().split(","), strict=True))
    fields[column] = value
    path = _csv(tmp_path, HEADER + ",".join(fields.values()) + "\n")
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:2: ") and message in problem


def test_too_many_security_profiles(tmp_path: Path) -> None:
    extra = ";".join(f"Profile {i}" for i in range(10))
    path = _csv(tmp_path, HEADER + GOOD.replace(",,EC2", f",{extra},EC2"))
    assert _problems(path) == [f"{path}:2: 11 security profiles; a user can have at most 10"]


def test_wrong_number_of_values(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + GOOD.strip() + ",extra\n" + "ts.lee,이서준,ts.lee@saltware.co.kr\n")
    assert _problems(path) == [
        f"{path}:2: 10 values, but the header has 9 columns",
        f"{path}:3: 3 values, but the header has 9 columns",
    ]


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        HEADER
        + GOOD
        + "ts.lee,이서준,not-an-email,TS,TS1,agent,msp_ts_engineer,,\n"
        + "ts.kim,김민수,ts.kim2@saltware.co.kr,TS,TS1,agent,nope,,\n"
        + "ga.seo,서지민,ga.seo@saltware.co.kr,GEN,GEN,agent,general_agent,,\n"
    )
    path = _csv(tmp_path, text)
    problems = _problems(path)
    assert [p.split(": ")[0] for p in problems] == [f"{path}:3", f"{path}:4", f"{path}:4", f"{path}:5"]
    assert (
        "duplicate" in problems[1] and "routing_profile 'nope'" in problems[2] and "team 'GEN'" in problems[3]
    )


def test_not_utf8_empty_and_missing_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + GOOD).encode("cp949"))
    assert _problems(latin) == [f"{latin}: not UTF-8 text (in Excel: Save As > CSV UTF-8)"]
    empty = _csv(tmp_path, "", name="empty.csv")
    assert _problems(empty) == [f"{empty}:1: empty file; the first line must be the header"]
    missing = tmp_path / "missing.csv"
    assert _problems(missing) == [f"{missing}: cannot read (No such file or directory)"]


# ---- names ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "family", "given"),
    [
        ("김민준", "김", "민준"),
        ("이솔", "이", "솔"),
        ("남궁민수", "남궁", "민수"),
        ("황보예린", "황보", "예린"),
        ("제갈량", "제갈", "량"),
        ("선우재덕", "선우", "재덕"),
        ("독고영재", "독고", "영재"),
        ("사공민", "사공", "민"),
        ("서문탁", "서문", "탁"),
        ("황 보라", "황", "보라"),  # a space says where the family name ends
        ("남궁 민수", "남궁", "민수"),
        ("John Smith", "Smith", "John"),
        ("Mary Ann Lee", "Lee", "Mary Ann"),
    ],
)
def test_split_name(name: str, family: str, given: str) -> None:
    assert a.split_name(name) == (family, given)


def test_full_name_reverses_the_split() -> None:
    assert a.full_name("남궁", "민수") == "남궁민수"
    assert a.full_name("Smith", "John") == "John Smith"


# ---- logins for offboarding -----------------------------------------------------------------------
def test_read_logins_takes_the_login_column_only(tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + GOOD + GOOD + "ga.oh,,,,,,,,\n")
    assert a.read_logins(path) == ["ts.kim", "ga.oh"]


def test_read_logins_reports_bad_rows_and_a_missing_column(tmp_path: Path) -> None:
    path = _csv(tmp_path, "login,name\nts kim,김\n,이\n")
    with pytest.raises(a.CsvError) as caught:
        a.read_logins(path)
    assert [p.split(": ")[0] for p in caught.value.problems] == [f"{path}:2", f"{path}:3"]
    no_login = _csv(tmp_path, "user,name\nts.kim,김\n", name="other.csv")
    with pytest.raises(a.CsvError, match="no login column"):
        a.read_logins(no_login)


# ---- the instance and passwords -------------------------------------------------------------------
def test_instance_problems_name_the_rows_and_what_exists(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, HEADER + GOOD + GOOD.replace("ts.kim", "ts.lee").replace(",,EC2", ",Quality Manager,EC2")
    )
    rows = a.read_csv(path, config())
    instance = a.Instance(
        "i-1",
        "arn:aws:connect:ap-northeast-2:1:instance/i-1",
        "CONNECT_MANAGED",
        {"MSP TS Engineer": "rp-1"},
        {"AICC Agent": "sp-1", "AICC Admin": "sp-3"},
    )
    assert a.instance_problems(path, rows, instance, config()) == [
        f"{path}:3: security profile(s) 'Quality Manager' do not exist in instance i-1; there: AICC Admin, AICC Agent"
    ]
    no_profiles = a.Instance("i-1", "", "SAML", {}, {"AICC Agent": "sp-1"})
    routing = [
        p.split(": ")[0]
        for p in a.instance_problems(path, rows, no_profiles, config())
        if "routing profile 'MSP TS Engineer' (msp_ts_engineer) does not exist" in p
    ]
    assert routing == [f"{path}:2", f"{path}:3"]


def test_generated_passwords_meet_connects_pattern() -> None:
    shape = botocore.session.get_session().get_service_model("connect").shape_for("Password")
    pattern = re.compile(shape.metadata["pattern"].strip("/"))
    passwords = {a.new_password() for _ in range(200)}
    assert len(passwords) == 200
    assert all(pattern.fullmatch(p) and any(c in "!#%+-=?@^_" for c in p) for p in passwords)


def test_the_secrets_kms_key_is_the_kms_key_arn_output_of_the_env(tmp_path: Path) -> None:
    """Read from the outputs `deploy apply` saved; nothing locally, without --env, or without the output."""
    key = "arn:aws:kms:ap-northeast-2:111122223333:key/0b7e3f4c-1d2e-4f60-8a9b-0c1d2e3f4a5b"
    for env, outputs in (
        ("dev", {"kms_key_arn": {"value": key}}),
        ("old", {"instance_id": {"value": "i-1"}}),
    ):
        env_dir = tmp_path / "envs" / env
        env_dir.mkdir(parents=True)
        (env_dir / "terraform.tfvars").write_text(f'env = "{env}"\n', encoding="utf-8")
        (env_dir / "outputs.json").write_text(json.dumps(outputs), encoding="utf-8")

    def kms_key(env: str | None = None, local: bool = False) -> str | None:
        target = Target(env=env, local=local, terraform_dir=tmp_path)
        return a.secrets_kms_key(OpsContext(target, config()))

    assert kms_key(env="dev") == key
    assert kms_key(env="old") is None  # deployed before the root module exported it
    assert kms_key() is None
    assert kms_key(local=True) is None


# ---- Connect's own limits (botocore's CreateUser model and the API reference) -----------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("김민준", "Minjun " + "K" * 301), "family name has 301 characters; Connect allows at most 300"),
        (("김민준", "M" * 256 + " Kim"), "given name has 256 characters; Connect allows at most 255"),
        (("ts.kim@saltware.co.kr", "t" * 250 + "@saltware.co.kr"), "email has 265 characters"),
        (("EC2;VPC", "ec2;VPC"), "skill 'ec2' is written 'EC2' in queues.yaml"),
        (("EC2;VPC", "X" * 101), "has 101 characters; Connect allows at most 100"),
    ],
)
def test_connect_refusals_are_found_in_the_file(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = _csv(tmp_path, HEADER + GOOD.replace(*change))
    problems = _problems(path)
    assert any(message in p for p in problems), problems


def test_decomposed_hangul_is_sent_as_connect_takes_it(tmp_path: Path) -> None:
    """Connect refuses names not in NFC; a file saved on macOS may hold decomposed Hangul."""
    (row,) = a.read_csv(
        _csv(tmp_path, HEADER + GOOD.replace("김민준", unicodedata.normalize("NFD", "김민준"))), config()
    )
    assert (row.name, row.last_name, row.first_name) == ("김민준", "김", "민준")


def test_the_user_name_limit_follows_the_identity_type(tmp_path: Path) -> None:
    login = "ts.kim.twenty.one.ch"  # 20: Connect-managed allows it, one more does not
    (row,) = a.read_csv(_csv(tmp_path, HEADER + GOOD.replace("ts.kim,", f"{login}x,", 1)), config())
    routing = {p.name: p.name for p in config().routing_profiles.values()}
    security = {"AICC Agent": "agent"}
    managed = a.Instance("i", "arn", "CONNECT_MANAGED", routing, security)
    saml = a.Instance("i", "arn", "SAML", routing, security)
    (problem,) = a.instance_problems(tmp_path, [row], managed, config())
    assert "has 21 characters; an instance with CONNECT_MANAGED identities allows at most 20" in problem
    assert a.instance_problems(tmp_path, [row], saml, config()) == []


def test_the_quota_time_of_a_run() -> None:
    limiter = ConnectLimiter(2.0, 5)
    assert limiter.seconds_for(4) == 0  # the burst, less the token left to the service
    assert limiter.seconds_for(200) == pytest.approx(196 / 2.0)  # then Connect's own 2/s
    # Each operation has its own bucket: the busiest one bounds the run.
    assert limiter.seconds_for_calls({"CreateUser": 189, "SearchUsers": 2}) == pytest.approx(185 / 2.0)
    assert ConnectLimiter(0, 5).seconds_for(200) == 0  # no limit (a local stack started so)


def test_a_mobile_column_gives_the_number_pages_reach(tmp_path: Path) -> None:
    text = HEADER.replace("skills\n", "skills,mobile\n") + GOOD.replace("\n", ",010-5550-2001\n")
    text += "ts.lee,이서준,ts.lee@saltware.co.kr,TS,TS1,agent,msp_ts_engineer,,,\n"
    kim, lee = a.read_csv(_csv(tmp_path, text), config())
    assert (kim.mobile, lee.mobile) == ("+821055502001", "")  # E.164; empty clears it
    (row,) = a.read_csv(_csv(tmp_path, HEADER + GOOD, name="no-mobile.csv"), config())
    assert row.mobile is None  # no column: the record's number is kept


def test_a_mobile_that_cannot_be_dialled_is_named(tmp_path: Path) -> None:
    text = HEADER.replace("skills\n", "skills,mobile\n") + GOOD.replace("\n", ",12345\n")
    (problem,) = _problems(_csv(tmp_path, text))
    assert problem.startswith(
        f"{tmp_path / 'agents.csv'}:2: mobile '12345' is not a phone number pages can reach"
    )
