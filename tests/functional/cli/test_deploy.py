"""`aicc-ops deploy` against a fake terraform on PATH and moto's STS: the run, the summary, the guards."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from moto import mock_aws

from aicc_ops.cli import cli
from aicc_ops.cli.deploy import Change, changes, classify

PLAN = {
    "resource_changes": [
        {"address": 'module.data.aws_dynamodb_table.this["customers"]', "change": {"actions": ["create"]}},
        {
            "address": 'module.connect.aws_connect_queue.this["msp_general"]',
            "change": {"actions": ["update"]},
        },
        {
            "address": 'module.lambdas.aws_lambda_function.this["call_log"]',
            "change": {"actions": ["delete", "create"]},
        },
        {"address": "module.security.aws_s3_bucket.old", "change": {"actions": ["delete"]}},
        {"address": "module.monitoring.aws_sns_topic.alarms", "change": {"actions": ["no-op"]}},
    ]
}


OUTPUTS = {"instance_id": {"value": "c8c0e68d-2200-4265-82c0-000000000000", "type": "string"}}


def _fake_terraform(directory: Path, version: str = "1.9.5") -> Path:
    """A `terraform` that logs its arguments and answers `version` and `show -json`."""
    directory = directory / "bin"
    directory.mkdir(exist_ok=True)
    log = directory / "calls.log"
    plan = directory / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    script = directory / "terraform"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        f'case "$1" in version) echo "Terraform v{version}";; show) cat "{plan}";; '
        f"output) echo '{json.dumps(OUTPUTS)}';; esac\n"
        "exit 0\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return log


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-2")
    with mock_aws():
        yield


@pytest.fixture(autouse=True)
def no_layer_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The layer build downloads wheels; these tests are about Terraform, not pip."""
    monkeypatch.setattr("aicc_ops.cli.deploy.build_layer", lambda: tmp_path / "lambda-layer.zip")


@pytest.fixture
def terraform_dir(tmp_path: Path) -> Path:
    root = tmp_path / "terraform"
    for env in ("dev", "prod"):
        (root / "envs" / env).mkdir(parents=True)
        account = "123456789012" if env == "dev" else "222222222222"  # moto's account is 123456789012
        (root / "envs" / env / "terraform.tfvars").write_text(
            f'env = "{env}"\naccount_id = "{account}"\n', encoding="utf-8"
        )
        (root / "envs" / env / "backend.hcl").write_text('bucket = "state"\n', encoding="utf-8")
    return root


def invoke(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["deploy", *args], input=input)
    return result.exit_code, result.output


def test_classify_and_changes() -> None:
    assert classify(["delete", "create"]) == "replace"
    assert classify(["no-op"]) is None
    assert [c.action for c in changes(PLAN)] == ["create", "update", "replace", "delete"]
    assert changes({}) == []
    assert Change("a", "create") == Change("a", "create")


