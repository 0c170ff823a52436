"""`kb recommend` on a running local stack (ports 0, a private state dir): the documents and a
suggested answer for a live contact from what its caller said."""

from __future__ import annotations

import json
from typing import Any

import click
import pytest
from helpers import StackCliRunner

from aicc_ops.cli.kb_recommend import recommend
from aicc_ops.local.call_client import CallClient

pytestmark = pytest.mark.slow  # a local stack server, the knowledge base embedded on first use

DAON = ["say:다온로지스", "say:정하은", "3456#"]


def run(command: click.Command, *args: str) -> Any:
    result = StackCliRunner().invoke(command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_recommend_reads_the_live_transcript(local_server: Any) -> None:
    client = CallClient(local_server.calls_endpoint)
    placed = client.place("+821045678901", [*DAON, "say:이번 달 요금이 너무 많이 나왔어요"], wait=True)
    contact = placed["contact_id"]
    out = json.loads(run(recommend, "--contact", contact, "--json", "--state-dir", local_server.state_dir))
    assert out["contact_id"] == contact and out["query"] == "이번 달 요금이 너무 많이 나왔어요"
    assert out["documents"][0]["doc_id"] == "cost-anomaly-unexpected-bill"
    assert len({d["doc_id"] for d in out["documents"]}) == len(out["documents"]) <= 3
    assert set(out["documents"][0]) == {"doc_id", "title", "score", "text"}
    assert out["suggested_answer"]["doc_id"] == "cost-anomaly-unexpected-bill"
    table = run(recommend, "--contact", contact, "--state-dir", local_server.state_dir)
    assert "cost-anomaly-unexpected-bill" in table and "Suggested answer" in table


def test_recommend_for_an_unknown_contact_says_what_to_do(local_server: Any) -> None:
    result = StackCliRunner().invoke(recommend, ["--contact", "nope", "--state-dir", local_server.state_dir])
    assert result.exit_code == 1 and "contact nope" in result.output and "Traceback" not in result.output
