"""A report as text: Markdown tables or one self-contained HTML page (jinja2, templates/), and its
Slack summary (Block Kit). The one home of the rendering: `aicc-ops report` and the scheduled
report handler both call it, so the same data gives the same report, charts included (the HTML's
inline <svg>, aicc.domain.report_charts, imported only when HTML is rendered).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from aicc.clock import seoul_time
from aicc.domain.report import SENTIMENTS, Report, Trend

FORMATS = ("md", "html")
EMPTY = "이 기간에 통화가 없습니다 (no calls in this period)."
KIND_NAMES = {"daily": "일간", "weekly": "주간", "monthly": "월간"}


def render(report: Report, fmt: str) -> str:
    """The report in `fmt`: Markdown tables, or HTML with its charts (none for an empty period)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    charts: dict[str, str] = {}
    if fmt == "html" and not report.current.empty:
        from aicc.domain.report_charts import charts_for  # pygal: only where HTML is made

        charts = charts_for(report.current)
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


def title(report: Report) -> str:
    return f"AICC {KIND_NAMES[report.period.kind]} 리포트 {report.period.label}"


def summary(report: Report) -> str:
    """A few lines for chat (Slack): the period and its headline numbers against the one before."""
    lines = [title(report)]
    if report.current.empty:
        return "\n".join([*lines, EMPTY])
    lines += [f"• {t.name}: {_value(t.current, t.unit)} ({_change(t)})" for t in report.trends]
    return "\n".join(lines)


def slack_message(report: Report, full_report: str) -> tuple[str, list[dict[str, Any]]]:
    """chat.postMessage's `text` (the notification's fallback: summary()) and Block Kit `blocks`:
    volume, answered and abandoned, SLA compliance per queue, and where the full report is
    (`full_report`: an s3:// URI, a file or a command)."""
    m = report.current
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title(report)}},
    ]
    if m.empty:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": EMPTY}})
    else:
        fields = [
            ("인입 (volume)", f"{m.volume:,}"),
            ("응대 (answered)", f"{m.answered:,}"),
            ("포기 (abandoned)", f"{m.abandoned:,} ({pct(m.abandon_percent)})"),
            ("SLA 준수 (all queues)", pct(m.sla_percent)),
        ]
        queues = "\n".join(
            f"• {q.name} (SLA {q.sla}): {pct(q.sla_percent)} of {q.offered:,}" for q in m.queues
        )
        blocks += [
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*큐별 SLA 준수 (SLA compliance)*\n{queues}"},
            },
        ]
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Full report: {full_report}"}]}
    )
    return summary(report), blocks


@cache
def _environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aicc.domain", "templates"),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=pct, secs=_secs, value=_value, change=_change, direction=_direction)
    return env


def pct(value: float | None) -> str:
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
        return pct(value)
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
