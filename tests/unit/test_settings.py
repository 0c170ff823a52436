"""The data files load, cross-check, and name the file and field of every problem."""

from __future__ import annotations

import shutil
from datetime import date, time
from pathlib import Path

import pytest

from aicc.settings import DEFAULT_CONFIG_DIR, ConfigError, load_config


def test_shipped_configuration() -> None:
    cfg = load_config()
    names = {q.name: (q.priority, q.sla_seconds, q.sla_next_business_day) for q in cfg.queues.values()}
    assert names == {
        "MSP Emergency": (1, 900, False),
        "MSP General": (2, 1800, False),
        "General Customer": (3, 3600, False),
        "After Hours": (4, None, True),
    }
    business = cfg.hours["business"]
    assert str(business.time_zone) == "Asia/Seoul" and business.holidays
    assert set(business.schedule) == {"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"}
    assert business.schedule["MONDAY"].contains(time(9, 0)) and not business.schedule["MONDAY"].contains(
        time(18, 0)
    )
    assert cfg.hours["always"].schedule["SUNDAY"].contains(time(23, 59))
    assert date(2026, 12, 31) in cfg.holidays.closed
    assert cfg.escalation.chain == ("ts_primary", "ts_secondary", "part_members", "general_agent")
    # SSML prompts are recognised by their <speak> root (they go in a block's SSML parameter).
    assert cfg.prompts["email_address"].text().startswith("<speak>")
    assert cfg.prompts["welcome"].text("en-US").startswith("Hello")


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path, dirs_exist_ok=True)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "queues.yaml",
            "priority: 1\n",
            "priority: high\n",
            "queues.yaml: queues.msp_emergency.priority: must be int",
        ),
        (
            "queues.yaml",
            "max_contacts: 8\n",
            "max_contacts: 0\n",
            "queues.yaml: queues.msp_general.max_contacts: must be at least 1",
        ),
        (
            "queues.yaml",
            "hours: business\n",
            "hours: office\n",
            "queues.yaml: queues.msp_general.hours: unknown hours 'office'",
        ),
        (
            "queues.yaml",
            "    sla_seconds: 900\n",
            "",
            "queues.yaml: queues.msp_emergency: set exactly one of sla_seconds",
        ),
        (
            "queues.yaml",
            "name: MSP General",
            "name: MSP Emergency",
            "queues.yaml: queues.msp_general.name: queue name 'MSP Emergency' is used twice",
        ),
        (
            "hours.yaml",
            'MONDAY: { start: "09:00", end: "18:00" }',
            'MONDAY: { start: "9am", end: "18:00" }',
            "hours.yaml: hours.business.schedule.MONDAY.start: must be a time",
        ),
        (
            "hours.yaml",
            'FRIDAY: { start: "09:00", end: "18:00" }',
            'FRIDAY: { start: "18:00", end: "09:00" }',
            "hours.yaml: hours.business.schedule.FRIDAY: end 09:00 must be after start 18:00",
        ),
        (
            "hours.yaml",
            "time_zone: Asia/Seoul",
            "time_zone: Asia/Busan",
            "hours.yaml: hours.business.time_zone: unknown time zone 'Asia/Busan'",
        ),
        (
            "hours.yaml",
            "  MONDAY:",
            "  MONDAYS:",
            "hours.yaml: hours.business.schedule.MONDAYS: day must be one of",
        ),
        (
            "holidays.yaml",
            'date: "2026-12-31"',
            'date: "2026-13-31"',
            "holidays.yaml: closed[0].date: must be a date YYYY-MM-DD",
        ),
        ("holidays.yaml", "country: KR", "country: XX", "holidays.yaml: country: 'XX' is not a country"),
        (
            "routing_profiles.yaml",
            "{ queue: msp_general, priority: 2, delay: 0 }",
            "{ queue: vip, priority: 2, delay: 0 }",
            "routing_profiles.yaml: routing_profiles.msp_ts_engineer.queues[1].queue: unknown queue 'vip'",
        ),
        (
            "routing_profiles.yaml",
            "media: { VOICE: 1, CHAT: 3 }",
            "media: { VOICE: 1, CHAT: 11 }",
            "routing_profiles.yaml: routing_profiles.msp_ts_engineer.media.CHAT: contacts at once: 1-10 for CHAT",
        ),
        (
            "routing_profiles.yaml",
            "media: { VOICE: 1, CHAT: 3 }",
            "media: { VOICE: 1, EMAIL: 3 }",
            "routing_profiles.yaml: routing_profiles.msp_ts_engineer.media.EMAIL: must be one of VOICE, CHAT",
        ),
        (
            "escalation.yaml",
            "wait_seconds: 60",
            "wait_seconds: 5",
            "escalation.yaml: escalation.wait_seconds: must be between 20 and 600",
        ),
        (
            "escalation.yaml",
            "chain: [ts_primary,",
            "chain: [cto,",
            "escalation.yaml: escalation.chain[0]: unknown step 'cto'",
        ),
        (
            "prompts.yaml",
            "  welcome:\n    ko-KR:",
            "  welcome:\n    ja-JP:",
            "prompts.yaml: prompts.welcome.ko-KR: is required",
        ),
        (
            "tables.yaml",
            "hash_key: customer_id",
            "hash_key: id",
            "tables.yaml: tables.customers.attributes: key attribute 'id' is not declared",
        ),
        (
            "intents.yaml",
            '"{CompanyName}입니다"',
            '"{Company}입니다"',
            "intents.yaml: intents.ProvideCompanyName.utterances.ko_KR[1]: uses undefined slot {Company}",
        ),
        (
            "intents.yaml",
            "locales: [ko_KR, en_US]",
            "locales: [ko-KR, en_US]",
            "intents.yaml: locales[0]: must be a Lex locale ID such as ko_KR, got 'ko-KR'",
        ),
        (
            "intents.yaml",
            "locales: [ko_KR, en_US]",
            "locales: [ko_KR]",
            "intents.yaml: intents.ProvideCompanyName.utterances.en_US: not a bot locale (locales: ko_KR)",
        ),
        (
            "intents.yaml",
            "transliterations:\n      [이씨투,",
            "transliterations:\n      [이씨쓰리,",
            "intents.yaml: slot_types.ServiceName.transliterations[0]: '이씨쓰리' is not one of the synonyms",
        ),
        ("queues.yaml", "queues:\n", "queues: [\n", "queues.yaml: line"),
    ],
)
def test_errors_name_file_and_field(config_dir: Path, file: str, old: str, new: str, expected: str) -> None:
    _edit(config_dir / file, old, new)
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir)
    assert str(caught.value).startswith(expected), str(caught.value)


