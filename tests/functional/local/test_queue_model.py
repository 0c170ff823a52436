"""The engine takes one queue model at construction: the live server builds its engine on the live
queues instead of rewiring an engine made for simulated calls."""

from __future__ import annotations

from typing import Any, ClassVar

from aicc.settings import config
from aicc_ops.engine.flows import build_resources, render_all
from aicc_ops.engine.presence import QueueModel
from aicc_ops.local.connect_emulator import ConnectEmulator
from aicc_ops.local.live import LiveCenter, LiveContact


class FrozenEngine:
    """An engine that refuses to be changed after it was built."""

    queue_limits: ClassVar[dict[str, int]] = {}  # a drill's capacity faults: none

    def __setattr__(self, name: str, value: Any) -> None:
        raise AssertionError(f"the engine was rewired after construction: {name}")


def test_the_live_center_builds_its_engine_on_the_live_queues() -> None:
    cfg = config()
    resources = build_resources(cfg)
    emulator = ConnectEmulator(cfg, resources, render_all(resources))
    engine = FrozenEngine()
    given: list[QueueModel] = []

    def new_engine(queues: QueueModel) -> Any:
        given.append(queues)
        return engine

    center = LiveCenter(emulator, new_engine)
    assert center.engine is engine and len(given) == 1
    queues = given[0]
    # The model reads the live center: a caller taking a place in a queue shows in its backlog.
    key = next(k for k, q in cfg.queues.items() if q.max_contacts)
    emulator.queues[key]["MaxContacts"] = 1  # as UpdateQueueMaxContacts sets it
    for contact_id in ("c-1", "c-2"):  # two live calls still in their flows
        center.contacts[contact_id] = LiveContact(contact_id, "+821012345678", 0.0)
    assert queues.admit("c-1", key, 1) is True
    assert queues.backlog()[key][0] == 1
    assert queues.admit("c-2", key, 1) is False  # the one place is taken
