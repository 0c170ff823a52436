"""Run a contact through the flows as Amazon Connect would, offline.

Caller inputs are consumed, in order, by the blocks that wait for the caller (menu and digit
input, Lex speech). Time is simulated: it advances by input time limits and queue waits, so a call
at any instant (holidays, nights) runs in milliseconds. Every step and transition is recorded.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from aicc import clock
from aicc.domain import phones
from aicc.settings import DAYS, Config

from . import references as refs
from .actions import DEFAULT_VOICE, LANGUAGE_CODE, SINGLE_PATH_PARAMS, SPECS
from .flows import Flow, Resources
from .graph import branches
from .lambdas import LambdaInvokeError, LocalLambdas
from .lex import LocalLexBot, MissingLocaleError
from .presence import QueueModel
from .ssml import spoken_text

MAX_ATTRIBUTES_BYTES = 32 * 1024
MAX_STEPS = 1000  # actions in a row without the caller's time or input moving on: a flow loop
DEFAULT_INPUT_SECONDS = 5
DEFAULT_LANGUAGE = "en-US"
_DTMF = re.compile(r"^[0-9#*]+$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_ATTR_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class InputError(ValueError):
    """A caller input the simulator cannot understand."""


@dataclass(frozen=True)
class CallerInput:
    kind: str  # dtmf | speech | silence
    value: str = ""

    @classmethod
    def parse(cls, raw: str) -> CallerInput:
        text = raw.strip()
        if text.lower() == "silence":
            return cls("silence")
        if text.lower().startswith("say:"):
            spoken = text[4:].strip()
            if not spoken:
                raise InputError(f"{raw!r}: say: needs words after it, e.g. say:솔트웨어")
            return cls("speech", spoken)
        if _DTMF.match(text):
            return cls("dtmf", text)
        raise InputError(
            f"{raw!r} is not a caller input: use digits with optional # or * (1234#), "
            "say:TEXT for speech, or silence"
        )

    def __str__(self) -> str:
        return {"dtmf": self.value, "speech": f"say:{self.value}", "silence": "silence"}[self.kind]


@dataclass
class Step:
    flow: str
    identifier: str
    type: str
    outcome: str
    at: str
    detail: str = ""


@dataclass
class LambdaCall:
    flow: str
    identifier: str
    function: str
    parameters: dict[str, str]
    response: dict[str, Any] | None
    error: str | None
    duration_ms: float


@dataclass
class CallResult:
    contact_id: str
    started_at: str
    ended_at: str = ""
    flows: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    queue: str | None = None
    queue_transfers: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    disconnected: bool = False
    in_queue: bool = False
    end_reason: str = ""
    steps: list[Step] = field(default_factory=list)
    lambda_calls: list[LambdaCall] = field(default_factory=list)
    callbacks: list[dict[str, str]] = field(default_factory=list)
    inputs_used: list[str] = field(default_factory=list)
    transitions: list[tuple[str, str, str, str]] = field(default_factory=list)
    transcript: list[dict[str, str]] = field(default_factory=list)
    # What Connect would record and analyse once an agent answers: participants, and Contact
    # Lens's language and modes (empty until a flow sets them).
    recording: dict[str, Any] = field(default_factory=dict)

    @property
    def dropped_silently(self) -> bool:
        """Disconnected without a queue or callback, and nothing was said after the caller's last input."""
        if self.in_queue or self.callbacks or not self.disconnected:
            return False
        kinds = [e["kind"] for e in self.transcript if e["kind"] in ("prompt", "input")]
        return not kinds or kinds[-1] != "prompt"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["transitions"] = [
            {"flow": f, "from": a, "branch": b, "to": t} for f, a, b, t in self.transitions
        ]
        data["dropped_silently"] = self.dropped_silently
        return data


class _BadParameterError(ValueError):
    """A parameter resolved at run time to a value Connect would refuse (the action errors)."""


def _int_param(params: Mapping[str, Any], key: str, default: int) -> int:
    value = params.get(key, default)
    try:
        return int(str(value))
    except ValueError:
        raise _BadParameterError(f"{key} is {value!r}, not a number") from None


def _attributes_bytes(attributes: Mapping[str, str]) -> int:
    return sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in attributes.items())


class FlowRunError(RuntimeError):
    """A flow is broken at run time (unhandled error, step limit); the contact would be dropped."""


@dataclass
class _Outcome:
    kind: str  # next | result | error | terminal | leave (value "flow:<key>", "queue:<name>" or "resume:")
    value: str = ""
    detail: str = ""


