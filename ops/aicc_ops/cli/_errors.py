"""Turn the engine's and loaders' expected errors into click errors (message, exit 1, no trace)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from aicc.settings import ConfigError

from ..deploy.errors import DeployError
from ..engine.flows import FlowError
from ..engine.interpreter import FlowRunError, InputError
from ..local.seed import SeedError
from ..local.stack import FlowLintError


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None
    except (FlowError, FlowLintError, FlowRunError) as exc:
        raise click.ClickException(f"flows: {exc}") from None
    except (SeedError, DeployError) as exc:
        raise click.ClickException(str(exc)) from None
    except InputError as exc:
        raise click.UsageError(str(exc)) from None
