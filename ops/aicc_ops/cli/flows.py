"""`aicc-ops flows`: render and lint the contact flows offline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aicc.settings import load_config

from ..engine import lint as flow_lint
from ..engine.flows import build_resources, render_all
from ._errors import user_errors


@click.group()
def flows() -> None:
    """Contact flows (terraform/flows/*.json.tftpl)."""


@flows.command("lint")
@click.option(
    "--flows-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory with flows.yaml and the templates (default: terraform/flows).",
)
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--warnings/--no-warnings", default=True, show_default=True, help="Show warnings too.")
def lint_command(flows_dir: Path | None, output: str, warnings: bool) -> None:
    """Render every flow with local ARNs and check it as Connect would, offline.

    Exits 1 when any flow has an error: Connect would refuse it (unknown action or parameter,
    parameters forbidden together, dangling transition, missing error branch, unknown reference or
    Lex intent, SSML Polly does not read), or it would hurt a caller on some path (trapped in a loop,
    hung up after an error without a word, a transfer or hours check with no working queue, Korean
    spoken in a non-Korean voice or to Lex before the language is set, a $.External read of another
    Lambda's answer, a Korean menu without 0 and * or that blames silence as a wrong key).
    """
    with user_errors():
        resources = build_resources(load_config(), flows_dir)
        rendered = render_all(resources)
        findings = flow_lint.lint(rendered, resources)
    shown = [f for f in findings if warnings or f.severity == "error"]
    n_errors = len(flow_lint.errors(findings))
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "flows": [f.name for f in rendered.values()],
                    "findings": [f.__dict__ for f in shown],
                    "errors": n_errors,
                },
                ensure_ascii=False,
            )
        )
    else:
        for f in shown:
            click.echo(str(f), err=f.severity == "error")
        actions = sum(len(f.actions) for f in rendered.values())
        click.echo(
            f"{len(rendered)} flows, {actions} actions: {n_errors} error(s), "
            f"{len(findings) - n_errors} warning(s)"
        )
    if n_errors:
        raise SystemExit(1)