@dataclass
class _Contact:
    contact_id: str
    caller: str
    dialed: str
    now: datetime
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, Any] = field(default_factory=dict)
    stored_input: str | None = None
    lex: dict[str, Any] = field(default_factory=dict)
    flow_attributes: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    target_queue: tuple[str, str] | None = None  # (kind, key): ("queue", "msp_general") or ("agent", login)
    hooks: dict[str, str] = field(default_factory=dict)
    loops: dict[tuple[str, str], int] = field(default_factory=dict)
    voice: str = DEFAULT_VOICE
    # Connect's default contact language; only UpdateContactData (the Set voice block's "Set
    # language attribute") changes it. Lex and Contact Lens follow it, not the voice.
    language: str = DEFAULT_LANGUAGE
    callback_number: str | None = None
    queued: bool = False
    hold_waits: int = 0  # Loop prompts (MessageParticipantIteratively) waits the caller sat through
    lambda_invocation: dict[str, str] = field(default_factory=dict)


def _brief(response: Mapping[str, Any]) -> str:
    keys = (
        "status",
        "open",
        "reason",
        "customer_class",
        "stage",
        "target_login",
        "agent_login",
        "due_spoken",
    )
    shown = [f"{k}={response[k]}" for k in keys if response.get(k)]
    return ", ".join(shown) or ", ".join(f"{k}={v}" for k, v in list(response.items())[:3])


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return None


def condition_true(operator: str, operand: str, value: str) -> bool:
    if operator == "Equals":
        return value == operand
    if operator == "TextStartsWith":
        return value.startswith(operand)
    if operator == "TextEndsWith":
        return value.endswith(operand)
    if operator == "TextContains":
        return operand in value
    left, right = _number(value), _number(operand)
    if left is None or right is None:
        return False
    return {
        "NumberGreaterThan": left > right,
        "NumberGreaterOrEqualTo": left >= right,
        "NumberLessThan": left < right,
        "NumberLessOrEqualTo": left <= right,
    }.get(operator, False)


def local_phone_to_e164(digits: str, country: str) -> str | None:
    """Store-mode phone validation ('Local' format): a Korean national number to E.164, else None."""
    if country != "KR" or not digits.startswith("0"):
        return None
    try:
        return phones.normalize(digits)
    except phones.PhoneNumberError:
        return None