def test_plan_inits_with_the_env_backend_and_prints_a_summary(
    tmp_path: Path, terraform_dir: Path, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_terraform(tmp_path)
    monkeypatch.setenv("TERRAFORM_BIN", str(tmp_path / "bin" / "terraform"))
    code, out = invoke("plan", "--env", "dev", "--terraform-dir", str(terraform_dir))
    assert code == 0, out
    assert "account 123456789012" in out
    table = out[: out.index("replaced or deleted:")]
    wanted = ("create", "update", "replace", "delete")
    rows = dict(line.split() for line in table.splitlines() if line.split()[:1] and line.split()[0] in wanted)
    assert rows == {"create": "1", "update": "1", "replace": "1", "delete": "1"}
    assert 'replace  module.lambdas.aws_lambda_function.this["call_log"]' in out
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls[1].startswith("init -input=false -reconfigure -backend-config=") and calls[1].endswith(
        "envs/dev/backend.hcl"
    )
    assert "-var-file=" in calls[2] and calls[2].endswith("envs/dev/dev.tfplan")
    assert calls[3].startswith("show -json")
    assert not any(c.startswith("apply") for c in calls)


def test_apply_asks_first_and_does_nothing_when_declined(
    tmp_path: Path, terraform_dir: Path, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_terraform(tmp_path)
    monkeypatch.setenv("TERRAFORM_BIN", str(tmp_path / "bin" / "terraform"))
    code, out = invoke("apply", "--env", "dev", "--terraform-dir", str(terraform_dir), input="n\n")
    assert code == 1 and "not confirmed; nothing was applied" in out
    assert not any(c.startswith("apply") for c in log.read_text(encoding="utf-8").splitlines())
    code, out = invoke("apply", "--env", "dev", "--terraform-dir", str(terraform_dir), "--yes")
    assert code == 0, out
    assert any(c.startswith("apply -input=false") for c in log.read_text(encoding="utf-8").splitlines())
    saved = terraform_dir / "envs" / "dev" / "outputs.json"
    assert json.loads(saved.read_text(encoding="utf-8")) == OUTPUTS  # what `--env dev` commands read
    assert f"Outputs saved to {saved}" in out


def test_credentials_of_another_account_are_refused(
    tmp_path: Path, terraform_dir: Path, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake_terraform(tmp_path)
    monkeypatch.setenv("TERRAFORM_BIN", str(tmp_path / "bin" / "terraform"))
    code, out = invoke("plan", "--env", "prod", "--terraform-dir", str(terraform_dir))
    assert code == 1
    assert "the credentials are for account 123456789012, but envs/prod deploys to 222222222222" in out
    assert not any(c.startswith("init") for c in log.read_text(encoding="utf-8").splitlines())


def test_prod_needs_its_name_typed(
    tmp_path: Path, terraform_dir: Path, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_terraform(tmp_path)
    monkeypatch.setenv("TERRAFORM_BIN", str(tmp_path / "bin" / "terraform"))
    tfvars = terraform_dir / "envs" / "prod" / "terraform.tfvars"
    tfvars.write_text(
        tfvars.read_text(encoding="utf-8").replace("222222222222", "123456789012"), encoding="utf-8"
    )
    code, out = invoke("destroy", "--env", "prod", "--terraform-dir", str(terraform_dir), input="y\n")
    assert code == 1 and "nothing was destroyed" in out


def test_missing_terraform_says_what_to_install(
    terraform_dir: Path, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TERRAFORM_BIN", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    code, out = invoke("plan", "--env", "dev", "--terraform-dir", str(terraform_dir))
    assert code == 1 and "terraform not found: install Terraform 1.6 or newer" in out


def test_old_terraform_is_refused(
    tmp_path: Path, terraform_dir: Path, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_terraform(tmp_path, version="1.0.3")
    monkeypatch.setenv("TERRAFORM_BIN", str(tmp_path / "bin" / "terraform"))
    code, out = invoke("plan", "--env", "dev", "--terraform-dir", str(terraform_dir))
    assert code == 1 and "is Terraform 1.0.3; this project needs 1.6 or newer" in out


def test_missing_credentials_say_what_to_set(
    tmp_path: Path, terraform_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_terraform(tmp_path)
    monkeypatch.setenv("TERRAFORM_BIN", str(tmp_path / "bin" / "terraform"))
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, out = invoke("plan", "--env", "dev", "--terraform-dir", str(terraform_dir))
    assert code == 1 and "no AWS credentials: set AWS_PROFILE" in out


def test_unknown_environment(terraform_dir: Path) -> None:
    code, out = invoke("plan", "--env", "staging", "--terraform-dir", str(terraform_dir))
    assert code == 2 and "'staging' is not an environment; one of dev, prod" in out


def test_layer_requirements_come_from_the_pins_in_pyproject(tmp_path: Path) -> None:
    from aicc_ops.cli.deploy import layer_requirements

    assert [r.split("==")[0].lower() for r in layer_requirements()] == [
        "aws-lambda-powertools",
        "holidays",
        "pyyaml",
        "rapidfuzz",
    ]
    broken = tmp_path / "pyproject.toml"
    broken.write_text('[project]\ndependencies = ["holidays==1"]\n', encoding="utf-8")
    with pytest.raises(Exception, match="pins none of aws-lambda-powertools, pyyaml, rapidfuzz"):
        layer_requirements(broken)
