"""`aicc-ops deploy` against a fake terraform on PATH and moto: the run, the summary, the guards."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from aicc_ops.cli import cli
from aicc_ops.deploy.artifacts import build_source, layer_requirements
from aicc_ops.deploy.terraform import changes, classify

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
ACCOUNT = "123456789012"  # moto's


def _fake_terraform(directory: Path, version: str = "1.11.4") -> Path:
    """A `terraform` that logs its arguments with TF_DATA_DIR and answers version, show, output."""
    directory = directory / "bin"
    directory.mkdir(exist_ok=True)
    log = directory / "calls.log"
    plan = directory / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    script = directory / "terraform"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "TF_DATA_DIR=$TF_DATA_DIR AWS_PROFILE=$AWS_PROFILE $@" >> "{log}"\n'
        f'case "$1" in version) echo "Terraform v{version}";; show) cat "{plan}";; '
        f"output) echo '{json.dumps(OUTPUTS)}';; esac\n"
        "exit 0\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return log


def _calls(log: Path) -> list[str]:
    """Terraform's arguments per call, after the environment it saw (TF_DATA_DIR=.. AWS_PROFILE=..)."""
    return [line.split(" ", 2)[2] for line in log.read_text(encoding="utf-8").splitlines()]


def _environments(log: Path) -> list[str]:
    return [" ".join(line.split(" ", 2)[:2]) for line in log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def aws(moto_account: None) -> None:
    """moto's account, nothing created (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def no_artifact_build(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The layer build downloads wheels; these tests are about Terraform, not pip."""
    monkeypatch.setattr("aicc_ops.deploy.run.build_layer", lambda: tmp_path / "lambda-layer.zip")
    monkeypatch.setattr("aicc_ops.deploy.run.build_source", lambda: tmp_path / "lambda-source.zip")


@pytest.fixture
def terraform_dir(tmp_path: Path) -> Path:
    root = tmp_path / "terraform"
    for env, protected in (("dev", "false"), ("prod", "true")):
        (root / "envs" / env).mkdir(parents=True)
        (root / "envs" / env / "terraform.tfvars").write_text(
            f'env = "{env}"\naccount_id = "{ACCOUNT}"\ndeletion_protection = {protected}\n', encoding="utf-8"
        )
        (root / "envs" / env / "backend.hcl").write_text('region = "ap-northeast-2"\n', encoding="utf-8")
    return root


@pytest.fixture
def terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = _fake_terraform(tmp_path)
    monkeypatch.setenv("TERRAFORM_BIN", str(tmp_path / "bin" / "terraform"))
    return log


def invoke(terraform_dir: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["deploy", *args, "--terraform-dir", str(terraform_dir)], input=input)
    return result.exit_code, result.output


@pytest.fixture
def bootstrapped(terraform_dir: Path, aws: None) -> Path:
    for env in ("dev", "prod"):
        code, out = invoke(terraform_dir, "bootstrap", "--env", env)
        assert code == 0, out
    return terraform_dir


def test_classify_and_changes() -> None:
    assert classify(["delete", "create"]) == "replace"
    assert classify(["no-op"]) is None
    assert [c.action for c in changes(PLAN)] == ["create", "update", "replace", "delete"]
    assert changes({}) == []


def test_plan_inits_the_env_backend_in_its_own_data_dir_and_prints_a_summary(
    bootstrapped: Path, terraform: Path
) -> None:
    code, out = invoke(bootstrapped, "plan", "--env", "dev")
    assert code == 0, out
    assert f"account {ACCOUNT}" in out
    table = out[: out.index("replaced or deleted:")]
    wanted = ("create", "update", "replace", "delete")
    rows = dict(line.split() for line in table.splitlines() if line.split()[:1] and line.split()[0] in wanted)
    assert rows == {"create": "1", "update": "1", "replace": "1", "delete": "1"}
    assert 'replace  module.lambdas.aws_lambda_function.this["call_log"]' in out
    init, plan, show = _calls(terraform)[1:4]
    assert set(_environments(terraform)[1:4]) == {
        f"TF_DATA_DIR={bootstrapped / '.terraform-dev'} AWS_PROFILE="
    }
    assert init.startswith("init -no-color -input=false -reconfigure -lockfile=readonly -backend-config=")
    assert init.endswith(f"envs/dev/backend.hcl -backend-config=bucket=aicc-ops-tfstate-{ACCOUNT}-dev")
    assert plan.startswith("plan") and plan.endswith("envs/dev/dev.tfplan")
    assert show.startswith("show -json")
    assert not any(c.startswith("apply") for c in _calls(terraform))


def test_two_environments_never_share_a_data_dir(bootstrapped: Path, terraform: Path) -> None:
    for env in ("dev", "prod"):
        assert invoke(bootstrapped, "plan", "--env", env)[0] == 0
    calls = zip(_environments(terraform), _calls(terraform), strict=True)
    dirs = {e.split()[0] for e, c in calls if c.startswith("init ")}
    assert dirs == {
        f"TF_DATA_DIR={bootstrapped / '.terraform-dev'}",
        f"TF_DATA_DIR={bootstrapped / '.terraform-prod'}",
    }


def test_plan_without_a_backend_says_to_bootstrap(terraform_dir: Path, terraform: Path, aws: None) -> None:
    code, out = invoke(terraform_dir, "plan", "--env", "dev")
    assert code == 1
    assert "the Terraform state backend of dev is missing its bucket and KMS key" in out
    assert "run `aicc-ops deploy bootstrap --env dev` once" in out
    assert not any(c.startswith("init ") for c in _calls(terraform))


def test_apply_asks_first_and_does_nothing_when_declined(bootstrapped: Path, terraform: Path) -> None:
    code, out = invoke(bootstrapped, "apply", "--env", "dev", input="n\n")
    assert code == 1 and "not confirmed; nothing was applied" in out
    assert not any(c.startswith("apply ") for c in _calls(terraform))
    code, out = invoke(bootstrapped, "apply", "--env", "dev", "--yes")
    assert code == 0, out
    assert any(c.startswith("apply -no-color -input=false") for c in _calls(terraform))
    saved = bootstrapped / "envs" / "dev" / "outputs.json"
    assert json.loads(saved.read_text(encoding="utf-8")) == OUTPUTS  # what `--env dev` commands read
    assert f"Outputs saved to {saved}" in out


def test_yes_does_not_confirm_a_protected_environment(bootstrapped: Path, terraform: Path) -> None:
    code, out = invoke(bootstrapped, "apply", "--env", "prod", "--yes", input="y\n")
    assert code == 1 and "prod is protected: --yes does not confirm it" in out
    assert "not confirmed; nothing was applied" in out
    code, out = invoke(bootstrapped, "destroy", "--env", "prod", "--yes", input="prod\n")
    assert code == 0, out
    assert any(c.startswith("apply ") for c in _calls(terraform))


def test_a_pipeline_confirms_prod_by_naming_it(bootstrapped: Path, terraform: Path) -> None:
    code, out = invoke(bootstrapped, "apply", "--env", "prod", "--confirm-env", "dev")
    assert code == 1 and "--confirm-env dev does not name prod; nothing was applied" in out
    assert not any(c.startswith("apply ") for c in _calls(terraform))
    code, out = invoke(bootstrapped, "apply", "--env", "prod", "--confirm-env", "prod")
    assert code == 0, out
    assert any(c.startswith("apply ") for c in _calls(terraform))
    # Naming the environment confirms any environment, without a question a pipeline cannot answer.
    code, out = invoke(bootstrapped, "destroy", "--env", "dev", "--confirm-env", "dev", input="")
    assert code == 0 and "dev: destroy complete" in out


def test_credentials_of_another_account_are_refused(terraform_dir: Path, terraform: Path, aws: None) -> None:
    tfvars = terraform_dir / "envs" / "prod" / "terraform.tfvars"
    tfvars.write_text(tfvars.read_text(encoding="utf-8").replace(ACCOUNT, "222222222222"), encoding="utf-8")
    code, out = invoke(terraform_dir, "plan", "--env", "prod")
    assert code == 1
    assert f"the credentials are for account {ACCOUNT}, but envs/prod deploys to 222222222222" in out
    assert not any(c.startswith("init ") for c in _calls(terraform))


def test_missing_terraform_says_what_to_install(
    terraform_dir: Path, aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TERRAFORM_BIN", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    code, out = invoke(terraform_dir, "plan", "--env", "dev")
    assert code == 1 and "terraform not found: install Terraform 1.10 or newer" in out


def test_old_terraform_is_refused(
    tmp_path: Path, terraform_dir: Path, aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_terraform(tmp_path, version="1.9.5")
    monkeypatch.setenv("TERRAFORM_BIN", str(tmp_path / "bin" / "terraform"))
    code, out = invoke(terraform_dir, "plan", "--env", "dev")
    assert code == 1 and "is Terraform 1.9.5; this project needs 1.10 or newer" in out


def test_missing_credentials_say_what_to_set(
    tmp_path: Path, terraform_dir: Path, terraform: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, out = invoke(terraform_dir, "plan", "--env", "dev")
    assert code == 1 and "no AWS credentials: set AWS_PROFILE" in out


def test_unknown_environment(terraform_dir: Path) -> None:
    code, out = invoke(terraform_dir, "plan", "--env", "staging")
    assert code == 2 and "'staging' is not an environment; one of dev, prod" in out


def test_layer_requirements_come_from_the_pins_in_pyproject(tmp_path: Path) -> None:
    assert [r.split("==")[0].lower() for r in layer_requirements()] == [
        "aws-lambda-powertools",
        "holidays",
        "pyyaml",
        "rapidfuzz",
        "slack-sdk",
        "jinja2",
        "pygal",
    ]
    broken = tmp_path / "pyproject.toml"
    broken.write_text('[project]\ndependencies = ["holidays==1"]\n', encoding="utf-8")
    with pytest.raises(
        Exception, match="pins none of aws-lambda-powertools, jinja2, pygal, pyyaml, rapidfuzz, slack-sdk"
    ):
        layer_requirements(broken)


def test_the_source_zip_is_reproducible_and_holds_only_the_package(tmp_path: Path) -> None:
    import zipfile

    first = build_source(target=tmp_path / "a.zip").read_bytes()
    second = build_source(target=tmp_path / "b.zip").read_bytes()
    assert first == second  # same files, same bytes: Terraform's source hash only moves with the code
    names = zipfile.ZipFile(tmp_path / "a.zip").namelist()
    assert "aicc/handlers/agent_events.py" in names and "aicc/config/functions.yaml" in names
    # Bytecode only for the functions' runtime (tests/functional/deploy/test_artifacts.py).
    assert {n.rsplit(".", 2)[-2] for n in names if n.endswith(".pyc")} == {"cpython-312"}


def test_the_profile_reaches_terraform_whose_backend_and_steps_inherit_it(
    bootstrapped: Path, terraform: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "aws-config"
    config.write_text(
        "[profile ops-admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
        "region = ap-northeast-2\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    code, out = invoke(bootstrapped, "plan", "--env", "dev", "--profile", "ops-admin")
    assert code == 0, out
    assert {e.split()[1] for e in _environments(terraform)[1:]} == {"AWS_PROFILE=ops-admin"}


def test_plan_json_is_alone_on_stdout(bootstrapped: Path, terraform: Path) -> None:
    result = CliRunner().invoke(
        cli, ["deploy", "plan", "--env", "dev", "--output", "json", "--terraform-dir", str(bootstrapped)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # progress lines and Terraform's output went to stderr
    assert report["env"] == "dev" and report["account"] == ACCOUNT
    assert [c["action"] for c in report["changes"]] == ["create", "update", "replace", "delete"]
    assert "Lambda code:" in result.stderr
