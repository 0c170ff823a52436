"""The flows a rehearsal of someone's exported flow runs: the flow to start in, and the flows and
modules given alongside (transfer targets, event hooks' flows, modules), found by the ARN or ID
other flows name them by.

`call simulate --flow FILE` starts in FILE; `--flow FOLDER --entry NAME` starts in the flow NAME
of FOLDER, with every other flow of FOLDER alongside; `--with FILE|FOLDER` adds flows. A bare
Flow Language export does not carry its own ARN, so the fixtures' `flows:` section says which
flow answers to which ARN or ID (a file next to the fixture file, or a given flow's key or name).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.fixtures import Fixtures, arn_tail
from ..engine.flow_files import flows_by_reference, load_flow_file
from ..engine.flows import Flow, FlowError


class RehearsalError(FlowError):
    """The flows to rehearse cannot be gathered; the message says what to give instead."""


@dataclass
class Rehearsal:
    flows: dict[str, Flow] = field(default_factory=dict)
    entry: str = ""
    references: dict[str, str] = field(default_factory=dict)  # ARN or ID -> key in flows

    def add(self, flow: Flow) -> str:
        """Keep a flow under a key of its own (two files may share a stem); returns the key."""
        key, n = flow.key, 2
        while key in self.flows:
            key, n = f"{flow.key}~{n}", n + 1
        flow.key = key
        self.flows[key] = flow
        return key

    def find(self, name: str) -> str | None:
        """A given flow by key, file stem or name."""
        for key, flow in self.flows.items():
            if name in (key, flow.name, Path(flow.source).stem, Path(flow.source).name):
                return key
        return None


def flow_files(path: Path) -> list[Path]:
    """A file, or the .json files of a folder (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".json")
    return [path]


def gather(
    flow: Path,
    *,
    flow_type: str | None = None,
    entry: str | None = None,
    alongside: Sequence[Path] = (),
    fixtures: Fixtures | None = None,
    fixtures_dir: Path | None = None,
) -> Rehearsal:
    """Load the entry flow (with `flow_type`), the flows alongside it, and resolve the fixtures'
    flows: mapping. Raises FlowError with the file at fault."""
    r = Rehearsal()
    if flow.is_dir():
        files = flow_files(flow)
        if not files:
            raise RehearsalError(f"{flow}: no .json flow files in this folder")
        if entry is None and len(files) > 1:
            names = ", ".join(p.stem for p in files)
            raise RehearsalError(
                f"{flow} holds {len(files)} flows: name the one to start in with --entry ({names})"
            )
        chosen = files[0] if entry is None else next((p for p in files if entry in (p.stem, p.name)), None)
        others = [p for p in files if p != chosen]
    else:
        if entry is not None:
            raise RehearsalError("--entry names a flow of a folder given to --flow; --flow is a file here")
        chosen, others = flow, []
    if chosen is not None:
        r.entry = _load(r, [chosen], flow_type)[0]
    for path in [*others, *(p for a in alongside for p in flow_files(a))]:
        if not path.exists():
            raise RehearsalError(f"{path}: no such file or folder")
        _load(r, [path], None)
    if chosen is None:
        # The entry may be a flow's name rather than its file's stem.
        found = r.find(entry or "")
        if found is None:
            raise RehearsalError(f"{flow}: no flow {entry!r} (files: {', '.join(p.stem for p in files)})")
        r.entry = found
    r.references = flows_by_reference(r.flows.values())
    if fixtures is not None:
        _fixture_flows(r, fixtures, fixtures_dir or Path("."))
    return r


def _load(r: Rehearsal, paths: Iterable[Path], flow_type: str | None) -> list[str]:
    keys = []
    for path in paths:
        for loaded in load_flow_file(path, flow_type):
            keys.append(r.add(loaded))
    return keys


def _fixture_flows(r: Rehearsal, fixtures: Fixtures, base: Path) -> None:
    """The fixtures' flows: ARN or ID -> a file next to the fixture file, or a given flow's name."""
    loaded: dict[Path, str] = {Path(f.source).resolve(): k for k, f in r.flows.items() if f.source}
    for ref, target in fixtures.flows.items():
        key = r.find(target)
        path = (base / target).resolve()
        if key is None and path.is_file():
            key = loaded.get(path) or _load(r, [path], None)[0]
            loaded[path] = key
        if key is None:
            raise RehearsalError(
                f"{fixtures.source}: flows.{ref}: {target!r} is neither a file next to the fixture file "
                "nor a flow given with --flow or --with"
            )
        r.references[ref] = key
        r.references.setdefault(arn_tail(ref), key)
