"""The flows a rehearsal of someone's exported flow runs: the flow to start in, and the flows and
modules given alongside (transfer targets, event hooks' flows, modules), found by the ARN or ID
other flows name them by.

`call simulate --flow FILE` starts in FILE's flow; `--flow FOLDER --entry NAME` (or a
CloudFormation template holding several flows) starts in the flow NAME (its file name or stem, its
flow name, or a template resource's logical ID), with the others alongside; `--with FILE|FOLDER`
adds flows. Files are read in every form `flows lint` reads. A bare
Flow Language export does not carry its own ARN, so the fixtures' `flows:` section says which
flow answers to which ARN or ID (a file next to the fixture file, or a given flow's key or name).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..engine.fixtures import Fixtures
from ..engine.flow_files import FileProblem, load_paths
from ..engine.flows import Flow, FlowError
from ..engine.resource_map import flow_references, reference_forms


class RehearsalError(FlowError):
    """The flows to rehearse cannot be gathered; the message says what to give instead."""


@dataclass
class Rehearsal:
    flows: dict[str, Flow] = field(default_factory=dict)
    entry: str = ""
    references: dict[str, str] = field(default_factory=dict)  # ARN or ID -> key in flows
    # What the loader said of the files besides errors: the type it assumed for a file that does
    # not say (pass --type), a --type the file overrides, files skipped. The operator sees them.
    notices: list[FileProblem] = field(default_factory=list)

    def add(self, flow: Flow) -> str:
        """Keep a flow under a key of its own (two files may share a stem); returns the key."""
        key, n = flow.key, 2
        while key in self.flows:
            key, n = f"{flow.key}~{n}", n + 1
        flow.key = key
        self.flows[key] = flow
        return key

    def find(self, name: str) -> str | None:
        """A given flow by key, file stem or name, or a template's logical ID."""
        return next((key for key, flow in self.flows.items() if name in names_of(flow)), None)

    def read(self, paths: Sequence[Path], flow_type: str | None, *, skip: Path | None = None) -> list[Flow]:
        """The flows of these files and folders; the loader's notes are kept, in the simulator's
        words, except those about `skip` (the fixture file, which a --flow folder may hold)."""
        flows, notices = _read(paths, flow_type)
        hidden = skip.resolve() if skip is not None else None
        self.notices.extend(
            for_simulate(n) for n in notices if hidden is None or Path(n.path).resolve() != hidden
        )
        return flows


# The loader speaks for `flows lint` ("checked as CUSTOMER_QUEUE", "the linter does not know the
# flow type"); the rehearsal shows its notes in the simulator's words.
_SIMULATE_WORDS = (
    (re.compile(r"\bnot checked: the linter does not know\b"), "not run: the simulator does not know"),
    (re.compile(r"\bchecked as\b"), "runs as"),
    (re.compile(r"\bthe linter knows\b"), "the simulator knows"),
    (re.compile(r"\(it knows\b"), "(it runs"),
)


def for_simulate(notice: FileProblem) -> FileProblem:
    """A loader note as `call simulate` says it (runs as..., not checked as...)."""
    message = notice.message
    for pattern, words in _SIMULATE_WORDS:
        message = pattern.sub(words, message)
    return replace(notice, message=message)


def names_of(flow: Flow) -> tuple[str, ...]:
    """What --entry (and the fixtures' flows:) may call a flow: its key, its name, its file's name or
    stem, and in a CloudFormation template its resource's logical ID (the loader's key is
    `path#LogicalId`)."""
    source = Path(flow.source)
    logical = flow.key.partition("#")[2]
    return (flow.key, flow.name, source.stem, source.name, *((logical,) if logical else ()))


def _listed(flow: Flow) -> str:
    logical = flow.key.partition("#")[2]
    return f"{logical} ({flow.name})" if logical and logical != flow.name else flow.name


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
    flows: mapping. Files are read as `flows lint` reads them (every export form; folders walked).
    Raises FlowError with the file at fault."""
    r = Rehearsal()
    skip = Path(fixtures.source) if fixtures is not None and fixtures.source else None
    given = r.read([flow], flow_type, skip=skip)
    if not given:
        raise RehearsalError(f"{flow}: no flow to run: {_why_none(r.notices)}")
    names = ", ".join(_listed(f) for f in given)
    if entry is None:
        if len(given) > 1:
            raise RehearsalError(
                f"{flow} holds {len(given)} flows: name the one to start in with --entry ({names})"
            )
        chosen = given[0]
    else:
        found = [f for f in given if entry in names_of(f)]
        if not found:
            raise RehearsalError(f"{flow}: no flow {entry!r} (its flows: {names})")
        chosen = found[0]
    for f in given:
        key = r.add(f)
        if f is chosen:
            r.entry = key
    for f in r.read(alongside, None, skip=skip) if alongside else []:
        r.add(f)
    r.references = flow_references(r.flows.values())
    if fixtures is not None:
        _fixture_flows(r, fixtures, fixtures_dir or Path("."))
    return r


def _read(paths: Sequence[Path], flow_type: str | None) -> tuple[list[Flow], list[FileProblem]]:
    """The flows of these files and folders, and the loader's warnings and notes; any file that
    cannot be read stops the rehearsal."""
    for path in paths:
        if not path.exists():
            raise RehearsalError(f"{path}: no such file or folder")
    loaded = load_paths(paths, flow_type=flow_type)
    if loaded.errors:
        raise RehearsalError("; ".join(f"{p.path}: {p.message}" for p in loaded.errors))
    return loaded.flows, [p for p in loaded.problems if p.severity != "error"]


def _why_none(notices: Sequence[FileProblem]) -> str:
    """Why the loader kept no flow: what it said of the files (a flow type the simulator does not
    run, a file that holds no flow)."""
    said = [n.message if len(notices) == 1 else f"{n.path}: {n.message}" for n in notices]
    return "; ".join(said) or "it holds no flow"


def _load_file(r: Rehearsal, path: Path, source: str) -> str:
    before = len(r.notices)
    flows = r.read([path], None)
    if not flows:
        raise RehearsalError(f"{source}: {path}: no flow to run: {_why_none(r.notices[before:])}")
    return r.add(flows[0])


def _fixture_flows(r: Rehearsal, fixtures: Fixtures, base: Path) -> None:
    """The fixtures' flows: ARN or ID -> a file next to the fixture file, or a given flow's name."""
    loaded: dict[Path, str] = {Path(f.source).resolve(): k for k, f in r.flows.items() if f.source}
    for ref, target in fixtures.flows.items():
        key = r.find(target)
        path = (base / target).resolve()
        if key is None and path.is_file():
            key = loaded.get(path) or _load_file(r, path, f"{fixtures.source}: flows.{ref}")
            loaded[path] = key
        if key is None:
            raise RehearsalError(
                f"{fixtures.source}: flows.{ref}: {target!r} is neither a file next to the fixture file "
                "nor a flow given with --flow or --with"
            )
        r.references[ref] = key
        for form in reference_forms(ref):
            r.references.setdefault(form, key)
