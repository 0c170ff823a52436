"""`aicc-ops loadtest capacity`: which AWS quota a rate of calls meets first, by arithmetic.

    aicc-ops loadtest capacity --env prod --calls-per-second 0.5 --call-seconds 240
    aicc-ops loadtest capacity --tfvars my.tfvars --quotas raised.yaml --json

The `capacity` command is registered by the `loadtest` group (cli/loadtest.py). The work is in
aicc_ops.admin.capacity (the arithmetic) and aicc_ops.admin.call_costs (the per-call costs,
measured on the local stack); docs/performance.md, "Capacity planning for AWS", explains both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..admin import capacity as work
from ..admin.call_costs import CallCosts, CostsError
from ._errors import user_errors
from ._options import emit

_FILE = click.Path(dir_okay=False, path_type=Path)


def _durations(values: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for value in values:
        name, _, ms = value.partition("=")
        try:
            out[name.strip()] = float(ms)
        except ValueError:
            raise click.BadParameter(
                f"{value!r}: give HANDLER=MS, e.g. customer_lookup=120", param_hint="--duration"
            ) from None
    return out


@click.command()
@click.option(
    "--env", metavar="ENV", help="The environment whose terraform/envs/ENV/terraform.tfvars is deployed."
)
@click.option("--tfvars", type=_FILE, help="A tfvars file instead of --env's.")
@click.option(
    "--calls-per-second", type=float, default=1.0, show_default=True, help="Arriving calls per second."
)
@click.option(
    "--call-seconds",
    type=float,
    default=300.0,
    show_default=True,
    help="Average handle time of a call: flows, queue and agent (s).",
)
@click.option(
    "--lex-turn-seconds",
    type=float,
    default=work.LEX_TURN_SECONDS,
    show_default=True,
    help="How long one Lex turn lasts (s); the default is Lex's longest speech input.",
)
@click.option(
    "--quotas",
    "quotas_file",
    type=_FILE,
    help="YAML of the account's quotas (key: number), e.g. raised ones.",
)
@click.option("--durations", "durations_file", type=_FILE, help="YAML/JSON handler: ms per invocation.")
@click.option(
    "--duration", multiple=True, metavar="HANDLER=MS", help="One handler's ms per invocation (repeatable)."
)
@click.option(
    "--costs", "costs_file", type=_FILE, help="Per-call costs saved by --save-costs, instead of measuring."
)
@click.option("--save-costs", type=_FILE, help="Write the measured per-call costs to this file (JSON).")
@click.option(
    "--output", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format"
)
@click.option("--json", "as_json", is_flag=True, help="Same as --output json.")
def capacity(
    env: str | None,
    tfvars: Path | None,
    calls_per_second: float,
    call_seconds: float,
    lex_turn_seconds: float,
    quotas_file: Path | None,
    durations_file: Path | None,
    duration: tuple[str, ...],
    costs_file: Path | None,
    save_costs: Path | None,
    output: str,
    as_json: bool,
) -> None:
    """Which AWS quota binds first at a rate of calls: Connect's concurrent calls and API rates,
    Lambda concurrency per function, Contact Lens, Lex and Polly.

    Quotas are AWS's defaults (each with its documentation page) unless the deployment's tfvars or
    --quotas say otherwise. Per-call costs are measured by running the demo's calls through the local
    stack (a few seconds) unless --costs gives them. Lambda durations default to each function's
    timeout, an upper bound: give measured ones (CloudWatch Duration) with --durations or --duration.
    """
    output = "json" if as_json else output
    with user_errors():
        try:
            load = work.Load(calls_per_second, call_seconds, lex_turn_seconds)
            costs = CallCosts.load(costs_file) if costs_file else _measure()
            if save_costs:
                costs.save(save_costs)
            result = work.plan_from_files(
                load,
                costs,
                env=env,
                tfvars=tfvars,
                quotas_file=quotas_file,
                durations_file=durations_file,
                duration_ms=_durations(duration),
            )
        except (work.CapacityError, CostsError) as exc:
            raise click.ClickException(str(exc)) from None
    if output == "json":
        emit(output, result.to_json())
    else:
        _show(result)


def _measure() -> CallCosts:
    from ..admin.call_costs import measure

    click.echo("Measuring per-call costs: the demo's calls through the local stack...", err=True)
    return measure()


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _show(result: work.Plan) -> None:
    load = result.load
    cps = load.calls_per_second
    sources: list[str] = []
    rows: list[list[Any]] = []
    for limit in result.limits:
        if limit.source not in sources:
            sources.append(limit.source)
        use = f"{limit.load(cps) / limit.value:.0%}" if limit.value else "-"
        mark = "" if limit.confirmed else " *"
        rows.append(
            [
                limit.name + mark,
                f"{_number(limit.value)} {limit.unit}",
                _number(limit.load(cps)),
                use,
                _number(limit.max_calls_per_second),
                f"[{sources.index(limit.source) + 1}]",
            ]
        )
    click.echo(
        f"At {cps:g} calls/s and {load.call_seconds:g} s per call ({cps * load.call_seconds:,.0f} calls "
        f"at once); deployment: {result.deployment.source}."
    )
    emit("table", None, rows, ("limit", "quota", f"load at {cps:g}/s", "use", "reached at calls/s", "source"))
    binding = result.binding
    if binding is not None and binding.max_calls_per_second is not None:
        most = binding.max_calls_per_second
        click.echo(
            f"\nBinding: {binding.name} at {most:.3g} calls/s ({most * 3600:,.0f} calls/hour at "
            f"{load.call_seconds:g} s per call)."
        )
    for limit in result.exceeded:
        click.echo(
            f"Exceeded at {cps:g} calls/s: {limit.name} "
            f"({_number(limit.load(cps))} > {_number(limit.value)})."
        )
    costs = result.costs
    calls = ", ".join(f"{k} {v:.2f}" for k, v in costs.invocations.items())
    api = ", ".join(f"{k} {v:.2f}" for k, v in costs.connect_api.items()) or "none"
    click.echo(
        f"\nPer call ({costs.source}): Lambda invocations {calls}; Connect API calls {api}; Lex turns "
        f"{costs.lex_turns:.2f}; text-to-speech prompts {costs.tts_prompts:.1f} ({costs.tts_characters:.0f} "
        f"characters); Contact Lens real-time on {costs.analytics:.0%} of calls."
    )
    click.echo("\nNotes:")
    for limit in result.limits:
        if limit.note:
            click.echo(f"  {limit.name}: {limit.note}")
    click.echo("  * not counted as binding: the quota may not apply to Connect's own use.")
    click.echo("Sources:")
    for i, source in enumerate(sources, 1):
        click.echo(f"  [{i}] {source}")
