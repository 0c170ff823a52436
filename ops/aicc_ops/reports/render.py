"""The report's charts for `aicc-ops report --format html`: matplotlib plots inlined as SVG
(nothing is fetched: no script, font or image from the network); the text itself is rendered by
aicc.domain.report_render, which the scheduled report handler shares.

The SVG keeps its text as text (svg.fonttype none) so the browser draws the Korean labels with its
own fonts (matplotlib's bundled DejaVu has no Hangul), and loses its metadata and namespace URIs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from aicc.domain.report import SENTIMENTS, Metrics, Report
from aicc.domain.report_render import EMPTY, FORMATS, pct, summary
from aicc.domain.report_render import render as render_text

__all__ = ["EMPTY", "FORMATS", "charts_for", "render", "summary"]

COLOURS = {"current": "#2563eb", "previous": "#9ca3af", "ok": "#16a34a", "warn": "#f59e0b", "bad": "#dc2626"}
SENTIMENT_COLOURS = {"POSITIVE": "#16a34a", "NEUTRAL": "#9ca3af", "NEGATIVE": "#dc2626"}


def render(report: Report, fmt: str) -> str:
    """The report in `fmt`, with its charts in HTML."""
    charts = charts_for(report.current) if fmt == "html" and not report.current.empty else {}
    return render_text(report, fmt, charts)


# ---- charts -------------------------------------------------------------------------------------
def charts_for(m: Metrics) -> dict[str, str]:
    """Chart name -> inline <svg>."""
    builders: dict[str, Callable[[Any, Metrics], None]] = {
        "volume": _volume,
        "sla": _sla,
        "agents": _agents,
        "sentiment": _sentiment,
        "escalation": _escalation,
    }
    return {name: _svg(build, m) for name, build in builders.items()}


def _svg(build: Callable[[Any, Metrics], None], m: Metrics) -> str:
    import matplotlib

    matplotlib.use("Agg")  # no display: a server or a scheduled run
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "aicc-report", "font.size": 9}):
        figure = Figure(figsize=(6.4, 2.8), layout="constrained")
        build(figure.add_subplot(), m)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)


def _volume(ax: Any, m: Metrics) -> None:
    labels = [label for label, _ in m.by_bucket]
    ax.bar(labels, [n for _, n in m.by_bucket], color=COLOURS["current"])
    ax.set_title("Calls by hour" if m.period.kind == "daily" else "Calls by day")
    ax.tick_params(axis="x", labelrotation=90 if len(labels) > 8 else 0)
    ax.set_ylabel("calls")


def _sla(ax: Any, m: Metrics) -> None:
    names = [q.name for q in m.queues]
    values = [q.sla_percent or 0.0 for q in m.queues]
    colours = [COLOURS["ok"] if v >= 90 else COLOURS["warn"] if v >= 80 else COLOURS["bad"] for v in values]
    ax.barh(names, values, color=colours)
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_title("SLA compliance by queue (%)")
    for y, (q, v) in enumerate(zip(m.queues, values, strict=True)):
        ax.text(min(v, 88) + 1, y, pct(q.sla_percent), va="center")


def _agents(ax: Any, m: Metrics) -> None:
    ax.bar([a.login for a in m.agents], [a.handled for a in m.agents], color=COLOURS["current"])
    ax.set_title("Contacts handled by agent")
    ax.tick_params(axis="x", labelrotation=45)


def _sentiment(ax: Any, m: Metrics) -> None:
    ax.bar(
        list(SENTIMENTS),
        [m.sentiment.get(s, 0) for s in SENTIMENTS],
        color=[SENTIMENT_COLOURS[s] for s in SENTIMENTS],
    )
    ax.set_title("Caller sentiment (contacts)")


def _escalation(ax: Any, m: Metrics) -> None:
    depths = range(1, max(m.escalation_depths, default=1) + 1)
    ax.bar([str(d) for d in depths], [m.escalation_depths.get(d, 0) for d in depths], color=COLOURS["bad"])
    ax.set_title("Emergency escalations by chain steps reached")
    ax.set_xlabel("steps")
