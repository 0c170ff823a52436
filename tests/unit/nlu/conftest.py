"""A small intents file and a fast model (character n-grams, no embedder) for the NLU's unit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aicc_ops.engine.nlu import LocalNlu

TINY: dict[str, Any] = {
    "locales": ["ko_KR"],
    "slot_types": {
        "ServiceName": {
            "resolution": "TopResolution",
            "values": ["EC2", "DynamoDB"],
            "synonyms": {"EC2": ["이씨투"], "DynamoDB": ["다이나모 디비", "다이나모"]},
        },
        "AccountDigits": {"resolution": "OriginalValue", "digits": 4, "values": ["1234", "일이삼사"]},
        "CompanyName": {"resolution": "OriginalValue", "values": ["가나다상사", "한국전자"]},
    },
    "intents": {
        "ProvideCompanyName": {
            "slots": {"CompanyName": {"type": "CompanyName"}},
            "utterances": {
                "ko_KR": ["{CompanyName}", "회사는 {CompanyName}입니다", "{CompanyName}에서 전화했어요"]
            },
        },
        "ReportOutage": {
            "slots": {
                "ServiceName": {"type": "ServiceName", "required": False},
                "AccountLast4": {"type": "AccountDigits", "required": False},
            },
            "utterances": {
                "ko_KR": [
                    "장애가 났어요",
                    "서버가 죽었어요",
                    "서비스가 다운됐어요",
                    "{ServiceName} 장애예요",
                    "긴급 장애예요",
                ]
            },
        },
        "BillingInquiry": {
            "slots": {},
            "utterances": {
                "ko_KR": [
                    "요금 문의요",
                    "청구서가 이상해요",
                    "요금이 많이 나왔어요",
                    "결제 문의요",
                    "청구 금액 확인",
                ]
            },
        },
        "TalkToAgent": {
            "slots": {},
            "utterances": {
                "ko_KR": ["상담원", "상담원 연결해주세요", "사람 바꿔주세요", "직원 연결이요", "상담원이요"]
            },
        },
        "Decline": {
            "only_when_offered": True,
            "slots": {},
            "utterances": {
                "ko_KR": ["아니요 괜찮아요", "아뇨", "필요 없어요", "괜찮습니다", "아니요 됐습니다"]
            },
        },
    },
}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AICC_NLU_CACHE", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def tiny_nlu() -> LocalNlu:
    return LocalNlu.train(TINY, "chars")
