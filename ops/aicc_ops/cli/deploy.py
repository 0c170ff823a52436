"""`aicc-ops deploy`: the state backend, Terraform plan, apply and destroy per environment, and the
steps Terraform runs for what its AWS provider cannot do.

`make plan ENV=dev` and `make deploy ENV=dev` call these. The work is in aicc_ops.deploy; this
module declares the options and prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..admin.context import OpsContext, Target
from ..deploy import backend, preflight, steps
from ..deploy.artifacts import build_layer, build_source
from ..deploy.environment import TERRAFORM_DIR, Environment
from ..deploy.errors import DeployError
from ..deploy.terraform import Change, Deployer, find_terraform, summary
from ._errors import user_errors
from ._options import aws_errors


def _env(name: str, terraform_dir: Path) -> Environment:
    try:
        return Environment.load(name, terraform_dir)
    except DeployError as exc:
        raise click.BadParameter(str(exc), param_hint="--env") from None


class _Run:
    """What plan, apply and destroy share: checks, artifacts, init (DeployError: see user_errors)."""

    def __init__(
        self, env_name: str, terraform_dir: Path, profile: str | None, json_output: bool = False
    ) -> None:
        self.env = _env(env_name, terraform_dir)
        self.json_output = json_output  # stdout carries the result: progress and Terraform go to stderr
        binary = find_terraform()
        self.session = preflight.session_for(self.env, profile)
        self.account = preflight.check_account(self.env, self.session)
        backend.check(self.env, self.session)
        click.echo(f"Lambda code: {build_source()}", err=json_output)
        click.echo(f"Lambda layer: {build_layer()}", err=json_output)
        self.deployer = Deployer(
            self.env, binary, echo=click.echo, profile=profile, stdout_reserved=json_output
        )

    def plan(self, destroy: bool = False) -> list[Change]:
        self.deployer.init()
        return self.deployer.plan(destroy=destroy)

    def concurrency(self, enforce: bool) -> None:
        try:
            click.echo(preflight.check_concurrency(self.env, self.session), err=self.json_output)
        except DeployError as exc:
            if enforce:
                raise
            click.echo(f"Warning: {exc}", err=True)


ENV_OPTION = click.option(
    "--env", "env", required=True, metavar="ENV", help="Environment: a folder of terraform/envs."
)
DIR_OPTION = click.option(
    "--terraform-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=TERRAFORM_DIR,
    show_default="terraform/",
    help="Root module directory.",
)
PROFILE_OPTION = click.option("--profile", help="AWS profile (default: the environment's credentials).")
YES_OPTION = click.option(
    "--yes", is_flag=True, help="Do not ask (a protected environment still needs --confirm-env)."
)
CONFIRM_OPTION = click.option(
    "--confirm-env",
    metavar="ENV",
    help="For pipelines: the environment's name, which a protected environment (prod) asks to type.",
)


@click.group()
def deploy() -> None:
    """Deploy the contact center to AWS with Terraform (docs/deploy.md)."""


@deploy.command()
def layer() -> None:
    """Build build/lambda-source.zip and build/lambda-layer.zip (python3.12 on arm64)."""
    with user_errors():
        click.echo(str(build_source()))
        click.echo(str(build_layer()))


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
def bootstrap(env: str, terraform_dir: Path, profile: str | None) -> None:
    """Create the environment's Terraform state bucket and KMS key (once; safe to re-run)."""
    environment = _env(env, terraform_dir)
    with user_errors():
        session = preflight.session_for(environment, profile)
        preflight.check_account(environment, session)
        report = backend.bootstrap(environment, session)
    click.echo(f"{env}: state in s3://{report.bucket}, encrypted with {report.key_arn}")
    click.echo("created: " + (", ".join(report.created) or "nothing (already there)"))
    click.echo("ensured: " + ", ".join(report.ensured))
    click.echo(f"Next: aicc-ops deploy plan --env {env}")


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def plan(env: str, terraform_dir: Path, profile: str | None, output: str) -> None:
    """Init and plan to envs/ENV/ENV.tfplan; print what would change (--output json: the result
    alone on stdout, Terraform's output on stderr)."""
    with user_errors():
        run = _Run(env, terraform_dir, profile, json_output=output == "json")
        run.concurrency(enforce=False)
        found = run.plan()
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "env": env,
                    "account": run.account,
                    "plan": str(run.env.plan_file),
                    "changes": [c.__dict__ for c in found],
                }
            )
        )
    else:
        click.echo(f"\n{env} (account {run.account}): plan saved to {run.env.plan_file}\n{summary(found)}")


