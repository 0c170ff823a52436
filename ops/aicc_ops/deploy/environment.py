"""One deployment environment: terraform/envs/<env>/ (terraform.tfvars, backend.hcl) and what
follows from it (the account, the Region, the state bucket, Terraform's data directory).

The state bucket's name is derived, never written down: `aicc-ops-tfstate-<account>-<env>`, so the
account ID lives only in terraform.tfvars and two environments never share a bucket or a lock.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core.repository import TERRAFORM_DIR, check_terraform_dir
from ..engine.flows import REGION
from .errors import DeployError

STATE_BUCKET_PREFIX = "aicc-ops-tfstate"
LOCAL_STACK = "local"  # the environment deployed to the running local stack (the deploy rehearsal)
_ACCOUNT = re.compile(r"^\d{12}$")


def environments(terraform_dir: Path = TERRAFORM_DIR) -> list[str]:
    """The environments: the folders of terraform/envs with a terraform.tfvars."""
    envs = terraform_dir / "envs"
    if not envs.is_dir():
        return []
    return sorted(p.name for p in envs.iterdir() if (p / "terraform.tfvars").is_file())


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of HCL strings: "\"dev\"" -> "dev", recursively."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, dict):
        return {str(_unquote(k)): _unquote(v) for k, v in value.items() if k != "__comments__"}
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    return value


def read_hcl(path: Path) -> dict[str, Any]:
    """The attributes of a .tfvars or .hcl file, as plain Python values."""
    import hcl2

    try:
        with path.open(encoding="utf-8") as handle:
            data = hcl2.load(handle)
    except FileNotFoundError:
        raise DeployError(f"{path} does not exist") from None
    except Exception as exc:  # the parser raises lark errors of several kinds
        raise DeployError(f"{path} is not valid HCL: {str(exc).splitlines()[0]}") from None
    return dict(_unquote(data))


@dataclass(frozen=True)
class Environment:
    name: str
    terraform_dir: Path = TERRAFORM_DIR

    @classmethod
    def load(cls, name: str, terraform_dir: Path = TERRAFORM_DIR) -> Environment:
        check_terraform_dir(terraform_dir, name)
        known = environments(terraform_dir)
        if name not in known:
            raise DeployError(f"{name!r} is not an environment; one of {', '.join(known) or '(none)'}")
        return cls(name, terraform_dir)

    @property
    def dir(self) -> Path:
        return self.terraform_dir / "envs" / self.name

    @property
    def tfvars_file(self) -> Path:
        return self.dir / "terraform.tfvars"

    @property
    def backend_file(self) -> Path:
        return self.dir / "backend.hcl"

    @property
    def plan_file(self) -> Path:
        return self.dir / f"{self.name}.tfplan"

    @property
    def data_dir(self) -> Path:
        """Terraform's data directory (TF_DATA_DIR) of this environment alone: `init` of one
        environment never re-points another's backend or providers."""
        return self.terraform_dir / f".terraform-{self.name}"

    @cached_property
    def tfvars(self) -> dict[str, Any]:
        return read_hcl(self.tfvars_file)

    @cached_property
    def backend(self) -> dict[str, Any]:
        return read_hcl(self.backend_file)

    @property
    def account_id(self) -> str:
        account = str(self.tfvars.get("account_id", ""))
        if not _ACCOUNT.match(account):
            where = f"envs/{self.name}/terraform.tfvars"
            raise DeployError(f"{where}: account_id must be the 12-digit AWS account ID")
        return account

    @property
    def region(self) -> str:
        return str(self.backend.get("region") or self.tfvars.get("region") or REGION)

    @property
    def state_bucket(self) -> str:
        return f"{STATE_BUCKET_PREFIX}-{self.account_id}-{self.name}"

    @property
    def state_key_alias(self) -> str:
        return f"alias/{STATE_BUCKET_PREFIX}-{self.name}"

    @property
    def on_local_stack(self) -> bool:
        """Deployed to the running local stack (`aicc-ops local up`): moto for AWS, the emulator for
        Connect, with the stack's own credentials (docs/deploy.md, "Rehearsal on the local stack")."""
        return self.name == LOCAL_STACK

    @property
    def protected(self) -> bool:
        """Stateful resources carry prevent_destroy guards (deletion_protection in the tfvars)."""
        return bool(self.tfvars.get("deletion_protection", True))

    def backend_args(self) -> list[str]:
        """`terraform init` arguments: backend.hcl and the derived bucket (its default encryption,
        SSE-KMS with the state key, covers every writer, raw `terraform` included)."""
        args = [f"-backend-config={self.backend_file}", f"-backend-config=bucket={self.state_bucket}"]
        if os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"):
            # An S3 endpoint of one's own (the local stack, a proxy) serves buckets by path, not
            # by host name.
            args.append("-backend-config=use_path_style=true")
        return args

    @property
    def outputs_file(self) -> Path:
        """The outputs `deploy apply` saves; operator commands with --env read the instance ID,
        table names and number here before asking Terraform."""
        return self.dir / "outputs.json"

    def saved_outputs(self) -> dict[str, Any] | None:
        """The saved `terraform output -json`, or None when nothing is saved."""
        try:
            data: dict[str, Any] = json.loads(self.outputs_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            raise DeployError(
                f"{self.outputs_file} is not JSON: delete it; the next run asks Terraform again"
            ) from None
        return data

    def save_outputs(self, data: dict[str, Any]) -> None:
        if data:
            self.outputs_file.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        else:
            self.outputs_file.unlink(missing_ok=True)

    @property
    def outputs_data_dir(self) -> Path:
        """Where operator commands read the outputs: apart from the deploy's own data directory, so a
        read never re-initialises under a running plan or apply."""
        return self.terraform_dir / f".terraform-{self.name}-outputs"
