"""`aicc-ops flows`: render and lint the contact flows offline: this repository's, or exported ones."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from aicc.settings import load_config

from ..admin.context import OpsContext
from ..admin.instance_map import live_map
from ..core.repository import default_flows_dir, in_repository
from ..engine import lint as flow_lint
from ..engine.actions import EVERYWHERE
from ..engine.flow_files import FileProblem, FlowFiles, load_paths
from ..engine.flows import Flow, Resources, build_resources, render_all
from ..engine.resource_map import ResourceMap, file_map, no_resolve_map
from ._errors import OpsError, user_errors
from ._options import target_options


@click.group()
def flows() -> None:
    """Contact flows: this repository's (terraform/flows/*.json.tftpl), or exported ones."""


def lint_resources(flows_dir: Path | None = None) -> Resources:
    """This repository's local instance: what its own flows render with and resolve against."""
    return build_resources(load_config(), flows_dir)


def resource_map(ops: OpsContext, resources_file: Path | None, no_resolve: bool) -> ResourceMap | None:
    """What exported flows' references resolve against: a resources file, nothing (shape and kind
    only), a live instance (--env / --instance-id / --local), or None for this repository's."""
    target = ops.target
    live = bool(target.env or target.instance_id or target.local)
    chosen = [
        name
        for name, on in (
            ("--resources", resources_file is not None),
            ("--no-resolve", no_resolve),
            ("--env/--instance-id/--local", live),
        )
        if on
    ]
    if len(chosen) > 1:
        raise click.UsageError(f"choose one resource map: {' or '.join(chosen)}")
    if resources_file is not None:
        return file_map(resources_file)
    if no_resolve:
        return no_resolve_map()
    return live_map(ops=ops) if live else None


def lint_flows(
    flows: Mapping[str, Flow], resources: Resources, refs: ResourceMap | None = None
) -> tuple[list[flow_lint.Finding], dict[str, str]]:
    """The findings on these flows, linted together so references among them resolve; and the
    flows the linter failed on (key -> what it raised), left out so the others are still checked."""
    try:
        return flow_lint.lint(flows, resources, refs=refs), {}
    except Exception:  # a linter bug on one exported flow must not hide the findings on the others
        if os.environ.get("AICC_DEBUG"):
            raise
    failed: dict[str, str] = {}
    for key, flow in flows.items():
        try:
            flow_lint.lint({key: flow}, resources, refs=refs)
        except Exception as exc:
            failed[key] = f"{type(exc).__name__}: {exc}"
    rest = {k: f for k, f in flows.items() if k not in failed}
    return (flow_lint.lint(rest, resources, refs=refs) if rest else []), failed


@flows.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--flows-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory with flows.yaml and the templates (default: terraform/flows); not with PATHs.",
)
@click.option(
    "--type",
    "flow_type",
    type=click.Choice(EVERYWHERE, case_sensitive=False),
    default=None,
    help="Flow type of the PATH files that do not say theirs (a file's own type wins).",
)
@click.option(
    "--resources",
    "resources_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Resolve the PATH flows' references against the instance this YAML/JSON file lists "
    "(format: docs/flows.md).",
)
@click.option(
    "--no-resolve",
    is_flag=True,
    help="Check only each reference's ARN shape and kind, against no instance.",
)
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--warnings/--no-warnings", default=True, show_default=True, help="Show warnings too.")
@target_options
def lint_command(
    paths: tuple[Path, ...],
    flows_dir: Path | None,
    flow_type: str | None,
    resources_file: Path | None,
    no_resolve: bool,
    output: str,
    warnings: bool,
    ops: OpsContext,
) -> None:
    """Check contact flows as Connect would, offline.

    Without PATH: render this repository's flows with local ARNs and check them. With PATHs (files or
    folders, walked for *.json, *.yaml, *.yml, *.template, *.json.tftpl): check exported flows in
    any form: the Flow Language JSON, describe-contact-flow(-module) output, {Name, Type, Content},
    a CloudFormation template's AWS::Connect::ContactFlow(Module) resources, .json.tftpl templates.
    They are linted together, so transfers and flow modules among them resolve; results per file.

    References (queues, flows, modules, hours, prompts, Lambdas, bots) resolve against this
    repository's local instance, a live one (--env ENV, --instance-id ID, --local: read with the
    Connect List APIs, paced under Connect's quota), a --resources FILE, or none (--no-resolve). A
    reference to another account or instance, or with a dynamic part ($.AwsRegion, ${...}), is
    never an error by itself; one the chosen instance lacks is.

    Exits 1 when any flow has an error or a file cannot be read (in a folder, a file that is no flow,
    or does not parse and does not look like a flow export, is a note): Connect would refuse the flow
    (unknown action or parameter, parameters forbidden together, dangling transition, missing error
    branch, unknown reference or Lex intent, SSML Polly does not read), or it would drop a caller on
    some path (trapped in a loop, hung up after an error without a word, a transfer or hours check
    with no working queue and no NoMatchingError branch to take instead: with one, a warning). The
    house rules (Korean spoken in a non-Korean voice or to Lex before the language is set, a
    $.External read of another Lambda's answer, a Korean menu without 0 and * or that blames silence
    as a wrong key) are errors on this repository's flows and warnings on anyone else's.
    """
    if paths and flows_dir:
        raise click.UsageError(
            "--flows-dir lints this repository's catalog: give PATHs or --flows-dir, not both"
        )
    if flow_type and not paths:
        raise click.UsageError("--type applies to the files given as PATH")
    if not paths and not flows_dir and not os.environ.get("AICC_FLOWS_DIR") and not in_repository():
        raise OpsError(
            "`flows lint` without PATH lints the repository's flow templates (terraform/flows), and this "
            "aicc-ops runs from an installed package: give exported flow files or folders as PATH, or "
            "--flows-dir DIR for a catalog of templates (this package's own: "
            f"--flows-dir {default_flows_dir()})",
            "repository",
        )
    target = ops.target
    if not paths and (resources_file or no_resolve or target.env or target.instance_id or target.local):
        # Checked before resource_map, which would read a live instance first.
        raise click.UsageError(
            "this repository's flows resolve against its own instance: the resource map options "
            "apply to the files given as PATH"
        )
    with user_errors():
        refs = resource_map(ops, resources_file, no_resolve)
    if paths:
        _lint_files(paths, flow_type, output, warnings, refs)
    else:
        _lint_catalog(flows_dir, output, warnings)


