"""BedrockRetriever and BedrockAnswerer against botocore's Stubber: every request is checked against
the real service models (bedrock-agent-runtime Retrieve, bedrock-runtime Converse), so a wrong or
misspelt parameter fails here, and every canned response against the output shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from helpers import REGION

from aicc.adapters import aws
from aicc.adapters.knowledge import (
    MAX_TOKENS,
    NO_ANSWER,
    SEARCH_TYPE,
    SYSTEM_PROMPT,
    BedrockAnswerer,
    BedrockRetriever,
    passages_block,
)
from aicc.domain.knowledge import Passage, Turn, sourced
from aicc.settings import config

RULES = config().knowledge
KB_ID = "KBID123456"
MODEL_ID = "apac.anthropic.claude-3-haiku-20240307-v1:0"
GUARDRAIL_ID = "gr1234abcd"
GUARDRAIL_VERSION = "1"
FLOW_LIMIT_SECONDS = 8.0  # the knowledge flow's InvocationTimeLimitSeconds
MAX_BACKOFF_SECONDS = 0.05  # standard mode's largest backoff after a timeout or 5xx

PASSAGES = [
    Passage(
        "password-reset",
        "콘솔 비밀번호 재설정",
        "로그인 화면에서 비밀번호 찾기를 누르면 등록된 메일로 링크가 갑니다.",
        0.71,
    ),
    Passage("mfa-reset", "MFA 기기 분실", "MFA 기기를 잃어버리면 루트 계정 소유 확인 후 해제합니다.", 0.55),
]


@pytest.fixture
def agent_runtime() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("bedrock-agent-runtime", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def runtime() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("bedrock-runtime", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def result(doc_id: str | None, title: str, text: str, score: float) -> dict[str, Any]:
    metadata: dict[str, Any] = {"x-amz-bedrock-kb-source-uri": f"s3://kb/{doc_id}.md", "title": title}
    if doc_id is not None:
        metadata["doc_id"] = doc_id
    return {
        "content": {"text": text, "type": "TEXT"},
        "location": {"type": "S3", "s3Location": {"uri": f"s3://kb/{doc_id}.md"}},
        "metadata": metadata,
        "score": score,
    }


def test_retrieve_asks_the_knowledge_base_for_a_hybrid_search_and_maps_the_metadata(
    agent_runtime: tuple[Any, Stubber],
) -> None:
    client, stubber = agent_runtime
    expected = {
        "knowledgeBaseId": KB_ID,
        "retrievalQuery": {"text": "비밀번호를 잊어버렸어요"},
        "retrievalConfiguration": {
            "vectorSearchConfiguration": {"numberOfResults": 3, "overrideSearchType": "HYBRID"}
        },
    }
    results = [
        result("password-reset", "콘솔 비밀번호 재설정", "비밀번호 찾기를 누르면 링크가 갑니다.", 0.71),
        result(None, "메타데이터 없는 파일", "출처를 댈 수 없는 조각", 0.6),  # no doc_id: no source to name
        result("mfa-reset", "MFA 기기 분실", "루트 계정 소유 확인 후 해제합니다.", 0.55),
    ]
    stubber.add_response("retrieve", {"retrievalResults": results}, expected)
    passages = BedrockRetriever(KB_ID, client).retrieve("비밀번호를 잊어버렸어요", top=3)
    assert SEARCH_TYPE == "HYBRID"
    assert [(p.doc_id, p.title, p.score) for p in passages] == [
        ("password-reset", "콘솔 비밀번호 재설정", 0.71),
        ("mfa-reset", "MFA 기기 분실", 0.55),
    ]
    assert passages[0].text == "비밀번호 찾기를 누르면 링크가 갑니다."


def test_a_misspelt_retrieve_parameter_is_refused_by_the_service_model() -> None:
    """The guard the tests here rely on: a stubbed client still validates against the real model."""
    from botocore.exceptions import ParamValidationError

    client = boto3.client("bedrock-agent-runtime", region_name=REGION)
    with Stubber(client) as stubber:
        stubber.add_response("retrieve", {"retrievalResults": []}, None)
        with pytest.raises(ParamValidationError, match="searchType"):
            client.retrieve(
                knowledgeBaseId=KB_ID,
                retrievalQuery={"text": "q"},
                retrievalConfiguration={
                    "vectorSearchConfiguration": {"numberOfResults": 3, "searchType": "HYBRID"}
                },
            )


def converse_response(
    text: str, stop: str = "end_turn", grounding: tuple[float, float] | None = (0.93, 0.75)
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop,
        "usage": {"inputTokens": 420, "outputTokens": 38, "totalTokens": 458},
        "metrics": {"latencyMs": 900},
    }
    if grounding is not None:
        score, threshold = grounding
        action = "NONE" if score >= threshold else "BLOCKED"
        filters = [
            {"type": "GROUNDING", "threshold": threshold, "score": score, "action": action},
            {"type": "RELEVANCE", "threshold": 0.5, "score": 0.9, "action": "NONE"},
        ]
        response["trace"] = {
            "guardrail": {
                "outputAssessments": {GUARDRAIL_ID: [{"contextualGroundingPolicy": {"filters": filters}}]}
            }
        }
    return response


def expected_request(
    question: str, history: list[dict[str, Any]] | None = None, query: str | None = None
) -> dict[str, Any]:
    turn = {
        "role": "user",
        "content": [
            {
                "guardContent": {
                    "text": {"text": passages_block(PASSAGES), "qualifiers": ["grounding_source"]}
                }
            },
            {"guardContent": {"text": {"text": query or question, "qualifiers": ["query"]}}},
        ],
    }
    return {
        "modelId": MODEL_ID,
        "system": [{"text": SYSTEM_PROMPT}],
        "messages": [*(history or []), turn],
        "inferenceConfig": {"maxTokens": MAX_TOKENS, "temperature": 0.0},
        "guardrailConfig": {
            "guardrailIdentifier": GUARDRAIL_ID,
            "guardrailVersion": GUARDRAIL_VERSION,
            "trace": "enabled",
        },
    }


def answerer(client: Any) -> BedrockAnswerer:
    return BedrockAnswerer(MODEL_ID, GUARDRAIL_ID, GUARDRAIL_VERSION, client)


def test_a_grounded_answer_names_the_passage_it_used_and_its_grounding_score(
    runtime: tuple[Any, Stubber],
) -> None:
    client, stubber = runtime
    question = "비밀번호를 잊어버렸는데 어떻게 하나요"
    said = "로그인 화면에서 비밀번호 찾기를 누르시면 등록된 메일로 재설정 링크가 갑니다."
    stubber.add_response("converse", converse_response(f"[1] {said}"), expected_request(question))
    answer = answerer(client).answer(question, PASSAGES)
    assert answer == sourced(said, "password-reset", "콘솔 비밀번호 재설정", 0.93)


def test_the_answer_may_rest_on_a_later_passage(runtime: tuple[Any, Stubber]) -> None:
    client, stubber = runtime
    stubber.add_response(
        "converse", converse_response("[2] 루트 계정 소유를 확인한 뒤 해제해 드립니다."), None
    )
    answer = answerer(client).answer("MFA 기기를 잃어버렸어요", PASSAGES)
    assert answer is not None and answer.doc_id == "mfa-reset"


def test_no_answer_from_the_model_is_none(runtime: tuple[Any, Stubber]) -> None:
    client, stubber = runtime
    stubber.add_response(
        "converse", converse_response(NO_ANSWER, grounding=None), expected_request("환율 알려주세요")
    )
    assert answerer(client).answer("환율 알려주세요", PASSAGES) is None


def test_a_guardrail_intervention_is_none(runtime: tuple[Any, Stubber]) -> None:
    client, stubber = runtime
    blocked = converse_response(
        "죄송합니다. 그 질문에는 답변드릴 수 없습니다.", stop="guardrail_intervened", grounding=(0.2, 0.75)
    )
    stubber.add_response("converse", blocked, None)
    assert answerer(client).answer("주식 뭐 사면 돼요", PASSAGES) is None


def test_a_grounding_score_under_the_guardrails_threshold_is_none(runtime: tuple[Any, Stubber]) -> None:
    """A guardrail set to detect only (action NONE) lets the text through: the score still decides."""
    client, stubber = runtime
    response = converse_response("[1] 비밀번호는 상담원이 바로 바꿔 드립니다.", grounding=(0.4, 0.75))
    response["trace"]["guardrail"]["outputAssessments"][GUARDRAIL_ID][0]["contextualGroundingPolicy"][
        "filters"
    ][0]["action"] = "NONE"
    stubber.add_response("converse", response, None)
    assert answerer(client).answer("비밀번호 바꿔 주세요", PASSAGES) is None


def test_without_a_grounding_score_our_own_check_is_the_confidence(runtime: tuple[Any, Stubber]) -> None:
    # The guardrail's CLASSIC grounding check gives no score for a language it lacks (Korean):
    # the answer's support by the passages (domain.grounding) stands in; an invented number has none.
    client, stubber = runtime
    stubber.add_response("converse", converse_response("[1] 비밀번호 찾기를 누르세요.", grounding=None), None)
    stubber.add_response(
        "converse", converse_response("[1] 비밀번호 찾기를 3번 누르세요.", grounding=None), None
    )
    said = answerer(client).answer("비밀번호", PASSAGES)
    invented = answerer(client).answer("비밀번호", PASSAGES)
    assert said is not None and said.confidence >= RULES.min_support
    assert invented is not None and invented.confidence == 0.0


def test_a_follow_up_sends_the_contacts_earlier_turns_as_messages(runtime: tuple[Any, Stubber]) -> None:
    client, stubber = runtime
    history = [
        Turn(
            "비밀번호를 잊어버렸어요",
            "비밀번호 찾기를 누르세요. (출처: 콘솔 비밀번호 재설정)",
            "password-reset",
        )
    ]
    messages = [
        {"role": "user", "content": [{"text": history[0].question}]},
        {"role": "assistant", "content": [{"text": history[0].answer}]},
    ]
    stubber.add_response(
        "converse",
        converse_response("[1] 등록된 메일로 링크가 갑니다."),
        # the relevance check gets what the short follow-up is about: the question before it too
        expected_request("메일은 어디로 와요", messages, query="비밀번호를 잊어버렸어요 메일은 어디로 와요"),
    )
    answer = answerer(client).answer("메일은 어디로 와요", PASSAGES, history)
    assert answer is not None and answer.doc_id == "password-reset"


def test_no_passages_no_call(runtime: tuple[Any, Stubber]) -> None:
    client, _ = runtime
    assert answerer(client).answer("아무거나", []) is None  # the Stubber fails any unexpected call


@pytest.mark.parametrize("code", ["ThrottlingException", "ServiceUnavailableException"])
def test_throttling_and_outages_reach_the_handler_as_errors(runtime: tuple[Any, Stubber], code: str) -> None:
    client, stubber = runtime
    stubber.add_client_error(
        "converse", service_error_code=code, http_status_code=429 if "Throttl" in code else 503
    )
    with pytest.raises(ClientError):
        answerer(client).answer("비밀번호", PASSAGES)


def test_missing_configuration_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KNOWLEDGE_BASE_ID", raising=False)
    with pytest.raises(RuntimeError, match="KNOWLEDGE_BASE_ID"):
        BedrockRetriever()
    for name, value in {
        "ANSWER_MODEL_ID": MODEL_ID,
        "GUARDRAIL_ID": GUARDRAIL_ID,
        "GUARDRAIL_VERSION": "1",
    }.items():
        monkeypatch.setenv(name, value)
    assert BedrockAnswerer().guardrail_version == "1"


def _worst_case_seconds(client: Any) -> float:
    config = client.meta.config
    attempts = int(config.retries["total_max_attempts"])
    per_attempt = float(config.connect_timeout) + float(config.read_timeout)
    return attempts * per_attempt + (attempts - 1) * MAX_BACKOFF_SECONDS


def test_every_call_of_the_handler_together_gives_up_inside_the_flows_8_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The clients the knowledge handler uses by default (the conversation's GetItem and UpdateItem,
    Retrieve, Converse): their timeouts and attempts, summed at worst, leave time for a cold start
    inside the knowledge flow's limit (no retry of a whole generation)."""
    from aicc.adapters.conversations import ConversationRepository

    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws.reset()
    try:
        retrieve, converse = aws.bedrock_agent_runtime(), aws.bedrock_runtime()
        table = ConversationRepository().client
        assert converse.meta.config.retries["total_max_attempts"] == 1
        worst = 2 * _worst_case_seconds(table) + _worst_case_seconds(retrieve) + _worst_case_seconds(converse)
        assert worst <= FLOW_LIMIT_SECONDS - 0.5, worst
    finally:
        aws.reset()
