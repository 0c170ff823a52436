"""Our own grounding check (aicc.domain.grounding): every sentence of an answer in one passage's
words, every number in a passage, whatever the language (the guardrail's has no Korean)."""

from __future__ import annotations

import pytest

from aicc.domain.grounding import bigrams, covered, negations, numbers, sentences, support
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


REMITTANCE = (
    "해외 송금 안내\n해외 송금은 영업일 기준 1~2일 내 처리되며, 건당 수수료는 3,000원입니다. "
    "모바일 앱에서 신청할 수 있습니다. 원본 서류는 반환하지 않으며, 지점에서는 신청할 수 없습니다."
)


@pytest.mark.parametrize(
    "answer",
    [
        "해외 송금은 영업일 기준 1~2일 내 처리되지 않으며, 건당 수수료는 없습니다.",
        "모바일 앱에서는 신청할 수 없습니다.",
        "해외 송금은 영업일 기준 1~2일 내 처리되며, 건당 수수료는 3,000원이 아닙니다.",
        "모바일 앱에서는 신청이 안 돼요.",
        "원본 서류는 반환하며, 지점에서는 신청할 수 있습니다.",  # the passage's negations taken out
        "지점에서는 신청할 수 있어요.",
    ],
)
def test_an_answer_that_turns_the_passage_around_is_not_supported(answer: str) -> None:
    assert support(answer, [INVOICE, REMITTANCE]) < MIN


@pytest.mark.parametrize(
    "answer",
    [
        "해외 송금은 1~2일 내 처리되고, 건당 수수료는 3,000원이에요.",
        "해외 송금은 모바일 앱에서 신청할 수 있어요. 지점에서는 신청할 수 없어요.",
        "원본 서류는 반환하지 않아요.",
        "모바일 앱에서 신청할 수 있고 원본 서류는 반환하지 않습니다.",  # two sentences joined
    ],
)
def test_an_answer_that_keeps_the_passages_negations_is(answer: str) -> None:
    assert support(answer, [INVOICE, REMITTANCE]) >= MIN


def test_negations() -> None:
    said = "처리되지 않습니다 수수료가 없고 받지 못하며 3,000원이 아닙니다 불가 금지 안 돼요 올리지 마십시오"
    assert negations(said) == 8
    assert negations("금액에 관계없이 5분 안에 안내합니다. 잘못 입력한 경우 불가피하게 지연됩니다.") == 0
    assert negations("수수료 없이 앱뿐만 아니라 지점에서도") == 0
    assert negations("제 잘못이 아니라고 합니다") == 1  # quoted: "it is not"
    assert negations("This is not free.") == 1


@pytest.mark.parametrize(
    ("passage", "answer"),
    [
        ("별도의 수수료 없이 자동이체를 등록할 수 있습니다.", "자동이체를 등록할 수 있습니다."),
        ("로그인 없이도 배송 조회가 가능합니다.", "배송 조회가 가능합니다."),
        ("앱뿐만 아니라 홈페이지에서도 신청할 수 있습니다.", "홈페이지에서도 신청할 수 있습니다."),
        ("방문이 아니라 온라인으로 신청합니다.", "온라인으로 신청합니다."),
    ],
)
def test_without_and_not_a_but_b_are_no_negation_of_the_verb(passage: str, answer: str) -> None:
    """없이 ("without") and the contrastive 아니라 leave the verb affirmative: an answer that drops
    the phrase says what the passage says."""
    assert support(answer, [passage]) >= MIN


def test_a_dotted_dates_month_and_day_are_claims() -> None:
    """ "2026. 12. 31." is a date, not list items 12 and 31: a changed month or day is invented."""
    passage = "신청 기간은 2026. 12. 31.까지이며, 당첨자는 2027. 1. 15. 발표합니다."
    assert numbers(passage) == {"2026", "12", "31", "2027", "1", "15"}
    assert support("당첨자는 2027. 1. 15. 발표합니다.", [passage]) >= MIN
    assert support("당첨자는 2027. 1. 16. 발표합니다.", [passage]) == 0.0
    assert support("신청 기간은 2026. 11. 31.까지이며", [passage]) == 0.0


