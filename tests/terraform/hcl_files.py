"""The .tf files of a module, parsed with python-hcl2 and merged by block kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2


def parsed(directory: Path) -> dict[str, Any]:
    """All blocks of a module's .tf files, merged: {"resource": {type: {name: body}}, ...}."""
    merged: dict[str, Any] = {}
    for path in sorted(directory.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            doc = hcl2.load(handle)
        for kind, blocks in doc.items():
            for block in blocks:
                if kind in ("resource", "data"):
                    for rtype, named in block.items():
                        for name, body in named.items():
                            merged.setdefault(kind, {}).setdefault(rtype.strip('"'), {})[name.strip('"')] = (
                                body
                            )
                elif kind in ("module", "variable", "output"):
                    for name, body in block.items():
                        merged.setdefault(kind, {})[name.strip('"')] = body
                elif kind == "locals":
                    merged.setdefault("locals", {}).update(block)
    return merged
