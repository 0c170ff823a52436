"""Every action type the Flow Language documents, and every one the linter's table knows, has a
handler in the simulator: a flow that imports into Connect never stops the simulation."""

from __future__ import annotations

import pytest

from aicc_ops.engine.actions import SPECS
from aicc_ops.engine.interpreter import _Run
from aicc_ops.engine.offline_actions import DOCUMENTED_ACTIONS


@pytest.mark.parametrize("kind", sorted(set(SPECS) | set(DOCUMENTED_ACTIONS)))
def test_every_action_type_has_a_handler(kind: str) -> None:
    assert callable(getattr(_Run, f"do_{kind}", None)), f"no do_{kind} in the interpreter"


def test_the_documented_list_has_no_duplicates() -> None:
    assert len(DOCUMENTED_ACTIONS) == len(set(DOCUMENTED_ACTIONS))
