"""Options every operator command shares, the context they build, and table/JSON output.

    @click.command()
    @target_options
    @output_option
    def status(ops: OpsContext, output: str) -> None: ...

`target_options` adds --profile, --region, --instance-id, --env, --local and --state-dir and hands
the command an OpsContext; errors from AWS become one-line messages that say what to fix.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from tabulate import tabulate

from ..admin.context import OpsContext, Target, TargetError
from ..core.aws import error_code, error_text
from ..core.repository import OutsideRepositoryError
from ..local.runtime import NotRunningError, ServerInfo, running_info
from ._errors import CREDENTIAL_HINT, OpsError, credential_marker

state_dir_option = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="AICC_LOCAL_DIR",
    help="The local stack's state directory [default: ~/.local/state/aicc-ops/local].",
)


def running_server(state_dir: Path | None) -> ServerInfo:
    """The running local stack server, or a click error saying how to start it."""
    try:
        return running_info(state_dir)
    except NotRunningError as exc:
        raise OpsError(str(exc), "not_running") from None


def target_options(f: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--profile", help="AWS profile (default: the usual credential chain).")
    @click.option("--region", help="AWS region (default: the profile's, or --env's Terraform output).")
    @click.option(
        "--instance-id", help="Connect instance ID (default: --env's, --local's, $AICC_INSTANCE_ID)."
    )
    @click.option(
        "--env", "env", metavar="ENV", help="Environment (terraform/envs/ENV): its Terraform outputs."
    )
    @click.option("--local", is_flag=True, help="Operate on the local stack started by `aicc-ops local up`.")
    @state_dir_option
    @functools.wraps(f)
    def wrapper(
        profile: str | None,
        region: str | None,
        instance_id: str | None,
        env: str | None,
        local: bool,
        state_dir: Path | None,
        **kwargs: Any,
    ) -> Any:
        if local and (env or profile):
            raise click.UsageError("--local is the local stack: drop --env/--profile, or drop --local")
        target = Target(profile, region, instance_id, env, local, state_dir)
        with aws_errors():
            return f(ops=OpsContext(target), **kwargs)

    return wrapper


output_option = click.option(
    "--output", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format"
)
dry_run_option = click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")


@contextmanager
def aws_errors() -> Iterator[None]:
    """AWS and target errors as operator errors: one line, what failed and what to do."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        CredentialRetrievalError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ParamValidationError,
        PartialCredentialsError,
        SSOError,
        TokenRetrievalError,
    )

    try:
        yield
    except TargetError as exc:
        raise OpsError(str(exc), "target") from None
    except OutsideRepositoryError as exc:
        raise OpsError(str(exc), "repository") from None
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise OpsError(f"no usable AWS credentials ({exc})", "aws_credentials", CREDENTIAL_HINT) from None
    except (CredentialRetrievalError, TokenRetrievalError, SSOError) as exc:
        raise OpsError(
            f"the AWS credentials could not be refreshed ({exc})", "aws_credentials", CREDENTIAL_HINT
        ) from None
    except NoRegionError:
        raise OpsError("no AWS region", "aws_region", "give --region or set AWS_DEFAULT_REGION") from None
    except EndpointConnectionError as exc:
        raise OpsError(
            f"cannot reach {exc.kwargs.get('endpoint_url')}",
            "endpoint_unreachable",
            "is the network (or `aicc-ops local up`) there?",
        ) from None
    except ParamValidationError as exc:
        raise OpsError(f"request refused before sending: {exc}", "usage") from None
    except BotoCoreError as exc:  # the rest: read or connect timeouts, a connection closed midway
        raise OpsError(
            f"an AWS request failed: {exc}", "aws", "try again; if it persists, check the network"
        ) from None
    except ClientError as exc:
        text = error_text(exc)
        if credential_marker(error_code(exc) or text):
            raise OpsError(
                f"AWS refused the credentials: {text}", "aws_credentials", CREDENTIAL_HINT
            ) from None
        raise OpsError(text, "aws") from None


def command_line(ctx: click.Context | None = None) -> str:
    """The running command as the operator types it again: its path, arguments, and the options
    given other than their defaults (a resumable run prints it)."""
    import shlex

    ctx = ctx or click.get_current_context()
    path = ctx.command_path if ctx.command_path.startswith("aicc-ops") else f"aicc-ops {ctx.command_path}"
    words: list[str] = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if isinstance(param, click.Argument) and value is not None:
            words += [str(v) for v in value] if isinstance(value, tuple | list) else [str(value)]
        elif isinstance(param, click.Option) and value not in (None, (), False, param.default):
            words += [param.opts[0]] if param.is_flag else [param.opts[0], str(value)]
    return " ".join([path, *map(shlex.quote, words)])


def emit(
    output: str,
    data: Any,
    rows: Sequence[Sequence[Any]] | None = None,
    headers: Sequence[str] = (),
    title: str = "",
) -> None:
    """Print JSON (`data`) or a table (`rows`, or `data` when it is a list of flat dicts)."""
    if output == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    if rows is None and isinstance(data, list):
        headers = headers or (list(data[0]) if data else [])
        rows = [[item.get(h, "") for h in headers] for item in data]
    if title:
        click.echo(title)
    click.echo(tabulate(rows or [], headers=list(headers), tablefmt="simple") if rows else "(none)")
