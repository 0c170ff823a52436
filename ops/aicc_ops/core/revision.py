"""Content revisions: a short hash of what a set of files says, for `aicc-ops --version`.

A hash of the files themselves, not a git commit: it names what a deploy would render and load the
same way from a checkout, an installed wheel or a copy, and it changes with an uncommitted edit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

# The flow templates and their catalog (what Terraform renders into Connect), and the data files
# every Lambda and command loads.
FLOW_PATTERNS = ("*.json.tftpl", "*.blocks.tftpl", "flows.yaml")  # the blocks: flows.render
CONFIG_PATTERNS = ("*.yaml",)
DIGITS = 12


class Revision(NamedTuple):
    digest: str  # the first DIGITS hex digits of a SHA-256 over the files' names and bytes
    files: int
    directory: Path


def revision(directory: Path, patterns: Sequence[str]) -> Revision | None:
    """The revision of the files in `directory` matching `patterns` (not recursive), or None when
    there are none to read (the directory is absent or holds no such file)."""
    if not directory.is_dir():
        return None
    paths = sorted({p for pattern in patterns for p in directory.glob(pattern) if p.is_file()})
    if not paths:
        return None
    digest = hashlib.sha256()
    for path in paths:
        data = path.read_bytes()
        # Name and length framed, so moving bytes from one file to the next changes the hash.
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return Revision(digest.hexdigest()[:DIGITS], len(paths), directory)
