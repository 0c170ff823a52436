"""What Terraform uploads: the functions' code (lambdas/) and their third-party packages (a layer).

Both zips are reproducible (sorted entries, fixed timestamps and modes), so Terraform's source hash
changes only when a file does.

Both carry bytecode for the functions' runtime (`local.runtime` of the lambdas module): Lambda's code
directories are read-only, so without it every cold start compiles every module it imports. The
.pyc files use unchecked-hash invalidation: valid whatever the files' times in the zip, and never
checked against the source at import (the source cannot change under them). Bytecode is specific to
the Python minor version, so it is compiled by that version: the interpreter running this code when
it matches, else `python3.X` on PATH, else CPython of that version compiled to WebAssembly (the npm
package pyodide, run by Node.js), whose compiler writes the same bytecode.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..core.repository import REPO_ROOT, TERRAFORM_DIR
from .environment import read_hcl
from .errors import DeployError

BUILD_DIR = REPO_ROOT / "build"
SOURCE_ZIP = BUILD_DIR / "lambda-source.zip"
LAYER_ZIP = BUILD_DIR / "lambda-layer.zip"
SOURCE_DIR = REPO_ROOT / "lambdas"
# Third-party packages the Lambda code imports (boto3 is in the runtime); versions from pyproject.toml.
LAYER_PACKAGES = ("aws-lambda-powertools", "holidays", "pyyaml", "rapidfuzz", "slack-sdk", "jinja2", "pygal")
LAMBDAS_MODULE = TERRAFORM_DIR / "modules" / "lambdas" / "main.tf"
# Where Lambda puts the function's code and a layer's python/ (the paths tracebacks show).
CODE_DIR, LAYER_DIR = "/var/task", "/opt/python"
PYODIDE_DIR = BUILD_DIR / "pyodide"
# The pyodide release whose CPython has the runtime's minor version.
PYODIDE_RELEASES = {"3.12": "0.27.7"}
_EPOCH = (2020, 1, 1, 0, 0, 0)
_SKIPPED = ("__pycache__", ".DS_Store", ".mypy_cache", ".pytest_cache")
_COMPILE = """
import compileall
from py_compile import PycInvalidationMode
ok = compileall.compile_dir(
    {root!r}, ddir={ddir!r}, quiet=1, invalidation_mode=PycInvalidationMode.UNCHECKED_HASH
)
"""
_PYODIDE_RUN = """
const {{ loadPyodide }} = require("pyodide");
(async () => {{
  const py = await loadPyodide();
  py.FS.mkdir("/build");
  py.FS.mount(py.FS.filesystems.NODEFS, {{ root: process.argv[2] }}, "/build");
  process.exitCode = py.runPython(process.argv[3]) ?? 0;
}})().catch((error) => {{ console.error(String(error)); process.exitCode = 1; }});
"""


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


def _tree(root: Path, prefix: str = "", bytecode: str = "") -> list[tuple[str, Path]]:
    """The files under `root`, without caches; with `bytecode` (a tag: cpython-312) its .pyc files."""

    def kept(p: Path) -> bool:
        if bytecode and p.parent.name == "__pycache__":
            return p.name.endswith(f".{bytecode}.pyc")
        return not any(part in _SKIPPED for part in p.parts) and p.suffix != ".pyc"

    return [(prefix + str(p.relative_to(root)), p) for p in root.rglob("*") if p.is_file() and kept(p)]


def lambda_runtime(module: Path = LAMBDAS_MODULE) -> str:
    """The functions' runtime, `python3.12`, as the lambdas module sets it (`local.runtime`)."""
    runtimes = [block["runtime"] for block in read_hcl(module).get("locals", []) if "runtime" in block]
    if len(runtimes) != 1 or not re.fullmatch(r"python3\.\d+", str(runtimes[0])):
        raise DeployError(f'{module}: expected one `runtime = "python3.X"` in locals, found {runtimes}')
    return str(runtimes[0])


