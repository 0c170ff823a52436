"""Every action type the linter's table knows (actions.SPECS: every type the Flow Language
documents, test_actions_catalog checks that against the AWS pages) has a handler in the simulator:
a flow that imports into Connect never stops the simulation."""

from __future__ import annotations

import pytest

from aicc_ops.engine.actions import SPECS
from aicc_ops.engine.interpreter import _Run


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_every_action_type_has_a_handler(kind: str) -> None:
    assert callable(getattr(_Run, f"do_{kind}", None)), f"no do_{kind} in the interpreter"
