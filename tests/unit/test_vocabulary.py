"""The ko-KR custom vocabulary: derived from intents.yaml's closed slot types, in Transcribe's
table format within its limits, and the file Terraform deploys is the one the configuration gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aicc.settings import load_config
from aicc_ops.engine import vocabulary

ROOT = Path(__file__).parents[2]
INTENTS: dict[str, Any] = {
    "slot_types": {
        "ServiceName": {
            "resolution": "TopResolution",
            "values": ["EC2", "DynamoDB", "람다"],
            "synonyms": {
                "EC2": ["이씨투", "이 씨 투", "ec2", "인스턴스"],
                "DynamoDB": ["다이나모 디비", "다이나모디비"],
            },
            "transliterations": ["이씨투", "이 씨 투", "다이나모 디비", "다이나모디비"],
        },
        "CompanyName": {"resolution": "OriginalValue", "values": ["가나다상사"]},
    }
}


def test_terms_come_from_closed_slot_types_only_in_hangul() -> None:
    assert vocabulary.terms(INTENTS) == [
        ("이씨투", "EC2"),
        ("이-씨-투", "EC2"),
        ("인스턴스", ""),
        ("다이나모-디비", "DynamoDB"),
        ("다이나모디비", "DynamoDB"),
        ("람다", "람다"),
    ]


def test_only_a_transliteration_is_displayed_as_the_product() -> None:
    # 인스턴스 ("instance") is a word of its own: a transcript shows it as said, never as EC2.
    rows = dict(line.split("\t")[::3] for line in vocabulary.table(load_config().intents).splitlines()[1:])
    assert rows["이씨투"] == "EC2" and rows["다이나모-디비"] == "DynamoDB"
    for word in ("인스턴스", "관계형-데이터베이스", "전용선", "쿠버네티스"):
        assert rows[word] == "", f"{word} is displayed as {rows[word]}"


def test_the_table_is_in_transcribes_format_and_limits() -> None:
    content = vocabulary.table(INTENTS)
    assert content.splitlines()[0] == "Phrase\tSoundsLike\tIPA\tDisplayAs"
    assert content.splitlines()[1] == "이씨투\t\t\tEC2"
    assert vocabulary.problems(content) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("이씨 투\t\t\tEC2", "must be Hangul words joined by hyphens"),
        ("EC2\t\t\tEC2", "must be Hangul words joined by hyphens"),
        ("이씨투\t이씨투\t\tEC2", "no longer supported"),
        ("이씨투\tEC2", "2 columns"),
        ("가" * 300 + "\t\t\tX", "longer than 255"),
    ],
)
def test_a_row_transcribe_would_refuse_is_named(row: str, expected: str) -> None:
    found = vocabulary.problems(f"{vocabulary.HEADER}\n{row}\n")
    assert len(found) == 1 and expected in found[0] and found[0].startswith("line 2")


def test_size_and_line_ends_are_checked() -> None:
    big = vocabulary.HEADER + "\n" + "\n".join(f"{'가' * 200}\t\t\tX{i}" for i in range(100)) + "\n"
    assert any("the limit is 51200" in p for p in vocabulary.problems(big))
    assert any("LF" in p for p in vocabulary.problems(vocabulary.HEADER + "\r\n이씨투\t\t\tEC2\r\n"))


def test_the_deployed_file_is_generated_from_the_configuration() -> None:
    deployed = (ROOT / "terraform/modules/speech/vocabulary.ko-KR.tsv").read_text(encoding="utf-8")
    assert deployed == vocabulary.table(load_config().intents), (
        "vocabulary.ko-KR.tsv is stale: run `aicc-ops speech vocabulary --write`"
    )
    assert (
        'file("${path.module}/modules/speech/vocabulary.ko-KR.tsv")'
        in (ROOT / "terraform/main.tf").read_text()
    )
