"""The rehearsal takes Terraform's providers from the machine's mirror, even where the machine's
TF_CLI_CONFIG_FILE names a file that is not there (Terraform then asks the registry, unreachable
offline: the fresh-clone CI run failed at `terraform init`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicc_ops.deploy import rehearse


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tf-plugins"
    folder.mkdir()
    monkeypatch.setattr(rehearse, "MIRROR", folder)
    return folder


@pytest.mark.parametrize("configured", [None, "/nonexistent/.terraformrc"])
def test_a_missing_cli_configuration_gets_the_mirror(
    tmp_path: Path, mirror: Path, monkeypatch: pytest.MonkeyPatch, configured: str | None
) -> None:
    if configured is None:
        monkeypatch.delenv("TF_CLI_CONFIG_FILE", raising=False)
    else:
        monkeypatch.setenv("TF_CLI_CONFIG_FILE", configured)
    rehearse.use_mirror(tmp_path)
    rc = Path(rehearse.os.environ["TF_CLI_CONFIG_FILE"])
    assert rc.parent == tmp_path and f'path = "{mirror}"' in rc.read_text()


def test_an_existing_cli_configuration_is_respected(
    tmp_path: Path, mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "own.tfrc"
    own.write_text("")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(own))
    rehearse.use_mirror(tmp_path)
    assert rehearse.os.environ["TF_CLI_CONFIG_FILE"] == str(own)
