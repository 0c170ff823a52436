"""Operator errors: the engine's and loaders' expected errors as click errors (message, exit 1,
no trace), and how every error is shown: `Error: ...` text, or under `--output json` one JSON
object on stderr with a stable shape, {"error": {"code", "message", "hint"}}.

Codes: usage (exit 2), aws_credentials, aws_region, endpoint_unreachable, aws (a refused AWS
call), target (where to operate is unclear), not_running (no local stack), repository (the command
needs a clone of the repository, not an installed package), aborted (Ctrl-C), terminated (SIGTERM,
SIGHUP), error (any other).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click


@contextmanager
def user_errors() -> Iterator[None]:
    # Imported here: showing an error must not load the engine (`local status` stays light).
    from aicc.settings import ConfigError

    from ..core.repository import OutsideRepositoryError
    from ..deploy.errors import DeployError
    from ..engine.flows import FlowError
    from ..engine.interpreter import FlowRunError, InputError, SimulatorBugError
    from ..engine.resource_map import ResourceMapError
    from ..local.seed import SeedError
    from ..local.stack import FlowLintError

    try:
        yield
    except OutsideRepositoryError as exc:
        raise OpsError(str(exc), "repository") from None
    except ConfigError as exc:
        raise click.ClickException(f"configuration: {exc}") from None
    except (FlowError, FlowLintError, FlowRunError) as exc:
        raise click.ClickException(f"flows: {exc}") from None
    except SimulatorBugError as exc:  # its message says it is ours to fix and to report it
        raise click.ClickException(str(exc)) from None
    except ResourceMapError as exc:
        raise click.ClickException(f"resources: {exc}") from None
    except (SeedError, DeployError) as exc:
        raise click.ClickException(str(exc)) from None
    except InputError as exc:
        raise click.UsageError(str(exc)) from None


# Terminal colour and cursor sequences (Terraform's errors carry them when it thinks it may).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
# What AWS, botocore and Terraform say when the credentials are missing, expired or not valid.
CREDENTIAL_MARKERS = (
    "ExpiredToken",
    "RequestExpired",
    "UnrecognizedClient",
    "InvalidClientTokenId",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "NoCredentialProviders",
    "no valid credential sources",
    "Unable to locate credentials",
    "Token has expired",
    "The SSO session associated with this profile has expired",
)
CREDENTIAL_HINT = (
    "refresh the AWS credentials: `aws sso login` (with --profile P if you use one), or export new "
    "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; --local works without AWS"
)


class OpsError(click.ClickException):
    """An operator error with a stable code and a hint (what to do)."""

    def __init__(self, message: str, code: str = "error", hint: str = "") -> None:
        super().__init__(message)
        self.code, self.hint = code, hint

    def format_message(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def credential_marker(text: str) -> str | None:
    """The credential problem a message names (ExpiredToken...), or None."""
    folded = text.casefold()
    return next((m for m in CREDENTIAL_MARKERS if m.casefold() in folded), None)


def error_object(exc: click.ClickException | click.exceptions.Abort) -> dict[str, Any]:
    """The JSON shape of an error: {"error": {"code", "message", "hint"}}."""
    if isinstance(exc, click.exceptions.Abort):
        return {"error": {"code": "aborted", "message": "aborted", "hint": ""}}
    if isinstance(exc, OpsError):
        code, message, hint = exc.code, exc.message, exc.hint
    elif isinstance(exc, click.UsageError):
        hint = f"see `{exc.ctx.command_path} --help`" if exc.ctx else "see --help"
        code, message = "usage", exc.format_message()
    else:
        code, message, hint = "error", exc.format_message(), ""
    message = strip_ansi(message)
    marker = credential_marker(message)
    if marker and code in ("error", "aws"):
        code, hint = "aws_credentials", CREDENTIAL_HINT
    return {"error": {"code": code, "message": message, "hint": hint}}


def wants_json(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON output (--output json, --output=json, or the --json
    flag of `call simulate`, `demo` and `loadtest`)."""
    pairs = zip(args, [*args[1:], ""], strict=True)
    return any((a == "--output" and b == "json") or a in ("--output=json", "--json") for a, b in pairs)


def show_terminated(signal_name: str, as_json: bool) -> None:
    """What a command says when a signal ends it, before its clean-up runs."""
    message = f"terminated ({signal_name}): stopping what this command started"
    if as_json:
        click.echo(json.dumps({"error": {"code": "terminated", "message": message, "hint": ""}}), err=True)
    else:
        click.echo(f"Error: {message}", err=True)


def show_error(exc: click.ClickException | click.exceptions.Abort, as_json: bool) -> None:
    """Print an error as the command line asked: one JSON object, or `Error: ...` text (no colour
    codes, and credential problems named with what to do)."""
    data = error_object(exc)["error"]
    if as_json:
        click.echo(json.dumps({"error": data}, ensure_ascii=False), err=True)
        return
    if isinstance(exc, click.exceptions.Abort):
        click.echo("Aborted!", err=True)
        return
    if isinstance(exc, click.UsageError) and not isinstance(exc, OpsError):
        exc.show()
        return
    text = data["message"] + (
        f"\n{data['hint']}" if data["hint"] and data["hint"] not in data["message"] else ""
    )
    click.echo(f"Error: {text}", err=True)
