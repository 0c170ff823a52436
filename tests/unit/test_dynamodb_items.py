"""Items to and from DynamoDB's attribute values (aicc.adapters.dynamodb): what boto3's serializer
and deserializer make of every value, the common ones converted without them."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from aicc.adapters.dynamodb import from_item, to_item


class Kind(StrEnum):
    PAGE = "page"


VALUES: dict[str, Any] = {
    "text": "솔트웨어",
    "empty": "",
    "enum": Kind.PAGE,  # a str subclass: boto3 keeps the value as given
    "yes": True,
    "no": False,
    "zero": 0,
    "negative": -42,
    "epoch": 1_890_000_000,
    "widest": 10**38 - 1,
    "narrowest": -(10**38) + 1,
    "decimal": Decimal("3.25"),
    "none": None,
    "bytes": b"\x00\x01",
    "strings": {"a", "b", "c"},
    "frozen": frozenset({"x"}),
    "enums": {Kind.PAGE},
    "numbers": {1, 2},
    "empty_set": set(),  # boto3 makes it a number set (DynamoDB refuses it): so do we
    "list": ["a", 1, True, None, {"k": "v"}, ["nested", {"s"}], ("tuple",), []],
    "map": {"login": "ts.park", "paged_at": "2026-11-25T01:00:00.000+00:00", "n": 3, "m": {}},
}


def test_values_are_written_as_boto3_writes_them() -> None:
    expected = {k: TypeSerializer().serialize(v) for k, v in VALUES.items()}
    item = to_item(VALUES)
    assert item == expected
    assert [type(v) for v in item.values()] == [type(v) for v in expected.values()]
    assert type(item["enum"]["S"]) is Kind


@pytest.mark.parametrize("value", [10**38, -(10**38), 1.5, [1.5], {"m": [10**38]}, {"a", 1}])
def test_what_boto3_refuses_is_refused(value: Any) -> None:
    with pytest.raises(Exception) as expected:
        TypeSerializer().serialize(value)
    with pytest.raises(type(expected.value)):
        to_item({"n": value})


def test_items_are_read_as_boto3_reads_them() -> None:
    item = to_item(VALUES) | {"binary": {"B": b"\x02"}, "float_text": {"N": "1.50"}, "null": {"NULL": True}}
    expected = {k: TypeDeserializer().deserialize(v) for k, v in item.items()}
    read = from_item(item)
    assert read == expected
    assert [type(v) for v in read.values()] == [type(v) for v in expected.values()]
    assert read["epoch"] == Decimal(1_890_000_000) and str(read["float_text"]) == "1.50"
    assert isinstance(read["binary"], Binary)
    for bad in ({}, {"L": [{}]}, {"M": {"k": {}}}):
        with pytest.raises(TypeError):
            from_item({"bad": bad})


@pytest.mark.parametrize("bad", ["S", ["S"], ("N",), {"M": {"a": "N"}}, {"L": ["S"]}])
def test_what_is_no_attribute_value_is_refused_as_boto3_refuses_it(bad: Any) -> None:
    with pytest.raises(Exception) as expected:
        TypeDeserializer().deserialize(bad)
    with pytest.raises(type(expected.value)):
        from_item({"bad": bad})


def test_strings_numbers_and_flags_skip_boto3s_type_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    # Most attributes a handler writes or reads: converted per call, without boto3's chain of checks.
    from aicc.adapters import dynamodb

    def refuse(value: Any) -> Any:
        raise AssertionError(f"{value!r} went through boto3")

    monkeypatch.setattr(dynamodb._serializer, "serialize", refuse)
    monkeypatch.setattr(dynamodb._deserializer, "deserialize", refuse)
    common = {"s": "x", "b": False, "n": 7, "l": ["a", {"m": 1}], "ss": {"a", "b"}}
    assert from_item(to_item(common)) == {**common, "n": Decimal(7), "l": ["a", {"m": Decimal(1)}]}
