"""The operating report's numbers on a small hand-made set of contact records and call logs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from report_data import AFTER_HOURS, CFG, EMERGENCY, GENERAL, KST, LOGS, RECORDS, WED, ctr, log, sla, ts

from aicc.domain.report import (
    CallLogEntry,
    ContactRecord,
    build_report,
    call_log_entries,
    latest_records,
    metrics,
    period_for,
)


def day_metrics(records: list[dict[str, Any]] = RECORDS, logs: list[dict[str, Any]] = LOGS) -> Any:
    return metrics(
        CFG, period_for("daily", date(2026, 11, 25)), latest_records(records), call_log_entries(logs)
    )


def test_volume_answered_abandoned_callback_and_self_service() -> None:
    m = day_metrics()
    assert (m.volume, m.answered, m.abandoned, m.to_callback, m.self_service, m.unrecorded) == (
        7,
        3,
        1,
        1,
        1,
        1,
    )
    assert m.abandon_percent == pytest.approx(25.0)


def test_sla_per_queue_counts_answers_and_callbacks_within_the_queues_sla() -> None:
    queues = {q.key: q for q in day_metrics().queues}
    emergency, general = queues["msp_emergency"], queues["general_customer"]
    assert (emergency.offered, emergency.answered, emergency.within_sla) == (2, 2, 1)
    assert emergency.sla_percent == pytest.approx(50.0)
    # g1 answered, g2 abandoned (a miss), g3 called back 20 min later (within the hour)
    assert (
        general.offered,
        general.answered,
        general.abandoned,
        general.to_callback,
        general.within_sla,
    ) == (3, 1, 1, 1, 2)
    assert queues["msp_general"].sla_percent is None  # offered nothing: no figure, not 0 %


def test_average_speed_of_answer_is_the_queue_wait_of_the_answered() -> None:
    m = day_metrics()
    queues = {q.key: q for q in m.queues}
    assert queues["msp_emergency"].asa_seconds == pytest.approx((30 + sla(EMERGENCY) + 60) / 2)
    assert m.asa_seconds == pytest.approx((30 + sla(EMERGENCY) + 60 + 120) / 3)


def test_emergencies_escalation_depth_pages_callbacks_agents_sentiment() -> None:
    m = day_metrics()
    assert (m.emergencies, m.escalations) == (2, 2)
    assert dict(m.escalation_depths) == {1: 1, 3: 1}  # e2 paged up to chain step 2 (index): 3 steps
    assert (m.pages, m.pages_acked) == (2, 1)
    assert (m.callbacks_requested, m.callbacks_made, m.callbacks_answered) == (1, 1, 1)
    assert [(a.login, a.handled, a.talk_seconds) for a in m.agents] == [
        ("ga.han", 2, 300),
        ("ts.choi", 1, 300),
        ("ts.park", 1, 600),
    ]
    assert dict(m.sentiment) == {"POSITIVE": 1, "NEUTRAL": 1, "NEGATIVE": 1}
    assert m.sentiment_worsening == 1


def test_next_business_day_queue_is_met_by_a_callback_before_the_next_business_day_closes() -> None:
    friday_night = datetime(2026, 11, 27, 21, 0, tzinfo=UTC) - KST  # Fri 21:00 KST
    monday = datetime(2026, 11, 30, 17, 0, tzinfo=UTC) - KST  # Mon 17:00 KST, before 18:00
    records = [
        ctr("a", friday_night, AFTER_HOURS),
        ctr("b", friday_night, AFTER_HOURS),
        ctr("ca", monday, GENERAL, wait=0, agent="ga.oh", method="CALLBACK", previous="a"),
        ctr(
            "cb", monday + timedelta(hours=2), GENERAL, wait=0, agent="ga.oh", method="CALLBACK", previous="b"
        ),
    ]
    logs = [log(c, friday_night, callback_requested=True) for c in ("a", "b")]
    m = metrics(CFG, period_for("daily", date(2026, 11, 27)), latest_records(records), call_log_entries(logs))
    queue = next(q for q in m.queues if q.key == AFTER_HOURS.key)
    assert (queue.offered, queue.to_callback, queue.within_sla) == (2, 2, 1)


def test_a_record_delivered_twice_counts_once_with_its_newest_copy() -> None:
    first = ctr("g2", WED, GENERAL)
    again = ctr("g2", WED, GENERAL, wait=10, agent="ga.seo")
    again["LastUpdateTimestamp"] = ts(WED + timedelta(hours=2))
    m = day_metrics([again, first], [])
    assert (m.volume, m.answered, m.abandoned) == (1, 1, 0)


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        ("daily", date(2026, 11, 25), "2026-11-25T00:00:00+09:00", "2026-11-26T00:00:00+09:00"),
        ("weekly", date(2026, 11, 25), "2026-11-23T00:00:00+09:00", "2026-11-30T00:00:00+09:00"),
        ("weekly", date(2026, 11, 29), "2026-11-23T00:00:00+09:00", "2026-11-30T00:00:00+09:00"),  # Sunday
        ("weekly", date(2026, 11, 30), "2026-11-30T00:00:00+09:00", "2026-12-07T00:00:00+09:00"),  # Monday
        ("monthly", date(2026, 12, 31), "2026-12-01T00:00:00+09:00", "2027-01-01T00:00:00+09:00"),
        ("monthly", date(2026, 2, 14), "2026-02-01T00:00:00+09:00", "2026-03-01T00:00:00+09:00"),
    ],
)
def test_periods_are_korean_calendar_days_weeks_from_monday_and_months(
    kind: str, day: date, start: str, end: str
) -> None:
    period = period_for(kind, day)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    assert period.previous().end == period.start


def test_a_period_holds_the_instants_from_its_start_to_just_before_its_end() -> None:
    # `in` is [start, end): a Period is a NamedTuple, and a tuple's own `in` would look at its fields.
    period = period_for("daily", date(2026, 11, 25))
    tick = timedelta(microseconds=1)
    assert period.start in period and period.end - tick in period
    assert period.end not in period and period.start - tick not in period


def test_a_call_at_0830_kst_belongs_to_that_korean_day_not_utcs_previous_one() -> None:
    early = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # 2026-11-25 08:30 KST
    late = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 2026-11-26 00:00 KST: the next day
    m = day_metrics([ctr("a", early), ctr("b", late)], [])
    assert m.volume == 1
    assert dict(m.by_bucket)["08"] == 1


def test_trends_compare_with_the_previous_period_of_the_same_length() -> None:
    tuesday = [
        ctr("t1", WED - timedelta(days=1), GENERAL),
        ctr("t2", WED - timedelta(days=1), GENERAL, wait=5, agent="ga.oh"),
    ]
    report = build_report(
        CFG,
        period_for("daily", date(2026, 11, 25)),
        latest_records([*RECORDS, *tuesday]),
        call_log_entries(LOGS),
        WED,
    )
    assert report.previous.period == period_for("daily", date(2026, 11, 24))
    trends = {t.name: t for t in report.trends}
    volume = next(t for t in report.trends if t.unit == "" and t.current == 7)
    assert (volume.previous, volume.change) == (2, 5)
    abandon = [t for t in trends.values() if t.unit == "%" and t.better == "down" and t.previous == 50.0]
    assert abandon and abandon[0].change == pytest.approx(-25.0)


def test_an_empty_period_has_no_figures_rather_than_a_crash() -> None:
    m = metrics(CFG, period_for("monthly", date(2020, 1, 1)), latest_records(RECORDS), call_log_entries(LOGS))
    assert m.empty
    assert (m.sla_percent, m.asa_seconds, m.abandon_percent, m.negative_percent) == (None, None, None, None)


def test_unreadable_records_and_logs_are_skipped() -> None:
    assert latest_records([{"ContactId": "x"}, {"InitiationTimestamp": ts(WED)}]) == []
    assert call_log_entries([{"contact_id": "x"}]) == []
    assert CallLogEntry.from_item({"contact_id": "x", "created_at": WED.isoformat()}) is not None
    assert ContactRecord.from_ctr(ctr("x", WED)) is not None
