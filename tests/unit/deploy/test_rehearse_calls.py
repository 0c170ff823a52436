"""The rehearsal's calls step judges each call on the deployed number against the same call on the
stack's own number (deploy/rehearse.py `compare`), as the call API answers them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from aicc_ops.deploy.rehearse import RehearsalError, compare

DEPLOYED = "arn:aws:connect:ap-northeast-2:123456789012:instance/0b1e"
OUTPUTS = {"instance_arn": DEPLOYED, "queue_ids": {"msp_emergency": "5dec", "general_customer": "a797"}}


def answer(instance: str, queue: str | None = "msp_emergency", **call: Any) -> dict[str, Any]:
    return {
        "error": None,
        "queue": queue,
        "call": {
            "instance": instance,
            "flows": ["Customer Authentication", "MSP Customer", "Emergency"],
            "prompts": ["a", "b"],
            "queue": "MSP Emergency" if queue else None,
            "lambda_calls": [{"function": "customer_lookup", "error": None}],
            "end_reason": "",
            **call,
        },
    }


OWN = answer("arn:aws:connect:ap-northeast-2:000000000000:instance/aicc-local")


def test_a_call_that_went_as_on_the_own_number_says_its_path_and_deployed_queue() -> None:
    found = compare("MSP outage", OWN, answer(DEPLOYED), OUTPUTS)

    assert (
        found
        == "MSP outage: Customer Authentication → MSP Customer → Emergency; queue msp_emergency (5dec); 2 prompts, last 'b'"
    )


@pytest.mark.parametrize(
    ("deployed", "message"),
    [
        (answer(OWN["call"]["instance"]), "not on the instance Terraform created"),
        (answer(DEPLOYED, flows=["Customer Authentication"]), "flows: ['Customer Authentication']"),
        (answer(DEPLOYED, queue="general_customer"), "queued in general_customer"),
        (
            answer(DEPLOYED, lambda_calls=[{"function": "customer_lookup", "error": "Unhandled"}]),
            "Lambda errors: ['customer_lookup']",
        ),
        ({**answer(DEPLOYED), "error": "KeyError: 'x'", "call": None}, "failed: KeyError"),
    ],
)
def test_a_call_that_went_elsewhere_fails_the_step_saying_where(
    deployed: dict[str, Any], message: str
) -> None:
    with pytest.raises(RehearsalError, match=re.escape(message)):
        compare("MSP outage", OWN, deployed, OUTPUTS)
