"""`aicc-ops report backfill`: call-log items written before `created_day` existed reach the reports."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers import StackCliRunner

from aicc.adapters.reports import read_call_logs
from aicc_ops.cli.report import report
from aicc_ops.reports import backfill, sources
from aicc_ops.reports.backfill import backfill_created_day

DAY = date(2026, 11, 25)  # Asia/Seoul
# Written before created_day existed: created_at only. 15:30 UTC on the 24th is the 25th in Seoul.
OLD = {"late-evening": "2026-11-24T15:30:00.000+00:00", "morning": "2026-11-25T01:00:00.000+00:00"}


def put_old_items(client: Any, table: str) -> None:
    for contact, created in OLD.items():
        client.put_item(
            TableName=table,
            Item={"contact_id": {"S": contact}, "created_at": {"S": created}, "queued_at": {"S": created}},
        )


def test_items_without_created_day_reach_the_report_and_a_second_run_changes_nothing(
    aws: dict[str, str],
) -> None:
    client, table = boto3.client("dynamodb"), aws["CALL_LOGS_TABLE"]
    put_old_items(client, table)
    current = {
        "contact_id": {"S": "new"},
        "created_at": {"S": OLD["morning"]},
        "created_day": {"S": "2026-11-25"},
    }
    client.put_item(TableName=table, Item=current)
    client.put_item(
        TableName=table, Item={"contact_id": {"S": "no-time"}, "queued_at": {"S": OLD["morning"]}}
    )
    assert [i["contact_id"] for i in read_call_logs(client, table, DAY)] == ["new"]

    dry = backfill_created_day(client, table, dry_run=True, page_size=1)
    assert (dry.scanned, dry.updated, dry.already_set, dry.no_created_at) == (4, 2, 1, 1)
    assert [i["contact_id"] for i in read_call_logs(client, table, DAY)] == ["new"]  # nothing written

    done = backfill_created_day(client, table, page_size=1)  # one item a page: every page is read
    assert (done.scanned, done.updated, done.already_set, done.no_created_at) == (4, 2, 1, 1)
    logs = read_call_logs(client, table, DAY)
    assert sorted(i["contact_id"] for i in logs) == ["late-evening", "morning", "new"]
    assert next(i for i in logs if i["contact_id"] == "morning")["queued_at"] == OLD["morning"]  # kept

    again = backfill_created_day(client, table)
    assert (again.scanned, again.updated, again.already_set) == (4, 0, 3)


def test_an_old_item_filed_under_a_later_write_s_day_is_corrected(
    aws: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item from before the upgrade, updated on a later Seoul day: the writer's if_not_exists
    gave it that day, and the report (created_at in the period) counted it on neither."""
    client, table = boto3.client("dynamodb"), aws["CALL_LOGS_TABLE"]
    later = DAY.replace(day=DAY.day + 1).isoformat()
    for contact, created in OLD.items():
        client.put_item(
            TableName=table,
            Item={
                "contact_id": {"S": contact},
                "created_at": {"S": created},
                "created_day": {"S": later},
            },
        )
    dry = backfill_created_day(client, table, dry_run=True)
    assert (dry.updated, dry.corrected, dry.already_set) == (0, 2, 0)
    assert "would correct it on 2" in dry.summary(True)
    assert read_call_logs(client, table, DAY) == []

    real = backfill._set_day

    def rewritten_meanwhile(
        dynamodb: Any, name: str, key: dict[str, Any], day: str, seen: Any = None
    ) -> bool:
        if key["contact_id"] == "morning":  # another run corrected it after this Scan
            client.update_item(
                TableName=name,
                Key={"contact_id": {"S": "morning"}},
                UpdateExpression="SET created_day = :d",
                ExpressionAttributeValues={":d": {"S": day}},
            )
        return real(dynamodb, name, key, day, seen)

    monkeypatch.setattr(backfill, "_set_day", rewritten_meanwhile)
    done = backfill_created_day(client, table)
    assert (done.updated, done.corrected, done.already_set) == (0, 1, 1)
    assert "corrected it on 1" in done.summary(False)
    assert sorted(i["contact_id"] for i in read_call_logs(client, table, DAY)) == sorted(OLD)
    again = backfill_created_day(client, table)
    assert (again.corrected, again.already_set) == (0, 2)


def test_an_item_deleted_after_the_scan_is_not_created_again(
    aws: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, table = boto3.client("dynamodb"), aws["CALL_LOGS_TABLE"]
    put_old_items(client, table)
    real = backfill._set_day

    def expired_meanwhile(dynamodb: Any, name: str, key: dict[str, Any], day: str, seen: Any = None) -> bool:
        dynamodb.delete_item(TableName=name, Key={"contact_id": {"S": key["contact_id"]}})  # TTL
        return real(dynamodb, name, key, day, seen)

    monkeypatch.setattr(backfill, "_set_day", expired_meanwhile)
    counts = backfill_created_day(client, table)
    assert (counts.updated, counts.already_set) == (0, 2)
    assert client.scan(TableName=table)["Items"] == []


def test_backfill_needs_a_target_and_a_running_stack(tmp_path: Path) -> None:
    neither = StackCliRunner().invoke(report, ["backfill"])
    assert neither.exit_code == 2 and "--local" in neither.output
    stopped = StackCliRunner().invoke(report, ["backfill", "--local", "--state-dir", str(tmp_path)])
    assert stopped.exit_code == 1, stopped.output
    assert "Traceback" not in stopped.output and "aicc-ops local up" in stopped.output


@pytest.mark.slow  # the local stack server takes seconds to start
def test_backfill_on_the_local_stack_with_adaptive_retries(
    local_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, table = local_server.client("dynamodb"), local_server.tables["call_logs"]
    put_old_items(client, table)
    modes: list[str] = []

    def recorded(dynamodb: Any, name: str, **kwargs: Any) -> Any:
        modes.append(dynamodb.meta.config.retries["mode"])
        return backfill_created_day(dynamodb, name, **kwargs)

    monkeypatch.setattr(backfill, "backfill_created_day", recorded)
    target = ["--local", "--state-dir", str(local_server.state_dir)]
    first = StackCliRunner().invoke(report, ["backfill", *target])
    assert first.exit_code == 0, first.output
    assert (
        f"{table}: scanned 2 call-log item(s): set created_day on 2, corrected it on 0, 0 already had it"
        in first.output
    )
    assert modes == ["adaptive"]  # a throttled Scan or write slows down instead of failing
    second = StackCliRunner().invoke(report, ["backfill", *target])
    assert "set created_day on 0, corrected it on 0, 2 already had it" in second.output
    s3 = local_server.client("s3")  # no contact records: the calls come from the call log only
    where = {"LocationConstraint": local_server.region}
    s3.create_bucket(
        Bucket=sources.LOCAL_BUCKET,
        **({"CreateBucketConfiguration": where} if local_server.region != "us-east-1" else {}),
    )
    daily = StackCliRunner().invoke(report, ["daily", *target, "--date", DAY.isoformat()])
    assert daily.exit_code == 0, daily.output
    # Both old calls count (volume, awaiting their contact records), the 00:30 one on its Seoul day.
    assert f"| {len(OLD)} | 0 | 0 | 0 | 0 | {len(OLD)} |" in daily.output
