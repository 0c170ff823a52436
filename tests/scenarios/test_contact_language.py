"""The contact's language, as Connect keeps it: Lex listens in the locale of the contact's language.

Connect starts every contact in en-US; only UpdateContactData (LanguageCode) changes it, and the
Lex block asks the bot alias for the matching locale. A flow that sets only a Korean voice sends
Korean speech to the bot's en_US locale, where it is not understood.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from helpers import BYE, set_language

from aicc_ops.engine.interpreter import CallResult
from aicc_ops.local.stack import LocalStack

from .conftest import COVERAGE, Caller, engine_for

SALTWARE = ["say:솔트웨어", "say:김민준입니다", "1234#"]  # MSP, registered number
AT = datetime.fromisoformat("2026-11-25T10:00:00+09:00")


def _lex_steps(result: CallResult) -> list[str]:
    return [s.detail for s in result.steps if s.type == "ConnectParticipantWithLexBot"]


def _recording_parameters(stack: LocalStack, flow: str) -> dict[str, Any]:
    """The parameters of the flow's one UpdateContactRecordingBehavior block."""
    (action,) = [
        a for a in stack.flows[flow].actions.values() if a["Type"] == "UpdateContactRecordingBehavior"
    ]
    return dict(action["Parameters"])


@pytest.fixture
def recorded(stack: LocalStack) -> dict[str, Any]:
    """CallResult.recording of a contact the entry flow's recording block ran for."""
    params = _recording_parameters(stack, "customer_authentication")
    analytics = params["AnalyticsBehavior"]
    return {
        "participants": params["RecordingBehavior"]["RecordedParticipants"],
        "analytics_language": analytics["AnalyticsLanguage"],
        "analytics_modes": analytics["ChannelConfiguration"]["Voice"]["AnalyticsModes"],
    }


def test_korean_speech_reaches_the_ko_kr_locale_from_the_first_question(call: Caller) -> None:
    r = call([*SALTWARE, "2"])
    asked = _lex_steps(r)
    # company, contact and account digits understood at the first try, then the MSP menu (key 2)
    assert len(asked) == 4, asked
    assert all(d.startswith("ko_KR ") for d in asked), asked
    assert r.attributes["spoken_company"] == "솔트웨어"
    assert r.attributes["auth_method"] == "speech"
    assert r.attributes["customer_class"] == "MSP"


@pytest.mark.parametrize(
    ("inputs", "number", "at", "flows"),
    [
        pytest.param(
            [*SALTWARE, "1", "say:운영 웹서버가 응답하지 않습니다"],
            "+821012345678",
            "2026-11-25T10:00:00+09:00",
            ["Customer Authentication", "MSP Customer", "Emergency"],
            id="msp-outage",
        ),
        pytest.param(
            ["say:다온로지스", "say:정하은", "3456#", "1", "2"],
            "+821045678901",
            "2026-11-25T10:00:00+09:00",
            ["Customer Authentication", "General Customer"],
            id="general",
        ),
        pytest.param(
            ["say:가나다상사", "say:홍길동", "9999#", "1"],
            "+821099990000",
            "2026-11-25T10:00:00+09:00",
            ["Customer Authentication"],
            id="unregistered",
        ),
        # After hours an MSP emergency is described by speech in the Emergency flow, reached by
        # transfer: the language set by the entry flow carries over.
        pytest.param(
            ["2", "say:운영 데이터베이스가 멈췄습니다"],
            "+821012345678",
            "2026-11-28T23:00:00+09:00",
            ["Customer Authentication", "After Hours", "Emergency"],
            id="after-hours-emergency",
        ),
    ],
)
def test_every_entry_path_sets_korean_before_any_lex_turn(
    call: Caller, inputs: list[str], number: str, at: str, flows: list[str]
) -> None:
    r = call(inputs, number=number, at=at, hold=0)
    assert r.flows[: len(flows)] == flows
    lex = [s for s in r.steps if s.type == "ConnectParticipantWithLexBot"]
    assert lex, "no Lex turn on this path: nothing was checked"
    for step in lex:
        assert step.detail.startswith("ko_KR"), (step.flow, step.identifier, step.detail)
    languages = [s for s in r.steps if s.type == "UpdateContactData"]
    assert languages and languages[0].flow == "Customer Authentication"
    assert r.steps.index(languages[0]) < r.steps.index(lex[0])


def test_contact_lens_analyses_the_call_in_korean_in_real_time(
    call: Caller, recorded: dict[str, Any]
) -> None:
    assert recorded == {
        "participants": ["Agent", "Customer"],
        "analytics_language": "ko-KR",
        "analytics_modes": ["RealTime"],  # real-time and post-call
    }
    r = call([*SALTWARE, "2"])
    assert r.recording == recorded


