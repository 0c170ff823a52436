"""The Lambda artifact carries bytecode for the functions' runtime, valid without its source times."""

from __future__ import annotations

import _imp
import zipfile
from pathlib import Path

from aicc_ops.deploy.artifacts import build_source, bytecode_tag, lambda_runtime

# importlib's MAGIC_NUMBER of each runtime's CPython (Lib/importlib/_bootstrap_external.py).
MAGIC = {"python3.12": 3531, "python3.13": 3571}
UNCHECKED_HASH = 0b01  # the .pyc flags: hash-based, not checked against the source at import


def test_every_module_has_unchecked_hash_bytecode_of_the_runtime(tmp_path: Path) -> None:
    runtime = lambda_runtime()
    assert runtime == "python3.12"  # the lambdas module's `local.runtime`, used by every function
    archive = zipfile.ZipFile(build_source(target=tmp_path / "code.zip"))
    names = set(archive.namelist())
    modules = sorted(n for n in names if n.endswith(".py"))
    assert "aicc/handlers/escalation.py" in modules
    for module in modules:
        folder, _, file = module.rpartition("/")
        pyc = f"{folder}/__pycache__/{file[:-3]}.{bytecode_tag(runtime)}.pyc"
        assert pyc in names, f"{module} has no bytecode for {runtime}"
        header = archive.read(pyc)[:16]
        magic = int.from_bytes(header[:2], "little")
        assert (magic, header[2:4]) == (MAGIC[runtime], b"\r\n"), pyc
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, pyc
        # The hash is of this very source, keyed by the runtime's magic number (as its importer does).
        key = int.from_bytes(header[:4], "little")
        assert header[8:16] == _imp.source_hash(key, archive.read(module)), pyc
    stray = [n for n in names if n.endswith(".pyc") and f".{bytecode_tag(runtime)}." not in n]
    assert not stray  # nothing compiled by the machine that built it
