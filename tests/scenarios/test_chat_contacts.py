"""Engine rules of chat contacts (channel CHAT, as StartChatContact starts them) on small flows,
with the stack's real Lambdas and Lex."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from helpers import BYE, block

from aicc_ops.engine.interpreter import CHAT_LEX_TIMEOUT_SECONDS, InputError
from aicc_ops.local.stack import LocalStack

from .conftest import engine_for

AT = datetime.fromisoformat("2026-11-25T10:00:00+09:00")


def _lex(stack: LocalStack, **extra: Any) -> dict[str, Any]:
    return {
        "Identifier": "ask",
        "Type": "ConnectParticipantWithLexBot",
        "Parameters": {
            "Text": "고객사명을 입력해주세요.",
            "LexV2Bot": {"AliasArn": stack.resources.lex_alias_arn},
            "LexSessionAttributes": {"expected_intent": "ProvideCompanyName"},
            **extra,
        },
        "Transitions": {
            "NextAction": "bye",
            "Errors": [
                {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
                {"NextAction": "bye", "ErrorType": "NoMatchingError"},
                {"NextAction": "bye", "ErrorType": "InputTimeLimitExceeded"},
            ],
        },
    }


def test_a_chat_started_by_the_api_is_initiated_by_api(stack: LocalStack) -> None:
    flow = [block("say", "MessageParticipant", {"Text": "$.InitiationMethod $.Channel"}), BYE]
    chat = engine_for(stack, flow).run("김민준", AT, channel="CHAT")
    assert chat.prompts == ["API CHAT"]
    call = engine_for(stack, flow).run("+821012345678", AT)
    assert call.prompts == ["INBOUND VOICE"]


@pytest.mark.parametrize(("extra", "seconds"), [({"LexTimeoutSeconds": {"Text": "120"}}, 120), ({}, None)])
def test_a_silent_chat_customer_times_out_on_the_blocks_text_timeout(
    stack: LocalStack, extra: dict[str, Any], seconds: int | None
) -> None:
    r = engine_for(stack, [_lex(stack, **extra), BYE]).run("김민준", AT, ["silence"], channel="CHAT")
    (step,) = [s for s in r.steps if s.type == "ConnectParticipantWithLexBot"]
    assert step.outcome == "error:InputTimeLimitExceeded"
    assert step.detail == f"no message within {seconds or CHAT_LEX_TIMEOUT_SECONDS} s"


def test_a_blank_chat_message_is_a_message_lex_does_not_understand(stack: LocalStack) -> None:
    r = engine_for(stack, [_lex(stack), BYE]).run("김민준", AT, ["text:   "], channel="CHAT")
    (step,) = [s for s in r.steps if s.type == "ConnectParticipantWithLexBot"]
    assert "text ''" in step.detail and not step.outcome.startswith("error:InputTimeLimitExceeded")


def test_inputs_are_those_of_the_contacts_channel(stack: LocalStack) -> None:
    engine = engine_for(stack, [_lex(stack), BYE])
    for said in ("say:솔트웨어", "1234#"):
        with pytest.raises(InputError, match="chat customer types"):
            engine.run("김민준", AT, [said], channel="CHAT")
    with pytest.raises(InputError, match="text: is a chat message"):
        engine.run("+821012345678", AT, ["text:솔트웨어"])


def test_a_view_nobody_answers_on_chat_says_so(stack: LocalStack) -> None:
    show = block("view", "ShowView", {"ViewResource": {"Id": "arn:aws:connect:view/form"}})
    chat = engine_for(stack, [show, BYE]).run("김민준", AT, channel="CHAT")
    (step,) = [s for s in chat.steps if s.type == "ShowView"]
    assert step.outcome == "error:NoMatchingError"
    assert "no customer answers it here" in step.detail and "chat only" not in step.detail
    call = engine_for(stack, [show, BYE]).run("+821012345678", AT)
    assert "ShowView runs on chat only" in next(s.detail for s in call.steps if s.type == "ShowView")
