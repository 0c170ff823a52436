"""`aicc-ops --version`: the package's version (pyproject's, the one place it is kept) and the
revision of the flows and configuration this command would deploy and load."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import click

from aicc.settings import config_dir

from ..core.revision import CONFIG_PATTERNS, FLOW_PATTERNS, revision
from ..engine.flows import flows_dir

DISTRIBUTION = "aicc-ops"


def package_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from source without `pip install`
        return "unknown (not installed)"


def _line(label: str, directory: Path, patterns: tuple[str, ...]) -> str:
    try:
        found = revision(directory, patterns)
    except OSError as exc:  # unreadable: still a version answer, never a traceback
        return f"{label} not available ({exc.strerror or exc})"
    if found is None:
        return f"{label} not available (none in {directory})"
    return f"{label} {found.digest} ({found.files} files in {found.directory})"


def version_text() -> str:
    return "\n".join(
        (
            f"{DISTRIBUTION} {package_version()}",
            _line("flows: ", flows_dir(), FLOW_PATTERNS),
            _line("config:", config_dir(), CONFIG_PATTERNS),
        )
    )


def show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(version_text())
    ctx.exit()
