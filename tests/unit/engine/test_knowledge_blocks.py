"""The knowledge answer blocks have one home (terraform/flows/knowledge.blocks.tftpl): every flow
whose flows.yaml entry has `knowledge` gets all of them, under its own identifiers and leaving to
its own blocks; a malformed entry is refused naming the flow and the field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from aicc.settings import config
from aicc_ops.core.repository import REPO_FLOWS_DIR
from aicc_ops.engine.flows import KNOWLEDGE_BLOCKS, FlowError, build_resources, load_catalog, render_all

BLOCK_IDS = re.findall(
    r'"Identifier": "\$\{kb\.prefix\}([^"]+)"', (REPO_FLOWS_DIR / KNOWLEDGE_BLOCKS).read_text()
)


def test_every_flow_with_knowledge_has_all_the_blocks_leaving_to_its_own() -> None:
    resources = build_resources(config())
    flows = render_all(resources)
    with_blocks = {k: d for k, d in resources.catalog.items() if d.knowledge is not None}
    assert len(BLOCK_IDS) > 15 and len(with_blocks) >= 2
    for key, defn in with_blocks.items():
        assert defn.knowledge is not None
        actions = flows[key].actions
        assert {f"{defn.knowledge['prefix']}{b}" for b in BLOCK_IDS} <= set(actions), key
        for exit_key in ("done", "person", "outage", "account"):
            assert defn.knowledge[exit_key] in actions, f"{key}: knowledge.{exit_key}"
    assert all(not any(b in f.actions for b in BLOCK_IDS) for k, f in flows.items() if k not in with_blocks)


@pytest.mark.parametrize(
    "knowledge",
    [
        {"prefix": "x-", "done": "goodbye"},
        "kb",
        {"prefix": 1, "done": "a", "person": "b", "outage": "c", "account": "d"},
    ],
)
def test_a_malformed_knowledge_entry_names_the_flow_and_field(tmp_path: Path, knowledge: object) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(REPO_FLOWS_DIR, flows)
    catalog = yaml.safe_load((flows / "flows.yaml").read_text(encoding="utf-8"))
    catalog["flows"]["msp_customer"]["knowledge"] = knowledge
    (flows / "flows.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FlowError, match=r"flows\.msp_customer\.knowledge: must map prefix, done"):
        load_catalog(flows)
