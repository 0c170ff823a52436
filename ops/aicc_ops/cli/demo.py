"""`aicc-ops demo`: scripted calls over every flow on a freshly seeded local stack."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import click
from tabulate import tabulate

from ..engine.interpreter import CallResult
from ..local.scenarios import DEMO_CALLS, run_call
from ..local.stack import local_stack
from ._errors import user_errors


def outcome(result: CallResult) -> str:
    if result.callbacks:
        return f"callback ({result.callbacks[-1]['queue']})"
    if result.in_queue:
        where = result.queue_transfers[-1] if result.queue_transfers else result.queue
        return f"waiting in {where}"
    return "disconnected" if result.disconnected else result.end_reason


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the outcomes as JSON.")
def demo(as_json: bool) -> None:
    """Seed the sample data and run scripted calls through every flow and branch."""
    rows: list[dict[str, Any]] = []
    with user_errors(), local_stack() as stack:
        for i, demo_call in enumerate(DEMO_CALLS, 1):
            result = run_call(stack, demo_call)
            rows.append(
                {
                    "#": i,
                    "scenario": demo_call.name,
                    "at": demo_call.at[5:16].replace("T", " "),
                    "flows": " → ".join(f for f in result.flows if f != "Customer Authentication") or "-",
                    "queue": result.queue or "-",
                    "outcome": outcome(result),
                    "prompts": len(result.prompts),
                    "lambdas": len(result.lambda_calls),
                    "errors": sum(1 for c in result.lambda_calls if c.error),
                    "dropped": result.dropped_silently,
                }
            )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(tabulate(rows, headers="keys", tablefmt="simple"))
    counts = Counter(r["queue"] for r in rows)
    click.echo()
    click.echo(tabulate(sorted(counts.items()), headers=["queue", "calls"], tablefmt="simple"))
    dropped = [r["scenario"] for r in rows if r["dropped"]]
    if dropped:
        raise click.ClickException(f"callers dropped without a spoken message: {', '.join(dropped)}")
    click.echo(f"\n{len(rows)} calls; every caller reached a queue, a callback or a spoken message.")