def test_list_numbering_is_no_claim_but_a_number_in_an_item_is() -> None:
    steps = "1. 버전 관리가 켜져 있으면 삭제 마커를 지웁니다.\n2) 이전 버전은 90일 동안 보관됩니다."
    assert support(steps, [PASSAGE]) >= MIN
    inline = "버전 관리가 켜져 있으면 삭제 마커를 지웁니다. 2. 이전 버전은 90일 동안 보관됩니다."
    assert support(inline, [PASSAGE]) >= MIN
    assert support("1. 이전 버전은 30일 동안 보관됩니다.", [PASSAGE]) == 0.0
    assert numbers("1. 첫째\n 2) 둘째 3.5배. 10. 열째 12일") == {"3.5", "12"}
    # a passage's numbering vouches for no number either
    assert support("목록은 2일 동안 보관됩니다.", ["1. 목록은\n2. 보관됩니다"]) == 0.0


def test_bigrams_are_of_letters_and_digits_of_any_script() -> None:
    # Spaces, punctuation, markup and the underscore dropped; letters lower-cased; digits of any form.
    assert bigrams("**버전_관리**, OK ①") == bigrams("버전관리ok①")
    assert set(bigrams("A_b ²3")) == {"ab", "b²", "²3"}
    assert bigrams("가") == bigrams("... _") == {}
    claim = bigrams("가나다 가나")  # 가나 twice, 나다, 다가: the source must hold 가나 twice for both
    assert covered(claim, bigrams("가나다")) == 2 / 4 and covered(claim, bigrams("다가나 가나다")) == 1.0
    assert covered(bigrams(""), bigrams("가나")) == 1.0
    # Counts above two, and digits after a bigram (its later occurrences are counted apart).
    assert covered(bigrams("가나가나가나"), bigrams("가나가나")) == 3 / 5  # 가나 2 of 3, 나가 1 of 2
    assert covered(bigrams("a1a1a1"), bigrams("a11 1a1")) == 3 / 5  # a1 2 of 3, 1a 1 of 2


def test_a_passage_is_read_once_however_often_it_is_retrieved(monkeypatch: pytest.MonkeyPatch) -> None:
    from aicc.domain import grounding

    answer = "버전 관리가 켜져 있으면 삭제 마커를 지워서 객체를 복구할 수 있어요."
    first = support(answer, [PASSAGE, INVOICE])
    read: list[str] = []
    clauses = grounding.clauses
    monkeypatch.setattr(grounding, "clauses", lambda text: read.append(text) or clauses(text))
    # Retrieved again (in another order): the same score, and only the answer is cut into clauses.
    assert support(answer, [INVOICE, PASSAGE]) == first and read == [answer]
    assert support(answer, [INVOICE]) < MIN  # the passages themselves decide, not the last ones read


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
    assert case.negated == "이전 버전은 90일 동안 보관되지 않습니다."
    assert support(case.negated, case.passages) < MIN
    (step,) = grounding_cases(
        [(f"1. {body}", [("s3-deleted-object-recovery", PASSAGE)])], lambda ids: [other]
    )
    assert "90" not in step.invented_number and support(step.invented_number, step.passages) == 0.0


@pytest.mark.parametrize(
    ("said", "turned"),
    [
        ("처리되지 않습니다.", "처리됩니다."),
        ("앱에서 신청할 수 있습니다.", "앱에서 신청할 수 없습니다."),
        ("수수료는 3,000원입니다.", "수수료는 3,000원이 아닙니다."),
        ("키는 적지 마십시오.", "키는 적십시오."),
        ("엔지니어가 연락드립니다.", "엔지니어가 연락드리지 않습니다."),
        ("안녕", None),
    ],
)
def test_a_measured_negation_turns_one_predicate_around(said: str, turned: str | None) -> None:
    from aicc_ops.knowledge.evaluate import negated

    assert negated(said) == turned
