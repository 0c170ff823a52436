"""Fixtures of the engine tests: the repository's resources and its rendered flows."""

from __future__ import annotations

import pytest

from aicc.settings import load_config
from aicc_ops.engine.flows import Flow, Resources, build_resources, render_all


@pytest.fixture(scope="module")
def resources() -> Resources:
    return build_resources(load_config())


@pytest.fixture(scope="module")
def real_flows(resources: Resources) -> dict[str, Flow]:
    """Fresh per module: tests mutate deep copies, never these."""
    return render_all(resources)
