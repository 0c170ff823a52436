"""Render flow templates (`*.json.tftpl`) as Terraform's templatefile() does.

Terraform renders the same files at deploy time, so this supports exactly the subset the
templates use and rejects the rest loudly rather than rendering something Terraform would not:
`${name}`, `${name.attr.attr}`, `${jsonencode(<reference>)}`, and the `$${` / `%%{` escapes.
Template directives (`%{ if }`, `%{ for }`) are not used by our flows and are an error here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_REF = r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*"
_EXPR = re.compile(rf"^\s*(?:(?P<fn>jsonencode)\(\s*(?P<arg>{_REF})\s*\)|(?P<ref>{_REF}))\s*$")
_TOKEN = re.compile(r"\$\$\{|%%\{|\$\{(?P<expr>[^}]*)\}|%\{")


class TemplateError(ValueError):
    """A template uses an unbound variable or a construct outside the supported subset."""


@dataclass(frozen=True)
class Placeholder:
    expression: str
    reference: str  # dotted path, e.g. "queues.msp_general"
    function: str | None
    line: int


def placeholders(text: str) -> Iterator[Placeholder]:
    """Every interpolation in a template, with its line; raises on unsupported syntax."""
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if token in ("$${", "%%{"):
            continue
        line = text.count("\n", 0, m.start()) + 1
        if token == "%{":
            raise TemplateError(f"line {line}: template directives (%{{...}}) are not supported")
        expr = m.group("expr")
        parsed = _EXPR.match(expr)
        if not parsed:
            raise TemplateError(
                f"line {line}: unsupported expression ${{{expr}}}; "
                "use ${name.attr} or ${jsonencode(name.attr)}"
            )
        yield Placeholder(expr.strip(), parsed.group("arg") or parsed.group("ref"), parsed.group("fn"), line)


def lookup(variables: Mapping[str, Any], reference: str) -> Any:
    value: Any = variables
    walked: list[str] = []
    for part in reference.split("."):
        walked.append(part)
        if not isinstance(value, Mapping) or part not in value:
            raise TemplateError(f"unbound template variable {'.'.join(walked)!r}")
        value = value[part]
    return value


def render(text: str, variables: Mapping[str, Any]) -> str:
    def substitute(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "$${":
            return "${"
        if token == "%%{":
            return "%{"
        if token == "%{":
            raise TemplateError("template directives (%{...}) are not supported")
        parsed = _EXPR.match(m.group("expr"))
        if not parsed:
            raise TemplateError(f"unsupported expression ${{{m.group('expr')}}}")
        if parsed.group("fn"):
            # Terraform's jsonencode escapes <, > and & as \u003c etc.; json.dumps output is
            # equivalent JSON and renders to the same string value once parsed.
            return json.dumps(lookup(variables, parsed.group("arg")), ensure_ascii=False)
        value = lookup(variables, parsed.group("ref"))
        if isinstance(value, Mapping | list):
            raise TemplateError(f"${{{parsed.group('ref')}}} is a collection; interpolate a string")
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return _TOKEN.sub(substitute, text)
