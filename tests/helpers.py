"""Test helpers shared by the fixtures in conftest.py and the tests (importable as `helpers`)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).parent / "events"
REGION = "ap-northeast-2"

# The `connect_event` fixture: (name, parameters=..., attributes=..., caller=..., contact_id=...) -> event
EventLoader = Callable[..., dict[str, Any]]


def read_event(name: str) -> dict[str, Any]:
    """tests/events/<name>.json as a fresh dict."""
    path = EVENTS_DIR / (name if name.endswith(".json") else f"{name}.json")
    event: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return event


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from the Lambda context."""

    function_name: str = "aicc-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:111122223333:function:aicc-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 8000


def kinesis_event(*records: dict[str, Any] | bytes) -> dict[str, Any]:
    """A Lambda event from the agent-event stream carrying these records (JSON objects, or bytes)."""
    from aicc_ops.local.streams import kinesis_event as build

    return build(records, f"arn:aws:kinesis:{REGION}:111122223333:stream/aicc-test-agent-events")
