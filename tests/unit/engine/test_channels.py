"""What an action does on a chat contact before it runs (engine/channels.py): the block-support-by-
channel table as ActionSpec.channels holds it, and chat prompts being Text only."""

from __future__ import annotations

from aicc_ops.engine.actions import CHAT, SPECS, VOICE
from aicc_ops.engine.channels import off_channel


def test_a_voice_only_action_takes_its_error_branch_on_chat() -> None:
    assert CHAT not in SPECS["GetParticipantInput"].channels  # "Get customer input" without Lex
    wrong = off_channel("GetParticipantInput", {"Text": "1번을 누르세요"}, CHAT)
    assert wrong is not None and (wrong.kind, wrong.value) == ("error", "NoMatchingError")
    assert "CHAT" in wrong.detail and "block-support-by-channel" in wrong.detail
    looped = off_channel("MessageParticipantIteratively", {"Messages": [{"Text": "x"}]}, CHAT)
    assert looped is not None and looped.kind == "error"


def test_a_chat_only_action_and_the_lex_block_run_on_chat() -> None:
    assert off_channel("ShowView", {"ViewResource": {"Id": "form"}}, CHAT) is None
    assert off_channel("Wait", {"TimeoutSeconds": "60"}, CHAT) is None
    assert off_channel("ConnectParticipantWithLexBot", {"Text": "말씀하세요"}, CHAT) is None
    assert off_channel("MessageParticipant", {"Text": "안녕하세요"}, CHAT) is None


def test_a_chat_prompt_is_text_only() -> None:
    for key in ("SSML", "PromptId"):
        wrong = off_channel("MessageParticipant", {key: "<speak>안녕하세요</speak>"}, CHAT)
        assert wrong is not None and wrong.value == "NoMatchingError" and key in wrong.detail


def test_voice_contacts_keep_the_handlers_own_answers() -> None:
    assert off_channel("ShowView", {}, VOICE) is None  # the fixtures may stand in for a chat block
    assert off_channel("MessageParticipant", {"SSML": "<speak>x</speak>"}, VOICE) is None
