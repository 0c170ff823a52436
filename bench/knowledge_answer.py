"""The knowledge_answer handler's latency on the local stack (its embedded retriever and
extractive answerer), against the flow's 8 s.

Method: one local stack in this process (moto in-process, the handlers in their worker threads);
each question is one invocation of the handler as the flow's block makes it (LocalLambdas,
STRING_MAP, 8 s limit), a new contact each, so every question reads and writes its conversation
item. The questions: every document's title asked in spoken form (40), the same documents asked
as "how" questions (40), and 20 the documents do not answer or that are handed over: 100 in all,
in a fixed shuffled order. Two passes: the first meets every passage for the first time (the
answerer embeds it, e5), the second is the steady state of a stack that has run a while.

    PYTHONPATH=lambdas:ops AICC_SHARED_DIR=../shared python bench/knowledge_answer.py
"""

from __future__ import annotations

import json
import random
import statistics
import time
import uuid

from aicc_ops.knowledge.documents import default_folder, read_folder
from aicc_ops.local.stack import local_stack

OTHERS = [
    "주식 추천 좀 해주세요", "구글 클라우드 빅쿼리 요금은 얼마예요", "애저 가상머신 만드는 방법 알려주세요",
    "대출 금리가 얼마인가요", "엑셀에서 피벗 테이블 만드는 법", "람다 콜드스타트 줄이는 방법이 궁금해요",
    "다이나모디비 파티션 키 설계 방법", "쿠버네티스 파드 오토스케일링 설정 방법",
    "부산 가는 기차 시간 알려주세요",
    "점심 메뉴 추천해 주세요", "운영 서버가 다운됐어요", "이번 달 요금이 너무 많이 나왔어요",
    "VPN 터널이 끊겼는데 어떻게 설정하나요", "저희 계정 결제가 안 돼요", "세이지메이커 노트북 만드는 법",
    "오픈서치 샤드 개수 정하는 방법", "이씨투 인스턴스 타입 추천해 주세요", "클라우드워치 대시보드 공유 방법",
    "코드파이프라인 승인 단계 추가 방법", "글루 잡 비용 줄이는 법",
]  # fmt: skip


def questions() -> list[str]:
    docs, _ = read_folder(default_folder())
    asked = [f"{d.title}에 대해 알려주세요" for d in docs] + [f"{d.title} 어떻게 하나요" for d in docs]
    out = asked + OTHERS
    random.Random(23).shuffle(out)
    return out


def event(question: str) -> dict[str, object]:
    contact = str(uuid.uuid4())
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {"ContactId": contact, "InitialContactId": contact, "Channel": "VOICE",
                            "Attributes": {"customer_class": "GENERAL"},
                            "CustomerEndpoint": {"Address": "+821045678901", "Type": "TELEPHONE_NUMBER"}},
            "Parameters": {"question": question, "intent": "TechnicalInquiry", "customer_class": "GENERAL"},
        },
    }  # fmt: skip


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure() -> dict[str, object]:
    asked = questions()
    report: dict[str, object] = {"questions": len(asked)}
    with local_stack() as stack:
        for label in ("first pass", "second pass"):
            times, statuses = [], []
            for q in asked:
                t = time.perf_counter()
                out = stack.lambdas.invoke_named("knowledge_answer", event(q), 8, "STRING_MAP")
                times.append((time.perf_counter() - t) * 1000)
                statuses.append(out["status"])
            report[label] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "max_ms": round(max(times), 1),
                "answered": statuses.count("answered"),
                "handed_over": statuses.count("handover"),
            }
    return report


def bench_knowledge_answer() -> list[str]:
    """make bench's section: the method and the two passes' figures."""
    report = measure()
    lines = [
        f"knowledge_answer handler on the local stack ({report['questions']} spoken questions, each a new "
        "contact, invoked as the flow's block does with its 8 s limit; hybrid index + extractive answerer)"
    ]
    for label in ("first pass", "second pass"):
        r = report[label]
        assert isinstance(r, dict)
        lines.append(
            f"  {label}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, max {r['max_ms']} ms; "
            f"{r['answered']} answered, {r['handed_over']} handed over"
        )
    lines.append("  (first pass: the answerer embeds each passage's sentences when it first meets them)")
    return lines


if __name__ == "__main__":
    print(json.dumps(measure(), ensure_ascii=False, indent=2))
