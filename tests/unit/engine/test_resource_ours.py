"""resource_map.ours: which of this repository's resources a reference names, by ARN or by the
symbolic reference `connect export` writes; and fixtures matching the name in a symbolic one."""

from __future__ import annotations

import pytest

from aicc_ops.engine import fixtures as fx
from aicc_ops.engine import resource_map as rm
from aicc_ops.engine.flows import Resources


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("{{queue:MSP General}}", ("queue", "msp_general")),
        ("{{queue:msp_general}}", ("queue", "msp_general")),  # by key, as LocalMap finds it
        ("{{hours:Business Hours}}", ("hours", "business")),
        ("{{flow:Emergency}}", ("flow", "emergency")),
        ("{{lambda:business_hours}}", ("lambda", "business_hours")),
        ("{{lambda:customer_lookup:live}}", ("lambda", "customer_lookup")),  # the alias export saw
        ("{{lex:bot}}", ("lex", "bot")),
        (" {{queue:MSP General}} ", ("queue", "msp_general")),
        ("{{queue:BasicQueue}}", None),  # the instance's, not managed here
        ("{{lambda:not_ours}}", None),
        ("{{nokind:MSP General}}", None),
        ("", None),
        ("MSP General", None),
    ],
)
def test_symbolic_references_of_ours(
    resources: Resources, ref: str, expected: tuple[str, str] | None
) -> None:
    assert rm.ours(resources, ref) == expected


def test_arns_are_identified_as_before(resources: Resources) -> None:
    for ref in (
        resources.queue_arn("msp_general"),
        resources.flow_arn("emergency"),
        resources.hours_arn("business"),
        resources.function_arn("customer_lookup"),
        resources.lex_alias_arn,
        resources.agent_arn("ts.park"),
    ):
        assert rm.ours(resources, ref) == resources.identify(ref) is not None


def test_a_symbolic_reference_matches_a_fixture_by_its_name_and_kind() -> None:
    f = fx.parse(
        {
            "queues": {"Partner Desk": {"agents_available": 1}},
            "hours": {"Partner Hours": "closed"},
            "lambdas": {"partner_lookup": {"response": {"ok": "1"}}},
            "bots": {"PartnerBot": [{"intent": "Help"}]},
        },
        "f.yaml",
    )
    assert f.queue("{{queue:Partner Desk}}") is f.queues["Partner Desk"]
    assert f.hours_open("{{hours:Partner Hours}}") is False
    assert f.lambda_key("{{lambda:partner_lookup:live}}") == "partner_lookup"
    assert f.bot_key("{{lex:PartnerBot}}") == "PartnerBot"
    # The name of another kind is not the fixture's.
    assert f.queue("{{hours:Partner Desk}}") is None
    assert f.lambda_key("{{queue:partner_lookup}}") is None
    assert f.queue("{{queue:BasicQueue}}") is not None  # Connect's default queue, as by name
    assert f.queue("{{flow:BasicQueue}}") is None