def _lint_catalog(flows_dir: Path | None, output: str, warnings: bool) -> None:
    with user_errors():
        resources = lint_resources(flows_dir)
        rendered = render_all(resources)
        findings = flow_lint.lint(rendered, resources) + flow_lint.prompt_findings(rendered, resources)
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


def _lint_files(
    paths: Sequence[Path], flow_type: str | None, output: str, warnings: bool, refs: ResourceMap | None
) -> None:
    with user_errors():
        loaded = load_paths(paths, flow_type=flow_type.upper() if flow_type else None)
        resources = lint_resources()
        by_key = {f.key: f for f in loaded.flows}
        findings, failed = lint_flows(by_key, resources, refs)
    for key, error in failed.items():
        flow = by_key[key]
        loaded.problems.append(
            FileProblem(
                flow.source,
                f"{flow.name}: not checked, the linter failed on it ({error}); this is a bug in "
                "aicc-ops, please report it",
            )
        )
    report = _report(loaded, findings, failed)
    n_errors = sum(1 for f in findings if f.severity == "error") + len(loaded.errors)
    n_warnings = sum(1 for f in findings if f.severity == "warning") + sum(
        1 for p in loaded.problems if p.severity == "warning"
    )
    if output == "json":
        click.echo(
            json.dumps(
                {"files": _filtered(report, warnings), "errors": n_errors, "warnings": n_warnings},
                ensure_ascii=False,
            )
        )
    else:
        _print_table(_filtered(report, warnings))
        n_flows = len(by_key) - len(failed)
        actions = sum(len(f.actions) for k, f in by_key.items() if k not in failed)
        click.echo(
            f"{len(report)} file(s), {n_flows} flow(s), {actions} actions: "
            f"{n_errors} error(s), {n_warnings} warning(s)"
        )
    if n_errors:
        raise SystemExit(1)


def _report(
    loaded: FlowFiles, findings: Sequence[flow_lint.Finding], failed: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Per file, in the order read: its flows with their findings, and its problems."""
    by_name: dict[str, list[dict[str, Any]]] = {f.name: [] for f in loaded.flows}
    for finding in findings:
        by_name.setdefault(finding.flow, []).append(finding.__dict__)
    return [
        {
            "path": path,
            "flows": [
                {
                    "key": f.key,
                    "name": f.name,
                    "type": f.type,
                    "actions": len(f.actions),
                    "findings": by_name[f.name],
                }
                for f in loaded.flows_of(path)
                if f.key not in failed
            ],
            "problems": [{"message": p.message, "severity": p.severity} for p in loaded.problems_of(path)],
        }
        for path in loaded.files
    ]


def _filtered(report: list[dict[str, Any]], warnings: bool) -> list[dict[str, Any]]:
    if warnings:
        return report
    return [
        {
            **entry,
            "flows": [
                {**f, "findings": [x for x in f["findings"] if x["severity"] == "error"]}
                for f in entry["flows"]
            ],
            "problems": [p for p in entry["problems"] if p["severity"] == "error"],
        }
        for entry in report
    ]


def _print_table(report: list[dict[str, Any]]) -> None:
    for entry in report:
        click.echo(entry["path"])
        for problem in entry["problems"]:
            click.echo(f"  {problem['severity']}: {problem['message']}")
        for flow in entry["flows"]:
            found = flow["findings"]
            n_err = sum(1 for x in found if x["severity"] == "error")
            verdict = f"{n_err} error(s), {len(found) - n_err} warning(s)" if found else "ok"
            click.echo(f"  {flow['name']} ({flow['type']}, {flow['actions']} actions): {verdict}")
            for x in found:
                where = f"{x['action']}: " if x["action"] else ""
                click.echo(f"    {x['severity']}: {where}{x['message']}")