class Engine:
    """Interprets rendered flows for one local instance. Create once, run many calls."""

    def __init__(
        self,
        config: Config,
        resources: Resources,
        flows: Mapping[str, Flow],
        lambdas: LocalLambdas,
        lex: LocalLexBot,
        queues: QueueModel,
        *,
        entry_flow: str = "customer_authentication",
        hold_seconds: int = 300,
    ) -> None:
        self.config, self.resources, self.flows = config, resources, flows
        self.lambdas, self.lex = lambdas, lex
        self.queues = queues  # agents online and callers waiting: simulated, or the live server's
        if entry_flow not in flows:
            raise ValueError(f"entry flow {entry_flow!r} is not in the catalog")
        self.entry_flow = entry_flow
        self.hold_seconds = hold_seconds
        # Fault injection for drills and tests: queue key -> capacity (overrides max_contacts), and
        # (flow key, action identifier) -> the ErrorType that action raises instead of running.
        self.queue_limits: dict[str, int] = {}
        self.action_faults: dict[tuple[str, str], str] = {}

    # ---- public -----------------------------------------------------------------------------
    def run(
        self,
        caller: str,
        at: datetime,
        inputs: Sequence[str | CallerInput] = (),
        dialed: str = "+8215880000",
        hold_seconds: int | None = None,
        input_source: Callable[[], CallerInput | None] | None = None,
        started: Callable[[CallResult], None] | None = None,
        contact_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> CallResult:
        """Run one call. With `input_source`, a block that waits for the caller and finds the script
        empty asks it (a live caller; None is silence, an exception ends the call: the caller hung
        up); `started` receives the result being filled in. `attributes`: the contact's attributes
        from the start (an outbound contact's, as StartOutboundVoiceContact sets them)."""
        script = [i if isinstance(i, CallerInput) else CallerInput.parse(i) for i in inputs]
        if not _E164.match(caller):
            raise InputError(f"caller number {caller!r} must be E.164, e.g. +821012345678")
        if at.tzinfo is None:
            raise InputError("the call time needs a UTC offset, e.g. 2026-11-25T10:00:00+09:00")
        contact = _Contact(contact_id or str(uuid.uuid4()), caller, dialed, at, dict(attributes or {}))
        result = CallResult(contact.contact_id, at.isoformat())
        run = _Run(
            self, contact, result, script, hold_seconds if hold_seconds is not None else self.hold_seconds
        )
        run.source = input_source
        if started is not None:
            started(result)
        self.queues.refresh()
        try:
            run.inbound(self.entry_flow)
        finally:
            result.ended_at = contact.now.isoformat()
            result.attributes = dict(contact.attributes)
        return result

    def all_transitions(self, flow: Flow) -> set[tuple[str, str, str]]:
        """(source, branch, target) for every transition of a flow: the denominator of coverage."""
        out: set[tuple[str, str, str]] = set()
        for ident, action in flow.actions.items():
            for branch, target in branches(action):
                out.add((ident, branch, target))
        return out


class _Run:
    """One contact's journey (inbound flows, then the customer-queue flow while it waits)."""

    def __init__(
        self,
        engine: Engine,
        contact: _Contact,
        result: CallResult,
        script: list[CallerInput],
        hold_seconds: int,
    ) -> None:
        self.e, self.c, self.r = engine, contact, result
        self.script = script
        self.hold_seconds = hold_seconds
        self.steps = 0
        self.progress: tuple[datetime, int] | None = None
        self.source: Callable[[], CallerInput | None] | None = None

    # ---- views --------------------------------------------------------------------------------
    def queue_view(self) -> dict[str, Any] | None:
        """$.Queue and the event's ContactData.Queue: the working queue, or None."""
        c = self.c
        if not c.target_queue:
            return None
        return {
            "Name": self.queue_name(c.target_queue),
            "ARN": self.queue_arn(c.target_queue),
            "OutboundCallerId": {"Address": c.dialed, "Type": "TELEPHONE_NUMBER"},
        }

    def view(self) -> dict[str, Any]:
        c = self.c
        queue = self.queue_view()
        return {
            "Attributes": c.attributes,
            "External": c.external,
            "StoredCustomerInput": c.stored_input,
            "Lex": c.lex,
            "Queue": queue,
            "FlowAttributes": c.flow_attributes,
            "Metrics": c.metrics,
            "CustomerEndpoint": {"Address": c.caller, "Type": "TELEPHONE_NUMBER"},
            "SystemEndpoint": {"Address": c.dialed, "Type": "TELEPHONE_NUMBER"},
            "Channel": "VOICE",
            "ContactId": c.contact_id,
            "InitialContactId": c.contact_id,
            "InstanceARN": self.e.resources.instance_arn,
            "AwsRegion": self.e.resources.region,
            "InitiationMethod": "INBOUND",
            "LanguageCode": c.language,
            "TextToSpeechVoiceId": c.voice,
            "LambdaInvocation": c.lambda_invocation,
        }

    def queue_name(self, target: tuple[str, str]) -> str:
        kind, key = target
        return self.e.config.queues[key].name if kind == "queue" else f"agent:{key}"

    def queue_arn(self, target: tuple[str, str]) -> str:
        kind, key = target
        return self.e.resources.queue_arn(key) if kind == "queue" else self.e.resources.agent_arn(key)

    # ---- flow loop ----------------------------------------------------------------------------
    def inbound(self, flow_key: str) -> None:
        while flow_key:
            flow = self.e.flows[flow_key]
            self.r.flows.append(flow.name)
            self.note("flow", flow.name)
            self.c.flow_attributes = {}
            leave = self.execute(flow)
            flow_key = ""
            if leave is None:
                if not self.r.disconnected and not self.c.queued:
                    # A flow that runs out of actions ends the contact.
                    self.r.disconnected = True
                    self.r.end_reason = self.r.end_reason or "flow ended"
                return
            kind, target = leave
            if kind == "flow":
                flow_key = target
            elif kind == "queue":
                self.wait_in_queue()
            elif kind == "resume":
                # The flow hands the contact back to what ran it: after a whisper, the parties talk.
                self.r.end_reason = self.r.end_reason or "whisper ended: connected"

    def execute(self, flow: Flow, budget_until: datetime | None = None) -> tuple[str, str] | None:
        """Run a flow from its start. Returns ('flow', key) or ('queue', name) when it hands off, and
        ('resume', '') when an End flow / Resume block hands the contact back."""
        ident: str | None = flow.start
        while ident:
            if budget_until is not None and self.c.now >= budget_until:
                return None
            progress = (self.c.now, len(self.r.inputs_used))
            self.steps = self.steps + 1 if progress == self.progress else 1
            self.progress = progress
            if self.steps > MAX_STEPS:
                raise FlowRunError(
                    f"{flow.name} / {ident}: {MAX_STEPS} actions in a row with no input and no time passing; "
                    "a loop without an exit"
                )
            action = flow.actions[ident]
            kind = str(action["Type"])
            injected = self.e.action_faults.get((flow.key, ident))
            if injected:
                outcome = _Outcome("error", injected, "injected fault")
            else:
                outcome = self.dispatch(flow, action, kind, budget_until)
            next_ident, branch = self.choose(flow, action, outcome)
            self.r.steps.append(Step(flow.name, ident, kind, branch, self.c.now.isoformat(), outcome.detail))
            if outcome.kind == "terminal":
                return None
            if outcome.kind == "leave":
                kind_, target = outcome.value.split(":", 1)
                self.r.transitions.append((flow.name, ident, "leave", ""))
                return kind_, target
            if next_ident is None:
                raise FlowRunError(
                    f"{flow.name} / {ident}: {branch} has no branch; Connect would drop the call"
                )
            self.r.transitions.append((flow.name, ident, branch, next_ident))
            ident = next_ident
        return None

    def choose(self, flow: Flow, action: Mapping[str, Any], outcome: _Outcome) -> tuple[str | None, str]:
        t = action.get("Transitions") or {}
        if outcome.kind in ("terminal", "leave"):
            return None, outcome.kind
        if outcome.kind == "error":
            errors = t.get("Errors") or []
            for wanted in (outcome.value, "NoMatchingError"):
                for e in errors:
                    if e.get("ErrorType") == wanted:
                        return e.get("NextAction"), f"error:{wanted}"
            return None, f"error:{outcome.value}"
        if outcome.kind == "result":
            for c in t.get("Conditions") or []:
                cond = c.get("Condition") or {}
                operand = str((cond.get("Operands") or [""])[0])
                if condition_true(str(cond.get("Operator")), operand, outcome.value):
                    return c.get("NextAction"), f"{cond.get('Operator')}:{operand}"
            for e in t.get("Errors") or []:
                if e.get("ErrorType") == "NoMatchingCondition":
                    return e.get("NextAction"), "error:NoMatchingCondition"
        return t.get("NextAction"), "next"

    def dispatch(self, flow: Flow, action: Mapping[str, Any], kind: str, budget: datetime | None) -> _Outcome:
        if kind not in SPECS:
            raise FlowRunError(f"{flow.name} / {action['Identifier']}: unknown action type {kind!r}")
        raw = action.get("Parameters") or {}
        params = {
            k: refs.resolve_param(v, self.view(), single=k in SINGLE_PATH_PARAMS) for k, v in raw.items()
        }
        handler = getattr(self, f"do_{kind}")
        try:
            outcome: _Outcome = handler(flow, action, params, budget)
        except _BadParameterError as exc:
            return _Outcome("error", "NoMatchingError", str(exc))
        return outcome

    # ---- caller I/O ---------------------------------------------------------------------------
    def note(self, kind: str, text: str) -> None:
        flow = self.r.flows[-1] if self.r.flows else ""
        self.r.transcript.append({"at": self.c.now.isoformat(), "flow": flow, "kind": kind, "text": text})

    def say(self, params: Mapping[str, Any]) -> None:
        if params.get("Text"):
            text = str(params["Text"]).strip()  # spoken as written: a Text prompt is not SSML
        elif params.get("SSML"):
            text = spoken_text(str(params["SSML"]))
        elif params.get("PromptId"):
            text = f"[prompt {params['PromptId']}]"
        elif params.get("Media"):
            text = f"[audio {params['Media'].get('Uri', '')}]"
        else:
            return
        self.r.prompts.append(text)
        self.note("prompt", text)

    def next_input(self) -> CallerInput:
        if self.script:
            item = self.script.pop(0)
        else:
            item = (self.source() if self.source else None) or CallerInput("silence")
        self.r.inputs_used.append(str(item))
        self.note("input", str(item))
        return item

    def wait(self, seconds: float) -> None:
        self.c.now += timedelta(seconds=seconds)

    # ---- actions ------------------------------------------------------------------------------
    def do_MessageParticipant(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        self.say(p)
        return _Outcome("next")

    def do_GetParticipantInput(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        self.say(p)
        limit = _int_param(p, "InputTimeLimitSeconds", DEFAULT_INPUT_SECONDS)
        store = str(p.get("StoreInput", "False")).lower() == "true"
        given = self.next_input()
        if given.kind != "dtmf":  # speech on a keypad block is not heard as keys
            self.wait(limit)
            if store:
                self.c.stored_input = "Timeout"
                return _Outcome("next", detail="timeout")
            return _Outcome("error", "InputTimeLimitExceeded", "timeout")
        if not store:
            return _Outcome("result", given.value[0], f"pressed {given.value[0]}")
        dtmf = p.get("DTMFConfiguration") or {}
        terminator = str(dtmf.get("InputTerminationSequence", "#"))
        cancel = str(dtmf.get("DisableCancelKey", "False")).lower() != "true"
        digits = given.value
        if terminator and terminator in digits:
            digits = digits[: digits.index(terminator)]
        if cancel and "*" in digits:
            digits = digits[digits.rindex("*") + 1 :]
        validation = p.get("InputValidation") or {}
        maximum = (validation.get("CustomValidation") or {}).get("MaximumLength")
        if maximum is not None:
            digits = digits[: _int_param(validation["CustomValidation"], "MaximumLength", 20)]
        phone = validation.get("PhoneNumberValidation")
        if phone:
            if phone.get("NumberFormat") == "E164":
                number = digits if _E164.match(digits) else None
            else:
                number = local_phone_to_e164(digits, str(phone.get("CountryCode", "")))
            if number is None:
                return _Outcome("error", "InvalidPhoneNumber", f"invalid number {digits!r}")
            digits = number
        self.c.stored_input = digits
        return _Outcome("next", detail=f"stored {digits!r}")

    def do_ConnectParticipantWithLexBot(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        self.say(p)
        bot = (p.get("LexV2Bot") or {}).get("AliasArn", "")
        if self.e.resources.identify(str(bot)) != ("lex", "bot"):
            return _Outcome("error", "NoMatchingError", f"unknown bot {bot!r}")
        session = {str(k): str(v) for k, v in (p.get("LexSessionAttributes") or {}).items()}
        given = self.next_input()
        if given.kind == "silence":
            # Lex waits start-timeout-ms for speech to begin (3 s unless the block's session says otherwise).
            start_ms = session.get("x-amz-lex:audio:start-timeout-ms:*:*", "3000")
            self.wait(int(start_ms) / 1000 if start_ms.isdigit() else 3)
            self.c.lex = {}
            return _Outcome("error", "InputTimeLimitExceeded", "no speech")
        text = given.value.rstrip("#") if given.kind == "dtmf" else given.value
        mode = "DTMF" if given.kind == "dtmf" else "Speech"
        locale = LocalLexBot.locale_of(self.c.language)
        try:
            with clock.frozen_at(self.c.now):
                turn = self.e.lex.recognize(text, session, mode, self.c.contact_id, locale=locale)
        except MissingLocaleError as exc:  # Connect asks the alias for the contact's locale
            self.c.lex = {}
            return _Outcome("error", "NoMatchingError", str(exc))
        except LambdaInvokeError as exc:  # the bot's code hook failed: Lex fails the turn
            self.c.lex = {}
            return _Outcome("error", "NoMatchingError", f"lex code hook: {exc}")
        self.c.lex = turn.view()
        return _Outcome("result", turn.intent, f"{locale} {mode.lower()} {text!r} -> {turn.intent}")

    def do_InvokeLambdaFunction(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        arn = str(p.get("LambdaFunctionARN", ""))
        name = self.e.lambdas.name_of(arn) or arn
        limit = float(_int_param(p, "InvocationTimeLimitSeconds", 8))
        rtype = (p.get("ResponseValidation") or {}).get("ResponseType", "STRING_MAP")
        asynchronous = p.get("InvocationType") == "ASYNCHRONOUS"
        parameters = {str(k): refs.as_text(v) for k, v in (p.get("LambdaInvocationAttributes") or {}).items()}
        event = self.lambda_event(parameters)
        started = datetime.now()
        response: dict[str, Any] | None = None
        error: str | None = None
        try:
            with clock.frozen_at(self.c.now):
                response = self.e.lambdas.invoke(arn, event, limit, rtype)
        except LambdaInvokeError as exc:
            error = str(exc)
        elapsed = (datetime.now() - started).total_seconds()
        self.r.lambda_calls.append(
            LambdaCall(
                flow.name, a["Identifier"], name, parameters, response, error, round(elapsed * 1000, 2)
            )
        )
        self.note("lambda", f"{name}: {error}" if error else f"{name}: {_brief(response or {})}")
        if asynchronous:
            # "The contact is routed to the next block without waiting for the Lambda to complete"
            # (adminguide/invoke-lambda-function-block.html): no time passes, $.External stays as it
            # was (the response is only reachable by a later "Load Lambda result"), and only the
            # invocation ID is known. A function that fails after the flow moved on changes nothing.
            self.c.lambda_invocation = {"InvocationId": str(uuid.uuid4())}
            return _Outcome("next", detail=f"{name} (asynchronous)")
        self.wait(elapsed if error is None or "Timeout" not in error else limit)
        # Each invocation replaces $.External ("overwritten when you invoke any other Lambda
        # function", adminguide/attribs-with-lambda.html), and only a successful one has a
        # response to put there ("If an error does not occur, the response's attributes are
        # available ... under $.External", APIReference/interactions-invokelambdafunction.html):
        # after a failed Lambda no earlier function's values remain.
        self.c.external = {} if error is not None else (response or {})
        if error is not None:
            return _Outcome("error", "NoMatchingError", error)
        return _Outcome("next", detail=name)

    def lambda_event(self, parameters: dict[str, str]) -> dict[str, Any]:
        c = self.c
        return {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    "Attributes": dict(c.attributes),
                    "Channel": "VOICE",
                    "ContactId": c.contact_id,
                    "CustomerEndpoint": {"Address": c.caller, "Type": "TELEPHONE_NUMBER"},
                    "CustomerId": None,
                    "Description": None,
                    "InitialContactId": c.contact_id,
                    "InitiationMethod": "INBOUND",
                    "InstanceARN": self.e.resources.instance_arn,
                    "LanguageCode": c.language,
                    "MediaStreams": {"Customer": {"Audio": None}},
                    "Name": "ContactFlowEvent",
                    "PreviousContactId": c.contact_id,
                    "Queue": self.queue_view(),
                    "References": {},
                    "SystemEndpoint": {"Address": c.dialed, "Type": "TELEPHONE_NUMBER"},
                },
                "Parameters": parameters,
            },
        }

    def do_Compare(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        value = p.get("ComparisonValue")
        return _Outcome("result", refs.as_text(value), f"value {refs.as_text(value)!r}")

    def do_CheckHoursOfOperation(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        ref = p.get("HoursOfOperationId")
        if ref:
            found = self.e.resources.identify(str(ref))
            key = found[1] if found and found[0] == "hours" else None
        elif self.c.target_queue and self.c.target_queue[0] == "queue":
            key = self.e.config.queues[self.c.target_queue[1]].hours
        else:
            key = None  # no hours given and an agent queue or none: Connect takes Error
        if key is None:
            return _Outcome("error", "NoMatchingError", "no hours of operation")
        hours = self.e.config.hours[key]
        local = self.c.now.astimezone(hours.time_zone)
        day = hours.schedule.get(DAYS[local.weekday()])
        is_open = bool(day and day.contains(local.time().replace(second=0, microsecond=0)))
        return _Outcome("result", "True" if is_open else "False", f"{key} at {local:%a %H:%M}")

    def _queue_ref(self, p: Mapping[str, Any]) -> tuple[str, str] | None:
        ref = p.get("QueueId") or p.get("AgentId")
        found = self.e.resources.identify(str(ref)) if ref else None
        if found and found[0] in ("queue", "agent"):
            return found[0], found[1]
        return None

    def _metric_target(self, p: Mapping[str, Any]) -> tuple[str, str] | None:
        """The queue or agent a metric block measures: its QueueId/AgentId, else the working queue."""
        return self._queue_ref(p) if (p.get("QueueId") or p.get("AgentId")) else self.c.target_queue

    def _queue_metrics(self, queue_key: str) -> dict[str, int]:
        counts = self.e.queues.counts(queue_key)
        waiting, oldest = self.e.queues.backlog().get(queue_key, (0, 0))
        return {
            "NumberOfAgentsAvailable": counts.available,
            "NumberOfAgentsOnline": counts.online,
            "NumberOfAgentsStaffed": counts.staffed,
            "NumberOfContactsInQueue": waiting,
            "OldestContactInQueueAgeSeconds": oldest,
        }

    def _metric(self, metric: str, target: tuple[str, str] | None) -> int | None:
        if target is None:
            return None
        if target[0] == "queue":
            return self._queue_metrics(target[1]).get(metric)
        # An agent queue: the agent's own state; queue metrics of agent queues are not modelled.
        status = self.e.queues.agent_status(target[1])
        if metric == "NumberOfAgentsAvailable":
            return int(status == "AVAILABLE")
        if metric in ("NumberOfAgentsOnline", "NumberOfAgentsStaffed"):
            return int(status != "OFFLINE")
        return None

    def do_CheckMetricData(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        value = self._metric(str(p.get("MetricType")), self._metric_target(p))
        if value is None:
            return _Outcome("error", "NoMatchingError", "no queue to measure")
        return _Outcome("result", str(value), f"{p.get('MetricType')}={value}")

    def do_GetMetricData(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        target = self._metric_target(p)
        if target is None or target[0] != "queue":
            return _Outcome("error", "NoMatchingError", "no queue to measure")
        m = self._queue_metrics(target[1])
        if self.c.queued and self.c.target_queue == target:
            # The backlog is the other contacts; Connect's queue size counts this one too.
            m["NumberOfContactsInQueue"] += 1
        self.c.metrics = {
            "Queue": {
                "Name": self.queue_name(target),
                "ARN": self.queue_arn(target),
                "Size": str(m["NumberOfContactsInQueue"]),
                "OldestContactAge": str(m["OldestContactInQueueAgeSeconds"]),
            },
            "Agents": {
                "Online": {"Count": str(m["NumberOfAgentsOnline"])},
                "Available": {"Count": str(m["NumberOfAgentsAvailable"])},
                "Staffed": {"Count": str(m["NumberOfAgentsStaffed"])},
            },
        }
        return _Outcome("next")

    def do_Loop(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        key = (flow.key, str(a["Identifier"]))
        done = self.c.loops.get(key, 0)
        limit = _int_param(p, "LoopCount", 0)
        if done < limit:
            self.c.loops[key] = done + 1
            return _Outcome("result", "ContinueLooping", f"{done + 1}/{limit}")
        self.c.loops[key] = 0
        return _Outcome("result", "DoneLooping", f"{limit}/{limit}")

    def do_UpdateContactTargetQueue(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        target = self._queue_ref(p)
        if target is None:
            return _Outcome(
                "error", "NoMatchingError", f"unknown queue {p.get('QueueId') or p.get('AgentId')!r}"
            )
        self.c.target_queue = target
        return _Outcome("next", detail=self.queue_name(target))

    def _enqueue(self, target: tuple[str, str]) -> _Outcome | None:
        if target[0] == "queue":
            queue = self.e.config.queues[target[1]]
            limit = self.e.queue_limits.get(target[1], queue.max_contacts)
            if not self.e.queues.admit(self.c.contact_id, target[1], limit):
                return _Outcome("error", "QueueAtCapacity", f"{queue.name} holds {limit}")
        name = self.queue_name(target)
        self.r.queue_transfers.append(name)
        self.note("queue", name)
        self.c.target_queue = target
        return None

    def do_TransferContactToQueue(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        if self.c.target_queue is None:
            return _Outcome("error", "NoMatchingError", "no working queue set")
        if self.c.queued:
            return _Outcome("error", "NoMatchingError", "contact is already queued")
        failed = self._enqueue(self.c.target_queue)
        if failed:
            return failed
        self.c.queued = True
        name = self.queue_name(self.c.target_queue)
        self.r.queue = self.r.queue or name
        return _Outcome("leave", f"queue:{name}", name)

    def do_DequeueContactAndTransferToQueue(
        self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any
    ) -> _Outcome:
        target = self._queue_ref(p)
        if target is None or not self.c.queued:
            return _Outcome(
                "error", "NoMatchingError", "no such queue or agent" if self.c.queued else "not queued"
            )
        failed = self._enqueue(target)
        return failed or _Outcome("next", detail=self.queue_name(target))

    def do_UpdateContactAttributes(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        values = {str(k): refs.as_text(v) for k, v in (p.get("Attributes") or {}).items()}
        if any(not _ATTR_KEY.match(k) for k in values):
            return _Outcome("error", "NoMatchingError", "invalid attribute key")
        merged = {**self.c.attributes, **values}
        if _attributes_bytes(merged) > MAX_ATTRIBUTES_BYTES:
            return _Outcome("error", "NoMatchingError", "attributes would exceed 32 KB")
        self.c.attributes = merged
        return _Outcome("next", detail=", ".join(f"{k}={v}" for k, v in values.items()))

    def do_UpdateFlowAttributes(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        for k, v in (p.get("FlowAttributes") or {}).items():
            self.c.flow_attributes[str(k)] = refs.as_text((v or {}).get("Value"))
        return _Outcome("next")

    def do_UpdateContactRecordingBehavior(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        participants = list((p.get("RecordingBehavior") or {}).get("RecordedParticipants") or [])
        recording: dict[str, Any] = {"participants": participants}
        analytics = p.get("AnalyticsBehavior") or {}
        # Contact Lens analyses a call only when both sides are recorded.
        if analytics.get("Enabled") == "True" and set(participants) == {"Agent", "Customer"}:
            voice = (analytics.get("ChannelConfiguration") or {}).get("Voice") or {}
            recording["analytics_language"] = analytics.get("AnalyticsLanguage", "")
            recording["analytics_modes"] = list(voice.get("AnalyticsModes") or [])
        self.r.recording = recording
        return _Outcome("next", detail=", ".join(f"{k}={v}" for k, v in recording.items()))

    def do_UpdateFlowLoggingBehavior(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        return _Outcome("next")

    def do_UpdateContactRoutingBehavior(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        return _Outcome("next", detail=f"priority {p.get('QueuePriority', '-')}")

    def do_UpdateContactTextToSpeechVoice(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        self.c.voice = str(p.get("TextToSpeechVoice"))
        return _Outcome("next")

    def do_UpdateContactData(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        if "LanguageCode" in p:
            code = refs.as_text(p["LanguageCode"])
            if not LANGUAGE_CODE.match(code):
                return _Outcome("error", "NoMatchingError", f"{code!r} is not a language code such as ko-KR")
            self.c.language = code
        return _Outcome("next", detail=", ".join(f"{k}={refs.as_text(v)}" for k, v in p.items()))

    def do_UpdateContactEventHooks(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        for hook, ref in (p.get("EventHooks") or {}).items():
            found = self.e.resources.identify(str(ref))
            if not found or found[0] != "flow":
                return _Outcome("error", "NoMatchingError", f"{hook}: unknown flow {ref!r}")
            self.c.hooks[str(hook)] = found[1]
        return _Outcome("next")

    def do_TransferToFlow(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        found = self.e.resources.identify(str(p.get("ContactFlowId", "")))
        if not found or found[0] != "flow" or found[1] not in self.e.flows:
            return _Outcome("error", "NoMatchingError", f"unknown flow {p.get('ContactFlowId')!r}")
        return _Outcome("leave", f"flow:{found[1]}", self.e.flows[found[1]].name)

    def do_UpdateContactCallbackNumber(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        number = refs.as_text(p.get("CallbackNumber"))
        if not _E164.match(number):
            return _Outcome("error", "InvalidCallbackNumber", f"{number!r} is not E.164")
        if not number.startswith("+82"):
            return _Outcome("error", "CallbackNumberNotDialable", f"{number} is outside Korea")
        self.c.callback_number = number
        return _Outcome("next", detail=number)

    def do_CreateCallbackContact(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        target = self._queue_ref(p) if (p.get("QueueId") or p.get("AgentId")) else self.c.target_queue
        if target is None:
            return _Outcome("error", "NoMatchingError", "no callback queue")
        number = self.c.callback_number or self.c.caller
        self.r.callbacks.append(
            {
                "queue": self.queue_name(target),
                "number": number,
                "initial_delay_seconds": str(p.get("InitialCallDelaySeconds", "")),
                "max_attempts": str(p.get("MaximumConnectionAttempts", "")),
            }
        )
        self.note("callback", f"{number} via {self.queue_name(target)}")
        return _Outcome("next", detail=f"callback {number} via {self.queue_name(target)}")

    def do_MessageParticipantIteratively(
        self, flow: Flow, a: Any, p: Mapping[str, Any], budget: datetime | None
    ) -> _Outcome:
        for message in p.get("Messages") or []:
            self.say(message)
        interval = p.get("InterruptFrequencySeconds")
        remaining = (budget - self.c.now).total_seconds() if budget else float(self.hold_seconds)
        if interval is not None:
            interval = _int_param(p, "InterruptFrequencySeconds", 60)
        self.c.hold_waits += 1
        if interval is None or float(interval) > remaining:
            self.wait(max(0.0, remaining))
            return _Outcome("terminal", detail="played until the end of the simulated wait")
        self.wait(float(interval))
        return _Outcome("result", "MessagesInterrupted", f"after {interval} s")

    def do_DisconnectParticipant(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        self.r.disconnected = True
        self.c.queued = False
        self.r.end_reason = "disconnected by flow"
        self.note("end", "disconnected")
        return _Outcome("terminal")

    def do_EndFlowExecution(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        return _Outcome("leave", "resume:", "resume")

    # ---- waiting in queue ---------------------------------------------------------------------
    def wait_in_queue(self) -> None:
        """The customer-queue flow runs while the contact waits, for the simulated hold time."""
        until = self.c.now + timedelta(seconds=self.hold_seconds)
        hook = self.c.hooks.get("CustomerQueue")
        while hook and self.c.queued and self.c.now < until and not self.r.disconnected:
            waits = self.c.hold_waits
            name = self.e.flows[hook].name
            if self.r.flows[-1:] != [name]:
                self.r.flows.append(name)
                self.note("flow", name)
            self.execute(self.e.flows[hook], budget_until=until)  # an End flow leaves the contact waiting
            if self.c.hold_waits == waits:
                # Ended without a Loop prompts wait (End flow / Resume returns the caller to the
                # interrupted Loop prompts; none ran): the caller hears music until answered, and
                # nothing in the flow runs again (Lambdas included).
                break
        if self.c.queued and not self.r.disconnected:
            self.c.now = max(self.c.now, until)
            self.r.in_queue = True
            self.r.end_reason = (
                f"waiting in {self.queue_name(self.c.target_queue)}" if self.c.target_queue else ""
            )
