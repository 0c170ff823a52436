"""The load tests' call mix: the file, --mix weights, and sorting calls by the flows they passed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aicc_ops.admin.loadtest.errors import LoadTestError
from aicc_ops.admin.loadtest.mix import MixEntry, classify, load_mix, parse_weights
from aicc_ops.engine.flows import load_catalog

ROOT = Path(__file__).resolve().parents[2]
MIX_FILE = ROOT / "loadtest" / "mix.yaml"
KEYS = list(load_catalog())


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "mix.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_repository_mix_loads_with_its_weights() -> None:
    entries = load_mix(MIX_FILE, KEYS)
    raw = yaml.safe_load(MIX_FILE.read_text(encoding="utf-8"))["mix"]
    assert [e.name for e in entries] == list(raw)
    assert {e.name: e.weight for e in entries} == {k: float(v["weight"]) for k, v in raw.items()}


def test_weights_override_the_file_and_zero_keeps_the_entry() -> None:
    entries = {e.name: e.weight for e in load_mix(MIX_FILE, KEYS, {"general": 60, "emergency": 0})}
    assert entries["general"] == 60 and entries["emergency"] == 0  # kept: it still claims its calls


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"mix": {"a": {"weight": -1, "flows": ["emergency"]}}}, "mix.a.weight"),
        ({"mix": {"a": {"weight": 1, "flows": ["nowhere"]}}}, "mix.a.flows: nowhere not in flows.yaml"),
        ({"mix": {"a": {"weight": 1, "flows": []}}}, "mix.a.flows"),
        ({"mix": {"a": {"weight": 1}}}, "mix.a: give exactly weight"),
        ({"mix": {"a": {"weight": 0, "flows": ["emergency"]}}}, "no entry with a weight above 0"),
        ({"entries": {}}, "mix: a mapping"),
    ],
)
def test_a_bad_mix_file_names_the_field(tmp_path: Path, data: object, named: str) -> None:
    with pytest.raises(LoadTestError, match=f"mix.yaml: {named}" if named.startswith("mix") else named):
        load_mix(write(tmp_path, data), KEYS)


def test_weights_for_unknown_entries_are_refused() -> None:
    with pytest.raises(LoadTestError, match="--mix: urgent not in"):
        load_mix(MIX_FILE, KEYS, {"urgent": 5})


@pytest.mark.parametrize("text", ["general", "general=", "=5", "general=-1", "general=lots", ","])
def test_bad_weights_say_the_form(text: str) -> None:
    with pytest.raises(ValueError, match="NAME=WEIGHT"):
        parse_weights(text)


def test_weights_parse() -> None:
    assert parse_weights(" general=60, emergency=2.5 ") == {"general": 60.0, "emergency": 2.5}


def test_a_call_belongs_to_the_first_entry_whose_flow_it_passed() -> None:
    names = {"emergency": "Emergency", "msp_customer": "MSP Customer", "after_hours": "After Hours"}
    mix = [
        MixEntry("emergency", 0, ("emergency",)),  # weight 0 still claims its calls
        MixEntry("after_hours", 1, ("after_hours",)),
        MixEntry("msp", 1, ("msp_customer",)),
    ]
    outage = ["Customer Authentication", "MSP Customer", "Emergency", "MSP Emergency Queue"]
    assert classify(outage, mix, names) == mix[0]
    assert classify(["Customer Authentication", "MSP Customer"], mix, names) == mix[2]
    assert classify(["Customer Authentication"], mix, names) is None
