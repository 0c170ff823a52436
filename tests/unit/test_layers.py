"""Layers point one way: cli -> reports -> admin -> deploy -> local -> engine -> core -> aicc (the Lambdas).

Every import of every module of aicc_ops (top-level, in functions, under TYPE_CHECKING) is read
with ast; a module may import its own layer or any layer below it, never one above. The Lambda
package never imports aicc_ops.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "ops" / "aicc_ops"
LAMBDAS = ROOT / "lambdas" / "aicc"
# Highest first. deploy sits under admin: operator commands read an environment's outputs, and
# the deploy steps share nothing of the operator context. knowledge (the knowledge base) uses the
# engine's encoder; the local stack serves it. reports reads through the operator context (admin),
# and so does dashboard (the live page).
LAYERS = ("cli", "dashboard", "reports", "admin", "deploy", "local", "knowledge", "engine", "core")


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name inside aicc_ops (aicc_ops.local.seed -> local)."""
    parts = module.split(".")
    if parts[0] != "aicc_ops" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def _module_name(path: Path, ops_dir: Path) -> str:
    rel = path.relative_to(ops_dir.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, ops_dir: Path = OPS) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, relative ones resolved."""
    module = _module_name(path, ops_dir)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            if not node.module or (node.level and target.count(".") == 1):
                # `from .. import cli` / `from ..engine import lint`: the names are modules too
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"


def upward_imports(ops_dir: Path = OPS) -> list[str]:
    found = []
    for path in sorted(ops_dir.rglob("*.py")):
        own = layer_of(_module_name(path, ops_dir))
        if own is None:
            continue
        for line, target in imports(path, ops_dir):
            other = layer_of(target)
            if other is not None and LAYERS.index(other) < LAYERS.index(own):
                where = path.relative_to(ops_dir.parent)
                found.append(f"{where}:{line}: {own} imports {target} ({other} is above)")
    return found


def test_every_package_of_aicc_ops_is_a_known_layer() -> None:
    packages = {p.name for p in OPS.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), f"give {packages - set(LAYERS)} a place in LAYERS"


def test_no_module_imports_a_layer_above_its_own() -> None:
    found = upward_imports()
    assert not found, "upward imports:\n  " + "\n  ".join(found)


def test_the_lambdas_never_import_the_ops_package() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {target}"
        for path in sorted(LAMBDAS.rglob("*.py"))
        for line, target in _plain_imports(path)
        if target.split(".")[0] == "aicc_ops"
    ]
    assert not found, found


def _plain_imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.lineno, node.module or ""


@pytest.mark.parametrize(
    ("source", "relative_to", "expected"),
    [
        ("from ..admin.drift import prune\n", "local/emulator.py", "local imports aicc_ops.admin.drift"),
        ("def f():\n    from ..cli import main\n", "engine/x.py", "engine imports aicc_ops.cli"),
        ("from aicc_ops.deploy import steps\n", "local/x.py", "local imports aicc_ops.deploy"),
        ("from .. import admin\n", "core/x.py", "core imports aicc_ops.admin"),
    ],
)
def test_an_upward_import_is_found(tmp_path: Path, source: str, relative_to: str, expected: str) -> None:
    """The walk sees relative, absolute and function-level imports (checked on a scratch tree)."""
    fake = tmp_path / "aicc_ops"
    target = fake / relative_to
    target.parent.mkdir(parents=True)
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (target.parent / "__init__.py").write_text("", encoding="utf-8")
    target.write_text(source, encoding="utf-8")
    found = upward_imports(fake)
    assert any(expected in line for line in found), found


def test_the_deploy_commands_leave_the_work_to_the_deploy_package() -> None:
    """cli/deploy.py declares options and calls deploy.run (sam-cli's do_cli): it never drives
    Terraform, the state backend or the preflight checks itself."""
    cli_deploy = OPS / "cli" / "deploy.py"
    driving = sorted(
        target
        for _, target in imports(cli_deploy)
        if target.startswith(
            ("aicc_ops.deploy.terraform", "aicc_ops.deploy.backend", "aicc_ops.deploy.preflight")
        )
    )
    assert driving == [], f"cli/deploy.py imports {driving}: move that work into aicc_ops/deploy/run.py"
