"""The report rendered: Markdown tables, and HTML whose charts are inline SVG with nothing fetched."""

from __future__ import annotations

import re
from datetime import date

import pytest
from report_data import CFG, LOGS, RECORDS, WED

from aicc.domain.report import Report, build_report, call_log_entries, latest_records, period_for
from aicc_ops.reports import render


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(
        CFG, period_for("daily", date(2026, 11, 25)), latest_records(RECORDS), call_log_entries(LOGS), WED
    )


def test_markdown_has_a_table_row_per_queue_and_agent(report: Report) -> None:
    text = render.render(report, "md")
    for queue in CFG.queues.values():
        assert re.search(rf"^\| {re.escape(queue.name)} \|", text, re.M), queue.name
    for agent in report.current.agents:
        assert re.search(rf"^\| {re.escape(agent.login)} \| {agent.handled} \|", text, re.M)
    assert "<svg" not in text


def test_html_has_an_inline_svg_per_chart_and_no_url(report: Report) -> None:
    html = render.render(report, "html")
    charts = render.charts_for(report.current)
    assert html.count("<svg") == len(charts) == 5
    assert not re.search(r"https?://", html)
    assert "<script" not in html and "<img" not in html
    # Korean stays text inside the charts (the browser draws it): no glyphs turned into paths
    assert html.startswith("<!DOCTYPE html>")


def test_an_empty_period_says_so_in_both_formats() -> None:
    empty = build_report(CFG, period_for("weekly", date(2020, 1, 1)), [], [], WED)
    for fmt in render.FORMATS:
        text = render.render(empty, fmt)
        assert render.EMPTY in text
        assert "<svg" not in text
    assert render.EMPTY in render.summary(empty)


def test_summary_names_each_trend(report: Report) -> None:
    text = render.summary(report)
    assert all(t.name in text for t in report.trends)
