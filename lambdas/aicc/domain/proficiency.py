"""Connect's agent proficiencies: the limits every part that writes or checks one shares.

The sentiment rules' preferred proficiency (settings), the agents file (core.connect_users), the
flows' routing criteria (engine.routing_criteria) and the Connect emulator check the same numbers:
- a level is 1, 2, 3, 4 or 5: UserProficiency.Level "Valid values are: 1.0, 2.0, 3.0, 4.0 and 5.0"
  (API_UserProficiency.html), as is an AttributeCondition's ProficiencyLevel
  (flow-control-actions-updateroutingcriteria.html);
- an AttributeCondition's Name and Value are 1-64 characters (the same page).
"""

from __future__ import annotations

import math

LEVELS = (1, 2, 3, 4, 5)
LEVELS_TEXT = "1, 2, 3, 4 or 5"
CONDITION_TEXT_MAX = 64


def is_level(value: float) -> bool:
    """Whether `value` is one of Connect's proficiency levels (1.0 and 1 alike)."""
    return math.isfinite(value) and float(value) in {float(level) for level in LEVELS}
