"""The shared pre-commit set-up: the config parses, every step of `make lint` has a hook running it
with the project's own pinned tool from .venv, and .editorconfig agrees with ruff's line length."""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def make_recipe(target: str, makefile: str) -> list[list[str]]:
    """The commands of a Makefile target, $(BIN) spelled out as .venv/bin."""
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, f"no {target} target in the Makefile"
    lines = [line.strip() for line in match.group(1).splitlines()]
    return [shlex.split(line.replace("$(BIN)", ".venv/bin")) for line in lines]


def hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_make_recipe_reads_a_target() -> None:
    makefile = "a: x\n\t$(BIN)/ruff check .\n\t$(BIN)/mypy\n\nb:\n\techo b\n"
    assert make_recipe("a", makefile) == [[".venv/bin/ruff", "check", "."], [".venv/bin/mypy"]]


def test_every_make_lint_step_has_a_hook() -> None:
    steps = make_recipe("lint", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert len(steps) >= 5, steps  # ruff check, ruff format, mypy, terraform fmt, flows lint
    entries = [shlex.split(hook["entry"]) for hook in hooks()]
    for step in steps:
        # `.` (the whole tree) is what a hook replaces with the files staged, or omits.
        words = [word for word in step if word != "."]
        assert any(entry[: len(words)] == words for entry in entries), f"no hook runs {' '.join(step)}"


def test_hooks_use_the_pinned_tools_and_download_nothing() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    ids = [hook["id"] for hook in hooks()]
    assert len(ids) == len(set(ids))
    for hook in hooks():
        assert hook["language"] == "system", hook["id"]
        assert hook["entry"].startswith(".venv/bin/"), hook["id"]
        assert "additional_dependencies" not in hook, hook["id"]
        if "files" in hook:
            re.compile(hook["files"])


def test_editorconfig_matches_ruff() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    editorconfig = configparser.ConfigParser()
    editorconfig.read_string("[top]\n" + (ROOT / ".editorconfig").read_text(encoding="utf-8"))
    python = editorconfig["*.{py,pyi}"]
    assert int(python["max_line_length"]) == pyproject["tool"]["ruff"]["line-length"]
    assert editorconfig["*"]["indent_size"] == "4" and editorconfig["*"]["charset"] == "utf-8"
    assert editorconfig["Makefile"]["indent_style"] == "tab"
