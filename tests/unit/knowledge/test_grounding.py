"""Our own grounding check (aicc.domain.grounding): every sentence of an answer in one passage's
words, every number in a passage, whatever the language (the guardrail's has no Korean)."""

from __future__ import annotations

import pytest

from aicc.domain.grounding import numbers, sentences, support
from aicc.settings import config

MIN = config().knowledge.min_support
PASSAGE = (
    "S3 삭제 객체 복구\n버킷에 버전 관리가 켜져 있으면 삭제 마커를 지우는 것으로 객체를 복구할 수 있습니다.\n"
    "- 보관 기간: 이전 버전은 **90일** 동안 보관됩니다\n- 요금: 보관된 버전도 1,000건당 과금됩니다"
)
INVOICE = "세금계산서는 매월 5일에 발행됩니다. 정정은 담당 엔지니어에게 요청하십시오."


@pytest.mark.parametrize(
    "answer",
    [
        "버킷에 버전 관리가 켜져 있으면 삭제 마커를 지우는 것으로 객체를 복구할 수 있습니다.",
        "버전 관리가 켜져 있으면 삭제 마커를 지워서 객체를 복구할 수 있어요.",  # spoken, shorter
        "이전 버전은 90일 동안 보관되고, 보관된 버전도 1000건당 과금돼요.",  # list items joined
    ],
)
def test_the_passages_words_rephrased_are_supported(answer: str) -> None:
    assert support(answer, [INVOICE, PASSAGE]) >= MIN


@pytest.mark.parametrize(
    "answer",
    [
        "이전 버전은 30일 동안 보관됩니다.",  # a number changed
        "버전 관리가 켜져 있으면 3일 안에 객체를 복구할 수 있어요.",  # a number added
        f"버전 관리가 켜져 있으면 객체를 복구할 수 있어요. {INVOICE.split('. ')[1]}",  # another document
        "고객센터에 전화하시면 상담원이 바로 처리해 드립니다.",  # nothing of the passage
        "",  # nothing said
    ],
)
def test_an_invented_number_or_sentence_is_not(answer: str) -> None:
    assert support(answer, [PASSAGE]) < MIN


def test_a_sentence_needs_one_passage_not_pieces_of_several() -> None:
    mixed = "버전 관리가 켜져 있으면 세금계산서는 매월 정정을 요청하십시오."
    assert support(mixed, [PASSAGE, INVOICE]) < MIN


def test_list_numbering_is_no_claim_but_a_number_in_an_item_is() -> None:
    steps = "1. 버전 관리가 켜져 있으면 삭제 마커를 지웁니다.\n2) 이전 버전은 90일 동안 보관됩니다."
    assert support(steps, [PASSAGE]) >= MIN
    inline = "버전 관리가 켜져 있으면 삭제 마커를 지웁니다. 2. 이전 버전은 90일 동안 보관됩니다."
    assert support(inline, [PASSAGE]) >= MIN
    assert support("1. 이전 버전은 30일 동안 보관됩니다.", [PASSAGE]) == 0.0
    assert numbers("1. 첫째\n 2) 둘째 3.5배. 10. 열째 12일") == {"3.5", "12"}
    # a passage's numbering vouches for no number either
    assert support("목록은 2일 동안 보관됩니다.", ["1. 목록은\n2. 보관됩니다"]) == 0.0


def test_sentences_and_numbers() -> None:
    assert sentences("첫 문장입니다. 둘째요? 셋째!\n- 목록 항목") == [
        "첫 문장입니다.",
        "둘째요?",
        "셋째!",
        "- 목록 항목",
    ]
    assert numbers("1,000건, 3.5배, 90일.") == {"1000", "3.5", "90"}


def test_the_measured_variants_of_an_answer() -> None:
    from aicc_ops.knowledge.evaluate import grounding_cases

    body = "이전 버전은 90일 동안 보관됩니다."
    other = "세금계산서 정정은 담당 엔지니어에게 요청하십시오."
    (case,) = grounding_cases([(body, [("s3-deleted-object-recovery", PASSAGE)])], lambda ids: [other])
    assert case.spoken == "이전 버전은 90일 동안 보관돼요." and support(case.spoken, case.passages) >= MIN
    assert "90" not in case.invented_number and numbers(case.invented_number) - numbers(PASSAGE)
    assert case.other_document == f"{body} {other}"
    assert support(case.grounded, case.passages) == 1.0
    (step,) = grounding_cases(
        [(f"1. {body}", [("s3-deleted-object-recovery", PASSAGE)])], lambda ids: [other]
    )
    assert "90" not in step.invented_number and support(step.invented_number, step.passages) == 0.0
