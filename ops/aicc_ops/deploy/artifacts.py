"""What Terraform uploads: the functions' code (lambdas/) and their third-party packages (a layer).

Both zips are reproducible (sorted entries, fixed timestamps and modes), so Terraform's source hash
changes only when a file does.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..engine.flows import REPO_ROOT
from .errors import DeployError

BUILD_DIR = REPO_ROOT / "build"
SOURCE_ZIP = BUILD_DIR / "lambda-source.zip"
LAYER_ZIP = BUILD_DIR / "lambda-layer.zip"
SOURCE_DIR = REPO_ROOT / "lambdas"
# Third-party packages the Lambda code imports (boto3 is in the runtime); versions from pyproject.toml.
LAYER_PACKAGES = ("aws-lambda-powertools", "holidays", "pyyaml", "rapidfuzz")
_EPOCH = (2020, 1, 1, 0, 0, 0)
_SKIPPED = ("__pycache__", ".DS_Store", ".mypy_cache", ".pytest_cache")


def _write_zip(target: Path, files: Iterable[tuple[str, Path]]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    partial.replace(target)  # never a half-written zip where Terraform looks
    return target


def _tree(root: Path, prefix: str = "") -> list[tuple[str, Path]]:
    return [
        (prefix + str(p.relative_to(root)), p)
        for p in root.rglob("*")
        if p.is_file() and not any(part in _SKIPPED for part in p.parts) and p.suffix != ".pyc"
    ]


def build_source(source: Path = SOURCE_DIR, target: Path = SOURCE_ZIP) -> Path:
    """Zip lambdas/ (the `aicc` package and its config) as the one artifact of every function."""
    if not (source / "aicc" / "handlers").is_dir():
        raise DeployError(f"{source} holds no aicc/handlers: run from the repository checkout")
    return _write_zip(target, _tree(source))


def layer_requirements(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The pinned requirements of LAYER_PACKAGES, read from pyproject.toml (the one place of pins)."""
    pins = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    wanted = {}
    for pin in pins:
        name = re.split(r"[\[=<>~! ]", pin, maxsplit=1)[0].lower()
        if name in LAYER_PACKAGES:
            wanted[name] = pin
    missing = sorted(set(LAYER_PACKAGES) - set(wanted))
    if missing:
        raise DeployError(f"pyproject.toml pins none of {', '.join(missing)}; the Lambda layer needs them")
    return [wanted[n] for n in LAYER_PACKAGES]


def build_layer(target: Path = LAYER_ZIP) -> Path:
    """Zip the Lambda dependencies for python3.12 on arm64 (manylinux wheels from PyPI) as a layer.

    A zip built from the same pins is reused (its requirements are stored beside it)."""
    stamp = target.with_suffix(".requirements")
    requirements = layer_requirements()
    wanted = "\n".join(requirements)
    if target.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        return target
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "python"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(site),
            "--platform",
            "manylinux2014_aarch64",
            "--implementation",
            "cp",
            "--python-version",
            "3.12",
            "--only-binary=:all:",
            *requirements,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise DeployError(f"building the Lambda layer failed:\n{done.stderr.strip()[-2000:]}")
        _write_zip(target, _tree(site, "python/"))
    stamp.write_text(wanted, encoding="utf-8")
    return target
