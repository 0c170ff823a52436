"""A Lambda's answer as Connect takes it: under 32 KB as JSON, flat strings for STRING_MAP. The size
is exact at the limit whatever the answer holds (escapes, Korean, characters beyond the BMP, nulls)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from aicc_ops.engine.lambdas import MAX_RESPONSE_BYTES, LambdaInvokeError, validate_response

# One character of each width JSON and UTF-8 give it: 1 (a), 2 (\n, \", é), 3 (가), 4 (😀), 6 (\u0001).
CHARACTERS = ["a", "\n", '"', "\\", "é", "가", "😀", "\x01", "\x7f", "\u2028", " "]


def _bytes(answer: dict[str, Any]) -> int:
    return len(json.dumps(answer, ensure_ascii=False).encode("utf-8"))


def _outcome(answer: dict[str, Any], response_type: str) -> str:
    try:
        validate_response("f", answer, response_type)
    except LambdaInvokeError as exc:
        return str(exc)
    return "ok"


def _near_the_limit(rng: random.Random) -> dict[str, Any]:
    """A flat answer whose JSON is within a few bytes of 32 KB, either side."""
    answer: dict[str, Any] = {}
    size, goal = 2, MAX_RESPONSE_BYTES - rng.randint(-3, 3)
    while size < goal:
        room = max(1, (goal - size) // 8)  # a value of `room` characters cannot pass the goal much
        value = (
            None
            if rng.random() < 0.1
            else "".join(rng.choice(CHARACTERS) for _ in range(rng.randint(0, room)))
        )
        key = f"k{len(answer)}"
        answer[key] = value
        size += _bytes({key: value}) - 2 + (2 if len(answer) > 1 else 0)
    return answer


@pytest.mark.parametrize("response_type", ["STRING_MAP", "JSON"])
def test_an_answer_is_refused_exactly_from_32_kb(response_type: str) -> None:
    rng = random.Random(7)
    answers = [_near_the_limit(rng) for _ in range(200)]
    # Only the widest characters (6 bytes as JSON escapes, 4 in UTF-8), and entries of keys alone.
    for character in CHARACTERS:
        for extra in range(-2, 3):
            answers.append({"k": character * ((MAX_RESPONSE_BYTES - 8) // len(_json(character)) + extra)})
    wide = [chr(c) for c in (*range(1, 8), 11, *range(14, 32))]  # escaped as \u00XX
    keys = [a + b + c for a in wide for b in wide for c in wide]
    for extra in range(-2, 3):
        answers.append(dict.fromkeys(keys[: MAX_RESPONSE_BYTES // 28 + extra]))
    sizes = set()
    for answer in answers:
        size = _bytes(answer)
        sizes.add(size - MAX_RESPONSE_BYTES)
        outcome = _outcome(answer, response_type)
        if size >= MAX_RESPONSE_BYTES:
            assert outcome == f"InvalidResponse: f returned {size} bytes; Connect accepts under 32 KB"
        else:  # under the limit: the answer passes, or a STRING_MAP key is refused (not its size)
            assert outcome == "ok" or outcome.startswith("InvalidResponse: f returned key"), outcome
    assert {-1, 0} <= sizes  # the limit itself was met, and the byte under it


def _json(character: str) -> str:
    return json.dumps(character, ensure_ascii=False)[1:-1]


def test_the_size_comes_before_the_string_map_rules_whatever_the_answer_holds() -> None:
    nested = {"a": {"b": "x" * MAX_RESPONSE_BYTES}}
    assert "bytes; Connect accepts under 32 KB" in _outcome(nested, "STRING_MAP")
    assert "bytes; Connect accepts under 32 KB" in _outcome({"n": 1, "m": "가" * 11_000}, "STRING_MAP")
    assert "bytes; Connect accepts under 32 KB" in _outcome({"bad key": "😀" * 8200}, "STRING_MAP")
    assert "STRING_MAP values must be strings" in _outcome({"n": 1}, "STRING_MAP")
    assert "only letters, digits" in _outcome({"bad key": "x"}, "STRING_MAP")
    assert validate_response("f", {"a": "1", "b": None}, "STRING_MAP") == {"a": "1"}
    assert validate_response("f", {"a": {"b": [1, None]}}, "JSON") == {"a": {"b": [1, None]}}


def test_text_utf8_cannot_encode_fails_as_it_did() -> None:
    """A lone surrogate: JSON writes it, UTF-8 cannot encode it (the answer never passed as small)."""
    for answer in ({"a": "x\ud800"}, {"\udfff": "x"}, {"a": "가", "b": "\ud83d"}):
        with pytest.raises(UnicodeEncodeError):
            validate_response("f", answer, "STRING_MAP")
