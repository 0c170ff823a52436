"""Flows from files people export: read one into `Flow`s, and find a loaded flow by the ARN or ID
other flows name it by.

This is the minimal reader `call simulate --flow FILE` needs: the Flow Language JSON itself, its
type from `flow_type`, else the console's `Metadata.type`, else an inbound flow. (The full reader
of issue 14 also takes DescribeContactFlow output, CloudFormation and our templates.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .actions import ALL_TYPES, MODULE
from .flows import Flow, FlowError

# The console's Metadata.type (connect-flow-language.md §1.2: "type": "contactFlow") -> API type.
METADATA_TYPES = {
    "contactFlow": "CONTACT_FLOW",
    "customerQueue": "CUSTOMER_QUEUE",
    "customerHold": "CUSTOMER_HOLD",
    "customerWhisper": "CUSTOMER_WHISPER",
    "agentHold": "AGENT_HOLD",
    "agentWhisper": "AGENT_WHISPER",
    "outboundWhisper": "OUTBOUND_WHISPER",
    "agentTransfer": "AGENT_TRANSFER",
    "queueTransfer": "QUEUE_TRANSFER",
    "contactFlowModule": MODULE,
}
FLOW_TYPES = (*ALL_TYPES, MODULE)


class FlowFileError(FlowError):
    """A flow file cannot be read as a flow; the message names the file."""


def load_flow_file(path: Path, flow_type: str | None = None) -> list[Flow]:
    """The flow in a Flow Language JSON file. Its key is the file's stem, its name the console's
    Metadata.name or the stem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FlowFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowFileError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(content, dict) or not isinstance(content.get("Actions"), list):
        raise FlowFileError(f"{path}: not a Flow Language document (no Actions list)")
    metadata = content.get("Metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    ftype = flow_type or METADATA_TYPES.get(str(metadata.get("type", "")), "CONTACT_FLOW")
    if ftype not in FLOW_TYPES:
        raise FlowFileError(f"{path}: {ftype!r} is not a flow type ({', '.join(FLOW_TYPES)})")
    name = str(metadata.get("name") or path.stem)
    flow = Flow(path.stem, name, ftype, content, text, source=str(path))
    for action in content["Actions"]:
        if isinstance(action, dict) and isinstance(action.get("Identifier"), str):
            flow.actions.setdefault(action["Identifier"], action)
    if flow.start not in flow.actions:
        raise FlowFileError(f"{path}: StartAction {flow.start!r} is not an action of the flow")
    return [flow]


def flows_by_reference(flows: Iterable[Flow]) -> dict[str, str]:
    """Every ARN and ID a loaded flow or module answers to -> its key (its own ARN when the file
    gave one, the ID at the end of it)."""
    out: dict[str, str] = {}
    for flow in flows:
        if flow.arn:
            out[flow.arn] = flow.key
            out[flow.arn.rsplit("/", 1)[-1]] = flow.key
    return out