def test_missing_file_says_where_it_was_looked_for(config_dir: Path) -> None:
    (config_dir / "hours.yaml").unlink()
    with pytest.raises(ConfigError, match=r"hours\.yaml: -: file not found in"):
        load_config(config_dir)


def test_environment_variable_selects_the_directory(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _edit(config_dir / "escalation.yaml", "wait_seconds: 60", "wait_seconds: 90")
    monkeypatch.setenv("AICC_CONFIG_DIR", str(config_dir))
    assert load_config().escalation.wait_seconds == 90


def test_queue_rebalance_rules(config_dir: Path) -> None:
    queues = load_config().queues
    assert (queues["msp_emergency"].min_staffing, queues["msp_emergency"].required_skills) == (2, ("EC2",))
    assert (queues["after_hours"].min_staffing, queues["after_hours"].required_skills) == (0, ())
    for old, new, expected in [
        (
            "min_staffing: 2\n",
            "min_staffing: -1\n",
            "queues.yaml: queues.msp_emergency.min_staffing: must be 0 or more",
        ),
        (
            "min_staffing: 2\n",
            "min_staffing: two\n",
            "queues.yaml: queues.msp_emergency.min_staffing: must be int",
        ),
        (
            "required_skills: [EC2]",  # the first one: msp_emergency
            "required_skills: EC2",
            "queues.yaml: queues.msp_emergency.required_skills: must be list",
        ),
        (
            "required_skills: [Account]",
            "required_skills: [Account, 7]",
            "queues.yaml: queues.general_customer.required_skills[1]: must be a skill name",
        ),
        (
            "required_skills: [Account]",
            "required_skills: [Account, Account]",
            "queues.yaml: queues.general_customer.required_skills[1]: 'Account' is listed twice",
        ),
    ]:
        shutil.copy(DEFAULT_CONFIG_DIR / "queues.yaml", config_dir / "queues.yaml")
        _edit(config_dir / "queues.yaml", old, new)
        with pytest.raises(ConfigError) as caught:
            load_config(config_dir)
        assert str(caught.value).startswith(expected), str(caught.value)


def test_ops_only_files_are_read_on_first_use(config_dir: Path) -> None:
    # A Lambda's cold start loads the config: it does not parse what only the ops side reads.
    _edit(config_dir / "security_profiles.yaml", "    name: AICC Agent", "    name: [AICC Agent]")
    _edit(config_dir / "functions.yaml", "invoked_by: lex", "invoked_by: sqs")
    cfg = load_config(config_dir)
    with pytest.raises(
        ConfigError, match=r"^security_profiles\.yaml: security_profiles\.agent\.name: must be str"
    ):
        _ = cfg.security_profiles
    with pytest.raises(ConfigError, match=r"^functions\.yaml: functions\.\w+\.invoked_by: must be one of"):
        _ = cfg.invoked_by
    assert load_config().security_profiles["admin"].permissions[0] == "BasicAgentAccess"  # includes first
    assert load_config().invoked_by["agent_events"] == "kinesis"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "risk_share: 0.8",
            "risk_share: 1",
            "monitoring.yaml: sla_monitor.risk_share: must be above 0 and below 1",
        ),
        (
            'slack_channel: "#aicc-sla"',
            'slack_channel: " "',
            "monitoring.yaml: sla_monitor.slack_channel: must",
        ),
    ],
)
def test_monitoring_yaml_errors_name_the_field(config_dir: Path, old: str, new: str, expected: str) -> None:
    _edit(config_dir / "monitoring.yaml", old, new)
    cfg = load_config(config_dir)  # read by the SLA monitor only, on first use
    with pytest.raises(ConfigError) as caught:
        _ = cfg.sla_monitor
    assert str(caught.value).startswith(expected), str(caught.value)
    assert 0 < load_config().sla_monitor.risk_share < 1
