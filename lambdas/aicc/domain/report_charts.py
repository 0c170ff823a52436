"""The HTML report's charts: pygal bar charts as inline <svg>, the same for `aicc-ops report
--format html` and the scheduled report job (aicc.domain.report_render imports this module when it
renders HTML, so no other handler's cold start loads pygal; pure Python, no numpy).

Nothing is fetched: pygal's tooltip script (a CDN URL by default) is configured away, its inline
config <script>, comments (a build date, its home page) and namespace URIs are dropped, and the
text stays text so the browser draws the Korean labels with the page's fonts. Chart ids are fixed
(pygal draws random ones): the same data gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pygal
from pygal.etree import etree
from pygal.style import Style

from aicc.domain.report import SENTIMENTS, Metrics
from aicc.domain.report_render import pct

COLOURS = {"current": "#2563eb", "ok": "#16a34a", "warn": "#f59e0b", "bad": "#dc2626"}
SENTIMENT_COLOURS = {"POSITIVE": "#16a34a", "NEUTRAL": "#9ca3af", "NEGATIVE": "#dc2626"}
FONTS = 'system-ui, "Noto Sans KR", "Malgun Gothic", sans-serif'  # the page's (templates/report.html.j2)
STYLE = Style(
    font_family=FONTS,
    background="white",
    plot_background="white",
    colors=(COLOURS["current"],),
    title_font_size=15,
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=11,
)
# pygal's defaults for things a static page cannot use or must not fetch.
_CONFIG: dict[str, Any] = {
    "js": [],  # the tooltips' script from kozea.github.io
    "style": STYLE,
    "width": 720,
    "height": 320,
    "explicit_size": True,  # width/height attributes: the page scales it down (max-width), never to 0
    "show_legend": False,
    "print_values": True,
    "print_values_position": "top",
    "disable_xml_declaration": True,
    "margin": 12,
}
# pygal picks lxml when it is installed (a developer's machine may have it, the Lambda layer not):
# one serializer everywhere, so the CLI's bytes are the job's.
etree.to_etree()


def charts_for(m: Metrics) -> dict[str, str]:
    """Chart name -> inline <svg>."""
    builders: dict[str, Callable[[Metrics], Any]] = {
        "volume": _volume,
        "sla": _sla,
        "agents": _agents,
        "sentiment": _sentiment,
        "escalation": _escalation,
    }
    return {name: _svg(name, build(m)) for name, build in builders.items()}


def _svg(name: str, chart: Any) -> str:
    chart.uuid = name  # its CSS is scoped by the id (#chart-<name>): unique on the page, fixed
    chart.add_xml_filter(_static)
    text: str = chart.render(is_unicode=True)
    return text


def _static(root: Any) -> Any:
    """The tree without comments, scripts or namespace URIs (an <svg> inside HTML needs none)."""
    for parent in [root, *root.iter()]:
        for child in list(parent):
            if child.tag is etree.Comment or child.tag == "script":
                parent.remove(child)
    root.attrib.pop("xmlns", None)
    return root


def _bar(title: str, labels: list[str], values: list[Any], **config: Any) -> Any:
    """A bar chart of counts: whole-number ticks (pygal's own scale has 0.2 steps for small counts)."""
    top = max((v["value"] if isinstance(v, dict) else v for v in values), default=0)
    step = _step(top / 8)
    chart = pygal.Bar(
        title=title, x_labels=labels, y_labels=list(range(0, top + step, step)), **{**_CONFIG, **config}
    )
    chart.add("", values)
    return chart


def _step(least: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten of at least `least` (and at least 1): round ticks."""
    scale = 1
    while True:
        for m in (1, 2, 5):
            if m * scale >= least:
                return m * scale
        scale *= 10


def _coloured(value: float | None, colour: str, label: str | None = None) -> dict[str, Any]:
    point: dict[str, Any] = {"value": value, "color": colour}
    if label is not None:
        point["formatter"] = lambda _: label
    return point


def _volume(m: Metrics) -> Any:
    labels = [label for label, _ in m.by_bucket]
    daily = m.period.kind == "daily"
    return _bar(
        "시간대별 통화량 (calls by hour)" if daily else "일별 통화량 (calls by day)",
        labels,
        [n for _, n in m.by_bucket],
        x_title="시각 (hour)" if daily else "날짜 (day)",
        y_title="통화 (calls)",
        x_label_rotation=90 if len(labels) > 8 else 0,
        print_values=len(labels) <= 31,
    )


def _sla(m: Metrics) -> Any:
    chart = pygal.HorizontalBar(
        title="큐별 SLA 준수율 (SLA compliance by queue, %)",
        x_labels=[q.name for q in reversed(m.queues)],  # pygal draws the first at the bottom
        range=(0, 100),
        x_title="SLA 준수 (%)",  # a horizontal chart's value axis
        **_CONFIG,
    )
    values = []
    for q in reversed(m.queues):
        v = q.sla_percent
        colour = COLOURS["bad" if v is None or v < 80 else "warn" if v < 90 else "ok"]
        values.append(_coloured(v, colour, pct(v)))
    chart.add("", values)
    return chart


def _agents(m: Metrics) -> Any:
    return _bar(
        "상담원별 처리 건수 (contacts handled by agent)",
        [a.login for a in m.agents],
        [a.handled for a in m.agents],
        y_title="처리 (contacts)",
        x_label_rotation=45 if len(m.agents) > 6 else 0,
    )


def _sentiment(m: Metrics) -> Any:
    return _bar(
        "고객 감정 (caller sentiment, contacts)",
        list(SENTIMENTS),
        [_coloured(m.sentiment.get(s, 0), SENTIMENT_COLOURS[s]) for s in SENTIMENTS],
        y_title="통화 (contacts)",
    )


def _escalation(m: Metrics) -> Any:
    depths = range(1, max(m.escalation_depths, default=1) + 1)
    return _bar(
        "긴급 장애 에스컬레이션 도달 단계 (emergencies by chain steps reached)",
        [str(d) for d in depths],
        [_coloured(m.escalation_depths.get(d, 0), COLOURS["bad"]) for d in depths],
        x_title="도달 단계 (steps)",
        y_title="긴급 장애 (emergencies)",
    )
