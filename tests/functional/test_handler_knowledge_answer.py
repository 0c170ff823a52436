"""knowledge_answer: a caller's question answered from the knowledge base or handed to a person,
the conversation kept on the contact's call-log item (moto), with the real documents, a small real
retriever and the extractive answerer (kb_answers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from helpers import EventLoader, FakeLambdaContext
from kb_answers import ANSWERED, OUT_OF_SCOPE, backends

from aicc.domain.knowledge import Answer, Passage, Turn, sourced
from aicc.domain.knowledge_rules import Handover
from aicc.handlers import _knowledge
from aicc.handlers.knowledge_answer import handler, use_knowledge
from aicc.settings import config

from .aws_requests import handler_requests
from .conftest import Tables

RULES = config().knowledge
CONTACT = "5b2d7e10-3c4f-4e8a-9b1d-000000000031"  # events/connect_knowledge_answer.json
QUESTION = "삭제한 S3 객체를 복구할 수 있나요"


@pytest.fixture(autouse=True)
def local_backends() -> Iterator[None]:
    use_knowledge(*backends())
    yield
    use_knowledge(None)


def ask(
    event: EventLoader,
    ctx: FakeLambdaContext,
    question: str,
    intent: str = "TechnicalInquiry",
    turn: str = "",
) -> dict[str, str]:
    """`turn`: the contact's `kb_turn` attribute, the previous answer's `turn` as the flow keeps it."""
    params, attributes = {"question": question, "intent": intent}, {"kb_turn": turn}
    out: dict[str, str] = handler(
        event("connect_knowledge_answer", parameters=params, attributes=attributes), ctx
    )
    assert set(out) == config().function_returns["knowledge_answer"]
    return out


def test_an_answered_question_names_its_source_and_is_kept_for_follow_ups(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    with handler_requests() as sent:
        out = ask(connect_event, lambda_context, QUESTION)
    assert out["status"] == "answered" and out["reason"] == ""
    assert out["doc_id"] == ANSWERED[QUESTION] and out["title"] in out["answer"]
    assert float(out["confidence"]) >= RULES.min_confidence and out["turn"] == "1"
    assert not out["answer_ssml"].startswith("<speak>") and out["title"] in out["answer_ssml"]
    assert list(sent) == ["UpdateItem"]  # the turn kept: a first question has no turns to read
    item = tables.call_log(CONTACT)
    assert item is not None and item["expires_at"] and item["created_at"]
    assert item["kb_turns"] == [{"question": QUESTION, "answer": out["answer"], "doc_id": out["doc_id"]}]


def test_a_follow_up_gets_the_earlier_turns(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    retriever, answerer = backends()
    seen: list[Sequence[Turn]] = []

    @dataclass
    class Listening:
        def answer(
            self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
        ) -> Answer | None:
            seen.append(list(history))
            return answerer.answer(question, passages, history)

    use_knowledge(retriever, Listening())
    first = ask(connect_event, lambda_context, QUESTION)
    with handler_requests() as sent:
        second = ask(connect_event, lambda_context, "버전 관리가 꺼져 있으면요?", turn=first["turn"])
    assert list(sent) == ["GetItem", "UpdateItem"]  # the turns read (the flow says one was answered)
    assert seen == [[], [Turn(QUESTION, first["answer"], first["doc_id"])]]
    assert second["status"] == "answered" and second["doc_id"] == first["doc_id"] and second["turn"] == "2"
    item = tables.call_log(CONTACT)
    assert item is not None and len(item["kb_turns"]) == 2


@pytest.mark.parametrize(
    ("question", "intent", "reason"),
    [
        ("운영 서버가 다운됐어요 확인 좀 해주세요", "TechnicalInquiry", Handover.INCIDENT),
        ("이번 달 요금이 왜 이렇게 많이 나왔죠", "BillingInquiry", Handover.OWN_ACCOUNT),
        ("2", "TechnicalInquiry", Handover.NO_QUESTION),
    ],
)
def test_an_incident_or_the_callers_own_account_goes_to_a_person_without_a_lookup(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    question: str,
    intent: str,
    reason: Handover,
) -> None:
    with handler_requests() as sent:
        out = ask(connect_event, lambda_context, question, intent)
    assert out == {"status": "handover", "reason": reason.value, "answer": "", "answer_ssml": "", "doc_id": "",
                   "title": "", "confidence": "", "turn": "0"}  # fmt: skip
    assert list(sent) == []


def test_an_out_of_scope_question_goes_to_a_person_and_is_not_kept(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    out = ask(connect_event, lambda_context, OUT_OF_SCOPE[0])
    assert out["status"] == "handover"
    assert out["reason"] in (Handover.LOW_CONFIDENCE, Handover.NOT_FOUND, Handover.NO_ANSWER)
    assert tables.call_log(CONTACT) is None


def test_a_first_question_retried_by_connect_is_kept_once(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    first = ask(connect_event, lambda_context, QUESTION)
    again = ask(connect_event, lambda_context, QUESTION)  # no answer reached the flow: no kb_turn yet
    assert first == again and again["turn"] == "1"
    item = tables.call_log(CONTACT)
    assert item is not None and len(item["kb_turns"]) == 1


def test_after_the_last_allowed_turn_a_person_takes_over(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    turn = ""
    for _ in range(RULES.max_turns):
        answered = ask(connect_event, lambda_context, QUESTION, turn=turn)
        assert answered["status"] == "answered"
        turn = answered["turn"]
    out = ask(connect_event, lambda_context, QUESTION, turn=turn)
    assert (out["status"], out["reason"], out["turn"]) == ("handover", "turn_limit", str(RULES.max_turns))


def test_a_long_answer_is_cut_to_the_spoken_length(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    retriever, _ = backends()

    class Verbose:  # quotes the retrieved passage whole, as a careless model might
        def answer(
            self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
        ) -> Answer | None:
            text = passages[0].text
            return sourced(text, passages[0].doc_id, passages[0].title, 0.9)

    use_knowledge(retriever, Verbose())
    out = ask(connect_event, lambda_context, QUESTION)
    body = out["answer"].removesuffix(sourced("", "", out["title"], 0.0).text)
    assert out["status"] == "answered" and body != out["answer"]
    assert 0 < len(body) <= RULES.spoken_max_chars + 1  # + the ellipsis of a cut between words


def test_a_failing_retriever_takes_the_flows_error_branch(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    class Down:
        def retrieve(self, query: str, top: int = 5) -> list[Passage]:
            raise ConnectionError("the index is not reachable")

    use_knowledge(Down(), backends()[1])
    with pytest.raises(ConnectionError):
        ask(connect_event, lambda_context, QUESTION)


def test_the_callers_words_are_not_logged(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    handler_log: Callable[[], list[str]],
) -> None:
    ask(connect_event, lambda_context, QUESTION)
    logged = "\n".join(handler_log())  # as CloudWatch gets the lines
    assert "knowledge answer" in logged and ANSWERED[QUESTION] in logged
    assert QUESTION not in logged


def test_without_an_injected_backend_the_handler_asks_bedrock(monkeypatch: pytest.MonkeyPatch) -> None:
    from aicc.adapters.knowledge import BedrockAnswerer, BedrockRetriever

    use_knowledge(None)
    for name, value in {
        "KNOWLEDGE_BASE_ID": "KB12345678", "ANSWER_MODEL_ID": "apac.amazon.nova-lite-v1:0",
        "GUARDRAIL_ID": "gr-1", "GUARDRAIL_VERSION": "1",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    retriever, answerer = _knowledge.backends()
    assert isinstance(retriever, BedrockRetriever) and retriever.knowledge_base_id == "KB12345678"
    assert isinstance(answerer, BedrockAnswerer)
    use_knowledge(None)


def test_the_answer_is_given_even_when_the_conversation_cannot_be_read_or_kept(
    tables: Tables, connect_event: EventLoader, lambda_context: FakeLambdaContext
) -> None:
    # The conversation is bookkeeping: a failed GetItem or UpdateItem (here: no call-log table)
    # costs the follow-up its context, never the caller the answer.
    tables.client.delete_table(TableName=tables.names["CALL_LOGS_TABLE"])
    out = ask(connect_event, lambda_context, QUESTION)
    assert out["status"] == "answered" and out["doc_id"] == ANSWERED[QUESTION]


# Bedrock's answers in Korean, checked by our own grounding check (domain.grounding): the
# guardrail's contextual grounding runs in the CLASSIC tier, which has no Korean.
RECOVERY = Passage(
    "s3-deleted-object-recovery",
    "S3 삭제 객체 복구",
    "버킷에 버전 관리가 켜져 있으면 삭제 마커를 지우는 것으로 객체를 복구할 수 있습니다. "
    "버전 관리가 꺼져 있으면 삭제된 객체는 복구할 수 없습니다.",
    0.82,
)
OTHER = "세금계산서는 매월 5일에 발행됩니다."  # true elsewhere, not in the passage


@dataclass
class OnePassage:
    def retrieve(self, query: str, top: int = 5) -> list[Passage]:
        return [RECOVERY]


def bedrock_says(text: str) -> Iterator[None]:
    """The handler with Bedrock's answerer, its Converse stubbed against the real bedrock-runtime
    model (no grounding score in the trace: the guardrail has none for Korean)."""
    import boto3
    from botocore.stub import ANY, Stubber

    from aicc.adapters.knowledge import BedrockAnswerer

    client = boto3.client("bedrock-runtime", region_name="ap-northeast-2")
    response = {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 300, "outputTokens": 40, "totalTokens": 340},
        "metrics": {"latencyMs": 800},
    }
    expected = {k: ANY for k in ("modelId", "system", "messages", "inferenceConfig", "guardrailConfig")}
    with Stubber(client) as stubber:
        stubber.add_response("converse", response, expected)
        use_knowledge(
            OnePassage(), BedrockAnswerer("apac.anthropic.claude-3-haiku-20240307-v1:0", "gr1", "1", client)
        )
        yield
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("said", "status", "reason"),
    [
        # the passage in spoken words: answered
        ("[1] 버전 관리가 켜져 있으면 삭제 마커를 지워서 객체를 복구할 수 있어요.", "answered", ""),
        # a number the passage does not hold
        (
            "[1] 버전 관리가 켜져 있으면 30일 안에 삭제 마커를 지워서 복구할 수 있어요.",
            "handover",
            "ungrounded",
        ),
        # a sentence from another document
        (
            f"[1] 버전 관리가 켜져 있으면 삭제 마커를 지워서 복구할 수 있어요. {OTHER}",
            "handover",
            "ungrounded",
        ),
    ],
)
def test_a_bedrock_answer_in_korean_is_spoken_only_when_the_passages_support_it(
    tables: Tables,
    connect_event: EventLoader,
    lambda_context: FakeLambdaContext,
    said: str,
    status: str,
    reason: str,
) -> None:
    for _ in bedrock_says(said):
        out = ask(connect_event, lambda_context, QUESTION)
    assert (out["status"], out["reason"]) == (status, reason)
    assert (out["doc_id"] == RECOVERY.doc_id) == (status == "answered")
