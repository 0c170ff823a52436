"""The fixture file of `call simulate --fixtures`: what it answers, and the errors that name the
field to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aicc_ops.engine import fixtures as fx

LAMBDA_ARN = "arn:aws:lambda:us-east-1:111122223333:function:AWSSCV-InvokeTelephonyFunction"
QUEUE_ARN = "arn:aws:connect:us-east-1:111122223333:instance/i-1/queue/fe171dcc"
ALIAS_ARN = "arn:aws:lex:us-east-1:111122223333:bot-alias/BOT1/ALIAS1"


def parse(data: dict[str, Any]) -> fx.Fixtures:
    return fx.parse(data, "f.yaml")


def test_lambdas_answer_by_name_or_arn_of_any_region_and_a_list_is_consumed_in_order() -> None:
    f = parse(
        {
            "lambdas": {
                "AWSSCV-InvokeTelephonyFunction": {"responses": [{"voiceCallId": "1"}, {"error": "timeout"}]},
                "arn:aws:lambda:us-east-1:111122223333:function:Other": {"error": "throttle"},
            }
        }
    )
    cursor = fx.Cursor(f)
    # A flow may build the ARN from $.AwsRegion: the function's name finds it wherever it runs.
    in_seoul = LAMBDA_ARN.replace("us-east-1", "ap-northeast-2")
    assert cursor.lambda_answer(in_seoul) == fx.LambdaAnswer(response={"voiceCallId": "1"})
    assert cursor.lambda_answer(LAMBDA_ARN) == fx.LambdaAnswer(error="Timeout")
    assert cursor.lambda_answer(LAMBDA_ARN) == fx.LambdaAnswer(error="Timeout")  # the last one repeats
    assert cursor.lambda_answer("Other") == fx.LambdaAnswer(error="TooManyRequestsException")
    assert cursor.lambda_answer("arn:aws:lambda:us-east-1:111122223333:function:Other:live") is not None
    assert cursor.lambda_answer("Unlisted") is None
    assert fx.Cursor(f).lambda_answer(LAMBDA_ARN) == fx.LambdaAnswer(
        response={"voiceCallId": "1"}
    )  # per contact


def test_queues_are_found_by_arn_id_or_name_with_their_state() -> None:
    f = parse({"queues": {QUEUE_ARN: {"name": "Support", "agents_available": 0, "at_capacity": True}}})
    for ref in (QUEUE_ARN, "fe171dcc", "Support"):
        state = f.queue(ref)
        assert state is not None and (state.name, state.arn, state.at_capacity) == (
            "Support",
            QUEUE_ARN,
            True,
        )
    assert f.queue("Sales") is None
    default = f.queue("BasicQueue")  # Connect's default queue is always there
    assert default is not None and default.agents_available == 1


def test_the_start_queue_is_the_contacts_queue_or_basic_queue() -> None:
    assert parse({}).start_queue_state().name == "BasicQueue"
    f = parse({"queues": {"Sales": {"agents_staffed": 3, "agents_online": 3}}, "contact": {"queue": "Sales"}})
    assert f.start_queue_state().agents_staffed == 3
    unlisted = parse({"contact": {"queue": QUEUE_ARN}}).start_queue_state()
    assert (unlisted.name, unlisted.arn) == ("fe171dcc", QUEUE_ARN)


def test_hours_bots_views_agent_and_actions() -> None:
    f = parse(
        {
            "hours": {
                "Basic Hours": "open",
                "arn:aws:connect:us-east-1:111122223333:instance/i/operating-hours/h2": False,
            },
            "bots": {
                ALIAS_ARN: [
                    {"intent": "Sales", "slots": {"Dept": "sales"}, "sentiment": "POSITIVE"},
                    {"error": "timeout"},
                ]
            },
            "views": {"form": ["Next", {"result": "Back", "data": {"FormData": {"a": "b"}}}]},
            "agent": {
                "username": "jdoe",
                "arn": "arn:aws:connect:us-east-1:111122223333:instance/i/agent/a-1",
                "status": "BUSY",
            },
            "actions": {
                "CheckVoiceId": {"result": "Authenticated"},
                "get-profile": {"error": "NoneFoundError"},
            },
        }
    )
    assert (f.hours_open("Basic Hours"), f.hours_open("h2"), f.hours_open("Nights")) == (True, False, None)
    cursor = fx.Cursor(f)
    key, turn = cursor.lex_turn("arn:aws:lex:ap-northeast-2:111122223333:bot-alias/BOT1/ALIAS1")
    assert (
        key == ALIAS_ARN
        and turn is not None
        and (turn.intent, turn.slots, turn.sentiment) == ("Sales", {"Dept": "sales"}, "POSITIVE")
    )
    assert cursor.lex_turn(ALIAS_ARN)[1] == fx.LexAnswer(error="InputTimeLimitExceeded")
    assert cursor.lex_turn(ALIAS_ARN) == (ALIAS_ARN, None)  # used up: the caller says nothing more
    assert cursor.lex_turn("OtherBot") == (None, None)
    assert [cursor.view("form")[1] for _ in range(3)] == [
        fx.ViewAnswer("Next"),
        fx.ViewAnswer("Back", {"FormData": {"a": "b"}}),
        None,
    ]
    assert f.agent_matches("jdoe") and f.agent_matches("a-1") and not f.agent_matches("someone")
    assert f.action("get-profile", "GetCustomerProfile") == fx.ActionAnswer(error="NoneFoundError")
    assert f.action("check", "CheckVoiceId") == fx.ActionAnswer(result="Authenticated")
    assert f.action("other", "Wait") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"lambda": {}}, "f.yaml: lambda: is not a fixture section; use lambdas, queues"),
        ({"lambdas": []}, "f.yaml: lambdas: must be a mapping, not list"),
        ({"lambdas": {"fn": {"respons": {}}}}, "lambdas.fn: give exactly one of response (a map), responses"),
        (
            {"lambdas": {"fn": {"error": "slow"}}},
            "lambdas.fn.error: 'slow' is not one of timeout, error, throttle",
        ),
        ({"lambdas": {"fn": {"responses": []}}}, "lambdas.fn.responses: must be a non-empty list"),
        ({"lambdas": {"fn": {"responses": [{"error": "nope"}]}}}, "lambdas.fn.responses[0].error: 'nope'"),
        ({"lambdas": {"fn": {"response": "ok"}}}, "lambdas.fn.response: must be a mapping, not str"),
        ({"queues": {"q": {"agents_available": "two"}}}, "queues.q.agents_available: must be a whole number"),
        ({"queues": {"q": {"at_capacity": "yes"}}}, "queues.q.at_capacity: must be true or false"),
        ({"queues": {"q": {"agent": 1}}}, "queues.q.agent: is not a field here; use agents_available"),
        (
            {"queues": {"q": {"agents_available": 3, "agents_online": 1}}},
            "queues.q: needs agents_available <= agents_online",
        ),
        ({"hours": {"h": "maybe"}}, "hours.h: 'maybe' is not one of open, closed"),
        ({"bots": {"b": []}}, "bots.b: must be a non-empty list of turns"),
        ({"bots": {"b": [{"slots": {}}]}}, "bots.b[0]: needs intent"),
        ({"bots": {"b": [{"error": "hangup"}]}}, "bots.b[0].error: 'hangup' is not one of timeout, error"),
        ({"views": {"v": [{"data": {}}]}}, "views.v[0]: needs result"),
        ({"agent": {"status": "ASLEEP"}}, "agent.status: 'ASLEEP' is not one of AVAILABLE"),
        ({"contact": {"queue": "q", "number": "+1"}}, "contact.number: is not a field here"),
        (
            {"contact": {"initiation_method": "PIGEON"}},
            "contact.initiation_method: 'PIGEON' is not one of INBOUND",
        ),
        ({"contact": {"attributes": {"a": ["x"]}}}, "contact.attributes.a: must be text, not list"),
        ({"actions": {"x": {"result": "a", "error": "b"}}}, "actions.x: give result or error, not both"),
        ({"actions": {"x": {}}}, "actions.x: needs result, error or data"),
        ({"flows": {"arn": 3.5 + 1j}}, "flows.arn: must be text"),
    ],
)
def test_a_bad_fixture_names_the_field_to_fix(data: dict[str, Any], message: str) -> None:
    with pytest.raises(fx.FixtureError) as raised:
        parse(data)
    assert message in str(raised.value)


def test_files_are_yaml_or_json_and_unreadable_ones_say_so(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text('{"hours": {"h": "open"}}', encoding="utf-8")
    assert fx.load(tmp_path / "f.json").hours == {"h": True}
    (tmp_path / "f.yaml").write_text("hours:\n  h: closed\n", encoding="utf-8")
    assert fx.load(tmp_path / "f.yaml").hours == {"h": False}
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(fx.FixtureError, match=r"bad\.json: not valid JSON"):
        fx.load(tmp_path / "bad.json")
    (tmp_path / "bad.yaml").write_text("a: [", encoding="utf-8")
    with pytest.raises(fx.FixtureError, match=r"bad\.yaml: not valid YAML"):
        fx.load(tmp_path / "bad.yaml")
    with pytest.raises(fx.FixtureError, match=r"missing\.yaml: cannot be read"):
        fx.load(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n", encoding="utf-8")
    with pytest.raises(fx.FixtureError, match=r"list\.yaml: the file: must be a mapping"):
        fx.load(tmp_path / "list.yaml")


def test_arn_tail_names_the_resource() -> None:
    assert fx.arn_tail(LAMBDA_ARN + ":prod") == "AWSSCV-InvokeTelephonyFunction"
    assert fx.arn_tail(ALIAS_ARN) == "BOT1/ALIAS1"
    assert fx.arn_tail(QUEUE_ARN) == "fe171dcc"
    assert fx.arn_tail("BasicQueue") == "BasicQueue"


def test_arn_tail_reads_the_id_as_resource_map_parses_it() -> None:
    """The ID is parse_arn's: a Lex V1 bot's name without its alias, an AWS managed view's name
    without its version, an ARN built at run time or at deploy time; a malformed ARN stays whole."""
    assert fx.arn_tail("arn:aws:lex:us-east-1:111122223333:bot:OrderBot:prod") == "OrderBot"
    assert fx.arn_tail("arn:aws:connect:us-east-1:aws:view/form:1") == "form"
    assert fx.arn_tail("arn:aws:lambda:$.AwsRegion:111122223333:function:lookup:live") == "lookup"
    assert fx.arn_tail("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:lookup") == "lookup"
    assert fx.arn_tail("arn:aws:connect:us-east-1:1:instance/i/queue/q") == (
        "arn:aws:connect:us-east-1:1:instance/i/queue/q"
    )