def _confirm(run: _Run, yes: bool, confirm_env: str | None, verb: str) -> None:
    done = {"apply": "applied", "destroy": "destroyed"}[verb]
    env = run.env.name
    if confirm_env is not None:
        if confirm_env != env:
            raise click.ClickException(f"--confirm-env {confirm_env} does not name {env}; nothing was {done}")
        return
    if run.env.protected:
        if yes:
            click.echo(
                f"{env} is protected: --yes does not confirm it; type its name (or pass --confirm-env {env})."
            )
        confirmed = (
            click.prompt(f"Type the environment name to {verb} {env}", default="", show_default=False) == env
        )
    else:
        confirmed = yes or click.confirm(f"{verb.capitalize()} these changes to {env}?", default=False)
    if not confirmed:
        raise click.ClickException(f"not confirmed; nothing was {done}")


def _apply_plan(run: _Run, found: list[Change], yes: bool, confirm_env: str | None, verb: str) -> None:
    env = run.env.name
    click.echo(f"\n{env} (account {run.account}):\n{summary(found)}")
    if not found:
        click.echo("Nothing to change.")
        return
    _confirm(run, yes, confirm_env, verb)
    run.deployer.apply()
    outputs = run.deployer.outputs()
    run.env.save_outputs(outputs)  # operator commands with --env read the instance ID and tables here
    saved = f" Outputs saved to {run.env.outputs_file}." if outputs else ""
    click.echo(f"{env}: {verb} complete.{saved}")


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@YES_OPTION
@CONFIRM_OPTION
def apply(env: str, terraform_dir: Path, profile: str | None, yes: bool, confirm_env: str | None) -> None:
    """Plan, show the summary, and apply after confirmation."""
    with user_errors():
        run = _Run(env, terraform_dir, profile)
        run.concurrency(enforce=True)
        _apply_plan(run, run.plan(), yes, confirm_env, "apply")


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@YES_OPTION
@CONFIRM_OPTION
def destroy(env: str, terraform_dir: Path, profile: str | None, yes: bool, confirm_env: str | None) -> None:
    """Plan a destroy and run it after confirmation. See docs/deploy.md for what Connect keeps."""
    with user_errors():
        run = _Run(env, terraform_dir, profile)
        _apply_plan(run, run.plan(destroy=True), yes, confirm_env, "destroy")


# ---- what Terraform's local-exec provisioners run -------------------------------------------------


@deploy.group(hidden=True)
@click.option("--region", required=True, help="Region of the instance.")
@click.option("--instance-id", required=True, help="Amazon Connect instance ID.")
@click.pass_context
def step(ctx: click.Context, region: str, instance_id: str) -> None:
    """Steps Terraform runs for what the AWS provider cannot do (safe to run by hand)."""
    with aws_errors():
        ctx.obj = (OpsContext(Target(region=region, instance_id=instance_id)).client("connect"), instance_id)


@step.command("associate-phone-number")
@click.option("--phone-number-id", required=True)
@click.option("--contact-flow-id", help="The flow that answers the number.")
@click.option("--undo", is_flag=True, help="Detach the number from its flow.")
@click.pass_obj
def associate_phone_number(
    obj: tuple[object, str], phone_number_id: str, contact_flow_id: str | None, undo: bool
) -> None:
    """Point a number claimed to the instance at a flow (AssociatePhoneNumberContactFlow)."""
    connect, instance_id = obj
    with user_errors():
        if undo:
            click.echo(steps.disassociate_phone_number(connect, instance_id, phone_number_id))
        elif contact_flow_id:
            click.echo(steps.associate_phone_number(connect, instance_id, phone_number_id, contact_flow_id))
        else:
            raise click.UsageError("--contact-flow-id is required (or --undo)")


@step.command("queue-quick-connects")
@click.option("--queue-id", required=True)
@click.option("--quick-connect-ids", required=True, help="Space- or comma-separated quick connect IDs.")
@click.option("--undo", is_flag=True, help="Remove these quick connects from the queue.")
@click.pass_obj
def queue_quick_connects(obj: tuple[object, str], queue_id: str, quick_connect_ids: str, undo: bool) -> None:
    """Make a queue offer these quick connects (AssociateQueueQuickConnects)."""
    connect, instance_id = obj
    ids = [i for i in quick_connect_ids.replace(",", " ").split() if i]
    with user_errors():
        if undo:
            click.echo(steps.disassociate_queue_quick_connects(connect, instance_id, queue_id, ids))
        else:
            click.echo(steps.associate_queue_quick_connects(connect, instance_id, queue_id, ids))
