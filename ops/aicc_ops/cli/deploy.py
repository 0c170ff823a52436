"""`aicc-ops deploy`: the state backend, Terraform plan, apply and destroy per environment, and the
steps Terraform runs for what its AWS provider cannot do.

`make plan ENV=dev` and `make deploy ENV=dev` call these. Each command declares its options, calls
one function of aicc_ops.deploy.run (the work, testable without click) and prints the result.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..admin.context import OpsContext, Target
from ..core.repository import TERRAFORM_DIR, OutsideRepositoryError, require_repository
from ..deploy import run, steps
from ..deploy.artifacts import build_layer, build_source
from ..deploy.environment import Environment
from ..deploy.errors import DeployError
from ._errors import OpsError, user_errors
from ._options import aws_errors


def _needs_repository() -> None:
    """Deploying zips the Lambda sources and runs the clone's Terraform root: not from a package."""
    try:
        require_repository("aicc-ops deploy")
    except OutsideRepositoryError as exc:
        raise OpsError(str(exc), "repository") from None


def _environment(ctx: click.Context, param: click.Parameter, name: str) -> Environment:
    """--env as the environment of --terraform-dir (an eager option: read first)."""
    _needs_repository()
    try:
        return Environment.load(name, ctx.params.get("terraform_dir") or TERRAFORM_DIR)
    except DeployError as exc:
        raise click.BadParameter(str(exc)) from None


def _console() -> run.Console:
    return run.Console(
        echo=click.echo,
        confirm=lambda text: click.confirm(text, default=False),
        prompt=lambda text: str(click.prompt(text, default="", show_default=False)),
    )


ENV_OPTION = click.option(
    "--env",
    "env",
    required=True,
    metavar="ENV",
    callback=_environment,
    help="Environment: a folder of terraform/envs.",
)
DIR_OPTION = click.option(
    "--terraform-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,  # the clone's terraform/; not checked for existence before --env says why it is absent
    show_default="terraform/",
    is_eager=True,  # --env is looked up in it
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
    _needs_repository()
    with user_errors():
        click.echo(str(build_source()))
        click.echo(str(build_layer()))


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
def bootstrap(env: Environment, terraform_dir: Path, profile: str | None) -> None:
    """Create the environment's Terraform state bucket and KMS key (once; safe to re-run)."""
    with user_errors():
        report = run.bootstrap(env, profile)
    click.echo(f"{env.name}: state in s3://{report.bucket}, encrypted with {report.key_arn}")
    click.echo("created: " + (", ".join(report.created) or "nothing (already there)"))
    click.echo("ensured: " + ", ".join(report.ensured))
    click.echo(f"Next: aicc-ops deploy plan --env {env.name}")


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def plan(env: Environment, terraform_dir: Path, profile: str | None, output: str) -> None:
    """Init and plan to envs/ENV/ENV.tfplan; print what would change (--output json: the result
    alone on stdout, Terraform's output on stderr)."""
    with user_errors():
        result = run.plan(env, profile, click.echo, json_output=output == "json")
    click.echo(json.dumps(result.to_json()) if output == "json" else result.text())


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@YES_OPTION
@CONFIRM_OPTION
def apply(
    env: Environment, terraform_dir: Path, profile: str | None, yes: bool, confirm_env: str | None
) -> None:
    """Plan, show the summary, and apply after confirmation."""
    with user_errors():
        run.change("apply", env, profile, _console(), yes, confirm_env)


@deploy.command()
@ENV_OPTION
@DIR_OPTION
@PROFILE_OPTION
@YES_OPTION
@CONFIRM_OPTION
def destroy(
    env: Environment, terraform_dir: Path, profile: str | None, yes: bool, confirm_env: str | None
) -> None:
    """Plan a destroy and run it after confirmation. See docs/deploy.md for what Connect keeps."""
    with user_errors():
        run.change("destroy", env, profile, _console(), yes, confirm_env)


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


@step.command("predefined-attribute")
@click.option(
    "--name", required=True, help="The predefined attribute (sentiment.yaml prefer_proficiency name)."
)
@click.option("--values", required=True, help="Space- or comma-separated values it must hold.")
@click.pass_obj
def predefined_attribute(obj: tuple[object, str], name: str, values: str) -> None:
    """Make a predefined attribute hold these values (CreatePredefinedAttribute)."""
    connect, instance_id = obj
    wanted = [v for v in values.replace(",", " ").split() if v]
    with user_errors():
        click.echo(steps.predefined_attribute(connect, instance_id, name, wanted))
