"""What `aicc-ops deploy bootstrap|plan|apply|destroy` do, below the CLI (which only declares the
options, calls one function here and prints the result).

Every run of plan, apply and destroy does the same first steps: the credentials must be the
environment's account, its state backend must exist, the Lambda artifacts are built, Terraform is
initialised in the environment's own data directory. Apply and destroy then show the plan's
summary and ask before they change anything; a protected environment (prod) asks for its name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from . import backend, preflight
from .artifacts import build_layer, build_source
from .environment import Environment
from .errors import DeployError
from .terraform import Change, Deployer, find_terraform, summary

Echo = Callable[..., None]  # echo(text, err=False), as click.echo


@dataclass(frozen=True)
class Console:
    """How the work talks to the operator (the CLI gives click's functions)."""

    echo: Echo
    confirm: Callable[[str], bool]  # a yes/no question, "no" by default
    prompt: Callable[[str], str]  # a typed answer, "" by default


@dataclass(frozen=True)
class PlanResult:
    env: Environment
    account: str
    changes: list[Change]

    def to_json(self) -> dict[str, Any]:
        return {
            "env": self.env.name,
            "account": self.account,
            "plan": str(self.env.plan_file),
            "changes": [c.__dict__ for c in self.changes],
        }

    def text(self) -> str:
        where = f"{self.env.name} (account {self.account})"
        return f"\n{where}: plan saved to {self.env.plan_file}\n{summary(self.changes)}"


@contextmanager
def _endpoints(env: Environment) -> Iterator[None]:
    """For the local environment, every AWS call of the command and of Terraform (its provider,
    its S3 backend, the `deploy step` commands it runs) goes to the running local stack, with the
    stack's credentials; other environments go to AWS unchanged."""
    if not env.on_local_stack:
        yield
        return
    from ..local.runtime import NotRunningError, running_info

    try:
        info = running_info(None)
    except NotRunningError as exc:
        raise DeployError(f"envs/{env.name} deploys to the local stack: {exc}") from None
    values = info.aws_environment()
    # Terraform creates the functions in moto; the stack's Lambda endpoint only invokes handlers.
    values.pop("AWS_ENDPOINT_URL_LAMBDA", None)
    saved = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    for key in saved:
        del os.environ[key]  # a profile or a session token of a real account must not leak in
    os.environ.update(values)
    try:
        yield
    finally:
        for key in values:
            os.environ.pop(key, None)
        os.environ.update(saved)


class _Run:
    """What plan, apply and destroy share: checks, artifacts, init."""

    def __init__(self, env: Environment, profile: str | None, echo: Echo, json_output: bool = False) -> None:
        self.env, self.echo = env, echo
        self.json_output = json_output  # stdout carries the result: progress and Terraform go to stderr
        binary = find_terraform()
        self.session = preflight.session_for(env, profile)
        self.account = preflight.check_account(env, self.session)
        backend.check(env, self.session)
        echo(f"Lambda code: {build_source()}", err=json_output)
        echo(f"Lambda layer: {build_layer()}", err=json_output)
        self.deployer = Deployer(env, binary, echo=echo, profile=profile, stdout_reserved=json_output)

    def plan(self, destroy: bool = False) -> list[Change]:
        self.deployer.init()
        return self.deployer.plan(destroy=destroy)

    def concurrency(self, enforce: bool) -> None:
        try:
            self.echo(preflight.check_concurrency(self.env, self.session), err=self.json_output)
        except DeployError as exc:
            if enforce:
                raise
            self.echo(f"Warning: {exc}", err=True)


def bootstrap(env: Environment, profile: str | None) -> backend.BootstrapReport:
    """The environment's Terraform state bucket and KMS key (once; safe to re-run)."""
    with _endpoints(env):
        session = preflight.session_for(env, profile)
        preflight.check_account(env, session)
        return backend.bootstrap(env, session)


def plan(env: Environment, profile: str | None, echo: Echo, json_output: bool = False) -> PlanResult:
    """Init and plan to envs/ENV/ENV.tfplan (a concurrency shortfall only warns here)."""
    with _endpoints(env):
        run = _Run(env, profile, echo, json_output)
        run.concurrency(enforce=False)
        return PlanResult(env, run.account, run.plan())


def change(
    verb: str, env: Environment, profile: str | None, console: Console, yes: bool, confirm_env: str | None
) -> None:
    """`apply` or `destroy`: plan, show the summary, and run it once confirmed; the outputs are
    saved for the operator commands (--env reads the instance ID and tables there)."""
    with _endpoints(env):
        run = _Run(env, profile, console.echo)
        if verb == "apply":
            run.concurrency(enforce=True)
        found = run.plan(destroy=verb == "destroy")
        console.echo(f"\n{env.name} (account {run.account}):\n{summary(found)}")
        if not found:
            console.echo("Nothing to change.")
            return
        _confirm(env, console, yes, confirm_env, verb)
        run.deployer.apply()
        outputs = run.deployer.outputs()
    env.save_outputs(outputs)
    saved = f" Outputs saved to {env.outputs_file}." if outputs else ""
    console.echo(f"{env.name}: {verb} complete.{saved}")


def _confirm(env: Environment, console: Console, yes: bool, confirm_env: str | None, verb: str) -> None:
    done = {"apply": "applied", "destroy": "destroyed"}[verb]
    if confirm_env is not None:
        if confirm_env != env.name:
            raise DeployError(f"--confirm-env {confirm_env} does not name {env.name}; nothing was {done}")
        return
    if env.protected:
        if yes:
            console.echo(
                f"{env.name} is protected: --yes does not confirm it; type its name "
                f"(or pass --confirm-env {env.name})."
            )
        confirmed = console.prompt(f"Type the environment name to {verb} {env.name}") == env.name
    else:
        confirmed = yes or console.confirm(f"{verb.capitalize()} these changes to {env.name}?")
    if not confirmed:
        raise DeployError(f"not confirmed; nothing was {done}")


def outputs(env: Environment, profile: str | None = None) -> dict[str, Any]:
    """`terraform output -json` of an environment: the copy `deploy apply` saved, else Terraform's
    (then saved; {} when there are none)."""
    data = env.saved_outputs()
    if data is not None:
        return data
    # A data directory of its own: reading outputs never re-initialises under a running deploy.
    deployer = Deployer(env, find_terraform(), profile=profile, data_dir=env.outputs_data_dir, quiet=True)
    deployer.init()
    data = deployer.outputs()
    if data:
        env.save_outputs(data)
    return data
