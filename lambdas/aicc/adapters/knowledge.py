"""The knowledge roles in AWS: a Bedrock Knowledge Base retrieves, Bedrock's Converse API answers.

Retrieve (bedrock-agent-runtime) searches the knowledge base the `knowledge` Terraform module
builds, HYBRID (vectors and raw text), which an OpenSearch Serverless store with a filterable text
field supports (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_KnowledgeBaseVectorSearchConfiguration.html).
Each document reaches S3 with `<file>.metadata.json` holding {"metadataAttributes": {"doc_id",
"title", "category"}} (aicc-ops publishes them; docs/knowledge.md "In AWS"), and Retrieve returns
those attributes in each result's `metadata`.

Converse (bedrock-runtime) answers under the guardrail: the passages go in as guardContent
qualified `grounding_source` and the question as `query`, which is what the guardrail's contextual
grounding check compares the answer with (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-converse-api.html);
with `trace` enabled the response carries the grounding score and its threshold. The guardrail
stepping in (stopReason guardrail_intervened), the model saying NO_ANSWER, or a grounding score
under the guardrail's own threshold mean no answer: the handler hands the caller over. That check
runs in the CLASSIC tier (English, French, Spanish; neither provider 5.100 nor CloudFormation can
choose the STANDARD tier for it), so for a Korean answer it is kept only as an extra gate: the
handler's own, language-independent check (domain.grounding) decides, and where the trace has no
score the answer's confidence is that check's support.

Configured by the environment the lambdas module sets for a `knowledge: true` function:
KNOWLEDGE_BASE_ID, ANSWER_MODEL_ID, GUARDRAIL_ID, GUARDRAIL_VERSION. The clients' timeouts fit the
flow's 8 s (adapters/aws.py). Service errors (throttling, timeouts) are raised: the handler's
error path hands over.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from aicc.adapters import aws
from aicc.domain.knowledge import Answer, Passage, Turn, sourced
from aicc.domain.knowledge_rules import grounding as grounding_of
from aicc.domain.knowledge_rules import in_context

SEARCH_TYPE = "HYBRID"
NO_ANSWER = "NO_ANSWER"
MAX_TOKENS = 200  # two short spoken sentences in Korean stay well under this
SYSTEM_PROMPT = (
    "당신은 금융그룹 고객지원 전화의 상담 봇입니다. "
    "아래에 번호를 붙여 드린 문서 발췌만 근거로 고객의 질문에 한국어로 답하십시오. "
    "답은 전화로 읽어 줄 수 있게 짧은 두 문장 이내로, 목록이나 기호 없이 말하듯 쓰십시오. "
    "답의 맨 앞에 근거로 삼은 발췌 번호를 [1]처럼 붙이십시오. 발췌에 없는 사실, 숫자, 절차는 절대 지어내지 "
    f"마십시오. 발췌가 질문에 답하지 못하면 다른 말 없이 {NO_ANSWER} 라고만 쓰십시오."
)
_SOURCE = re.compile(r"^\s*\[(\d+)\]\s*")


def _env(name: str, given: str | None) -> str:
    value = given if given is not None else os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"{name} is not set: the knowledge module's Terraform sets it on the function")
    return value


def _attribute(metadata: Mapping[str, Any], key: str) -> str:
    value = metadata.get(key)
    return value if isinstance(value, str) else ""


def to_passage(result: Mapping[str, Any]) -> Passage | None:
    """A Retrieve result as a Passage; None when its document carries no doc_id (no source to name)."""
    metadata = result.get("metadata") or {}
    doc_id = _attribute(metadata, "doc_id")
    text = (result.get("content") or {}).get("text", "")
    if not doc_id or not text:
        return None
    title = _attribute(metadata, "title") or doc_id
    return Passage(doc_id=doc_id, title=title, text=text, score=float(result.get("score", 0.0)))


class BedrockRetriever:
    def __init__(self, knowledge_base_id: str | None = None, client: Any = None) -> None:
        self.knowledge_base_id = _env("KNOWLEDGE_BASE_ID", knowledge_base_id)
        self._client = client

    def retrieve(self, query: str, top: int = 5) -> list[Passage]:
        client = self._client or aws.bedrock_agent_runtime()
        response = client.retrieve(
            knowledgeBaseId=self.knowledge_base_id,
            retrievalQuery={"text": query},
            retrievalConfiguration={
                "vectorSearchConfiguration": {"numberOfResults": top, "overrideSearchType": SEARCH_TYPE}
            },
        )
        passages = [to_passage(r) for r in response.get("retrievalResults", [])]
        return [p for p in passages if p is not None][:top]


def passages_block(passages: Sequence[Passage]) -> str:
    """The passages as the model and the grounding check read them, numbered from 1."""
    return "\n\n".join(f"[{i}] {p.title}\n{p.text}" for i, p in enumerate(passages, start=1))


def grounding(response: Mapping[str, Any]) -> tuple[float, float] | None:
    """(score, threshold) of the guardrail's GROUNDING filter in a Converse response's trace."""
    trace = (response.get("trace") or {}).get("guardrail") or {}
    for assessments in (trace.get("outputAssessments") or {}).values():
        for assessment in assessments:
            for f in (assessment.get("contextualGroundingPolicy") or {}).get("filters", []):
                if f.get("type") == "GROUNDING":
                    return float(f["score"]), float(f["threshold"])
    return None


class BedrockAnswerer:
    def __init__(
        self,
        model_id: str | None = None,
        guardrail_id: str | None = None,
        guardrail_version: str | None = None,
        client: Any = None,
    ) -> None:
        self.model_id = _env("ANSWER_MODEL_ID", model_id)
        self.guardrail_id = _env("GUARDRAIL_ID", guardrail_id)
        self.guardrail_version = _env("GUARDRAIL_VERSION", guardrail_version)
        self._client = client

    def request(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> dict[str, Any]:
        """The Converse request: earlier turns as plain messages, this turn's passages and question
        as the guarded content the grounding check compares the answer with."""
        messages: list[dict[str, Any]] = []
        for turn in history:
            messages.append({"role": "user", "content": [{"text": turn.question}]})
            messages.append({"role": "assistant", "content": [{"text": turn.answer}]})
        messages.append(
            {
                "role": "user",
                "content": [
                    {
                        "guardContent": {
                            "text": {"text": passages_block(passages), "qualifiers": ["grounding_source"]}
                        }
                    },
                    # the relevance check needs what a short follow-up is about, as retrieval did
                    {
                        "guardContent": {
                            "text": {"text": in_context(question, history), "qualifiers": ["query"]}
                        }
                    },
                ],
            }
        )
        return {
            "modelId": self.model_id,
            "system": [{"text": SYSTEM_PROMPT}],
            "messages": messages,
            "inferenceConfig": {"maxTokens": MAX_TOKENS, "temperature": 0.0},
            "guardrailConfig": {
                "guardrailIdentifier": self.guardrail_id,
                "guardrailVersion": self.guardrail_version,
                "trace": "enabled",
            },
        }

    def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Answer | None:
        if not passages:
            return None
        client = self._client or aws.bedrock_runtime()
        response = client.converse(**self.request(question, passages, history))
        if response.get("stopReason") != "end_turn":  # guardrail_intervened, max_tokens, content_filtered...
            return None
        blocks = response["output"]["message"]["content"]
        text = " ".join(b["text"] for b in blocks if "text" in b).strip()
        if not text or NO_ANSWER in text:
            return None
        found = grounding(response)
        if found is not None and found[0] < found[1]:
            return None
        source = _SOURCE.match(text)
        index = int(source.group(1)) - 1 if source else 0
        if not 0 <= index < len(passages):
            return None  # it named a passage it was not given
        body = text[source.end() :] if source else text
        passage = passages[index]
        answer = sourced(body, passage.doc_id, passage.title, 0.0)
        # The guardrail's score where it gives one; otherwise our own check vouches (the handler
        # hands an answer under knowledge.yaml's min_support over in any case).
        confidence = found[0] if found is not None else grounding_of(answer, passages)
        return sourced(body, passage.doc_id, passage.title, confidence)
