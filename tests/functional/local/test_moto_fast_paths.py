"""moto's DynamoDB with the fast paths of moto_fast_paths answers what moto answers without them:
the same items, the same errors with the same messages, for valid and invalid UpdateItem calls."""

from __future__ import annotations

import abc
import base64
import importlib.metadata
import random
import re
import sys
import threading
import tomllib
import types
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import Any

import boto3
import moto
import pytest
from botocore.exceptions import ClientError
from helpers import REGION, cyclic_garbage
from moto import mock_aws

from aicc_ops.local import moto_fast_paths
from aicc_ops.local.moto_extensions import patch_moto
from aicc_ops.local.moto_fast_paths import FAST_PATHS_FOR, WERKZEUG_FOR, set_fast_paths

TABLE = "fast-paths"
SEED: dict[str, Any] = {
    "pk": {"S": "item"},
    "sk": {"N": "1"},
    "n": {"N": "5"},
    "s": {"S": "text"},
    "a": {"S": "alpha"},
    "l": {"L": [{"S": "x"}, {"N": "2"}, {"M": {"k": {"S": "v"}}}]},
    "m": {"M": {"x": {"M": {"y": {"N": "1"}}}, "z": {"S": "zed"}}},
    "ss": {"SS": ["a", "b", "c"]},
    "ns": {"NS": ["1", "2"]},
    "flag": {"BOOL": True},
}
VALUES: dict[str, Any] = {
    ":one": {"N": "1"},
    ":zero": {"N": "0"},
    ":s": {"S": "new"},
    ":empty": {"S": ""},
    ":lst": {"L": [{"S": "appended"}]},
    ":set": {"SS": ["b", "z"]},
    ":nset": {"NS": ["2", "9"]},
    ":m": {"M": {"deep": {"L": [{"N": "3"}]}}},
    ":p": {"S": "te"},
    ":big": {"S": "x" * 300_000},
}
NAMES = {"#a": "a", "#b": "b", "#k": "pk", "#x": "x", "#m": "m", "#l": "l", "#n": "n", "#g": "gsi"}

# A contact record's update as the engine writes it: twenty SET actions, names, if_not_exists.
LONG_SET = "SET " + ", ".join(
    [f"#f{i} = :v{i}" for i in range(14)]
    + ["#n = if_not_exists(#n, :zero) + :one", "#l = list_append(if_not_exists(#l, :lst), :lst)"]
    + ["#m.#x.y = :one", "#m.created = if_not_exists(#m.created, :s)", "updated = :s", "#a = :s"]
)
LONG_NAMES = {**NAMES, **{f"#f{i}": f"field_{i}" for i in range(14)}}
LONG_VALUES = {**VALUES, **{f":v{i}": {"S": f"value {i}"} for i in range(14)}}

