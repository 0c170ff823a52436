"""Offline checks of rendered flows: what otherwise fails only on a live instance or mid-call.

Each finding names the flow and the action. Errors block a run; warnings (unreachable actions) do
not. Rules come from the Flow Language reference (shared/reference/connect-flow-language.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aicc.domain.dialog import EXPECTED_INTENT, MENU_KEYS, TALK_TO_AGENT, menu_keys
from aicc.domain.hangul import HANGUL
from aicc.domain.sentiment import TREND, VERDICT_ATTRIBUTES

from . import graph, resource_map, routing_criteria, ssml
from . import lint_paths as paths
from . import references as refs
from .actions import (
    AGENT_METRICS,
    EVENT_HOOKS,
    LANGUAGE_CODE,
    OPERATORS,
    PROMPT_KEYS,
    QUEUE_METRICS,
    SINGLE_PATH_PARAMS,
    SPECS,
    STATIC_PARAMS,
)
from .flows import Flow, Resources
from .lex import FALLBACK
from .resource_map import FOUND, MALFORMED, MISSING, ResourceMap, kind_name, local_map, with_flows

MAX_ACTIONS = 250
MAX_CONTENT = 256_000
# Korean callers' keys at a menu that listens (a Lex block with menu_keys): 0 a person, * again.
_LEX_MENU_KEYS = frozenset({("0", TALK_TO_AGENT), ("*", "RepeatMenu")})
_BAD_ID_CHARS = set("%:()\\/=$,;[]{}")
_RESERVED_IDS = {
    "__proto__",
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "toString",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "valueOf",
}
_ATTR_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# The kind of resource a parameter names, by parameter name (anywhere in Parameters) or by its
# path in Parameters; the resource map resolves a static value to it (connect-flow-language.md
# §2.3 LexV2Bot, §2.4 LambdaFunctionARN, §2.6 HoursOfOperationId, §2.9 QueueId/AgentId, §2.14
# EventHooks, §2.15 ContactFlowId and InvokeFlowModule's FlowModuleId, §2.1 PromptId; ShowView's
# ViewResource.Id: https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-showview.html).
PARAM_KINDS = {
    "QueueId": "queue",
    "AgentId": "agent",
    "ContactFlowId": "flow",
    "FlowModuleId": "module",
    "HoursOfOperationId": "hours",
    "LambdaFunctionARN": "lambda",
    "AliasArn": "lex",
    "PromptId": "prompt",
    "CustomerQueue": "flow",
    "CustomerHold": "flow",
    "CustomerWhisper": "flow",
    "AgentWhisper": "flow",
    "AgentHold": "flow",
    "CustomerRemaining": "flow",
}
PATH_KINDS = {
    "ViewResource.Id": "view",
    "LexBot.Name": "lex_v1",
}
ENUMS = {
    "FlowLoggingBehavior": ("Enabled", "Disabled"),
    "StoreInput": ("True", "False"),
    "InvocationType": ("SYNCHRONOUS", "ASYNCHRONOUS"),
    "DisableCancelKey": ("True", "False"),
    "NumberFormat": ("Local", "E164"),
}
_ARN = re.compile(r"^arn:aws:")
# Parameters whose value is an object with fields of its own (the action pages' parameter objects:
# reference §2.2 InputValidation, §2.3 LexV2Bot and LexSessionAttributes, §2.4 ResponseValidation and
# LambdaInvocationAttributes, §2.11 RecordingBehavior and AnalyticsBehavior, §2.14 EventHooks).
OBJECT_PARAMS = frozenset(
    {
        "InputValidation",
        "LexV2Bot",
        "LexBot",
        "LexSessionAttributes",
        "ResponseValidation",
        "LambdaInvocationAttributes",
        "RecordingBehavior",
        "AnalyticsBehavior",
        "EventHooks",
    }
)


@dataclass(frozen=True)
class Finding:
    flow: str
    action: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.flow} / {self.action}" if self.action else self.flow
        return f"{self.severity}: {where}: {self.message}"


def _truthy(value: Any) -> bool:
    return str(value).lower() == "true"


def _known(value: Any) -> bool:
    """Whether a value check (an enum, a range, a language code, SSML...) can judge this value: not
    when it holds a deploy-time placeholder `${...}` (resource_map.has_placeholder), which becomes
    its value only when the template is deployed. Like a dynamic `$.` value where one is allowed,
    such a value is never an error by itself (docs/flows.md). A JSONPath is no placeholder: a
    parameter that must be static still refuses it."""
    return not (isinstance(value, str) and resource_map.has_placeholder(value))


def _obj(value: Any) -> Mapping[str, Any]:
    """An object parameter as the rules read it: {} when the file holds something else there (the
    linter reports that shape once, in `_FlowLinter.action`)."""
    return value if isinstance(value, dict) else {}


def _targets(t: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(branch label, target identifier) for every transition of well-formed Transitions
    (graph.transitions)."""
    if t.get("NextAction"):
        yield "NextAction", t["NextAction"]
    for c in t.get("Conditions", []):
        yield f"condition {c['Condition']['Operands']}", c["NextAction"]
    for e in t.get("Errors", []):
        yield f"error {e['ErrorType']}", e["NextAction"]


