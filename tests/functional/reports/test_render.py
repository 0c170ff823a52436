"""The report rendered: Markdown tables, and HTML whose charts (pygal) are inline SVG with nothing
fetched: the CLI's and the scheduled job's page alike (aicc.domain.report_render)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from report_data import CFG, LOGS, RECORDS, WED

from aicc.domain import report_charts
from aicc.domain import report_render as render
from aicc.domain.report import Report, build_report, call_log_entries, latest_records, period_for

# Anything a browser would fetch: a src/href to another host (protocol-relative too, as pygal's
# default tooltip script is), a CSS @import or url() of one, an xml-stylesheet instruction.
FETCHED = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?\s*(?:[a-z]+:)?//)|@import|url\(\s*["']?\s*(?:[a-z]+:)?//|<\?xml-stylesheet""",
    re.I,
)


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(
        CFG, period_for("daily", date(2026, 11, 25)), latest_records(RECORDS), call_log_entries(LOGS), WED
    )


@pytest.fixture(scope="module")
def html(report: Report) -> str:
    return render.render(report, "html")


def test_markdown_has_a_table_row_per_queue_and_agent(report: Report) -> None:
    text = render.render(report, "md")
    for queue in CFG.queues.values():
        assert re.search(rf"^\| {re.escape(queue.name)} \|", text, re.M), queue.name
    for agent in report.current.agents:
        assert re.search(rf"^\| {re.escape(agent.login)} \| {agent.handled} \|", text, re.M)
    assert "<svg" not in text


def test_html_has_an_inline_svg_per_chart_and_fetches_nothing(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 5
    assert not FETCHED.search(html), FETCHED.search(html)
    assert not re.search(r"https?://", html)  # not even a namespace URI or pygal's home-page comment
    assert "<script" not in html and "<img" not in html and "<!--" not in html


def test_the_fetch_check_catches_pygals_defaults(report: Report) -> None:
    """pygal's own configuration links its tooltip script from a CDN: what the charts must not do."""
    import pygal

    chart = pygal.Bar()
    chart.add("", [1, 2])
    assert FETCHED.search(chart.render(is_unicode=True))


def test_the_same_report_renders_the_same_bytes(report: Report, html: str) -> None:
    """pygal names each chart with a random id: fixed here, so a run again (or the CLI) matches."""
    assert render.render(report, "html") == html
    ids = re.findall(r'<svg id="([^"]+)"', html)
    assert len(set(ids)) == len(ids) == 5


def test_each_chart_shows_its_data_with_a_title(report: Report) -> None:
    m = report.current
    charts = report_charts.charts_for(m)
    assert set(charts) == {"volume", "sla", "agents", "sentiment", "escalation"}
    for name, svg in charts.items():
        assert re.search(r"<text[^>]*class=\"title\"[^>]*>[^<]+</text>", svg), name
    for label, _ in m.by_bucket:
        assert f">{label}</text>" in charts["volume"]
    for q in m.queues:
        assert f">{q.name}</text>" in charts["sla"]  # Korean or not: text the browser draws
        if q.sla_percent is not None:
            assert f">{render.pct(q.sla_percent)}</text>" in charts["sla"]
    for a in m.agents:
        assert f">{a.login}</text>" in charts["agents"]
    for sentiment in report_charts.SENTIMENTS:
        assert f">{sentiment}</text>" in charts["sentiment"]


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


def test_count_axes_tick_at_round_whole_numbers() -> None:
    """pygal's own scale ticks small counts at 0.2 steps: a count axis ticks 1, 2 or 5 times a power
    of ten, up to the tallest bar."""
    for top, step in ((1, 1), (7, 1), (13, 2), (106, 20), (990, 200)):
        chart = report_charts._bar("t", ["a", "b"], [top, 0])
        svg = report_charts._svg("t", chart)
        axis = re.search(r'<g class="axis y[^"]*">(.*?)</g></g>', svg, re.S)
        assert axis, svg[:200]
        ticks = [int(t) for t in re.findall(r">(\d+)</text>", axis.group(1))]
        assert ticks == list(range(0, ticks[-1] + 1, step)) and ticks[-1] >= top, (top, ticks)
