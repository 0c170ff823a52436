"""The steps' and transcript's `at`: the contact's clock when each was written."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from aicc_ops.engine.interpreter import _Run


def test_a_stamp_is_the_clock_now_formatted_whenever_the_clock_moved() -> None:
    run = _Run.__new__(_Run)
    run._stamped = (None, "")
    start = datetime(2026, 11, 25, 10, 0, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    run.c = SimpleNamespace(now=start)
    seen = []
    for seconds in (0, 0, 1.5, 1.5, 0, 3600, 86400 * 40):
        run.c.now = run.c.now + timedelta(seconds=seconds) if seconds else run.c.now
        seen.append((run.stamp(), run.c.now.isoformat()))
    run.c.now = datetime(2026, 11, 25, 10, 0, 0, tzinfo=ZoneInfo("UTC"))  # an equal instant, another zone
    seen.append((run.stamp(), run.c.now.isoformat()))
    assert [mine for mine, _ in seen] == [theirs for _, theirs in seen]
    assert len({mine for mine, _ in seen}) == 6
