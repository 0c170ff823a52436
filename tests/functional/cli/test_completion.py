"""Shell completion is click's own: the console script's completion variable prints a script for
bash, zsh and fish, and answers completion requests through the real entry point (lazy groups
included)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from aicc_ops.cli import main

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = "aicc-ops"
# click derives the variable from the program name: _<NAME upper-cased, - as _>_COMPLETE.
COMPLETE_VAR = "_AICC_OPS_COMPLETE"


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0
    return capsys.readouterr().out


def test_the_console_script_is_the_entry_point_completion_is_named_after() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts[SCRIPT] == "aicc_ops.cli:main"


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _aicc_ops_completion aicc-ops"),
        ("zsh", "#compdef aicc-ops"),
        ("fish", "complete --no-files --command aicc-ops"),
    ],
)
def test_the_completion_variable_prints_the_shell_script(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], shell: str, marker: str
) -> None:
    script = run_main(monkeypatch, capsys, **{COMPLETE_VAR: f"{shell}_source"})
    assert marker in script
    assert f"{COMPLETE_VAR}={shell}_complete" in script


def completions(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], line: str) -> list[str]:
    """What bash would offer for the last word of `line` (an empty last word: after a space)."""
    words = line.split(" ")
    out = run_main(
        monkeypatch,
        capsys,
        **{COMPLETE_VAR: "bash_complete", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)},
    )
    return [entry.split(",", 1)[1] for entry in out.splitlines() if entry.startswith("plain,")]


def test_a_subcommand_of_a_lazy_group_completes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert completions(monkeypatch, capsys, "aicc-ops flows l") == ["lint"]


def test_the_command_groups_complete(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    offered = completions(monkeypatch, capsys, "aicc-ops ")
    assert {"agents", "call", "flows", "local", "queues", "roster"} <= set(offered)
    assert completions(monkeypatch, capsys, "aicc-ops fl") == ["flows"]