@dataclass(frozen=True)
class _FlowFacts:
    queue: Mapping[str, frozenset[str]]
    language: Mapping[str, frozenset[str]]
    voice: Mapping[str, frozenset[str]]
    external: Mapping[str, frozenset[paths.Source]]
    engine: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class _PathFacts:
    queue: Mapping[str, Mapping[str, frozenset[str]]]
    language: Mapping[str, Mapping[str, frozenset[str]]]
    voice: Mapping[str, Mapping[str, frozenset[str]]]
    external: Mapping[str, Mapping[str, frozenset[paths.Source]]]
    engine: Mapping[str, Mapping[str, frozenset[str]]]

    def of(self, key: str) -> _FlowFacts:
        return _FlowFacts(
            self.queue[key], self.language[key], self.voice[key], self.external[key], self.engine[key]
        )


class _FlowLinter:
    def __init__(
        self,
        flow: Flow,
        resources: Resources,
        flows_by_key: Mapping[str, Flow],
        facts: _FlowFacts,
        refs: ResourceMap,
        ours: ResourceMap,
        caller_speaks: bool = False,
    ) -> None:
        self.flow, self.resources, self.flows = flow, resources, flows_by_key
        self.caller_speaks = caller_speaks  # a module: a flow given alongside that invokes it speaks
        self.refs = refs  # where references resolve (this instance, a file, a live one...)
        self.ours = ours  # this repository's instance: rules that know our bot and functions
        self.facts = facts  # what the path analyses found before each action of this flow
        self.intents = frozenset(resources.config.intents.get("intents") or {}) | {FALLBACK}
        self.own = paths.own(flow)
        # House rules (Korean callers' habits, our bot's intents, functions.yaml) are errors on this
        # repository's flows and advice on a file someone gives `flows lint`: Connect accepts both.
        self.house = "error" if self.own else "warning"
        self.findings: list[Finding] = []

    def add(self, action: str, message: str, severity: str = "error") -> None:
        self.findings.append(Finding(self.flow.name, action, message, severity))

    def run(self) -> list[Finding]:
        c = self.flow.content
        if c.get("Version") != "2019-10-30":
            self.add("", f'Version must be "2019-10-30", got {c.get("Version")!r}')
        actions = c.get("Actions")
        if not isinstance(actions, list) or not actions:
            self.add("", "Actions must be a non-empty list")
            return self.findings
        if len(actions) > MAX_ACTIONS:
            self.add("", f"{len(actions)} actions; Connect allows at most {MAX_ACTIONS} per flow")
        if len(self.flow.text) > MAX_CONTENT:
            self.add("", f"content is {len(self.flow.text)} characters; the limit is {MAX_CONTENT}")
        seen: set[str] = set()
        for a in actions:
            ident = a.get("Identifier") if isinstance(a, dict) else None
            if not isinstance(ident, str) or not ident:
                self.add("", "an action has no Identifier")
                continue
            if ident in seen:
                self.add(ident, "Identifier is used twice")
            seen.add(ident)
            self.identifier(ident)
            self.action(a)
        if self.flow.start not in self.flow.actions:
            self.add("", f"StartAction {self.flow.start!r} is not an action of this flow")
        else:
            self.reachability()
            self.path_rules()
            if self.flow.type == "CONTACT_FLOW" and self.flow.audience == "callers":
                self.korean_menus()
        return self.findings

    def path_rules(self) -> None:
        f, facts = self.flow, self.facts
        hangups = paths.silent_hangups(f, caller_speaks=self.caller_speaks)
        for ident, message in [*paths.traps(f), *hangups]:
            self.add(ident, message)  # a caller trapped, or dropped without a word
        for ident, message, severity in paths.working_queue(f, facts.queue):
            self.add(ident, message, severity)
        house = [
            *paths.language_before_lex(f, facts.language),
            *paths.korean_voice(f, facts.voice),
            *paths.external_reads(f, facts.external, self.resources, self.ours),
        ]
        for ident, message in house:
            self.add(ident, message, self.house)

    def identifier(self, ident: str) -> None:
        if len(ident) > 50:
            self.add(ident, "Identifier is longer than 50 characters")
        bad = sorted(set(ident) & _BAD_ID_CHARS)
        if bad:
            self.add(ident, f"Identifier contains characters Connect rejects: {' '.join(bad)}")
        if ident in _RESERVED_IDS:
            self.add(ident, "Identifier is a reserved word")

    def action(self, a: Mapping[str, Any]) -> None:
        ident, kind = a["Identifier"], a.get("Type")
        spec = SPECS.get(str(kind))
        if spec is None:
            self.add(ident, f"unknown action type {kind!r}")
            return
        if self.flow.type not in spec.flow_types:
            self.add(ident, f"{kind} is not allowed in a {self.flow.type} flow")
        # Older exports leave out an empty Parameters (the SCV samples' and terraform-aws-amazonconnect's
        # TransferContactToQueue, "No parameters are expected", published through the API): absent is
        # {}. A Parameters that is there but is not an object is no Flow Language (reference §1.3).
        params = a.get("Parameters", {})
        if not isinstance(params, dict):
            self.add(ident, "Parameters must be an object ({} when empty)")
            params = {}
        for p in params:
            if p not in spec.required | spec.optional:
                self.add(ident, f"unknown parameter {p!r} for {kind}")
        for p in spec.required - params.keys():
            self.add(ident, f"missing required parameter {p!r}")
        for p in sorted(OBJECT_PARAMS & params.keys()):
            if not isinstance(params[p], dict):
                self.add(ident, f"{p} must be an object, got {params[p]!r}")
        for group in spec.exclusive:
            given = [k for k in group if k in params]
            if len(given) > 1:
                self.add(ident, f"set only one of {', '.join(group)}: Connect refuses {' with '.join(given)}")
        self.references(ident, params)
        t = graph.transitions(a)  # its well-formed part: what Connect would follow
        self.transitions(ident, str(kind), spec, a.get("Transitions"), t, params)
        check = getattr(self, f"check_{kind}", None)
        if check:
            check(ident, params, t)

    def references(self, ident: str, params: Mapping[str, Any], path: str = "") -> None:
        for key, value in params.items():
            where = f"{path}{key}"
            if isinstance(value, dict):
                self.references(ident, value, f"{where}.")
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    if isinstance(v, dict):
                        self.references(ident, v, f"{where}[{i}].")
            elif isinstance(value, str):
                if key in ENUMS and _known(value) and value not in ENUMS[key]:
                    self.add(ident, f"{where} must be one of {', '.join(ENUMS[key])}, got {value!r}")
                for r in refs.references_in(value):
                    try:
                        refs.parse(r)
                    except refs.InvalidReferenceError as exc:
                        self.add(ident, f"{where}: {exc}")
                if key in STATIC_PARAMS and "$." in value:
                    self.add(ident, f"{where} must be static, got {value!r}")
                if key in SINGLE_PATH_PARAMS and "$." in value and not refs.is_single_reference(value):
                    self.add(ident, f"{where} must be static or a single JSONPath, got {value!r}")
                kind = PATH_KINDS.get(f"{path}{key}") or PARAM_KINDS.get(key)
                if kind:
                    self.resource(ident, where, value, kind)
                elif _ARN.match(value) and key != "Uri":
                    self.resource(ident, where, value, None)

    def resource(self, ident: str, where: str, ref: str, kind: str | None) -> None:
        """A reference as the resource map resolves it. An error: a static value of the wrong kind
        or shape, or a resource the map's own instance lacks (Connect refuses the flow: see
        resource_map). Another instance's or account's resource, or a dynamic part, is not one.
        An ARN in free text (an attribute's value) is data Connect does not check: a warning."""
        found = self.refs.resolve(ref, kind)
        if kind and found.kind and found.kind != kind:
            self.add(ident, f"{where} must name a {kind_name(kind)}, but {ref} is a {kind_name(found.kind)}")
        elif found.status == MALFORMED and kind:
            if not ref.strip():
                # Connect imports a flow whose block names nothing yet (SBS_Lex_Integration_Handler,
                # a public sample, leaves its bot to be chosen after import); the docs do not say
                # what the block does then, so a warning.
                self.add(ident, f"{where} is empty: name a {kind_name(kind)}", "warning")
            else:
                what = "ARN" if kind in resource_map.ARN_ONLY else "ID or ARN"
                self.add(
                    ident, f"{where} refers to {ref}, which is no {kind_name(kind)} {what} ({found.message})"
                )
        elif found.status == MALFORMED:
            self.add(ident, f"{where}: {ref} is not an ARN ({found.message})", "warning")
        elif found.status == MISSING and kind:
            self.add(ident, f"{where} refers to {ref}, which is {found.message}")
        elif found.status == MISSING:
            self.add(
                ident,
                f"{where} names {ref}, which is {found.message} (a block given this value would not find it)",
                "warning",
            )

    def target_flow(self, ref: Any) -> Flow | None:
        """The flow (or module) given alongside that `ref` names, if any."""
        if not isinstance(ref, str):
            return None
        found = self.refs.resolve(ref)
        return self.flows.get(found.key) if found.status == FOUND and found.key else None

    def our(self, ref: Any, kind: str) -> str | None:
        """The key of this repository's own `kind` resource that `ref` names (our Lex bot, our
        handlers), else None: rules that know our bot's intents apply to it alone."""
        if not isinstance(ref, str):
            return None
        found = self.ours.resolve(ref, kind)
        return found.key if found.status == FOUND and found.kind == kind else None

    def transitions(
        self, ident: str, kind: str, spec: Any, raw: Any, t: Mapping[str, Any], params: Mapping[str, Any]
    ) -> None:
        """`raw` as the file has it, `t` its well-formed part (graph.transitions)."""
        if not isinstance(raw, dict):
            self.add(ident, "Transitions must be an object")
            return
        if spec.terminal:
            if raw:
                self.add(ident, f"{kind} ends the flow: its Transitions must be {{}}")
            return
        for problem in graph.shape_problems(raw):
            self.add(ident, problem)
        for label, target in _targets(t):
            if target not in self.flow.actions:
                self.add(ident, f"{label} goes to {target!r}, which does not exist (dangling transition)")
        if not t.get("NextAction") and not spec.leaves_flow and kind != "MessageParticipantIteratively":
            self.add(ident, "no NextAction: the contact would stop here")
        errors = [e["ErrorType"] for e in t.get("Errors", [])]
        for e in errors:
            if e not in spec.errors:
                self.add(ident, f"{kind} never raises {e!r}")
        required = set(spec.required_errors)
        never: set[str] = set()
        store = params.get("StoreInput", "False")
        if kind == "GetParticipantInput" and not _known(store):
            pass  # which errors it raises depends on the mode, known only at deploy time
        elif kind == "GetParticipantInput" and not _truthy(store):
            required |= {"InputTimeLimitExceeded", "NoMatchingCondition"}
            never = {"InvalidPhoneNumber"}
        elif kind == "GetParticipantInput":
            never = {"InputTimeLimitExceeded", "NoMatchingCondition"}  # store mode: timeout is "Timeout"
        for e in sorted(never & set(errors)):
            self.add(ident, f"{e} never happens here (remove the branch)")
        if (
            kind == "CheckMetricData"
            and str(params.get("MetricType")) in AGENT_METRICS
            and "NoMatchingCondition" in errors
        ):
            # NoMatchingCondition is "only supported if the MetricType is OldestContactInQueueAgeSeconds
            # or NumberOfContactsInQueue" (APIReference/flow-control-actions-checkmetricdata.html): for an
            # agent count the false case goes to NextAction (reference §2.7). Connect publishes the branch
            # all the same (SCV's AWS_Sample_SCV_Queue_Transfer, created through the API), so it is a
            # warning: a branch the flow counts on that may never be taken.
            self.add(
                ident,
                f"NoMatchingCondition is documented only for queue metrics, not {params['MetricType']}: "
                "no agents goes to NextAction, so this branch may never be taken",
                "warning",
            )
        if kind == "GetParticipantInput" and "PhoneNumberValidation" in _obj(params.get("InputValidation")):
            required.add("InvalidPhoneNumber")
        for e in sorted(required - set(errors)):
            self.add(ident, f"missing error branch {e} (the caller would be dropped on that error)")
        conditions = t.get("Conditions", [])
        if conditions and not spec.conditions:
            self.add(ident, f"{kind} has no result to branch on; remove its Conditions")
        listed = raw.get("Conditions")
        for c in listed if isinstance(listed, list) else []:
            cond = c.get("Condition") if isinstance(c, dict) else None
            if not isinstance(cond, dict):
                continue  # reported with the shape
            if cond.get("Operator") not in OPERATORS:
                self.add(ident, f"unknown condition operator {cond.get('Operator')!r}")
            ops = cond.get("Operands")
            if not isinstance(ops, list) or len(ops) != 1 or not isinstance(ops[0], str):
                self.add(ident, f"a condition takes exactly one string operand, got {ops!r}")

    def _operands(self, t: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(operator, first operand) of each condition of well-formed Transitions."""
        return [
            (c["Condition"]["Operator"], (c["Condition"]["Operands"] or [""])[0])
            for c in t.get("Conditions", [])
        ]

    def _one_prompt(self, ident: str, params: Mapping[str, Any], required: bool, where: str = "") -> None:
        if required and not any(k in params for k in PROMPT_KEYS):
            self.add(
                ident, f"{where}no prompt: the caller would hear silence (set Text, SSML, PromptId or Media)"
            )
        text, markup = params.get("Text"), params.get("SSML")
        text, markup = (v if _known(v) else None for v in (text, markup))
        for key in ("Text", "SSML", "PromptId"):
            if key in params and not str(params[key]).strip():
                self.add(ident, f"{where}{key} is empty: the caller would hear silence")
        if isinstance(text, str) and (tag := ssml.markup_in_text(text)):
            self.add(
                ident, f"{where}Text holds SSML ({tag}), which Connect would read out as written: use SSML"
            )
        if isinstance(markup, str) and markup.strip():
            problems = ssml.problems(markup, self.facts.engine.get(ident, frozenset()))
            for problem in problems:
                severity = self.house if problem.engine and problem.severity == "error" else problem.severity
                self.add(ident, f"{where}{problem.message}", severity)
            if not any(p.severity == "error" for p in problems) and ssml.is_silent(markup):
                self.add(ident, f"{where}SSML says nothing: the caller would hear silence")

    def check_MessageParticipant(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        self._one_prompt(ident, params, required=True)

    def check_GetParticipantInput(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        self._one_prompt(ident, params, required=True)
        store = _truthy(params.get("StoreInput", "False"))
        validation = params.get("InputValidation")
        if store != bool(validation) and _known(params.get("StoreInput")):
            self.add(ident, "InputValidation is required exactly when StoreInput is True")
        limit = params.get("InputTimeLimitSeconds")
        if limit is not None and _known(limit) and not (str(limit).isdigit() and 1 <= int(limit) <= 179):
            self.add(ident, f"InputTimeLimitSeconds must be 1-179, got {limit!r}")
        if store and t.get("Conditions"):
            self.add(ident, "store mode has no result: remove the Conditions")
        if store and isinstance(validation, dict):
            custom = _obj(validation.get("CustomValidation"))
            maximum = custom.get("MaximumLength")
            if "MaximumLength" in custom and _known(maximum) and not str(maximum).isdigit():
                self.add(ident, "CustomValidation.MaximumLength must be a number")
        for op, operand in self._operands(t):
            if op != "Equals" or not (re.fullmatch(r"[0-9#*]", operand) or not _known(operand)):
                self.add(ident, f"menu conditions must be Equals one key 0-9, # or *, got {op} {operand!r}")

    def check_ConnectParticipantWithLexBot(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        self._one_prompt(ident, params, required=True)
        if "LexV2Bot" not in params and "LexBot" not in params:
            self.add(ident, "set LexV2Bot (or LexBot)")
        for k, v in _obj(params.get("LexSessionAttributes")).items():
            if k.startswith("x-amz-lex:audio:max-length-ms") and str(v).isdigit() and int(v) > 15000:
                self.add(ident, f"{k} above 15000 ms sends every call down the error branch")
        ours = self.our(_obj(params.get("LexV2Bot")).get("AliasArn"), "lex") == "bot"
        for op, operand in self._operands(t):
            if op != "Equals":
                self.add(ident, f"Lex conditions allow only Equals (intent names), got {op}")
            elif ours:  # another bot's intents are not ours to know
                self._intent(ident, operand)
        if ours:  # the intents the block's session names: the one it expects, its menu keys'
            session = _obj(params.get("LexSessionAttributes"))
            expected = session.get(EXPECTED_INTENT)
            if expected is not None and _known(expected) and "$." not in str(expected):
                self._intent(ident, str(expected))
            for intent in menu_keys(str(session.get(MENU_KEYS) or "")).values():
                self._intent(ident, intent)
            if TREND in session:
                self._verdict_kept(ident, t)

    def _verdict_kept(self, ident: str, t: Mapping[str, Any]) -> None:
        """Where the caller was heard (an intent's branch, or words no branch takes), the code hook
        scored the turn: the next block copies its verdict back into the contact attributes, or what
        the flow does next never sees it (an inbound flow's queue priority and routing criteria, the
        next Lex block's trend, the call log's summary)."""
        for label, target in _targets(t):
            if not (label.startswith("condition") or label == "error NoMatchingCondition"):
                continue
            a = self.flow.actions.get(target) or {}
            attrs = (
                _obj(_obj(a.get("Parameters")).get("Attributes"))
                if a.get("Type") == "UpdateContactAttributes"
                else {}
            )
            missing = [k for k in VERDICT_ATTRIBUTES if attrs.get(k) != f"$.Lex.SessionAttributes.{k}"]
            if missing:
                self.add(
                    ident,
                    f"{label} goes to {target}, which does not copy {', '.join(missing)} from "
                    "$.Lex.SessionAttributes: the sentiment verdict of the caller's turn is lost",
                    self.house,
                )

    def _intent(self, ident: str, name: str) -> None:
        if name not in self.intents:
            self.add(
                ident,
                f"intent {name!r} is not in lambdas/aicc/config/intents.yaml: the bot never returns it "
                "(add the intent there or fix the condition)",
            )

    def check_InvokeLambdaFunction(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        limit = params.get("InvocationTimeLimitSeconds", "8")
        sync = params.get("InvocationType", "SYNCHRONOUS") == "SYNCHRONOUS"
        top = 8 if sync else 60
        if _known(limit) and not (str(limit).isdigit() and 1 <= int(limit) <= top):
            self.add(ident, f"InvocationTimeLimitSeconds must be 1-{top}, got {limit!r}")
        rtype = _obj(params.get("ResponseValidation")).get("ResponseType", "STRING_MAP")
        if _known(rtype) and rtype not in ("STRING_MAP", "JSON"):
            self.add(ident, f"ResponseValidation.ResponseType must be STRING_MAP or JSON, got {rtype!r}")
        for k, v in _obj(params.get("LambdaInvocationAttributes")).items():
            if not isinstance(v, str):
                self.add(ident, f"LambdaInvocationAttributes.{k} must be a string")

    def check_Compare(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        value = params.get("ComparisonValue", "")
        if not _known(value):
            pass
        elif not (isinstance(value, str) and refs.is_single_reference(value)):
            self.add(ident, f"ComparisonValue must be one JSONPath reference, got {value!r}")
        elif refs.parse(value) == ["Lex", "IntentName"] and self.own:  # another flow's bot is not ours
            for op, operand in self._operands(t):
                if op == "Equals":
                    self._intent(ident, operand)
        if not t.get("Conditions"):
            self.add(ident, "Compare without Conditions")

    def check_CheckHoursOfOperation(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        if sorted(self._operands(t)) != [("Equals", "False"), ("Equals", "True")]:
            self.add(ident, 'needs exactly two conditions: Equals "True" and Equals "False"')

    def check_CheckMetricData(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        metric = params.get("MetricType")
        if not _known(metric):
            return
        if str(metric) in AGENT_METRICS:
            if self._operands(t) != [("NumberGreaterThan", "0")]:
                self.add(ident, f'{metric} allows only one condition: NumberGreaterThan "0"')
        elif str(metric) not in QUEUE_METRICS:
            self.add(ident, f"unknown MetricType {metric!r}")

    def check_Loop(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        if sorted(self._operands(t)) != [("Equals", "ContinueLooping"), ("Equals", "DoneLooping")]:
            self.add(ident, "needs exactly the conditions ContinueLooping and DoneLooping")
        count = params.get("LoopCount")
        if (
            isinstance(count, str)
            and not count.startswith("$")
            and _known(count)
            and not (count.isdigit() and int(count) <= 100)
        ):
            self.add(ident, f"LoopCount must be 0-100, got {count!r}")

    def _queue_or_agent(self, ident: str, params: Mapping[str, Any], required: bool) -> None:
        if required and not any(k in params for k in ("QueueId", "AgentId")):
            self.add(ident, "set QueueId or AgentId")

    def check_UpdateContactTargetQueue(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        self._queue_or_agent(ident, params, required=True)

    def check_DequeueContactAndTransferToQueue(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        self._queue_or_agent(ident, params, required=True)

    def check_CreateCallbackContact(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        self._queue_or_agent(ident, params, required=False)
        for key in ("InitialCallDelaySeconds", "RetryDelaySeconds"):
            v = params.get(key)
            if v is not None and _known(v) and not (str(v).isdigit() and 1 <= int(v) <= 259200):
                self.add(ident, f"{key} must be 1-259200, got {v!r}")

    def _target_contact(self, ident: str, params: Mapping[str, Any]) -> None:
        target = params.get("TargetContact", "Current")
        if _known(target) and target not in ("Current", "Related"):
            self.add(ident, "TargetContact must be Current or Related")

    def check_UpdateContactAttributes(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        attrs = params.get("Attributes")
        if not isinstance(attrs, dict) or not attrs:
            self.add(ident, "Attributes must be a non-empty object")
            return
        for k in attrs:
            if _known(k) and not _ATTR_KEY.match(k):
                self.add(ident, f"attribute key {k!r}: only letters, digits, - and _ are allowed")
        self._target_contact(ident, params)

    def check_UpdateContactData(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        if not params:
            self.add(ident, "sets nothing: give at least one field (LanguageCode, Name...)")
        code = params.get("LanguageCode")
        if (
            isinstance(code, str)
            and not code.startswith("$.")
            and _known(code)
            and not LANGUAGE_CODE.match(code)
        ):
            self.add(ident, f"LanguageCode must be a language code such as ko-KR, got {code!r}")
        self._target_contact(ident, params)

    def check_UpdateContactRecordingBehavior(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        listed = _obj(params.get("RecordingBehavior")).get("RecordedParticipants") or []
        if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
            self.add(ident, f"RecordedParticipants must be a list of Agent and Customer, got {listed!r}")
            listed = []
        recorded = set(listed)
        if not all(_known(p) for p in listed):
            return  # the participants are known only at deploy time
        if not recorded <= {"Agent", "Customer"}:
            self.add(ident, f"RecordedParticipants may hold only Agent and Customer, got {sorted(recorded)}")
        analytics = params.get("AnalyticsBehavior")
        if not isinstance(analytics, dict) or analytics.get("Enabled") != "True":
            return
        if recorded != {"Agent", "Customer"}:
            self.add(ident, "Contact Lens analytics needs both Agent and Customer recorded")
        language = analytics.get("AnalyticsLanguage")
        if _known(language) and not (isinstance(language, str) and LANGUAGE_CODE.match(language)):
            self.add(ident, f"AnalyticsLanguage must be a static language code (ko-KR), got {language!r}")
        modes = _obj(_obj(analytics.get("ChannelConfiguration")).get("Voice")).get("AnalyticsModes")
        if modes not in (["RealTime"], ["PostContact"]) and not (
            isinstance(modes, list) and not all(_known(m) for m in modes)
        ):
            self.add(
                ident,
                'Voice AnalyticsModes must be ["RealTime"] (real-time and post-call) or ["PostContact"], '
                f"got {modes!r}",
            )

    def check_UpdateContactRoutingBehavior(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        if not params:
            self.add(ident, "sets nothing: give QueuePriority or QueueTimeAdjustmentSeconds")
        priority, adjust = params.get("QueuePriority"), params.get("QueueTimeAdjustmentSeconds")
        if priority is not None and _known(priority) and not (str(priority).isdigit() and int(priority) > 0):
            self.add(ident, f"QueuePriority must be a whole number above 0, got {priority!r}")
        if adjust is not None and _known(adjust) and not re.fullmatch(r"-?\d+", str(adjust)):
            self.add(ident, f"QueueTimeAdjustmentSeconds must be a whole number of seconds, got {adjust!r}")

    def check_UpdateRoutingCriteria(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        criteria = params.get("RoutingCriteria")
        if (
            criteria is None
            or isinstance(criteria, str)
            or (isinstance(criteria, Mapping) and isinstance(criteria.get("Steps"), str))
        ):
            return  # set dynamically ("Steps ... May be set statically or dynamically"): checked at run time
        found = routing_criteria.problems(criteria, _known)
        for problem in found:
            self.add(ident, f"routing criteria: {problem}")
        if found or routing_criteria.problems(criteria):
            return  # wrong, or holds placeholders: nothing more to judge
        parsed = routing_criteria.RoutingCriteria.parse(criteria)
        for i in routing_criteria.unreachable_steps(parsed):
            self.add(
                ident,
                f"routing criteria: Steps[{i}] never applies (an earlier step never expires)",
                "warning",
            )

    def check_UpdateContactRoutingCriteria(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        self.check_UpdateRoutingCriteria(ident, params, t)

    def check_UpdateContactEventHooks(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        hooks = params.get("EventHooks")
        if not isinstance(hooks, dict):
            return  # not an object: reported with the parameters
        if len(hooks) != 1:
            self.add(ident, "EventHooks takes exactly one hook per action")
        for k, v in hooks.items():
            if k not in EVENT_HOOKS:
                self.add(ident, f"unknown event hook {k!r}")
            target = self.target_flow(v) if k == "CustomerQueue" else None
            if target and target.type != "CUSTOMER_QUEUE":
                self.add(ident, f"CustomerQueue hook points at {target.name!r}, a {target.type} flow")

    def check_EndFlowExecution(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        # "If you place the End flow / Resume block in an inbound flow ..., it functions identically to
        # the Disconnect block" (adminguide/end-flow-resume.html; actions.py EndFlowExecution), and a
        # module runs inside an inbound flow (lint_paths.ends_inbound_flow): allowed, but it hangs up
        # where its name says it only ends the flow. Where the page says it is "often used", after
        # Transfer to queue's success, it is unreachable (a transfer's success leaves the flow) and
        # never runs: the unreachable warning says all there is to say.
        live = graph.reachable(self.flow.actions, self.flow.start)
        if not paths.ends_inbound_flow(self.flow) or ident not in live:
            return
        if self.flow.type == "CONTACT_FLOW":
            where, instead = "an inbound flow", "or use TransferToFlow to go on in another flow"
        else:
            where, instead = (
                "a flow module (it runs inside an inbound flow)",
                "or EndFlowModuleExecution to return",
            )
        self.add(
            ident,
            f"EndFlowExecution in {where} hangs up, as DisconnectParticipant does (say so with "
            f"DisconnectParticipant, {instead})",
            "warning",
        )

    def check_TransferToFlow(self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]) -> None:
        target = self.target_flow(params.get("ContactFlowId"))
        if target and target.type != "CONTACT_FLOW":
            self.add(ident, f"transfers to {target.name!r}, a {target.type} flow")

    def check_UpdateContactCallbackNumber(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        value = params.get("CallbackNumber", "")
        if _known(value) and not (isinstance(value, str) and refs.is_single_reference(value)):
            self.add(ident, "CallbackNumber must be a single JSONPath (it cannot be static)")

    def check_MessageParticipantIteratively(
        self, ident: str, params: Mapping[str, Any], t: Mapping[str, Any]
    ) -> None:
        messages = params.get("Messages")
        if not isinstance(messages, list) or not messages:
            self.add(ident, "Messages must be a non-empty list")
        else:
            for i, m in enumerate(messages):
                if not isinstance(m, dict) or len([k for k in PROMPT_KEYS if k in m]) != 1:
                    self.add(ident, f"Messages[{i}] must set exactly one of {', '.join(PROMPT_KEYS)}")
                else:
                    self._one_prompt(ident, m, required=True, where=f"Messages[{i}]: ")
        freq = params.get("InterruptFrequencySeconds")
        if freq is not None and _known(freq) and not (str(freq).isdigit() and int(freq) >= 20):
            self.add(ident, "InterruptFrequencySeconds must be at least 20 (the agent-accept window)")
        for op, operand in self._operands(t):
            if (op, operand) != ("Equals", "MessagesInterrupted"):
                self.add(ident, 'the only condition allowed is Equals "MessagesInterrupted"')

    def reachability(self) -> None:
        live = graph.reachable(self.flow.actions, self.flow.start)
        for ident in self.flow.actions:
            if ident not in live:
                self.add(
                    ident, "unreachable from StartAction (a transfer's success leaves the flow)", "warning"
                )

    def korean_menus(self) -> None:
        """A keypad menu spoken in Korean follows the habits Korean callers have: 0 reaches a person, *
        repeats the menu (and the prompt says so); a caller who pressed nothing is told that, not that a
        wrong key was pressed. (Queue flows are exempt: there silence means "keep waiting".) A house
        rule: an error on our flows, advice on a Korean flow someone else wrote."""
        for ident, a in self.flow.actions.items():
            params = _obj(a.get("Parameters"))
            lex_keys = menu_keys(str(_obj(params.get("LexSessionAttributes")).get(MENU_KEYS) or ""))
            keypad = a.get("Type") == "GetParticipantInput" and not _truthy(params.get("StoreInput"))
            lex_menu = a.get("Type") == "ConnectParticipantWithLexBot" and bool(lex_keys)
            if not (keypad or lex_menu):
                continue
            prompt = " ".join(str(params.get(k, "")) for k in ("Text", "SSML"))
            if not HANGUL.search(prompt):
                continue
            t = graph.transitions(a)
            keys = {op: c["NextAction"] for c in t.get("Conditions", []) for op in c["Condition"]["Operands"]}
            if lex_menu:
                # A Lex menu takes keys through the code hook (menu_keys): 0 must close TalkToAgent and *
                # RepeatMenu, and the block must branch on both, as a keypad menu branches on the keys.
                keys = {k: keys[i] for k, i in lex_keys.items() if i in keys and (k, i) in _LEX_MENU_KEYS}
            errors = {e["ErrorType"]: e["NextAction"] for e in t.get("Errors", [])}
            if "0" not in keys:
                self.add(
                    ident,
                    "a Korean menu without 0: callers press 0 for a person (add a 0 branch)",
                    self.house,
                )
            if "*" not in keys:
                self.add(
                    ident,
                    "a Korean menu without *: callers press * to hear it again (add a * branch)",
                    self.house,
                )
            # 0 is a habit callers try unprompted (and after hours it can only explain that no one is
            # there); * must be announced, or callers who missed an option hang up instead.
            if "*" in keys and "별표" not in prompt:
                self.add(ident, "the prompt never tells the caller that * repeats it (say 별표)", self.house)
            silent = errors.get("InputTimeLimitExceeded")
            if silent is None or silent == errors.get("NoMatchingCondition"):
                self.add(
                    ident,
                    "no input and a wrong key take the same branch: a caller who pressed nothing would "
                    "hear the wrong-key message (give InputTimeLimitExceeded its own no-input prompt)",
                    self.house,
                )


def entry_flows(
    flows: Mapping[str, Flow], resources: Resources, *, refs: ResourceMap | None = None
) -> set[str]:
    """Inbound flows no other flow transfers to: where calls start (phone numbers, the API)."""
    targets = paths.transfers_to(flows, with_flows(refs or local_map(resources), flows))
    return {k for k, f in flows.items() if f.type == "CONTACT_FLOW" and k not in targets}


def lint(
    flows: Mapping[str, Flow], resources: Resources, *, refs: ResourceMap | None = None
) -> list[Finding]:
    """Findings of `flows`; references resolve against `refs` (default: this repository's
    instance), and the flows given are always found first (resource_map.flow_references).

    A bare ID names a resource of the flow's own instance. `refs` (a resources file, a live
    instance) is the instance of every flow given; the default map is this repository's instance,
    which is not the instance someone else's flow (Flow.foreign) was exported from, so that flow's
    bare IDs are not checked against it (resource_map.local_map, foreign)."""
    ours = local_map(resources)
    own_refs = with_flows(refs or ours, flows)
    foreign_refs = own_refs if refs is not None else with_flows(local_map(resources, foreign=True), flows)
    findings: list[Finding] = []
    # Transfers between the flows given resolve the same in both maps (the flows given come first).
    facts = _PathFacts(
        paths.solve(flows, own_refs, paths.WORKING_QUEUE),
        paths.solve(flows, own_refs, paths.LANGUAGE),
        paths.solve(flows, own_refs, paths.VOICE),
        paths.solve(flows, own_refs, paths.EXTERNAL),
        paths.solve(flows, own_refs, paths.ENGINE),
    )
    invoked = paths.modules_invoked(flows, own_refs)
    spoken_to = {module for (key, _), module in invoked.items() if module and paths.speaks(flows[key])}
    for key, flow in flows.items():
        flow_refs = foreign_refs if flow.foreign else own_refs
        linter = _FlowLinter(flow, resources, flows, facts.of(key), flow_refs, ours, key in spoken_to)
        findings.extend(linter.run())
    return findings


def flow_voices(flows: Mapping[str, Flow]) -> dict[str, frozenset[str]]:
    """voice -> engines (lower case) of the static Set voice blocks of these flows."""
    voices: dict[str, frozenset[str]] = {}
    for flow in flows.values():
        for a in flow.actions.values():
            p = _obj(a.get("Parameters"))
            voice, engine = p.get("TextToSpeechVoice"), p.get("TextToSpeechEngine", "Standard")
            if a.get("Type") == "UpdateContactTextToSpeechVoice" and _known(voice) and "$." not in str(voice):
                voices[str(voice)] = voices.get(str(voice), frozenset()) | {str(engine).lower()}
    return voices


def prompt_findings(flows: Mapping[str, Flow], resources: Resources) -> list[Finding]:
    """prompts.yaml, each text for the voices that speak it, given this repository's rendered flows:
    the ko-KR texts (what the flows render) by every voice the flows set; another locale's (the Lex
    bot's second locale) by that locale's voice, neural by default (terraform/modules/lex voices),
    which must not be handed Korean."""
    ours = flow_voices(flows)
    found: list[Finding] = []
    for key, prompt in resources.config.prompts.items():
        for locale, text in prompt.texts.items():
            voices = ours if locale == "ko-KR" else {f"the {locale} voice": frozenset({"neural"})}
            for problem in ssml.prompt_problems(text, voices):
                found.append(Finding("prompts.yaml", f"{key} ({locale})", problem.message, problem.severity))
    return found


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
