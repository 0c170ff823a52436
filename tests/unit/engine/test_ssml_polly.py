"""Prompts as Polly speaks them: SSML each engine accepts, and Korean only in a Korean voice."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from helpers import BYE, block, flow_of

from aicc.settings import Prompt
from aicc_ops.engine import lint, ssml
from aicc_ops.engine.flows import Flow, Resources

SEOYEON_NEURAL = {"Seoyeon": frozenset({"neural"})}


def _spoken(markup: str, engine: str | None) -> Flow:
    params = {"TextToSpeechVoice": "Seoyeon"} | ({"TextToSpeechEngine": engine} if engine else {})
    voice = block("voice", "UpdateContactTextToSpeechVoice", params, "say", "say")
    say = block("say", "MessageParticipant", {"SSML": markup}, "bye", on_error="bye")
    return flow_of([voice, say, BYE])


def _errors(resources: Resources, flow: Flow) -> list[str]:
    return [f.message for f in lint.errors(lint.lint({flow.key: flow}, resources)) if f.action == "say"]


def test_shipped_prompts_are_spoken_as_written(real_flows: dict[str, Flow], resources: Resources) -> None:
    assert lint.prompt_findings(real_flows, resources) == []


def test_the_voices_of_the_prompts_come_from_the_flows(real_flows: dict[str, Flow]) -> None:
    # What the ko-KR prompts are checked against: the Set voice blocks the flows really have.
    assert lint.flow_voices(real_flows) == SEOYEON_NEURAL


@pytest.mark.parametrize(
    ("markup", "flagged"),
    [
        ("<speak>정말 <emphasis>중요합니다</emphasis></speak>", "<emphasis>"),
        ('<speak><prosody pitch="high">안녕하세요</prosody></speak>', "pitch"),
        ('<speak><amazon:effect name="whispered">안녕하세요</amazon:effect></speak>', "whispered"),
        ('<speak><prosody amazon:max-duration="2s">안녕하세요</prosody></speak>', "max-duration"),
        ("<speak>숨 <amazon:breath/> 쉬고</speak>", "amazon:breath"),
    ],
)
def test_a_tag_the_neural_engine_lacks_is_an_error_there_only(
    resources: Resources, markup: str, flagged: str
) -> None:
    neural = _errors(resources, _spoken(markup, "Neural"))
    assert len(neural) == 1 and flagged in neural[0] and "neural" in neural[0]
    assert _errors(resources, _spoken(markup, "Standard")) == []
    assert _errors(resources, _spoken(markup, None)) == []  # no engine given: the standard one


def test_what_the_neural_engine_speaks_passes(resources: Resources) -> None:
    ok = (
        '<speak><prosody rate="90%" volume="loud">안녕하세요</prosody><break time="300ms"/>반갑습니다</speak>'
    )
    assert _errors(resources, _spoken(ok, "Neural")) == []


def test_an_engine_limit_is_advice_on_someone_elses_flow(resources: Resources) -> None:
    flow = _spoken("<speak><emphasis>안녕하세요</emphasis></speak>", "Neural")
    flow.foreign = True
    found = [f for f in lint.lint({flow.key: flow}, resources) if f.action == "say"]
    assert [f.severity for f in found] == ["warning"]


@pytest.mark.parametrize(
    ("text", "voices", "expected"),
    [
        (
            "<speak>안녕하세요<audio src='x.mp3'/></speak>",
            SEOYEON_NEURAL,
            "does not support the SSML tag <audio>",
        ),
        ("<speak>안녕하세요 & 반갑습니다</speak>", SEOYEON_NEURAL, "not well-formed"),
        ('<speak><say-as interpret-as="characters">AWS</say-as></speak>', SEOYEON_NEURAL, "standard voice"),
        ("안녕하세요", {"Joanna": frozenset({"neural"})}, "Korean text spoken by Joanna"),
        ("<speak>안녕하세요</speak>", {"Seoyeon": frozenset(), "Matthew": frozenset()}, "by Matthew"),
        ("안녕하세요<break time='1s'/>", SEOYEON_NEURAL, "does not start with <speak>"),
    ],
)
def test_a_prompt_polly_would_not_speak_as_written_is_an_error(
    text: str, voices: dict[str, frozenset[str]], expected: str
) -> None:
    found = ssml.prompt_problems(text, voices)
    assert [p.severity for p in found] == ["error"]
    assert expected in found[0].message


def test_korean_in_a_korean_voice_and_english_in_any_voice_pass() -> None:
    assert ssml.prompt_problems("<speak>안녕하세요<break time='1s'/></speak>", SEOYEON_NEURAL) == []
    assert ssml.prompt_problems("Hello", {"Joanna": frozenset({"neural"})}) == []


def _with_prompt(resources: Resources, texts: dict[str, str]) -> Resources:
    prompts: Any = {**resources.config.prompts, "probe": Prompt("probe", texts)}
    return dataclasses.replace(resources, config=resources.config._replace(prompts=prompts))


def test_prompts_yaml_is_checked_per_locale_with_its_voice(
    real_flows: dict[str, Flow], resources: Resources
) -> None:
    bad = _with_prompt(
        resources, {"ko-KR": "<speak><emphasis>긴급</emphasis></speak>", "en-US": "긴급입니다"}
    )
    found = {(f.action, f.severity) for f in lint.prompt_findings(real_flows, bad)}
    assert found == {("probe (ko-KR)", "error"), ("probe (en-US)", "error")}
