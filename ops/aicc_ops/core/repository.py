"""Where aicc-ops runs from: a clone of the repository, or an installed package (a wheel, e.g.
`pipx install`).

The package carries what the day-to-day commands read: the configuration (aicc/config) and the
flow templates (aicc_ops/flow_templates, built from terraform/flows). Deploying needs more: the
Terraform root and its environments, the Lambda sources to zip and the build tools `make install`
sets up, so those commands ask for the repository and say so when run from a package.
"""

from __future__ import annotations

from pathlib import Path

# The clone's root when aicc-ops runs from its source (ops/aicc_ops/core/ is three levels down);
# from an installed package this is some directory of the Python installation instead.
REPO_ROOT = Path(__file__).resolve().parents[3]
TERRAFORM_DIR = REPO_ROOT / "terraform"
REPO_FLOWS_DIR = TERRAFORM_DIR / "flows"
# In a wheel, terraform/flows is installed as this package directory (setup.py maps it).
PACKAGED_FLOWS_DIR = Path(__file__).resolve().parents[1] / "flow_templates"


class OutsideRepositoryError(Exception):
    """A command needs the repository and aicc-ops runs from an installed package."""


def in_repository() -> bool:
    """True when aicc-ops runs from a clone (the Terraform root and the Lambda sources beside it)."""
    return (REPO_ROOT / "terraform" / "main.tf").is_file() and (REPO_ROOT / "lambdas" / "aicc").is_dir()


CLONE_HINT = (
    "In a clone of the repository run `make install`, then its `.venv/bin/aicc-ops` or the make "
    "targets (make plan, make deploy)."
)
# What an operator with the package does instead of --env: name the instance and its tables.
ENV_HINT = (
    "From the package, name the instance instead: --instance-id and --region (or AICC_INSTANCE_ID, "
    "and the tables' variables of aicc/config/tables.yaml such as AGENTS_TABLE); or run it from a "
    "clone of the repository."
)


def outside_message(what: str, hint: str = CLONE_HINT) -> str:
    return f"{what} needs the aicc-ops repository, and this aicc-ops runs from an installed package. {hint}"


def require_repository(what: str) -> Path:
    """The clone's root, or OutsideRepositoryError naming `what` needs it and how to get one."""
    if not in_repository():
        raise OutsideRepositoryError(outside_message(what))
    return REPO_ROOT


def check_terraform_dir(terraform_dir: Path, env: str, what: str = "") -> None:
    """`env`'s settings and Terraform outputs live in the clone's terraform/envs: outside a clone
    say so (with what to give instead), rather than "no such environment"."""
    if terraform_dir == TERRAFORM_DIR and not in_repository():
        what = what or f"--env {env} (it reads terraform/envs/{env} and its Terraform outputs)"
        raise OutsideRepositoryError(outside_message(what, ENV_HINT))


def default_flows_dir() -> Path:
    """The flow templates shipped with the package when installed, else the clone's terraform/flows."""
    return PACKAGED_FLOWS_DIR if PACKAGED_FLOWS_DIR.is_dir() else REPO_FLOWS_DIR
