import random
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest

from aicc_ops.engine import references as refs

VIEW = {
    "Attributes": {"company": "솔트웨어", "a b": "x"},
    "External": {"status": "FOUND"},
    "StoredCustomerInput": "1234",
    "CustomerEndpoint": {"Address": "+821012345678"},
}


def test_resolve_paths_and_quoted_keys() -> None:
    assert refs.resolve("$.External.status", VIEW) == "FOUND"
    assert refs.resolve("$.Attributes['a b']", VIEW) == "x"
    assert refs.resolve("$.StoredCustomerInput", VIEW) == "1234"
    assert refs.resolve("$.Attributes.missing", VIEW) is None


def test_interpolate_embeds_values_and_blanks_missing_ones() -> None:
    text = "$.Attributes.company 고객님, 번호 $.CustomerEndpoint.Address, $.Attributes.none끝"
    assert refs.interpolate(text, VIEW) == "솔트웨어 고객님, 번호 +821012345678, 끝"


def test_unknown_namespace_is_an_error() -> None:
    with pytest.raises(refs.InvalidReferenceError, match="unknown namespace"):
        refs.parse("$.Bogus.x")


def test_single_reference_detection() -> None:
    assert refs.is_single_reference("$.Attributes.callback_queue")
    assert not refs.is_single_reference("queue $.Attributes.x")


def test_resolve_param_single_vs_dynamic() -> None:
    assert refs.resolve_param("$.External.status", VIEW, single=True) == "FOUND"
    assert refs.resolve_param({"k": "v=$.External.status"}, VIEW, single=False) == {"k": "v=FOUND"}


def test_documented_namespaces_and_bracket_forms_parse() -> None:
    # connect-attrib-list.html writes these forms.
    assert refs.parse("$['AwsRegion']") == ["AwsRegion"]
    assert refs.parse("$.SegmentAttributes['connect:Subtype']") == ["SegmentAttributes", "connect:Subtype"]
    assert refs.parse("$.Views.ViewResultData.FormData.returnreason")[0] == "Views"
    assert refs.parse("$.Modules.ResultData.customerId")[0] == "Modules"
    assert refs.parse("$.Task.ContactId") == ["Task", "ContactId"]
    assert refs.is_single_reference("$.DataTableList.ResultData.primaryKeyGroups.default[0]")


def test_list_positions_resolve() -> None:
    view = {"Views": {"ViewResultData": {"Category": ["billing", "tech"]}}}
    assert refs.resolve("$.Views.ViewResultData.Category.0", view) == "billing"
    assert refs.resolve("$.Views.ViewResultData.Category[1]", view) == "tech"
    assert refs.resolve("$.Views.ViewResultData.Category[2]", view) is None


def test_a_reference_parsed_again_is_the_same_whatever_was_done_with_the_first() -> None:
    parts = refs.parse("$.Attributes.a")
    parts.append("changed")  # a caller's own list: the parse kept for the next block is untouched
    assert refs.parse("$.Attributes.a") == ["Attributes", "a"]
    assert refs.resolve("$.Attributes.a", {"Attributes": {"a": "1"}}) == "1"
    with pytest.raises(refs.InvalidReferenceError):  # an error is raised every time, not kept
        refs.parse("$.Nope.a")
    with pytest.raises(refs.InvalidReferenceError):
        refs.parse("$.Nope.a")


def test_interpolation_equals_the_regex_on_generated_texts_with_and_without_references() -> None:
    """Text without a `$` is returned without the regex: the same text the substitution gives."""
    rng = random.Random(11)
    pieces = [
        "$.Attributes.company",
        "$.External.status",
        "$.Attributes['a b']",
        "$.Attributes.none",
        "$",
        "$.",
        "$x",
        "고객님",
        " ",
        "abc",
        "{",
        "'",
        ".",
        "[0]",
        "1234",
        "$['External']",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert _outcome(refs.interpolate, text) == _outcome(_by_regex, text), text


def _by_regex(text: str, view: Any) -> str:
    return refs.REFERENCE.sub(lambda m: refs.as_text(refs.resolve(m.group(0), view)), text)


def _outcome(fn: Any, text: str) -> tuple[str, str]:
    try:
        return "text", fn(text, VIEW)
    except refs.InvalidReferenceError as exc:  # an unknown namespace: an error either way
        return "error", str(exc)


def test_views_and_values_of_any_mapping_resolve_as_dicts_do() -> None:
    """The dict fast path is only a fast path: any other Mapping is read the same way."""
    frozen = MappingProxyType({k: MappingProxyType(v) if isinstance(v, dict) else v for k, v in VIEW.items()})
    assert refs.resolve("$.External.status", frozen) == "FOUND"
    assert refs.resolve("$.Attributes['a b']", frozen) == "x"
    assert refs.resolve_param(MappingProxyType({"k": "v=$.External.status"}), frozen, single=False) == {
        "k": "v=FOUND"
    }
    assert refs.resolve_param(["$.StoredCustomerInput", "plain"], frozen, single=False) == ["1234", "plain"]


class _Reading(dict[str, Any]):
    """A view that notes each namespace a resolution looks up."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)


def _walked(value: Any, view: Any, single: bool) -> Any:
    """resolve_param as it was written before resolvers: a walk of the value at every resolution."""
    if isinstance(value, str):
        if single:
            return refs.resolve(value, view) if value.startswith("$") else value
        return _by_regex(value, view)
    if isinstance(value, Mapping):
        return {k: _walked(v, view, False) for k, v in value.items()}
    if isinstance(value, list):
        return [_walked(v, view, False) for v in value]
    return value


def test_a_resolver_gives_what_a_walk_of_the_value_gives_and_reads_the_namespaces_it_names() -> None:
    """The interpreter builds only the namespaces a resolver reads: one it reads and does not name
    would resolve to nothing."""
    rng = random.Random(5)
    texts = [
        "$.Attributes.company",
        "$.External.status 님",
        "x $.Lex.IntentName",
        "$.Queue.Name",
        "$5",
        "plain",
    ]
    texts += ["$['AwsRegion']", "$.Nope.x", "$.Attributes['a b']", "a $.Customer.x b $.Case.y", "$.External"]

    def value(depth: int) -> Any:
        pick = rng.random()
        if depth < 3 and pick < 0.2:
            return {f"k{i}": value(depth + 1) for i in range(rng.randint(0, 3))}
        if depth < 3 and pick < 0.35:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return rng.choice(texts) if pick < 0.9 else rng.choice([None, 3, True])

    seen = 0
    for _ in range(2000):
        param, single = value(0), rng.random() < 0.5
        view = _Reading(VIEW)
        try:
            expected = _walked(param, view, single)
        except refs.InvalidReferenceError as exc:
            with pytest.raises(refs.InvalidReferenceError, match=re.escape(str(exc))):
                refs.resolver(param, single=single, read=set())
            continue
        read: set[str] = set()
        of = refs.resolver(param, single=single, read=read)
        assert read == view.read, param
        assert of(VIEW) == expected == refs.resolve_param(param, VIEW, single=single), param
        seen += bool(view.read)
    assert seen > 500
