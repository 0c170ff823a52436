"""The call mix: which flows the load's calls go through, and in what shares (loadtest/mix.yaml).

    mix:
      general: {weight: 50, flows: [general_customer, general_customer_queue]}
      ...

`--mix general=60,emergency=10` changes weights of the file's entries (0 leaves one out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import LoadTestError


@dataclass(frozen=True)
class MixEntry:
    name: str
    weight: float
    flows: tuple[str, ...]  # flows.yaml keys; a call belongs to the first entry whose flow it passed


def load_mix(
    path: Path, flow_keys: Sequence[str], weights: Mapping[str, float] | None = None
) -> tuple[MixEntry, ...]:
    """The file's entries, in order, with `weights` applied (an entry of weight 0 stays: it still
    claims the calls that pass its flows); errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LoadTestError(f"{path}: cannot read the call mix ({exc})") from None
    entries = data.get("mix") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise LoadTestError(f"{path}: mix: a mapping of entries, each with weight and flows")
    found: list[MixEntry] = []
    for name, body in entries.items():
        where = f"{path}: mix.{name}"
        if not isinstance(body, dict) or set(body) != {"weight", "flows"}:
            raise LoadTestError(f"{where}: give exactly weight (a number >= 0) and flows (flows.yaml keys)")
        weight, flows = body["weight"], body["flows"]
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            raise LoadTestError(f"{where}.weight: a number >= 0, got {weight!r}")
        if not isinstance(flows, list) or not flows or not all(isinstance(f, str) for f in flows):
            raise LoadTestError(f"{where}.flows: a list of flows.yaml keys")
        unknown = [f for f in flows if f not in flow_keys]
        if unknown:
            raise LoadTestError(
                f"{where}.flows: {', '.join(unknown)} not in flows.yaml ({', '.join(flow_keys)})"
            )
        found.append(MixEntry(str(name), float(weight), tuple(flows)))
    names = [e.name for e in found]
    unknown = sorted(set(weights or {}) - set(names))
    if unknown:
        raise LoadTestError(f"--mix: {', '.join(unknown)} not in {path} ({', '.join(names)})")
    applied = [MixEntry(e.name, float((weights or {}).get(e.name, e.weight)), e.flows) for e in found]
    if not any(e.weight > 0 for e in applied):
        raise LoadTestError("the call mix has no entry with a weight above 0")
    return tuple(applied)


def parse_weights(text: str) -> dict[str, float]:
    """`general=60,emergency=10` as weights; ValueError saying what is wrong."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = -1.0
        if not sep or not name.strip() or weight < 0:
            raise ValueError(f"{part!r}: give NAME=WEIGHT with a weight >= 0, e.g. general=60,emergency=10")
        weights[name.strip()] = weight
    if not weights:
        raise ValueError("give NAME=WEIGHT pairs, e.g. general=60,emergency=10")
    return weights


def classify(
    flows_passed: Sequence[str], mix: Sequence[MixEntry], names: Mapping[str, str]
) -> MixEntry | None:
    """The first entry (file order) with a flow the call went through; `names`: flow key -> name
    (a call's transcript names its flows)."""
    passed = set(flows_passed)
    return next((e for e in mix if any(names[f] in passed for f in e.flows)), None)
