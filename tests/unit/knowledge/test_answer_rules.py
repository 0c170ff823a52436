"""The knowledge bot's hand-over rules, spoken length and kept conversation (knowledge.yaml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aicc.domain.knowledge import Answer, Passage, Turn, sourced
from aicc.domain.knowledge_rules import (
    Handover,
    handover_after_answer,
    handover_before_search,
    in_context,
    kept,
    spoken,
    ssml_body,
)
from aicc.settings import DEFAULT_CONFIG_DIR, ConfigError, config, load_config

RULES = config().knowledge
PASSAGE = Passage(
    "s3-deleted-object-recovery",
    "S3 객체 실수 삭제 시 버전 관리로 복구",
    "버킷에 버전 관리가 켜져 있으면 삭제 마커를 지워 객체를 복구합니다.",
    0.4,
)
TURN = Turn(
    "삭제한 S3 객체를 복구할 수 있나요", "버전 관리가 켜져 있으면 됩니다.", "s3-deleted-object-recovery"
)


@pytest.mark.parametrize(
    ("question", "intent", "reason"),
    [
        ("운영 서버가 다운됐어요", "TechnicalInquiry", Handover.INCIDENT),
        ("CloudFront에서 502 오류가 나요", "TechnicalInquiry", Handover.INCIDENT),
        ("이씨투 접속이 안 돼요", "TechnicalInquiry", Handover.INCIDENT),
        ("이씨투 접속이안돼요", "TechnicalInquiry", Handover.INCIDENT),  # spaced or not
        ("서비스가 멈췄어요", "ReportOutage", Handover.INCIDENT),
        ("아무튼 좀 봐주세요", "ReportOutage", Handover.INCIDENT),  # by the intent alone
        ("이번 달 요금이 너무 많이 나왔어요", "BillingInquiry", Handover.OWN_ACCOUNT),
        ("저희 계정 결제가 안 돼요", "BillingInquiry", Handover.OWN_ACCOUNT),
        ("콘솔 로그인이 안 돼요", "AccountAccess", Handover.OWN_ACCOUNT),
        ("2", "TechnicalInquiry", Handover.NO_QUESTION),  # a key, no words
        ("", "TechnicalInquiry", Handover.NO_QUESTION),
        ("세금계산서는 언제 발행되나요", "BillingInquiry", None),
        ("장애 등급은 어떻게 나뉘나요", "TechnicalInquiry", None),  # about incidents, not one
    ],
)
def test_what_needs_a_person_before_anything_is_looked_up(
    question: str, intent: str, reason: Handover | None
) -> None:
    assert handover_before_search(question, intent, [], RULES) == reason


def test_the_handover_intents_are_the_bots_intents() -> None:
    assert RULES.incident_intents | RULES.own_account_intents <= set(config().intents["intents"])


def test_after_the_last_allowed_turn_a_person_takes_the_next_question() -> None:
    turns = [TURN] * RULES.max_turns
    assert handover_before_search("세금계산서는 언제 나와요", "", turns[:-1], RULES) is None
    assert handover_before_search("세금계산서는 언제 나와요", "", turns, RULES) == Handover.TURN_LIMIT


def test_after_the_answerer() -> None:
    said = "버전 관리가 켜져 있으면 복구됩니다."
    sure = sourced(said, PASSAGE.doc_id, PASSAGE.title, RULES.min_confidence)
    unsure = sourced(said, PASSAGE.doc_id, PASSAGE.title, RULES.min_confidence - 0.01)
    invented = sourced(f"{said} 7일 안에만 됩니다.", PASSAGE.doc_id, PASSAGE.title, 0.99)
    assert handover_after_answer([], None, RULES) == Handover.NOT_FOUND
    assert handover_after_answer([PASSAGE], None, RULES) == Handover.NO_ANSWER
    assert handover_after_answer([PASSAGE], invented, RULES) == Handover.UNGROUNDED
    assert handover_after_answer([PASSAGE], unsure, RULES) == Handover.LOW_CONFIDENCE
    assert handover_after_answer([PASSAGE], sure, RULES) is None


def test_a_long_answer_is_cut_at_a_sentence_end() -> None:
    first = "첫 번째 문장은 이 정도 길이로 씁니다."
    assert spoken(f"{first} 두 번째 문장은 아주 길어서 한도를 넘깁니다 계속 계속 계속.", 40) == first
    assert spoken("짧은 답입니다.", 60) == "짧은 답입니다."
    words = spoken("가나다 " * 40, 50)
    assert len(words) <= 51 and words.endswith("…") and "가나다 가나" not in words[-4:]


def test_a_short_follow_up_is_searched_with_the_question_before_it() -> None:
    assert in_context("그럼 비용은요?", [TURN]) == f"{TURN.question} 그럼 비용은요?"
    assert in_context("그럼 비용은요?", []) == "그럼 비용은요?"
    assert in_context("세금계산서는 언제 발행되나요 궁금합니다", [TURN]).startswith("세금계산서")


def test_the_kept_conversation_is_bounded() -> None:
    long_question = "가" * (RULES.question_chars + 50)
    turns: list[Turn] = []
    for n in range(RULES.max_turns + 2):
        turns = kept(turns, Turn(f"{n}{long_question}", "답", "doc"), RULES)
    assert len(turns) == RULES.max_turns
    assert turns[-1].question.startswith(str(RULES.max_turns + 1))
    assert all(len(t.question) == RULES.question_chars for t in turns)


def test_the_ssml_body_is_what_goes_between_speak_tags() -> None:
    answer: Answer = sourced("A & B <확인>", "d", "제목", 0.9)
    body = ssml_body(answer.ssml)
    assert not body.startswith("<speak>") and "&amp;" in body and "&lt;확인&gt;" in body
    assert f"<speak>{body}</speak>" == answer.ssml


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("min_confidence: 0.55", "min_confidence: 1.5", "knowledge.min_confidence"),
        ("max_turns: 3", "max_turns: 0", "knowledge.max_turns"),
        (
            "own_account_words: [제계정,",
            "own_account_words: [제 계정,",
            "knowledge.handover.own_account_words",
        ),
    ],
)
def test_a_bad_knowledge_file_names_the_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    shutil.copytree(DEFAULT_CONFIG_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "knowledge.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"knowledge.yaml.*{field}"):
        _ = load_config(tmp_path).knowledge


@pytest.mark.parametrize(
    ("said", "closing"),
    [
        ("네 감사합니다", True),
        ("알겠어요 수고하세요", True),
        ("감사합니다!", True),
        ("고맙습니다 그럼 비용은 얼마예요", False),  # a question after the thanks: look it up
        ("버전 관리가 꺼져 있으면요?", False),
        ("네", False),  # a filler alone closes nothing
    ],
)
def test_a_caller_closing_the_conversation_is_told_goodbye(said: str, closing: bool) -> None:
    from aicc.domain.knowledge_rules import is_closing

    assert is_closing(said, config().knowledge) is closing
