"""Per-call costs measured on the local stack: what each call invokes, asks of Connect and speaks."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from aicc_ops.admin.call_costs import CallCosts, CostsError, measure
from aicc_ops.local.scenarios import DEMO_CALLS, DemoCall
from aicc_ops.local.seed import SAMPLE_DIR

AUTHENTICATED = next(c for c in DEMO_CALLS if c.name == "MSP outage (speech auth)")
AFTER_HOURS = next(c for c in DEMO_CALLS if c.name == "After hours: MSP emergency")


def test_a_calls_invocations_lex_turns_prompts_and_analytics_are_counted() -> None:
    costs = measure([AUTHENTICATED, AUTHENTICATED])
    assert costs.calls == 2
    # Each call: hours, the lookup, the call log; the Lex code hook on the bot's turns.
    assert costs.invocations["business_hours"] == 1.0 and costs.invocations["customer_lookup"] == 1.0
    assert costs.lex_turns >= 2 and costs.invocations["lex_hook"] >= 1
    assert costs.tts_prompts >= 3 and costs.tts_characters > 10 * costs.tts_prompts
    assert costs.analytics == 1.0  # the entry flow turns real-time analytics on for every call
    assert costs.connect_api == {}  # the engineers are signed in: routed, never paged
    assert set(costs.local_ms) == set(costs.invocations)


def test_page_calls_to_engineers_not_signed_in_are_counted_as_connect_api_calls(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    agents = data / "agents.csv"
    with agents.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # every engineer at home with a phone: the escalation pages them
        row["status"], row["mobile"] = "OFFLINE", "+821055500000"
    with agents.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    costs = measure(
        [DemoCall(AFTER_HOURS.name, AFTER_HOURS.number, AFTER_HOURS.at, AFTER_HOURS.inputs)], data
    )
    assert costs.connect_api.get("StartOutboundVoiceContact", 0) >= 1
    assert costs.invocations["escalation"] >= 1


def test_costs_survive_a_file_round_trip(tmp_path: Path) -> None:
    costs = CallCosts(
        3, "x", {"call_log": 1.5}, {"StartOutboundVoiceContact": 0.2}, 2.0, 10.0, 400.0, 1.0, {}
    )
    path = tmp_path / "costs.json"
    costs.save(path)
    again = CallCosts.load(path)
    assert again.invocations == costs.invocations and again.connect_api == costs.connect_api
    assert again.source == str(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [("not json", "not JSON"), ('{"calls": 1}', "no 'invocations'"), ('{"calls": "x"}', "numbers")],
)
def test_a_bad_costs_file_says_what_to_fix(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "costs.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CostsError, match=problem):
        CallCosts.load(path)
