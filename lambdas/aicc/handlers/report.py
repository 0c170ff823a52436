"""report: once a day at 09:00 Asia/Seoul (EventBridge schedule, functions.yaml), the reports whose
period has just ended (yesterday; last week on Mondays; last month on the 1st) written to the
reports bucket as Markdown and as HTML with its charts (pygal, loaded when the HTML is rendered) and
summarised in Slack (aicc.adapters.reports, docs/reports.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aicc import clock
from aicc.adapters.reports import ReportJob
from aicc.handlers._prologue import count, logger, scheduled


@scheduled
def handler(event: Mapping[str, Any]) -> dict[str, Any]:
    # The rule's scheduled time, not the clock: a delayed or retried run reports the same periods.
    at = clock.parse_instant(event.get("time")) or clock.now()
    delivered = [d.as_dict() for d in ReportJob().run(at)]
    for d in delivered:
        count("ReportDelivered", kind=d["kind"])
    logger.info("reports delivered", extra={"reports": delivered})
    return {"reports": delivered}