# ---- the engine's model, on small flows ----------------------------------------------------------


def _run(stack: LocalStack, actions: list[dict[str, Any]], inputs: list[str]) -> CallResult:
    return engine_for(stack, actions).run("+821012345678", AT, inputs)


def _ask(stack: LocalStack) -> dict[str, Any]:
    return {
        "Identifier": "ask",
        "Type": "ConnectParticipantWithLexBot",
        "Parameters": {
            "Text": "고객사명을 말씀해주세요.",
            "LexV2Bot": {"AliasArn": stack.resources.lex_alias_arn},
            "LexSessionAttributes": {"expected_intent": "ProvideCompanyName"},
        },
        "Transitions": {
            "NextAction": "bye",
            "Conditions": [
                {"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": ["ProvideCompanyName"]}}
            ],
            "Errors": [
                {"NextAction": "bye", "ErrorType": "NoMatchingCondition"},
                {"NextAction": "bye", "ErrorType": "NoMatchingError"},
                {"NextAction": "bye", "ErrorType": "InputTimeLimitExceeded"},
            ],
        },
    }


def _voice() -> dict[str, Any]:
    return {
        "Identifier": "voice",
        "Type": "UpdateContactTextToSpeechVoice",
        "Parameters": {"TextToSpeechVoice": "Seoyeon"},
        "Transitions": {"NextAction": "ask"},
    }


def _branch(result: CallResult, ident: str) -> str:
    return next(s.outcome for s in result.steps if s.identifier == ident)


def test_a_korean_voice_alone_leaves_the_contact_in_en_us(stack: LocalStack) -> None:
    r = _run(stack, [_voice(), _ask(stack), BYE], ["say:솔트웨어입니다"])
    assert _lex_steps(r)[0].startswith("en_US")
    assert r.attributes == {}
    # The en_US locale hears "솔트웨어입니다" as nothing it knows: not the company-name intent.
    assert _branch(r, "ask") != "Equals:ProvideCompanyName"


def test_setting_ko_kr_sends_the_same_words_to_the_ko_kr_locale(stack: LocalStack) -> None:
    r = _run(stack, [set_language("ko-KR"), _ask(stack), BYE], ["say:솔트웨어입니다"])
    assert _lex_steps(r)[0].startswith("ko_KR")
    assert _branch(r, "ask") == "Equals:ProvideCompanyName"


def test_a_language_the_bot_has_no_locale_for_takes_the_error_branch(stack: LocalStack) -> None:
    r = _run(stack, [set_language("ja-JP"), _ask(stack), BYE], ["say:ソルトウェア"])
    assert _branch(r, "ask") == "error:NoMatchingError"
    assert "ja_JP" in next(s.detail for s in r.steps if s.identifier == "ask")


def test_an_invalid_language_code_is_an_error_of_the_block(stack: LocalStack) -> None:
    r = _run(stack, [set_language("ko_KR"), _ask(stack), BYE], [])
    assert _branch(r, "language") == "error:NoMatchingError"


def test_when_the_language_cannot_be_set_the_caller_reaches_a_person_and_is_still_recorded(
    call: Caller,
) -> None:
    r = call(
        [*SALTWARE, "2"], hold=0, action_faults={("customer_authentication", "language"): "NoMatchingError"}
    )
    assert _lex_steps(r) == []  # no speech in a language the bot would not understand
    assert r.queue is not None  # an agent takes the call, in Korean
    assert r.recording["analytics_language"] == "ko-KR"


def test_a_callbacks_customer_is_recorded_and_analysed_in_korean_too(
    stack: LocalStack, recorded: dict[str, Any]
) -> None:
    """Connect runs each queue's outbound whisper flow for the customer of a callback (a new
    contact, which never passes the entry flow)."""
    whisper = engine_for(stack, entry="outbound_whisper")
    r = whisper.run("+821012345678", AT)
    COVERAGE.exercised.update(r.transitions)
    assert r.flows == ["Outbound Whisper"]
    assert r.recording == recorded
    assert not r.disconnected  # the whisper ends and the call goes on to the customer

    # A language that cannot be set must not cost the customer the callback.
    whisper.action_faults[("outbound_whisper", "language")] = "NoMatchingError"
    failed = whisper.run("+821012345678", AT)
    COVERAGE.exercised.update(failed.transitions)
    assert failed.recording == recorded
    assert not failed.disconnected


def test_inbound_and_callback_contacts_share_one_recording_setting(stack: LocalStack) -> None:
    assert _recording_parameters(stack, "customer_authentication") == _recording_parameters(
        stack, "outbound_whisper"
    )