# (UpdateExpression, ConditionExpression or None); every case runs with NAMES and VALUES narrowed
# to the placeholders it uses (moto rejects unused ones), unless it names its own.
CASES: list[tuple[str, str | None]] = [
    # valid
    ("SET a = :s", None),
    ("SET a = :s, b = :one, #m.z = :s", None),
    ("SET n = n + :one", None),
    ("SET n = n - :one, c = if_not_exists(c, :zero) + :one", None),
    ("SET #a = if_not_exists(#a, :s), #b = if_not_exists(#b, :s)", None),
    ("SET l = list_append(l, :lst)", None),
    ("SET l = list_append(:lst, l)", None),
    ("SET #m.#x.y = :one, #m.#x.w = :m", None),
    ("SET m.newkey = :m, l[1] = :s, l[7] = :s", None),
    ("SET l[2].k = :s", None),
    ("REMOVE a, l[0], l[1], m.x.y", None),
    ("REMOVE l[2], l[0]", None),
    ("ADD n :one, ss :set, ns :nset, fresh :one", None),
    ("DELETE ss :set", None),
    ("SET a = :s REMOVE s ADD n :one DELETE ss :set", None),
    ("REMOVE s SET a = :s", None),
    ("SET a = :s", "attribute_exists(a) AND n > :one"),
    ("SET a = :s", "begins_with(s, :p) OR attribute_not_exists(#b)"),
    (LONG_SET, None),
    # invalid
    ("SET a = :s SET b = :one", None),
    ("SET a = :s ADD n :one SET b = :s ADD fresh :one", None),
    ("ADD n :one SET a = :s SET b = :s ADD fresh :one", None),
    ("REMOVE a SET b = :s REMOVE s", None),
    ("DELETE ss :set DELETE ss :set", None),
    ("SET a = :s, b = :s, a = :one, b = :one", None),
    ("SET m.x = :s, m = :s", None),
    ("SET m = :s, m.x.y = :one", None),
    ("SET #a = :s, a = :one", None),
    ("SET a = :s REMOVE a", None),
    ("SET l[0] = :s, l[0] = :one", None),
    ("SET m.x.y = :s REMOVE m.x", None),
    ("SET pk = :s", None),
    ("SET #k = :s", None),
    ("REMOVE sk", None),
    ("SET a = :missing", None),
    ("SET #missing = :s", None),
    ("SET gsi = :one", None),
    ("SET gsi = :empty", None),
    ("SET s = s + :one", None),
    ("SET gone = gone + :one", None),
    ("SET x = list_append(gone, :lst)", None),
    ("SET l = list_append(n, :lst)", None),
    ("SET a.b = :s", None),
    ("SET n[0] = :s", None),
    ("SET nothere.x = :s", None),
    ("SET n = (n + :one)", None),
    ("SET a =", None),
    ("SET a = :s,", None),
    ("ADD a :s", None),
    ("SET a = :s", "attribute_not_exists(a)"),
    ("SET a = :s", "n < :zero"),
    ("SET big = :big", None),
    ("SET big = :big, big2 = :big", None),
]


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    patch_moto()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "gsi", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-gsi",
                    "KeySchema": [{"AttributeName": "gsi", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client
    set_fast_paths(True)


@contextmanager
def moto_as_is() -> Iterator[None]:
    """moto without the fast paths inside the block, and with them after it whatever happens."""
    set_fast_paths(False)
    try:
        yield
    finally:
        set_fast_paths(True)


def _used(placeholders: dict[str, Any], *expressions: str | None) -> dict[str, Any]:
    text = " ".join(e for e in expressions if e)
    return {k: v for k, v in placeholders.items() if k in text}


def _outcome(client: Any, expression: str, condition: str | None, seeded: bool) -> dict[str, Any]:
    """What moto answers to the update (of the seed item, or of no item) and the item it leaves."""
    key = {"pk": SEED["pk"], "sk": SEED["sk"]}
    client.delete_item(TableName=TABLE, Key=key)
    if seeded:
        client.put_item(TableName=TABLE, Item=SEED)
    long = expression == LONG_SET
    names = _used(LONG_NAMES if long else NAMES, expression, condition)
    values = _used(LONG_VALUES if long else VALUES, expression, condition)
    params: dict[str, Any] = {"TableName": TABLE, "Key": key, "UpdateExpression": expression}
    params |= {"ReturnValues": "ALL_NEW", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if names:
        params["ExpressionAttributeNames"] = names
    if values:
        params["ExpressionAttributeValues"] = values
    if condition:
        params["ConditionExpression"] = condition
    outcome: dict[str, Any] = {}
    try:
        outcome["answer"] = client.update_item(**params).get("Attributes")
    except ClientError as exc:
        outcome["error"] = (exc.response["Error"], exc.response.get("Item"))
    except Exception as exc:  # moto's own failures (an AssertionError for a grouped value)
        outcome["raised"] = (type(exc).__name__, str(exc))
    outcome["item"] = client.get_item(TableName=TABLE, Key=key).get("Item")
    return outcome


@pytest.mark.parametrize(("expression", "condition"), CASES)
@pytest.mark.parametrize("seeded", [True, False], ids=["existing-item", "new-item"])
def test_update_item_answers_as_moto_does(
    dynamodb: Any, expression: str, condition: str | None, seeded: bool
) -> None:
    with moto_as_is():
        expected = _outcome(dynamodb, expression, condition, seeded)
    assert _outcome(dynamodb, expression, condition, seeded) == expected


def _reads(client: Any) -> list[Any]:
    key = {"pk": SEED["pk"], "sk": SEED["sk"]}
    values = {":pk": SEED["pk"]}
    return [
        client.get_item(TableName=TABLE, Key=key, ConsistentRead=True),
        client.get_item(
            TableName=TABLE,
            Key=key,
            ProjectionExpression="m.x, l[2], ss, #n",
            ExpressionAttributeNames={"#n": "n"},
        ),
        client.query(TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues=values),
        client.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=values,
            Select="COUNT",
        ),
        client.scan(TableName=TABLE, Limit=2),
        client.scan(
            TableName=TABLE, FilterExpression="attribute_exists(m.x)", ReturnConsumedCapacity="TOTAL"
        ),
        client.batch_get_item(RequestItems={TABLE: {"Keys": [key, {**key, "sk": {"N": "2"}}]}}),
        client.describe_table(TableName=TABLE),
    ]


def test_reads_answer_as_moto_does(dynamodb: Any) -> None:
    """The response serializer's members found as moto finds them (items of every attribute type)."""
    dynamodb.put_item(TableName=TABLE, Item=SEED)
    dynamodb.put_item(
        TableName=TABLE,
        Item={**SEED, "sk": {"N": "2"}, "b": {"B": b"bytes"}, "bs": {"BS": [b"1"]}, "nul": {"NULL": True}},
    )
    with moto_as_is():
        expected = _reads(dynamodb)
    got = _reads(dynamodb)
    for answer in (*expected, *got):
        answer["ResponseMetadata"].pop("RequestId", None)  # random, as the header
        for header in ("date", "x-amzn-requestid"):
            answer["ResponseMetadata"]["HTTPHeaders"].pop(header, None)
    assert got == expected


def test_the_corpus_has_moto_errors_of_each_validator(dynamodb: Any) -> None:
    """The invalid cases reach the validators the fast paths change, not only the parser."""
    messages = [
        _outcome(dynamodb, e, c, True).get("error", ({}, None))[0].get("Message", "") for e, c in CASES
    ]
    assert any('The "SET" section can only be used once' in m for m in messages)
    assert any('The "ADD" section can only be used once' in m for m in messages)
    assert any("path one: [b], path two: [b]" in m for m in messages)  # the inner SET list first
    assert any("Cannot update attribute pk" in m for m in messages)


def test_updates_leave_no_reference_cycles(dynamodb: Any) -> None:
    """What serves an UpdateItem in process goes with its last reference, not to the garbage
    collector: its ASTs (each node is in its parent's children), the item values they hold, the
    werkzeug Request (in its own environ), botocore's response parsers (holding their own blob
    parser) and the fast paths' recursive closures. Of every case but those moto cannot parse
    (the nodes it made before failing are left to the collector) or fails on (an AssertionError)."""
    from botocore.parsers import ResponseParser
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.parsing.ast_nodes import Node
    from werkzeug.wrappers import Request

    cases = [(e, c) for e, c in CASES if e not in ("SET a =", "SET a = :s,", "SET n = (n + :one)")]

    def updates() -> None:  # an update and the requests around it (_outcome)
        for expression, condition in cases:
            _outcome(dynamodb, expression, condition, True)

    updates()  # the first parse of each expression is moto's own, left to the collector
    garbage = cyclic_garbage(updates)
    removed = [
        o
        for o in garbage
        if isinstance(o, Node | DynamoType | Request | ResponseParser)
        or getattr(o, "__module__", None) == moto_fast_paths.__name__
    ]
    assert removed == []
    assert len(garbage) < 10 * len(cases), sorted(Counter(type(o).__qualname__ for o in garbage).items())


def test_blobs_are_read_by_base64_only_while_botocore_reads_them_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsers' default blob reader is replaced while botocore's is `base64.b64decode(value)`
    (the reads above compare blobs read both ways), not once it reads them otherwise."""
    from botocore import parsers

    patch_moto()
    with moto_as_is():
        assert [name for _, name, _ in moto_fast_paths._acyclic_parsers()] == ["_default_blob_parser"]
        with monkeypatch.context() as other:  # undone before the fast paths are back
            other.setattr(parsers.ResponseParser, "_default_blob_parser", lambda self, value: value)
            assert moto_fast_paths._acyclic_parsers() == []
    assert vars(parsers.ResponseParser)["_default_blob_parser"].__func__ is base64.b64decode


def _shape(node: Any, parent: Any = None) -> Any:
    """An AST as nested (class, its state's keys, type, children), checking every child's parent link."""
    from moto.dynamodb.parsing.ast_nodes import Node

    assert node.parent is parent
    children = [_shape(c, node) if isinstance(c, Node) else c for c in node.children or []]
    return type(node), tuple(vars(node)), node.type, children


@pytest.mark.parametrize(
    "expression", [e for e, _ in CASES if e not in ("SET a =", "SET a = :s,", "SET n = (n + :one)")]
)
def test_a_kept_parse_is_handed_out_as_a_fresh_tree(expression: str) -> None:
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    patch_moto()
    with moto_as_is():
        fresh = UpdateExpressionParser.make(expression)
    first, second = UpdateExpressionParser.make(expression), UpdateExpressionParser.make(expression)
    copied = validators.deepcopy(first)
    assert _shape(first) == _shape(second) == _shape(copied) == _shape(fresh)
    assert first is not second and first.children is not second.children and copied is not first
    assert expression in moto_fast_paths._PARSES


def test_the_fast_paths_are_for_the_pinned_moto_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Their equivalence was read off moto FAST_PATHS_FOR's code: upgrading moto means reading it
    again (then move FAST_PATHS_FOR); another version runs moto as it is."""
    from moto.dynamodb.parsing import ast_nodes, validators

    pyproject = tomllib.loads((Path(__file__).parents[3] / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith(("moto[", "Werkzeug"))]
    assert pins == [f"moto[server,dynamodb,sns]=={FAST_PATHS_FOR}", f"Werkzeug=={WERKZEUG_FOR}"]
    assert moto.__version__ == FAST_PATHS_FOR and version("werkzeug") == WERKZEUG_FOR
    patch_moto()
    installed = {(owner, name): fast for owner, name, _, fast in moto_fast_paths._FAST_PATHS}
    assert ast_nodes.DepthFirstTraverser.traverse is installed[ast_nodes.DepthFirstTraverser, "traverse"]
    set_fast_paths(False)
    try:
        with monkeypatch.context() as other:
            other.setattr(moto, "__version__", "5.2.6")
            moto_fast_paths.install_fast_paths()
        assert "traverse" not in vars(validators.ActionCountValidator)
        assert "deepcopy" not in vars(validators) or validators.deepcopy.__module__ == "copy"
        with monkeypatch.context() as other:
            other.setattr(importlib.metadata, "version", lambda name: "3.2.0")
            moto_fast_paths.install_fast_paths()
        assert "traverse" not in vars(validators.ActionCountValidator)
    finally:
        set_fast_paths(True)


@pytest.mark.parametrize("service", ["dynamodb", "sns", "s3", "lambda"])
def test_members_of_a_dict_are_found_as_moto_finds_them(service: str) -> None:
    """Every member of every output structure of the service, in dicts holding each key moto's
    alias providers propose for it (alone and all together) and none."""
    from moto.core import serialize
    from moto.core.responses import ActionContext  # noqa: F401  (moto's serializer module loaded)
    from moto.core.utils import get_service_model

    patch_moto()
    fast = serialize.ResponseSerializer.get_value
    with moto_as_is():
        own = serialize.ResponseSerializer.get_value
    assert fast is not own
    model = get_service_model(service)
    checked = 0
    for name in model.operation_names:
        operation = model.operation_model(name)
        serializer = serialize.get_serializer_class(service, model.protocol)(
            operation_model=operation, value_picker=serialize.XFormedAttributePicker()
        )
        structures, seen = [operation.output_shape], set()
        while structures:
            shape = structures.pop()
            if shape is None or shape.name in seen:
                continue
            seen.add(shape.name)
            members = getattr(shape, "members", None) or {}
            for key, member in members.items():
                member.parent = shape  # as the serializer sets it
                context = serialize.AttributePickerContext(obj={}, key=key, shape=member)
                keys = list(serialize.XFormedAttributePicker().get_possible_keys(context))
                dicts = [{}, {k: n for n, k in enumerate(keys)}, *({k: k} for k in keys), {"other": 1}]
                for value in dicts:
                    assert fast(serializer, value, key, member) == own(serializer, value, key, member)
                    checked += 1
                structures += [member, getattr(member, "member", None), getattr(member, "value", None)]
    assert checked > 100
    # Keys no model has: a class-name prefix ("dict"), a dotted path, no shape.
    for key in ("DictName", "dictionary", "Dict.a", "Dict"):
        for value in ({"Name": 1}, {"name": 2}, {"ionary": 3}, {".a": 4}, {"Dict": {"a": 5}}, {"": 6}):
            assert fast(serializer, value, key, None) == own(serializer, value, key, None)


def _value(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    """A random AttributeValue: scalars, sets, and lists and maps nested up to three deep."""
    kinds = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS"] + (["L", "M"] * 2 if depth < 3 else [])
    kind = rng.choice(kinds)
    text = "".join(rng.choice("ab가나😀.") for _ in range(rng.randrange(5)))
    return {
        "S": lambda: {"S": text},
        "N": lambda: {"N": str(rng.randrange(-(10**6), 10**6) / 7)},
        "B": lambda: {"B": text.encode()},
        "BOOL": lambda: {"BOOL": rng.random() < 0.5},
        "NULL": lambda: {"NULL": True},
        "SS": lambda: {"SS": [text + str(i) for i in range(rng.randrange(1, 4))]},
        "NS": lambda: {"NS": [str(i * 1.5) for i in range(rng.randrange(1, 4))]},
        "BS": lambda: {"BS": [bytes([i]) * i for i in range(rng.randrange(1, 4))]},
        "L": lambda: {"L": [_value(rng, depth + 1) for _ in range(rng.randrange(4))]},
        "M": lambda: {"M": {text + str(i): _value(rng, depth + 1) for i in range(rng.randrange(4))}},
    }[kind]()


def test_sizes_are_moto_sizes() -> None:
    """DynamoType.size of values as moto holds them: converted, raw dicts inside maps (an update's
    executor puts them there), and malformed ones (moto's own error)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    patch_moto()
    rng = random.Random(25)
    values = [DynamoType(_value(rng)) for _ in range(400)]
    raw_inside = DynamoType({"M": {}})
    raw_inside.value = {"raw": {"M": {"k": {"L": [{"S": "v"}]}}}, "typed": DynamoType({"N": "12"})}
    values += [raw_inside, DynamoType({"L": []}), DynamoType({"M": {}})]
    broken = DynamoType({"L": []})
    broken.value = [{"S": "a raw dict in a list has no size()"}]

    def sizes() -> list[Any]:
        measured: list[Any] = [v.size() for v in values]
        try:
            broken.size()
        except Exception as exc:  # moto's AttributeError
            measured.append((type(exc), str(exc)))
        return measured

    with moto_as_is():
        expected = sizes()
    assert sizes() == expected


@pytest.mark.parametrize("expression", ["SET a = :s", LONG_SET, "REMOVE l[2], l[0] ADD n :one"])
def test_the_tree_parsed_last_is_copied_from_its_kept_parse(expression: str) -> None:
    """A Validator's copy of the tree parsed last is built from the kept parse; copy.deepcopy
    of it makes the same tree."""
    import copy

    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    patch_moto()
    tree = UpdateExpressionParser.make(expression)
    assert [(tree, moto_fast_paths._PARSES[expression], expression)] == moto_fast_paths._HANDED_OUT
    copied, again = validators.deepcopy(tree), validators.deepcopy(tree)
    assert [(again, expression)] == moto_fast_paths._FRESH_COPY
    assert _shape(copied) == _shape(again) == _shape(copy.deepcopy(tree)) == _shape(tree)
    assert len({id(copied), id(again), id(tree)}) == 3
    with moto_as_is():
        assert moto_fast_paths._HANDED_OUT == moto_fast_paths._FRESH_COPY == [None]


class _Dynamic:
    @types.DynamicClassAttribute
    def dynamic(self) -> int:
        return 1


class _Handler(_Dynamic):
    dynamic = staticmethod(lambda: 1)  # type: ignore[assignment]
    static = staticmethod(lambda: 1)
    klass = classmethod(lambda cls: 1)
    prop = property(lambda self: 1)
    value = 1

    def method(self) -> int:
        return 1


def test_an_action_is_a_method_of_its_handler_as_moto_says() -> None:
    """call_action's `action in method_names_from_class(cls)` of the handlers the stack serves and
    of a class with every kind of member, for each name they hold, the metaclass's and absent ones."""
    from moto.core import responses, utils
    from moto.dynamodb.responses import DynamoHandler
    from moto.s3.responses import S3Response
    from moto.sns.responses import SNSResponse

    patch_moto()
    fast = responses.method_names_from_class
    assert fast is not utils.method_names_from_class
    for cls in (DynamoHandler, SNSResponse, S3Response, _Handler, _Dynamic, abc.ABC):
        names = [*dir(cls), *dir(type(cls)), "absent", "", 1, None]
        expected = utils.method_names_from_class(cls)
        assert [name in fast(cls) for name in names] == [name in expected for name in names]
    assert "update_item" in fast(DynamoHandler) and "dispatch" not in fast(DynamoHandler)


# (table, UpdateExpression, ExpressionAttributeNames): the same expression passes the checks, then
# fails them with other names or on a table with other keys.
REPEATS: list[tuple[str, str, dict[str, str]]] = [
    (TABLE, "SET #k = :s, b = :one", {"#k": "a"}),
    (TABLE, "SET #k = :s, b = :one", {"#k": "a"}),
    (TABLE, "SET #k = :s, b = :one", {"#k": "pk"}),
    (TABLE, "SET #k = :s, b = :one", {"#k": "sk"}),
    (TABLE, "SET #k = :s, b = :one", {"#k": "a"}),
    (TABLE, "SET a = :s, #m.x = :s", {"#m": "m"}),
    (TABLE, "SET a = :s, #m.x = :s", {"#m": "a"}),
    ("keyed-by-a", "SET a = :s, #m.x = :s", {"#m": "m"}),
    ("keyed-by-a", "SET #k = :s, b = :one", {"#k": "a"}),
    (TABLE, "SET #k = :s, b = :one", {"#k": "a"}),
    (TABLE, "SET a = :s ADD n :one SET b = :s", {}),
    (TABLE, "SET a = :s ADD n :one SET b = :s", {}),
]


def _repeats(client: Any) -> list[Any]:
    answers: list[Any] = []
    for table, expression, names in REPEATS:
        key = {"pk": SEED["pk"], "sk": SEED["sk"]} if table == TABLE else {"a": {"S": "key"}}
        params: dict[str, Any] = {"TableName": table, "Key": key, "UpdateExpression": expression}
        params["ExpressionAttributeValues"] = _used(VALUES, expression)
        if names:
            params["ExpressionAttributeNames"] = names
        try:
            answers.append(client.update_item(**params, ReturnValues="ALL_NEW").get("Attributes"))
        except ClientError as exc:
            answers.append(exc.response["Error"])
    return answers


def test_checks_passed_before_answer_as_moto_does(dynamodb: Any) -> None:
    """An expression's checks that passed are not run again on its next copy, but only for the same
    names and table keys: other ones get moto's errors."""
    dynamodb.create_table(
        TableName="keyed-by-a",
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with moto_as_is():
        expected = _repeats(dynamodb)
    assert _repeats(dynamodb) == expected
    messages = [str(answer.get("Message")) for answer in expected if "Message" in answer]
    assert sum("Cannot update attribute" in m for m in messages) == 4
    assert sum('The "SET" section can only be used once' in m for m in messages) == 2


def test_kept_parses_stay_bounded_while_threads_parse_at_once() -> None:
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    patch_moto()
    failures: list[BaseException] = []

    def parse(start: int) -> None:
        try:
            for n in range(start, start + 400):
                UpdateExpressionParser.make(f"SET a{n} = :v")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=parse, args=(i * 400,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(moto_fast_paths._PARSES) <= moto_fast_paths._PARSES_KEPT


def _calls(dynamodb: Any, sns: Any, topic: str) -> None:
    """The demo's kinds of requests, and an error of each service."""
    key = {"pk": SEED["pk"], "sk": SEED["sk"]}
    values = {":pk": SEED["pk"]}
    calls: list[Any] = [
        lambda: dynamodb.put_item(TableName=TABLE, Item=SEED),
        lambda: dynamodb.get_item(TableName=TABLE, Key=key, ConsistentRead=True),
        lambda: dynamodb.get_item(TableName="no-such-table", Key=key),
        lambda: dynamodb.query(
            TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues=values
        ),
        lambda: dynamodb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET n = n + :one, s = :s",
            ExpressionAttributeValues={":one": {"N": "1"}, ":s": {"S": "ü € 😀"}},
            ReturnValues="ALL_NEW",
        ),
        lambda: dynamodb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET a = :s",
            ConditionExpression="attribute_not_exists(a)",
            ExpressionAttributeValues={":s": {"S": "x"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        ),
        lambda: dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="SET a = :missing"),
        lambda: dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [key, {**key, "sk": {"N": "2"}}]}}),
        lambda: dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {**SEED, "sk": {"N": "3"}}}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": key,
                        "UpdateExpression": "SET flag = :f",
                        "ExpressionAttributeValues": {":f": {"BOOL": False}},
                    }
                },
            ]
        ),
        lambda: dynamodb.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": key,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        ),
        lambda: dynamodb.scan(TableName=TABLE, Limit=2),
        lambda: sns.publish(TopicArn=topic, Message="hello ü", Subject="subject"),
        lambda: sns.publish(
            TopicArn=topic,
            Message="with attributes",
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "a=b&c"}},
        ),
        lambda: sns.publish(TopicArn=topic + "-missing", Message="nobody"),
        lambda: sns.publish(TopicArn=topic, Message=""),
    ]
    for call in calls:
        with suppress(ClientError):
            call()


