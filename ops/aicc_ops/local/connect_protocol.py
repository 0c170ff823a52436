"""Amazon Connect's REST-JSON wire protocol, server side, driven by botocore's own service model
(Connect's, and the Participant Service's for chat: the same protocol, another model).

Every operation of the model is routed (method + requestUri), its input read from the URI labels,
query string and JSON body exactly where the model puts them, and its output written back in the
shapes botocore parses (timestamps as epoch seconds). Errors carry the model's HTTP status and the
`x-amzn-ErrorType` header, so boto3 raises the same modelled exceptions it raises against AWS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class ConnectError(Exception):
    """An error the emulator answers with, as Connect would (code = the modelled exception name;
    `fields`: the exception shape's other members, such as InvalidContactFlowException's problems)."""

    def __init__(self, code: str, message: str, fields: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        super().__init__(f"{code}: {message}")


def not_found(message: str) -> ConnectError:
    return ConnectError("ResourceNotFoundException", message)


def invalid(message: str) -> ConnectError:
    return ConnectError("InvalidParameterException", message)


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    literals: int  # literal characters: the more specific route wins
    query: tuple[tuple[str, str], ...]  # literal query parameters of the requestUri


class Protocol:
    """One REST-JSON service's wire protocol, from its botocore model: Connect's (`CONNECT`) and
    the Participant Service's (`PARTICIPANT`, the chat API a customer's client calls)."""

    def __init__(self, service: str) -> None:
        self.service = service

    @cached_property
    def model(self) -> Any:
        import botocore.session

        return botocore.session.get_session().get_service_model(self.service)

    @cached_property
    def routes(self) -> tuple[Route, ...]:
        found: list[Route] = []
        model = self.model
        for name in model.operation_names:
            http = model.operation_model(name).http
            path, _, query = str(http["requestUri"]).partition("?")
            regex, literals = "", 0
            for part in re.split(r"(\{[^}]+\})", path):
                if part.startswith("{"):
                    label = part[1:-1]
                    greedy = label.endswith("+")
                    regex += f"(?P<{label.rstrip('+')}>{'.+' if greedy else '[^/]+'})"
                else:
                    regex += re.escape(part)
                    literals += len(part)
            pairs = tuple((k, v[0] if v else "") for k, v in parse_qs(query, keep_blank_values=True).items())
            found.append(Route(name, str(http["method"]), re.compile(f"^{regex}$"), literals, pairs))
        found.sort(key=lambda r: (-r.literals, -len(r.query)))
        return tuple(found)

    def match(self, method: str, raw_path: str) -> tuple[str, dict[str, str], dict[str, list[str]]] | None:
        """(operation, URI labels, query) for a request, or None when no operation has that route."""
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(parts.path)
            if found and all(query.get(k, [None])[0] == v or (not v and k in query) for k, v in route.query):
                return route.operation, {k: unquote(v) for k, v in found.groupdict().items()}, query
        return None

    def parse_input(
        self,
        operation: str,
        labels: Mapping[str, str],
        query: Mapping[str, list[str]],
        body: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The operation's input parameters, by member name, from where the model says each one
        travels (`headers` by lower-case name: the Participant Service's X-Amz-Bearer token)."""
        shape = self.model.operation_model(operation).input_shape
        if shape is None:
            return {}
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError:
            raise ConnectError("SerializationException", "the request body is not JSON") from None
        if not isinstance(payload, dict):
            raise ConnectError("SerializationException", "the request body is not a JSON object")
        params: dict[str, Any] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri":
                if wire in labels:
                    params[name] = labels[wire]
            elif location == "querystring":
                if wire in query:
                    values = query[wire]
                    params[name] = values if member.type_name == "list" else _scalar(member, values[0])
            elif location == "header":
                if headers is not None and wire.lower() in headers:
                    params[name] = headers[wire.lower()]
            elif name in payload:
                params[name] = payload[name]
        missing = [m for m in shape.required_members if m not in params]
        if missing:
            raise ConnectError(self.invalid_code, f"missing required parameter(s): {', '.join(missing)}")
        return params

    def check_input(self, operation: str, params: Mapping[str, Any]) -> None:
        """The model's constraints on an operation's input (required members, string lengths,
        enums, integer ranges), as the service checks them: botocore checks only some of them
        client side, and not every client is botocore. A violation is the model's bad-parameter
        error (`invalid_code`)."""
        check_members(self.model.operation_model(operation).input_shape, params, self.invalid_code)

    @property
    def invalid_code(self) -> str:
        """The model's exception for a bad parameter: Connect's InvalidParameterException, the
        Participant Service's ValidationException."""
        names = self.model.shape_names
        return "InvalidParameterException" if "InvalidParameterException" in names else "ValidationException"

    def serialize_output(self, operation: str, result: Mapping[str, Any] | None) -> bytes:
        shape = self.model.operation_model(operation).output_shape
        if shape is None or not result:
            return b"{}"
        body = {k: _jsonable(v) for k, v in result.items() if k in shape.members and v is not None}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    def error_status(self, code: str) -> int:
        model = self.model
        if code in model.shape_names:
            status = (model.shape_for(code).metadata.get("error") or {}).get("httpStatusCode")
            if status:
                return int(status)
        return 400

    def error_body(self, error: ConnectError) -> tuple[int, dict[str, str], bytes]:
        headers = {"x-amzn-ErrorType": error.code, "Content-Type": "application/json"}
        body = json.dumps({"Message": error.message, **error.fields}, ensure_ascii=False).encode("utf-8")
        return self.error_status(error.code), headers, body


