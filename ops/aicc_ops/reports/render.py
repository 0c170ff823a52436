"""A report rendered: Markdown with tables, or one self-contained HTML page whose charts are
matplotlib plots inlined as SVG (nothing is fetched: no script, font or image from the network).

The SVG keeps its text as text (svg.fonttype none) so the browser draws the Korean labels with its
own fonts (matplotlib's bundled DejaVu has no Hangul), and loses its metadata and namespace URIs.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import jinja2

from aicc.clock import seoul_time
from aicc.domain.report import SENTIMENTS, Metrics, Report, Trend

FORMATS = ("md", "html")
EMPTY = "이 기간에 통화가 없습니다 (no calls in this period)."
COLOURS = {"current": "#2563eb", "previous": "#9ca3af", "ok": "#16a34a", "warn": "#f59e0b", "bad": "#dc2626"}
SENTIMENT_COLOURS = {"POSITIVE": "#16a34a", "NEUTRAL": "#9ca3af", "NEGATIVE": "#dc2626"}
KIND_NAMES = {"daily": "일간", "weekly": "주간", "monthly": "월간"}


def render(report: Report, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    charts = charts_for(report.current) if fmt == "html" and not report.current.empty else {}
    template = _environment(fmt == "html").get_template(f"report.{fmt}.j2")
    return template.render(
        report=report,
        m=report.current,
        charts=charts,
        empty=EMPTY,
        kind=KIND_NAMES[report.period.kind],
        generated=seoul_time(report.generated_at),
        sentiments=SENTIMENTS,
    )


def summary(report: Report) -> str:
    """A few lines for chat (Slack): the period and its headline numbers against the one before."""
    lines = [f"AICC {KIND_NAMES[report.period.kind]} 리포트 {report.period.label}"]
    if report.current.empty:
        return "\n".join([*lines, EMPTY])
    lines += [f"• {t.name}: {_value(t.current, t.unit)} ({_change(t)})" for t in report.trends]
    return "\n".join(lines)


@cache
def _environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aicc_ops.reports", "templates"),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=_pct, secs=_secs, value=_value, change=_change, direction=_direction)
    return env


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _secs(value: float | None) -> str:
    if value is None:
        return "—"
    minutes, seconds = divmod(round(value), 60)
    if minutes >= 60:
        return f"{minutes // 60}시간 {minutes % 60:02d}분"
    return f"{minutes}분 {seconds:02d}초" if minutes else f"{seconds}초"


def _value(value: float | None, unit: str) -> str:
    if unit == "%":
        return _pct(value)
    if unit == "s":
        return _secs(value)
    return "—" if value is None else f"{value:,.0f}"


def _change(trend: Trend) -> str:
    """`+12 (▲ 5.0%)`-like text against the previous period; `—` when either side is unknown."""
    change = trend.change
    if change is None:
        return "이전 기간 비교 불가"
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    if trend.unit == "%":
        step = f"{change:+.1f}%p"
    elif trend.unit == "s":
        step = f"{change:+.0f}초"
    else:
        step = f"{change:+,.0f}"
    ratio = f", {100.0 * change / trend.previous:+.0f}%" if trend.unit == "" and trend.previous else ""
    return f"{arrow} {step}{ratio}"


def _direction(trend: Trend) -> str:
    """good | bad | same: whether the change is the way the number should go."""
    change = trend.change
    if not change:
        return "same"
    return "good" if (change > 0) == (trend.better == "up") else "bad"


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
        ax.text(min(v, 88) + 1, y, _pct(q.sla_percent), va="center")


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
