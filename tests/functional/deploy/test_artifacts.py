"""The Lambda artifact carries bytecode for the functions' runtime, valid without its source times."""

from __future__ import annotations

import _imp
import zipfile
from pathlib import Path

from aicc_ops.deploy.artifacts import build_source

RUNTIME, TAG = "python3.12", "cpython-312"  # the functions' runtime (checked below) and its .pyc tag
MAGIC = 3531  # importlib's MAGIC_NUMBER of CPython 3.12 (Lib/importlib/_bootstrap_external.py)
UNCHECKED_HASH = 0b01  # the .pyc flags: hash-based, not checked against the source at import


def test_the_build_compiles_for_the_runtime_terraform_sets() -> None:
    from aicc_ops.deploy.artifacts import bytecode_tag, lambda_runtime

    assert (lambda_runtime(), bytecode_tag(lambda_runtime())) == (RUNTIME, TAG)


def test_every_module_has_unchecked_hash_bytecode_of_the_runtime(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(build_source(target=tmp_path / "code.zip"))
    names = set(archive.namelist())
    modules = sorted(n for n in names if n.endswith(".py"))
    assert "aicc/handlers/escalation.py" in modules
    for module in modules:
        folder, _, file = module.rpartition("/")
        pyc = f"{folder}/__pycache__/{file[:-3]}.{TAG}.pyc"
        assert pyc in names, f"{module} has no bytecode for {RUNTIME}"
        header = archive.read(pyc)[:16]
        magic = int.from_bytes(header[:2], "little")
        assert (magic, header[2:4]) == (MAGIC, b"\r\n"), pyc
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, pyc
        # The hash is of this very source, keyed by the runtime's magic number (as its importer does).
        key = int.from_bytes(header[:4], "little")
        assert header[8:16] == _imp.source_hash(key, archive.read(module)), pyc
    stray = [n for n in names if n.endswith(".pyc") and f".{TAG}." not in n]
    assert not stray  # nothing compiled by the machine that built it