CONNECT = Protocol("connect")
PARTICIPANT = Protocol("connectparticipant")


def service_model() -> Any:
    return CONNECT.model


def routes() -> tuple[Route, ...]:
    return CONNECT.routes


def match(method: str, raw_path: str) -> tuple[str, dict[str, str], dict[str, list[str]]] | None:
    """(operation, URI labels, query) of a Connect request, or None when no operation has that route."""
    return CONNECT.match(method, raw_path)


def parse_input(
    operation: str, labels: Mapping[str, str], query: Mapping[str, list[str]], body: bytes
) -> dict[str, Any]:
    """A Connect operation's input parameters (Connect's inputs carry nothing needed in headers)."""
    return CONNECT.parse_input(operation, labels, query, body)


def check_members(shape: Any, value: Any, code: str, path: str = "") -> None:
    """`value` against its shape's constraints; ConnectError(`code`) naming the first violation."""
    if shape is None or value is None:
        return
    kind, meta, where = shape.type_name, shape.metadata, path or shape.name
    if kind == "structure" and isinstance(value, Mapping):
        missing = [m for m in shape.required_members if m not in value]
        if missing:
            raise ConnectError(code, f"{where}: missing {', '.join(missing)}")
        for name, member in shape.members.items():
            if name in value:
                check_members(member, value[name], code, f"{path}.{name}" if path else name)
    elif kind == "list" and isinstance(value, list):
        for n, item in enumerate(value):
            check_members(shape.member, item, code, f"{where}[{n}]")
        _bounds(code, where, len(value), meta, "items")
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            raise ConnectError(code, f"{where}: {value!r} is not one of {', '.join(shape.enum)}")
        _bounds(code, where, len(value), meta, "characters")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConnectError(code, f"{where}: {value!r} is not a whole number")
        _bounds(code, where, value, meta, "")
    elif kind in ("structure", "list", "string"):
        raise ConnectError(code, f"{where}: not a {kind}")


def _bounds(code: str, where: str, size: int, meta: Mapping[str, Any], unit: str) -> None:
    low, high = meta.get("min"), meta.get("max")
    if (low is not None and size < low) or (high is not None and size > high):
        raise ConnectError(code, f"{where}: {size} {unit} is outside {low}-{high}".replace("  ", " "))


def _scalar(shape: Any, value: str) -> Any:
    if shape.type_name in ("integer", "long"):
        try:
            return int(value)
        except ValueError:
            raise invalid(f"{shape.name} must be an integer, not {value!r}") from None
    if shape.type_name == "boolean":
        return value.lower() == "true"
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def serialize_output(operation: str, result: Mapping[str, Any] | None) -> bytes:
    return CONNECT.serialize_output(operation, result)


def error_status(code: str) -> int:
    return CONNECT.error_status(code)


def error_body(error: ConnectError) -> tuple[int, dict[str, str], bytes]:
    return CONNECT.error_body(error)
