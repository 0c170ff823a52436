"""Fixtures of the Terraform gate: the plans of dev and prod (plan_gate.py says how they are made)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from plan_gate import PROD_NUMBER_ID, Plan, PlanGate, gate_skip_reason


@pytest.fixture(scope="session")
def plan_gate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanGate]:
    reason = gate_skip_reason()
    if reason:  # only where the machine has no Terraform or provider mirror (these machines have both)
        pytest.skip(f"the plan gate needs Terraform >= 1.10 and the aws provider mirror: {reason}")
    from aicc_ops.local.stack import moto_endpoint

    with moto_endpoint() as endpoint:
        yield PlanGate(tmp_path_factory.mktemp("plan-gate"), endpoint)


@pytest.fixture(scope="session")
def dev_plan(plan_gate: PlanGate) -> Plan:
    return plan_gate.plan("dev")


@pytest.fixture(scope="session")
def prod_plan(plan_gate: PlanGate) -> Plan:
    return plan_gate.plan("prod")


@pytest.fixture(scope="session")
def prod_plan_with_number(plan_gate: PlanGate) -> Plan:
    def with_number(tfvars: str) -> str:
        number = f'phone_number = {{ existing_id = "{PROD_NUMBER_ID}" }}'
        return re.sub(r"^phone_number = \{[^}]*\}", number, tfvars, flags=re.M)

    return plan_gate.plan("prod", "with number", with_number)
