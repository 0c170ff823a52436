"""The knowledge answers' test backends (importable as `kb_answers`): the knowledge base's real
documents, the hybrid index the local stack serves them with (its vectors cached on disk by
content) and the extractive answerer, built once per test process; and spoken questions written here, not copied from
the documents."""

from __future__ import annotations

from functools import cache

from helpers import SHARED_DIR

from aicc.settings import config
from aicc_ops.knowledge.answer import ExtractiveAnswerer
from aicc_ops.knowledge.documents import read_folder
from aicc_ops.knowledge.search import HybridIndex

KB_DIR = SHARED_DIR / "data" / "kb"

# Questions the documents answer, as a caller says them -> the document that answers.
ANSWERED = {
    "삭제한 S3 객체를 복구할 수 있나요": "s3-deleted-object-recovery",
    "세금계산서는 언제 발행되나요": "monthly-invoice-tax-invoice",
    "RDS 쿼리가 느릴 때 어떻게 확인하나요": "rds-slow-query",
    "서비스 할당량 늘리려면 어떻게 해요": "service-quota-increase",
    "업무시간 외에도 지원 받을 수 있나요": "after-hours-support",
    "원격 접속 동의는 어떻게 하나요": "remote-access-consent",
}
# A question about an AWS service no document covers, which Lex hears as a technical question.
UNCOVERED = "람다 콜드스타트 줄이는 방법이 궁금해요"
# Questions no document answers: other clouds, AWS services no document covers, life.
OUT_OF_SCOPE = [
    UNCOVERED,
    "주식 추천 좀 해주세요",
    "구글 클라우드 빅쿼리 요금은 얼마예요",
    "애저 가상머신 만드는 방법 알려주세요",
    "대출 금리가 얼마인가요",
    "엑셀에서 피벗 테이블 만드는 법",
    "다이나모디비 파티션 키 설계 방법",
]


@cache
def backends() -> tuple[HybridIndex, ExtractiveAnswerer]:
    docs, _ = read_folder(KB_DIR)
    index = HybridIndex.from_documents(docs)
    return index, ExtractiveAnswerer(config().knowledge.spoken_max_chars, expand=index.expanded)