def bytecode_tag(runtime: str) -> str:
    """`python3.12` -> `cpython-312`, the tag in the names of that version's .pyc files."""
    return "cpython-" + runtime.removeprefix("python").replace(".", "")


def _pyodide(version: str) -> list[str] | None:
    """node running pyodide's CPython `version` (installed from npm into build/ on first use)."""
    release = PYODIDE_RELEASES.get(version)
    node, npm = shutil.which("node"), shutil.which("npm")
    if release is None or node is None or npm is None:
        return None
    package = PYODIDE_DIR / release
    if not (package / "node_modules" / "pyodide" / "package.json").is_file():
        install = [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(package)]
        done = subprocess.run([*install, f"pyodide@{release}"], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise DeployError(f"installing pyodide {release} from npm failed:\n{done.stderr.strip()[-2000:]}")
    script = package / "compile.js"
    script.write_text(_PYODIDE_RUN.format(), encoding="utf-8")
    return [node, str(script)]


def _python(runtime: str) -> str | None:
    """`python3.X` on PATH if it runs and is that version (a pyenv shim may exist but refuse)."""
    python = shutil.which(runtime)
    if python is None:
        return None
    probe = "import sys; print('python%d.%d' % sys.version_info[:2])"
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False)
    return python if done.returncode == 0 and done.stdout.strip() == runtime else None


def compiler(runtime: str) -> list[str]:
    """The command that runs Python code with the runtime's version (installing pyodide if it is the
    only way). `make install` calls this, so tests and deploys find it ready."""
    version = runtime.removeprefix("python")
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return [sys.executable, "-c"]
    if python := _python(runtime):
        return [python, "-c"]
    if node := _pyodide(version):
        return node
    raise DeployError(
        f"the functions run {runtime}: compiling their bytecode needs {runtime} on PATH, or Node.js "
        f"and npm (for pyodide {PYODIDE_RELEASES.get(version, '')}). Install one and re-run."
    )


def compile_bytecode(root: Path, ddir: str, runtime: str) -> None:
    """Write unchecked-hash .pyc files of the runtime's version next to every module under `root`."""
    run = compiler(runtime)
    if run[-1] == "-c":
        command = [*run, _COMPILE.format(root=str(root), ddir=ddir) + "raise SystemExit(not ok)"]
    else:  # pyodide: the tree is mounted at /build, and the script's last value is the exit code
        command = [*run, str(root), _COMPILE.format(root="/build", ddir=ddir) + "int(not ok)"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DeployError(f"compiling bytecode for {runtime} failed:\n{(done.stdout + done.stderr)[-2000:]}")


def build_source(source: Path = SOURCE_DIR, target: Path = SOURCE_ZIP) -> Path:
    """Zip lambdas/ (the `aicc` package and its config, with its bytecode) as every function's code."""
    if not (source / "aicc" / "handlers").is_dir():
        raise DeployError(f"{source} holds no aicc/handlers: run from the repository checkout")
    runtime = lambda_runtime()
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp)
        for name, path in _tree(source):
            (staged / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, staged / name)
        compile_bytecode(staged, CODE_DIR, runtime)
        return _write_zip(target, _tree(staged, bytecode=bytecode_tag(runtime)))


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
    """Zip the Lambda dependencies for the runtime on arm64 (manylinux wheels from PyPI) as a layer,
    with their bytecode. A zip built from the same pins is reused (its requirements are stored beside it)."""
    stamp = target.with_suffix(".requirements")
    requirements = layer_requirements()
    runtime = lambda_runtime()
    wanted = "\n".join([*requirements, f"bytecode: {bytecode_tag(runtime)}"])
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
            runtime.removeprefix("python"),
            "--only-binary=:all:",
            *requirements,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise DeployError(f"building the Lambda layer failed:\n{done.stderr.strip()[-2000:]}")
        compile_bytecode(site, LAYER_DIR, runtime)
        _write_zip(target, _tree(site, "python/", bytecode=bytecode_tag(runtime)))
    stamp.write_text(wanted, encoding="utf-8")
    return target
