"""`aicc-ops report` on a seeded local stack: seed, then the week's report in both formats."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import StackCliRunner

from aicc.domain.report import build_report, call_log_entries, latest_records, period_for
from aicc.settings import load_config
from aicc_ops.cli.report import report
from aicc_ops.reports import synthetic

pytestmark = pytest.mark.slow  # the local stack server takes seconds to start

SUNDAY = date(2026, 11, 29)


def run(*args: str) -> Any:
    result = StackCliRunner().invoke(report, list(args))
    assert result.exit_code == 0, result.output + str(result.exception)
    return result


def test_seeded_week_reports_the_numbers_it_was_seeded_with(local_server: Any, tmp_path: Path) -> None:
    target = ("--local", "--state-dir", local_server.state_dir)
    seeded = run("seed", *target, "--days", "14", "--until", SUNDAY.isoformat())
    again = run("seed", *target, "--days", "14", "--until", SUNDAY.isoformat())
    assert seeded.output == again.output  # deterministic: the same calls again
    table = local_server.client("dynamodb").scan(TableName=local_server.tables["call_logs"], Select="COUNT")
    assert table["Count"] == int(re.search(r"(\d+) call-log items", seeded.output).group(1))  # type: ignore[union-attr]

    # What the seed wrote, computed without the stack: the report must find exactly that.
    cfg = load_config()
    days = [SUNDAY - timedelta(days=i) for i in range(14)]
    traffic = synthetic.generate(cfg, days, "arn")
    period = period_for("weekly", SUNDAY)
    expected = build_report(
        cfg, period, latest_records(traffic.records), call_log_entries(traffic.call_logs), period.end
    ).current
    assert expected.volume > 0 and expected.emergencies > 0 and expected.abandoned > 0

    md = run("weekly", *target, "--date", "2026-11-25").output
    assert f"| {expected.volume} | {expected.answered} | {expected.abandoned} |" in md
    for q in expected.queues:
        assert re.search(rf"^\| {re.escape(q.name)} \| [^|]+ \| {q.offered} \| {q.answered} \|", md, re.M)

    out = tmp_path / "week.html"
    run("weekly", *target, "--date", "2026-11-25", "--format", "html", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 5
    assert not re.search(r"https?://", html)


def test_a_period_without_calls_says_so(local_server: Any) -> None:
    result = run("daily", "--local", "--state-dir", local_server.state_dir, "--date", "2020-01-01")
    assert "no calls" in result.output


def test_seed_refuses_anything_but_the_local_stack() -> None:
    result = StackCliRunner().invoke(report, ["seed", "--env", "prod"])
    assert result.exit_code == 2
    assert "--local" in result.output


def test_slack_posts_exactly_one_summary_with_the_reports_figures(
    local_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from aicc.adapters.slack import BASE_URL_ENV
    from aicc_ops.cli.sla import local_token
    from aicc_ops.local.slack_receiver import SlackReceiver

    target = ("--local", "--state-dir", local_server.state_dir)
    run("seed", *target, "--days", "14", "--until", SUNDAY.isoformat())
    cfg = load_config()
    traffic = synthetic.generate(cfg, [SUNDAY - timedelta(days=i) for i in range(14)], "arn")
    period = period_for("weekly", SUNDAY)
    m = build_report(
        cfg, period, latest_records(traffic.records), call_log_entries(traffic.call_logs), period.end
    ).current

    out = tmp_path / "week.md"
    with SlackReceiver(local_token(local_server)) as receiver:
        monkeypatch.setenv(BASE_URL_ENV, receiver.base_url)
        run("weekly", *target, "--date", "2026-11-25", "--out", str(out), "--slack")
        posted = receiver.taken()
    assert len(posted) == 1
    message = posted[0]
    assert message["channel"] == cfg.report_slack_channel
    blocks = str(message["blocks"])
    for figure in (f"{m.volume:,}", f"{m.answered:,}", f"{m.abandoned:,}"):
        assert figure in blocks
    for q in m.queues:
        assert f"{q.name} (SLA {q.sla}): {q.sla_percent:.1f}% of {q.offered:,}" in blocks
    assert str(out) in blocks