def _table(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _served(fast: bool, endpoint: str | None = None) -> tuple[list[Any], list[Any]]:
    """The requests botocore sends for _calls and moto's answers (status, headers, body) to them,
    in a fresh moto with its random numbers seeded (the request IDs): moto in process, or the moto
    server at endpoint."""
    from moto.moto_api._internal import mock_random

    from aicc_ops.local.stack import reset_moto

    sent: list[Any] = []
    answers: list[Any] = []

    def record(request: Any, **_: Any) -> None:
        sent.append(request)

    def answered(response_dict: dict[str, Any], **_: Any) -> None:
        headers = {k: v for k, v in response_dict["headers"].items() if k.lower() != "date"}  # the clock's
        answers.append((response_dict["status_code"], headers, response_dict["body"]))

    patch_moto()
    set_fast_paths(fast)
    try:
        with mock_aws() if endpoint is None else nullcontext():
            if endpoint is not None:
                reset_moto(endpoint)
            mock_random.seed(26)
            dynamodb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
            sns = boto3.client("sns", region_name=REGION, endpoint_url=endpoint)
            _table(dynamodb)
            topic = sns.create_topic(Name="fast-paths")["TopicArn"]
            for client in (dynamodb, sns):
                client.meta.events.register("before-send", record)
                client.meta.events.register("before-parse", answered)
            _calls(dynamodb, sns, topic)
    finally:
        set_fast_paths(True)
    return sent, answers


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SNS"):
        monkeypatch.delenv(key, raising=False)


def test_requests_are_answered_as_moto_answers_them(credentials: None) -> None:
    """Status, headers and body bytes of DynamoDB's and SNS's answers (and their errors) through
    moto's request layer with and without the fast paths."""
    _, expected = _served(fast=False)
    _, got = _served(fast=True)
    assert len(expected) >= 15
    assert any(status >= 400 for status, _, _ in expected)
    assert got == expected


def test_a_moto_server_answers_as_moto_does(credentials: None) -> None:
    """The same requests to a moto server (the local stack's other endpoint, werkzeug's requests)."""
    from aicc_ops.local.stack import moto_endpoint

    with moto_endpoint() as endpoint:
        _, expected = _served(fast=False, endpoint=endpoint)
        _, got = _served(fast=True, endpoint=endpoint)
    assert len(expected) >= 15
    assert any(status >= 400 for status, _, _ in expected)
    assert got == expected


def _environ(request: Any) -> tuple[Any, ...]:
    """What moto's handlers can read of the Request normalize_request makes: its environ (in order;
    the streams by their content), its data, form, headers (in order) and URLs."""
    from moto.core.request import normalize_request

    made = normalize_request(request)
    own: dict[str, Any] = {
        "wsgi.input": BytesIO.getvalue,
        "wsgi.errors": lambda v: v is sys.stderr,
        "werkzeug.request": lambda v: v is made,
    }
    environ = [(key, own[key](value) if key in own else value) for key, value in made.environ.items()]
    return (
        environ,
        made.get_data(),
        list(made.form.items(multi=True)),
        list(made.headers),
        made.raw_url,
    )


def _prepared(method: str, url: str, headers: list[tuple[str, Any]], body: Any) -> Any:
    from botocore.awsrequest import AWSPreparedRequest
    from botocore.compat import HTTPHeaders

    header_map = HTTPHeaders()
    for key, value in headers:
        header_map[key] = value  # HTTPHeaders keeps repeated names
    return AWSPreparedRequest(method=method, url=url, headers=header_map, body=body, stream_output=False)


ODD_REQUESTS: list[tuple[str, str, list[tuple[str, Any]], Any]] = [
    # repeated names, bytes values, a name with an underscore (kept for S3 metadata), Transfer-Encoding
    (
        "POST",
        "https://dynamodb.ap-northeast-2.amazonaws.com/",
        [
            ("Content-Type", "Application/X-Amz-JSON-1.0"),
            ("content-type", "text/plain"),
            ("X-Amz-Target", b"DynamoDB_20120810.GetItem"),
            ("x-amz-meta-my_key", "v"),
            ("X-Custom", "one"),
            ("x-custom", "two"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "999"),
            ("Host", "elsewhere.example"),
        ],
        b'{"TableName": "t"}',
    ),
    (
        "POST",
        "https://sns.ap-northeast-2.amazonaws.com/",
        [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
        "Action=Publish&Message=%C3%BC",
    ),
    ("POST", "https://sns.ap-northeast-2.amazonaws.com/", [], "Action=Publish&Message=ü"),  # str, not ASCII
    ("POST", "https://sns.ap-northeast-2.amazonaws.com/", [], "\ud800"),  # not encodable
    ("POST", "http://localhost:5000/a%20b/ü?x=1&y=%2F", [("X-Num", "1")], b"body"),
    ("GET", "https://s3.amazonaws.com/bucket/key?list-type=2", [("X-Amz-Date", "20261206T000000Z")], None),
    ("PUT", "https://s3.amazonaws.com/bucket/key", [], b""),
    ("POST", "https://dynamodb.ap-northeast-2.amazonaws.com/", [("X-Bad", "a\r\nb")], b"{}"),
    ("POST", "https://dynamodb.ap-northeast-2.amazonaws.com/", [("X-Amz-Target", b"\xff")], b"{}"),
    ("POST", "https://dynamodb.ap-northeast-2.amazonaws.com/?a?b", [], b"{}"),
    # one URL with a body under three methods, and with two queries: the kept URL parts differ
    ("GET", "https://s3.amazonaws.com/bucket/key", [], b"same"),
    ("PUT", "https://s3.amazonaws.com/bucket/key", [], b"same"),
    ("POST", "https://s3.amazonaws.com/bucket/key", [], b"same"),
    ("PUT", "https://s3.amazonaws.com/bucket/key?tagging", [], b"same"),
    ("PUT", "https://s3.amazonaws.com/bucket/key?acl", [], b"same"),
]


def _normalized(requests: list[Any]) -> list[Any]:
    answers: list[Any] = []
    for request in requests:
        try:
            answers.append(_environ(request))
        except Exception as exc:
            answers.append((type(exc).__name__, str(exc)))
    return answers


def test_requests_are_normalized_as_moto_normalizes_them(credentials: None) -> None:
    """The werkzeug Request moto's handlers get, for the requests botocore sends and odd ones."""
    from moto.core.request import Request

    sent, _ = _served(fast=True)
    requests = sent + [_prepared(*odd) for odd in ODD_REQUESTS]
    patch_moto()
    fast = vars(Request)["from_primitives"]
    with moto_as_is():
        assert vars(Request)["from_primitives"] is not fast
        expected = _normalized(requests)
    got = _normalized(requests)
    assert any(type(answer[0]) is str for answer in expected)  # an error, raised both ways
    assert got == expected


@pytest.mark.parametrize("iso", ["true", "false"])
def test_urls_are_routed_as_moto_routes_them(
    credentials: None, monkeypatch: pytest.MonkeyPatch, iso: str
) -> None:
    """Which backend answers a URL (or none: a 404, or the network), with each setting moto reads.
    (ISO and .com.cn hosts are rewritten to amazonaws.com before routing, so the ISO setting changes
    no answer here: the runs with it show that the kept routes follow the setting all the same.)"""
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.moto_api._internal import mock_random

    monkeypatch.setenv("MOTO_ENABLE_ISO_REGIONS", iso)
    urls = [
        "https://dynamodb.ap-northeast-2.amazonaws.com/",
        "https://sns.ap-northeast-2.amazonaws.com/",
        "https://sns.cn-north-1.amazonaws.com.cn/",
        "https://dynamodb.us-iso-east-1.c2s.ic.gov/",
        "https://sts.amazonaws.com/",
        "https://nosuchservice.ap-northeast-2.amazonaws.com/x",
        "https://example.com/",
        "https://s3.amazonaws.com/bucket/",
        "https://s3.amazonaws.com/bucket/key",  # one backend's URLs with other handlers
        "https://lambda.ap-northeast-2.amazonaws.com/2015-03-31/functions/",
        "https://lambda.ap-northeast-2.amazonaws.com/2015-03-31/functions/nope/invocations",
        "https://lambda.ap-northeast-2.amazonaws.com/nothing",  # the service's pattern, none of its URLs
    ]
    body = "Action=GetCallerIdentity&Version=2011-06-15"
    requests = [
        _prepared("POST", url, [("Content-Type", "application/x-www-form-urlencoded")], body) for url in urls
    ]

    def routed() -> list[Any]:
        with mock_aws():
            mock_random.seed(26)
            answers: list[Any] = []
            for request in requests:
                try:
                    answer = BotocoreStubber().process_request(request)
                except Exception as exc:
                    answers.append((type(exc).__name__, str(exc)))
                    continue
                if answer is not None:
                    status, headers, answer_body = answer
                    headers = {k: v for k, v in headers.items() if k not in ("date", "x-amzn-requestid")}
                    answer = status, headers, re.sub(r"<RequestId>.*</RequestId>", "", str(answer_body))
                answers.append(answer)
            return answers

    patch_moto()
    fast = BotocoreStubber.process_request
    with moto_as_is():
        assert BotocoreStubber.process_request is not fast
        expected = routed()
    got = routed()
    assert None in expected and any(a and a[0] == 404 for a in expected)
    assert got == expected


def test_urls_of_a_request_are_werkzeugs() -> None:
    """werkzeug's URL root and host, asked twice (the second answer kept), as werkzeug answers."""
    from werkzeug.exceptions import SecurityError
    from werkzeug.sansio import request as sansio_request

    patch_moto()
    hosts = [
        "dynamodb.ap-northeast-2.amazonaws.com",
        "localhost:443",
        "[::1]:80",
        "bad host",
        "h:99999",
        None,
    ]
    calls = [
        ("get_current_url", (scheme, host or "", *rest))
        for scheme in ("https", "http")
        for host in hosts
        for rest in [(), ("",), ("/app/",), ("/a b/ü", "/x y"), ("", "/p", b"a=%20&b=\xc3\xbc")]
    ] + [
        ("get_host", (scheme, host, server, trusted))
        for scheme in ("https", "http", "ws")
        for host in hosts
        for server in [None, ("localhost", 443), ("::1", 80), ("/sock", None)]
        for trusted in [None, ["localhost"], [".amazonaws.com"]]
    ]

    def answers() -> list[Any]:
        out: list[Any] = []
        for name, args in calls * 2:
            try:
                out.append(getattr(sansio_request, name)(*args))
            except (SecurityError, ValueError) as exc:
                out.append((type(exc).__name__, str(exc)))
        return out

    fast = sansio_request.get_current_url
    with moto_as_is():
        assert sansio_request.get_current_url is not fast
        expected = answers()
    assert ("SecurityError", "Host 'localhost:443' is not trusted.") not in expected  # :443 dropped
    assert any(type(a) is tuple for a in expected)
    assert answers() == expected


def _image(obj: Any, seen: dict[int, int]) -> Any:
    """An object tree as nested tuples: each container's class and contents, and for a container met
    before (in this tree or another imaged with the same `seen`) only its number."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    if id(obj) in seen:
        return ("again", seen[id(obj)])
    if isinstance(obj, DynamoType | Item | dict | list):
        seen[id(obj)] = len(seen)
    if isinstance(obj, DynamoType | Item):
        return type(obj).__name__, tuple((k, _image(v, seen)) for k, v in vars(obj).items())
    if isinstance(obj, dict):
        return type(obj).__name__, tuple((k, _image(v, seen)) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return type(obj).__name__, tuple(_image(v, seen) for v in obj)
    return type(obj).__name__, obj


def _items(rng: random.Random) -> list[Any]:
    """Items as moto holds them: converted, with a value held in two places, raw dicts inside maps
    and lists (an update's executor puts them there), and sets shared with another item."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    items = []
    for n in range(60):
        attrs = {f"a{i}": _value(rng) for i in range(rng.randrange(1, 8))}
        item = Item(DynamoType({"S": f"key{n}"}), DynamoType({"N": str(n)}), attrs)
        values = list(item.attrs.values())
        if n % 3 == 0:
            item.attrs["alias"] = values[0]  # SET alias = a0 puts a0's own value there
        if n % 4 == 0:
            item.attrs["raw"] = DynamoType({"M": {}})
            item.attrs["raw"].value = {"r": {"L": [{"S": "raw"}]}, "t": values[-1]}
            item.attrs["rawlist"] = DynamoType({"L": []})
            item.attrs["rawlist"].value = [{"N": "1"}, values[0]]
        items.append(item)
    return items


def test_item_copies_are_moto_copies() -> None:
    """copy.deepcopy of an Item or a DynamoType (UpdateItem's old images, Query's answers, to_json):
    the same objects shared with the source, the same ones copied, a value held twice copied once."""
    import copy

    patch_moto()

    def copies(items: list[Any]) -> Any:
        made = [copy.deepcopy(item) for item in items]
        made += [copy.deepcopy(value) for item in items for value in item.attrs.values()]
        made += [json_of(item) for item in items]
        return _image((items, made), {})  # what the copies share with the items and each other

    def json_of(item: Any) -> Any:
        try:
            return item.to_json()  # copies each value of a map or list (to_regular_json)
        except AttributeError as exc:  # moto's, for a raw dict in a map
            return str(exc)

    items = _items(random.Random(26))
    with moto_as_is():
        expected = copies(items)
    assert copies(items) == expected
    assert str(expected).count("again") >= 50  # values held twice, raw values shared with the source


# Condition expressions: valid, and invalid where moto's lexer fails (its ValueError's message).
CONDITIONS = [
    "attribute_not_exists(#n) OR NOT contains(#n, :p)",
    "#n >= :one AND (begins_with(s, :p) OR size(l) > :one)",
    "n BETWEEN :zero AND :one OR a IN (:p, :s)",
    "m.x.y = :one AND l[1] <> :zero",
    "n ! :one",
    "n = :one AND (",
    "attribute_exists(#n) AND",
    "contains(ss, :p, :p)",
]


def _conditioned(client: Any) -> list[Any]:
    answers: list[Any] = []
    key = {"pk": SEED["pk"], "sk": SEED["sk"]}
    for condition in CONDITIONS:
        client.put_item(TableName=TABLE, Item=SEED)
        values = _used(VALUES, condition)
        names = {"#n": "n"} if "#n" in condition else {}
        for call in ("update_item", "query"):
            params: dict[str, Any] = {"TableName": TABLE}
            if call == "update_item":
                params |= {"Key": key, "UpdateExpression": "SET a = :s", "ConditionExpression": condition}
                params |= {"ReturnValues": "UPDATED_NEW"}
                params["ExpressionAttributeValues"] = {**values, ":s": VALUES[":s"]}
            else:
                params |= {"KeyConditionExpression": "pk = :pk", "FilterExpression": condition}
                params["ExpressionAttributeValues"] = {**values, ":pk": SEED["pk"]}
            if names:
                params["ExpressionAttributeNames"] = names
            try:
                answer = getattr(client, call)(**params)
                answers.append((answer.get("Attributes"), answer.get("Items")))
            except ClientError as exc:
                answers.append(exc.response["Error"])
            except Exception as exc:  # moto's own failures
                answers.append((type(exc).__name__, str(exc)))
    return answers


def test_conditions_and_filters_answer_as_moto_does(dynamodb: Any) -> None:
    """Condition and filter expressions lexed from kept tokens: the same answers and errors, the first
    time and again (kept), and each parse gets nodes of its own."""
    from moto.dynamodb.comparisons import ConditionExpressionParser

    with moto_as_is():
        expected = _conditioned(dynamodb)
    assert _conditioned(dynamodb) == expected == _conditioned(dynamodb)
    assert CONDITIONS[0] in moto_fast_paths._LEXES and CONDITIONS[4] not in moto_fast_paths._LEXES
    first, second = (
        ConditionExpressionParser(CONDITIONS[1], {}, {})._lex_condition_expression() for _ in "ab"
    )
    assert first == second and all(a.children is not b.children for a, b in zip(first, second, strict=True))


def _random_update(rng: random.Random) -> dict[str, Any]:
    """A random UpdateItem of the seed item's attributes (top level, nested, by name placeholder),
    valid or not, with or without a condition, and a random ReturnValues."""
    paths = [
        "a",
        "#a",
        "n",
        "s",
        "l",
        "l[0]",
        "l[2].k",
        "l[9]",
        "m",
        "m.x",
        "m.x.y",
        "#m.z",
        "m.new",
        "ss",
        "ns",
    ]
    paths = [*paths, *paths, "fresh", "#k", "sk", "gone.x", "flag"]  # mostly paths the item has
    values: dict[str, Any] = {}

    def value() -> str:
        name = f":v{len(values)}"
        values[name] = rng.choice([_value(rng), {"N": str(rng.randrange(9))}, {"SS": ["z", "b"]}, {"L": []}])
        return name

    actions: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
    for _ in range(rng.randrange(1, 5)):
        path, clause = rng.choice(paths), rng.choice(["SET"] * 4 + ["REMOVE", "ADD", "DELETE"])
        if clause == "SET":
            form, source = rng.randrange(4), rng.choice(paths)
            if form == 0:
                right = value()
            elif form == 1:
                right = f"if_not_exists({source}, {value()})"
            elif form == 2:
                right = f"{source} {rng.choice('+-')} {value()}"
            else:
                right = f"list_append(if_not_exists({source}, {value()}), {value()})"
            actions["SET"].append(f"{path} = {right}")
        elif clause == "REMOVE":
            actions["REMOVE"].append(path)
        else:
            actions[clause].append(f"{path} {value()}")
    expression = " ".join(f"{c} {', '.join(a)}" for c, a in actions.items() if a)
    params: dict[str, Any] = {"UpdateExpression": expression, "ExpressionAttributeValues": values}
    params["ReturnValues"] = rng.choice(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
    if rng.random() < 0.4:
        params["ConditionExpression"] = rng.choice(CONDITIONS[:4])
        values |= {k: v for k, v in VALUES.items() if k in params["ConditionExpression"]}
    names = {k: v for k, v in {"#a": "a", "#m": "m", "#k": "pk", "#n": "n"}.items() if k in str(params)}
    if names:
        params["ExpressionAttributeNames"] = names
    return params


def _random_outcomes(client: Any, updates: list[dict[str, Any]]) -> list[Any]:
    key = {"pk": SEED["pk"], "sk": SEED["sk"]}
    outcomes: list[Any] = []
    for n, params in enumerate(updates):
        if n % 3 == 0:
            client.put_item(TableName=TABLE, Item=SEED)  # else the update applies to the one before's item
        try:
            outcomes.append(client.update_item(TableName=TABLE, Key=key, **params).get("Attributes"))
        except ClientError as exc:
            outcomes.append(exc.response["Error"])
        except Exception as exc:  # moto's own failures
            outcomes.append((type(exc).__name__, str(exc)))
        outcomes.append(client.get_item(TableName=TABLE, Key=key).get("Item"))
    return outcomes


def test_random_updates_answer_as_moto_does(dynamodb: Any) -> None:
    updates = [_random_update(random.Random(seed)) for seed in range(300)]
    with moto_as_is():
        expected = _random_outcomes(dynamodb, updates)
    assert _random_outcomes(dynamodb, updates) == expected
    answers = expected[::2]
    assert sum(isinstance(a, dict) and "Code" in a for a in answers) > 20  # errors of several kinds
    assert sum(not (isinstance(a, dict) and "Code" in a) for a in answers) > 20  # and updates done


def _projected(client: Any) -> list[Any]:
    key = {"pk": SEED["pk"], "sk": SEED["sk"]}
    other = {**key, "sk": {"N": "2"}}
    names = {"#m": "m", "#l": "l"}
    answers: list[Any] = []
    projections = ["m.x, l[2], ss, #n", "#m.x.y, #l[0], #l[2].k, nothing, m.z", "m, l[1], flag, pk"]
    projections += ["a, #n, ss, m, l, b, nul", "a, a, l[1], l, m, nothing", "l, l[2], #n, ns, flag, sk, bs"]
    projections += ["mm, mm.l[1], mm.l", "mm.l, mm.l[0], mm"]  # merges into a map another path reads
    for projection in projections:
        used = {k: v for k, v in {**names, "#n": "n"}.items() if k in projection}
        kwargs: dict[str, Any] = {"ProjectionExpression": projection}
        if used:
            kwargs["ExpressionAttributeNames"] = used
        query = {"KeyConditionExpression": "pk = :pk", "ExpressionAttributeValues": {":pk": SEED["pk"]}}
        for call, params, pick in (
            (client.query, {"TableName": TABLE, **query, **kwargs}, "Items"),
            (
                client.query,
                {"TableName": TABLE, **query, **kwargs, "ScanIndexForward": False, "Limit": 1},
                "Items",
            ),
            (client.batch_get_item, {"RequestItems": {TABLE: {"Keys": [key, other], **kwargs}}}, "Responses"),
            (client.get_item, {"TableName": TABLE, "Key": key, **kwargs}, "Item"),
            (client.get_item, {"TableName": TABLE, "Key": {**key, "pk": {"S": "other"}}, **kwargs}, "Item"),
            (client.scan, {"TableName": TABLE, **kwargs}, "Items"),
        ):
            try:
                answers.append(call(**params).get(pick))
            except ClientError as exc:  # moto's: "#l[0]" does not count as a use of #l
                answers.append(exc.response["Error"])
            except Exception as exc:  # moto's own failures (a binary set it cannot project)
                answers.append((type(exc).__name__, str(exc)))
    return answers


def test_projections_answer_as_moto_does(dynamodb: Any) -> None:
    """Query, BatchGetItem, GetItem and Scan with projections: of nested maps and lists, and of
    top-level names (each once or twice, list elements, absent ones, every type)."""
    dynamodb.put_item(TableName=TABLE, Item=SEED)
    dynamodb.put_item(
        TableName=TABLE, Item={**SEED, "sk": {"N": "2"}, "b": {"B": b"bytes"}, "nul": {"NULL": True}}
    )
    dynamodb.put_item(TableName=TABLE, Item={**SEED, "pk": {"S": "other"}, "bs": {"BS": [b"1", b"2"]}})
    nested = {"M": {"l": {"L": [{"S": "a"}, {"S": "b"}]}, "n": {"N": "1"}}}
    dynamodb.put_item(TableName=TABLE, Item={**SEED, "sk": {"N": "4"}, "mm": nested})
    with moto_as_is():
        expected = _projected(dynamodb)
    assert _projected(dynamodb) == expected
