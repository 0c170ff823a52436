"""What the simulator answers for what is not ours: a fixture file (`call simulate --fixtures FILE`).

Our own Lambdas, queues and Lex bot run for real. Everything else a flow reaches (another team's
Lambda, a queue or hours of operation of another instance, a Lex bot, a step-by-step guide view,
Voice ID, Customer Profiles...) answers from this file, and what the file does not list takes the
action's documented error branch, which the transcript says. The file is YAML (or JSON), every
section optional; a key may be an ARN, the ID at its end, or a name:

    lambdas:                      # by function ARN or name
      AWSSCV-InvokeTelephonyFunction:
        response: {voiceCallId: "0LQ5g000001"}    # the function's answer, as $.External
      acme-exampleFunction:
        responses:                # one per invocation, in order; the last one repeats
          - {status: ok}
          - {error: timeout}
      KvsConsumerTrigger:
        error: error              # timeout | error | throttle | bad_response: the error branch
    queues:                       # by queue ARN, ID or name
      BasicQueue:
        agents_available: 1       # CheckMetricData / GetMetricData
        agents_online: 2
        agents_staffed: 2
        contacts_in_queue: 3
        oldest_contact_age: 120   # seconds
        at_capacity: false        # true: TransferContactToQueue takes QueueAtCapacity
        hours: Basic Hours        # the queue's hours (a key of hours:), for CheckHoursOfOperation
    hours:                        # by hours-of-operation ARN, ID or name
      Basic Hours: open           # open | closed
    bots:                         # by Lex V2 alias ARN (bot-alias/BOT/ALIAS) or Lex V1 bot name
      IntentandRoute:             # one turn per ConnectParticipantWithLexBot, in order
        - {intent: Sales, slots: {Department: sales}, say: "sales please"}
        - {intent: Finance, session_attributes: {tier: gold}, sentiment: POSITIVE}
        - {error: timeout}        # timeout (InputTimeLimitExceeded) | error (NoMatchingError)
    views:                        # ShowView, by view ID or ARN: the agent's choices, in order
      form:
        - {result: Next, data: {FormData: {returnreason: damaged}}}
    agent:                        # $.Agent in whisper, hold, outbound-whisper and transfer flows
      username: jdoe
      first_name: Jane
      last_name: Doe
      arn: arn:aws:connect:us-east-1:111122223333:instance/INSTANCE/agent/AGENT
      status: AVAILABLE           # an agent queue's agent (AgentId), for CheckMetricData
    contact:
      queue: BasicQueue           # the working queue a customer-queue, queue-transfer or whisper
                                  # flow starts with (default: BasicQueue, one agent available)
      attributes: {INIT_MODULE_ID: "c5fbe4a4-..."}   # the contact's attributes at the start
      initiation_method: OUTBOUND # $.InitiationMethod (default: from the flow type)
    flows:                        # which flow answers to an ARN or ID (TransferToFlow,
      "arn:aws:connect:...:contact-flow/7193...": acme_queue_transfer.json   # InvokeFlowModule,
                                  # event hooks): a file next to this one, or a --with flow's name
    actions:                      # actions whose answer lies outside Connect, by Identifier or Type
      CheckVoiceId: {result: Authenticated}
      GetCustomerProfile: {data: {FirstName: Jane}}          # $.Customer
      "Check call progress": {error: NoMatchingError}

A list of answers (lambdas' responses, bots, views) is consumed per contact, in order. When a bot's
or a view's list is used up, the caller or agent says nothing more (the timeout branch); a Lambda
keeps giving its last answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .resource_map import MalformedArnError, parse_arn, parse_symbolic

# What Connect sees of a failed invocation; each one takes the block's error branch
# (connect-flow-language.md §4.3). Mapped to LambdaInvokeError kinds.
LAMBDA_ERRORS = {
    "timeout": "Timeout",
    "error": "Unhandled",
    "throttle": "TooManyRequestsException",
    "bad_response": "InvalidResponse",
}
LEX_ERRORS = {"timeout": "InputTimeLimitExceeded", "error": "NoMatchingError"}
SECTIONS = ("lambdas", "queues", "hours", "bots", "views", "agent", "contact", "flows", "actions")
QUEUE_FIELDS = {
    "agents_available": int,
    "agents_online": int,
    "agents_staffed": int,
    "contacts_in_queue": int,
    "oldest_contact_age": int,
    "at_capacity": bool,
    "name": str,
    "arn": str,
    "hours": str,
}
AGENT_FIELDS = ("username", "first_name", "last_name", "arn", "status")
AGENT_STATUSES = ("AVAILABLE", "BUSY", "AFTER_CONTACT_WORK", "AWAY", "OFFLINE")
# $.InitiationMethod values (connect-flow-language.md §3.1).
INITIATION_METHODS = ("INBOUND", "OUTBOUND", "TRANSFER", "CALLBACK", "QUEUE_TRANSFER", "API", "DISCONNECT")
DEFAULT_QUEUE = "BasicQueue"  # Connect's default queue, which every instance has


class FixtureError(ValueError):
    """The fixture file cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class LambdaAnswer:
    response: dict[str, Any] | None = None
    error: str | None = None  # a LambdaInvokeError kind


@dataclass(frozen=True)
class QueueState:
    key: str
    name: str
    arn: str = ""
    agents_available: int = 1
    agents_online: int = 1
    agents_staffed: int = 1
    contacts_in_queue: int = 0
    oldest_contact_age: int = 0
    at_capacity: bool = False
    hours: str | None = None


@dataclass(frozen=True)
class LexAnswer:
    intent: str = ""
    slots: dict[str, str | None] = field(default_factory=dict)
    session_attributes: dict[str, str] = field(default_factory=dict)
    sentiment: str | None = None
    say: str = ""
    error: str | None = None  # an ErrorType: InputTimeLimitExceeded or NoMatchingError


@dataclass(frozen=True)
class ViewAnswer:
    result: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionAnswer:
    result: str | None = None
    error: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AgentFixture:
    username: str = "agent"
    first_name: str = "Simulated"
    last_name: str = "Agent"
    arn: str = ""
    status: str = "AVAILABLE"


def arn_tail(ref: str) -> str:
    """The part of a reference that names the resource: in an ARN resource_map.parse_arn's ident
    (a Lambda's function name without qualifier, a Lex alias's BOT/ALIAS, a Lex V1 bot's name, a
    Connect resource's ID), in a symbolic reference of `connect export` the name
    ({{queue:Sales}}: Sales, {{lambda:lookup:live}}: lookup); anything else unchanged. Lets a
    fixture keyed by name or ID answer an ARN of any region or account (flows build ARNs from
    $.AwsRegion) and a symbolic reference."""
    symbolic = parse_symbolic(ref)
    if symbolic is not None:
        return symbolic[1]
    if not ref.startswith("arn:"):
        return ref
    try:
        return parse_arn(ref).ident or ref
    except MalformedArnError:
        return ref


class _Index:
    """Fixture keys and their aliases (an entry's name and ARN, an ARN's tail) -> the key. `kind`:
    what the section holds (resource_map's kinds), so {{queue:X}} finds the queue X and not a
    Lambda named X."""

    def __init__(self, *kinds: str) -> None:
        self.aliases: dict[str, str] = {}
        self.kinds = kinds

    def add(self, key: str, *aliases: str) -> None:
        for alias in (key, *aliases):
            if alias:
                self.aliases.setdefault(alias, key)
                self.aliases.setdefault(arn_tail(alias), key)

    def find(self, ref: str) -> str | None:
        if not ref:
            return None
        if ref in self.aliases:
            return self.aliases[ref]
        symbolic = parse_symbolic(ref)
        if symbolic is not None and symbolic[0] not in self.kinds:
            return None
        return self.aliases.get(arn_tail(ref))


@dataclass
class Fixtures:
    """A parsed fixture file. Immutable answers; `Cursor` consumes the lists for one contact."""

    source: str = ""
    lambdas: dict[str, list[LambdaAnswer]] = field(default_factory=dict)
    queues: dict[str, QueueState] = field(default_factory=dict)
    hours: dict[str, bool] = field(default_factory=dict)
    bots: dict[str, list[LexAnswer]] = field(default_factory=dict)
    views: dict[str, list[ViewAnswer]] = field(default_factory=dict)
    agent: AgentFixture = field(default_factory=AgentFixture)
    start_queue: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    initiation_method: str | None = None
    flows: dict[str, str] = field(default_factory=dict)
    actions: dict[str, ActionAnswer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lambdas, self._queues, self._hours = _Index("lambda"), _Index("queue"), _Index("hours")
        self._bots, self._views = _Index("lex", "lex_v1"), _Index("view")
        for key in self.lambdas:
            self._lambdas.add(key)
        for key, q in self.queues.items():
            self._queues.add(key, q.name, q.arn)
        for key in self.hours:
            self._hours.add(key)
        for key in self.bots:
            self._bots.add(key)
        for key in self.views:
            self._views.add(key)

    # ---- lookups (None: not in the file) -----------------------------------------------------
    def lambda_key(self, ref: str) -> str | None:
        return self._lambdas.find(ref)

    def queue(self, ref: str) -> QueueState | None:
        key = self._queues.find(ref)
        if key is not None:
            return self.queues[key]
        if arn_tail(ref) == DEFAULT_QUEUE and parse_symbolic(ref) in (None, ("queue", DEFAULT_QUEUE)):
            return QueueState(DEFAULT_QUEUE, DEFAULT_QUEUE)
        return None

    def start_queue_state(self) -> QueueState:
        """The working queue a customer-queue, queue-transfer or whisper flow starts with."""
        if self.start_queue is None:
            return self.queue(DEFAULT_QUEUE) or QueueState(DEFAULT_QUEUE, DEFAULT_QUEUE)
        found = self.queue(self.start_queue)
        return found or QueueState(self.start_queue, arn_tail(self.start_queue), self.start_queue)

    def hours_open(self, ref: str) -> bool | None:
        key = self._hours.find(ref)
        return None if key is None else self.hours[key]

    def bot_key(self, ref: str) -> str | None:
        return self._bots.find(ref)

    def view_key(self, ref: str) -> str | None:
        return self._views.find(ref)

    def action(self, identifier: str, kind: str) -> ActionAnswer | None:
        return self.actions.get(identifier) or self.actions.get(kind)

    def agent_matches(self, ref: str) -> bool:
        a = self.agent
        return bool(ref) and ref in {a.username, a.arn, arn_tail(a.arn)} - {""}


class Cursor:
    """One contact's progress through the fixture lists (lambdas' responses, bots' turns, views)."""

    def __init__(self, fixtures: Fixtures) -> None:
        self.f = fixtures
        self.used: dict[tuple[str, str], int] = {}

    def _next(self, section: str, key: str, answers: Sequence[Any], *, repeat_last: bool) -> Any:
        n = self.used.get((section, key), 0)
        self.used[(section, key)] = n + 1
        if n < len(answers):
            return answers[n]
        return answers[-1] if repeat_last and answers else None

    def lambda_answer(self, ref: str) -> LambdaAnswer | None:
        key = self.f.lambda_key(ref)
        if key is None:
            return None
        answer: LambdaAnswer = self._next("lambdas", key, self.f.lambdas[key], repeat_last=True)
        return answer

    def lex_turn(self, ref: str) -> tuple[str | None, LexAnswer | None]:
        """(fixture key, the next turn); key None: the bot is not in the file; turn None: used up."""
        key = self.f.bot_key(ref)
        if key is None:
            return None, None
        return key, self._next("bots", key, self.f.bots[key], repeat_last=False)

    def view(self, ref: str) -> tuple[str | None, ViewAnswer | None]:
        key = self.f.view_key(ref)
        if key is None:
            return None, None
        return key, self._next("views", key, self.f.views[key], repeat_last=False)


# ---- loading and validation ------------------------------------------------------------------
def load(path: Path) -> Fixtures:
    """Read and validate a fixture file; FixtureError names the file and the field at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FixtureError(
            f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}"
        ) from None
    return parse(data or {}, str(path))


def parse(data: Any, source: str = "fixtures") -> Fixtures:
    p = _Parser(source)
    top = p.mapping(data, "")
    unknown = sorted(set(top) - set(SECTIONS))
    if unknown:
        p.fail(unknown[0], f"is not a fixture section; use {', '.join(SECTIONS)}")
    contact = p.section(top, "contact")
    p.only(contact, "contact", ("queue", "attributes", "initiation_method"))
    return Fixtures(
        source=source,
        lambdas={str(k): p.lambda_answers(v, f"lambdas.{k}") for k, v in p.section(top, "lambdas").items()},
        queues={str(k): p.queue(str(k), v, f"queues.{k}") for k, v in p.section(top, "queues").items()},
        hours={str(k): p.hours(v, f"hours.{k}") for k, v in p.section(top, "hours").items()},
        bots={str(k): p.turns(v, f"bots.{k}") for k, v in p.section(top, "bots").items()},
        views={str(k): p.views(v, f"views.{k}") for k, v in p.section(top, "views").items()},
        agent=p.agent(p.section(top, "agent"), "agent"),
        start_queue=p.optional_text(contact.get("queue"), "contact.queue"),
        attributes=p.text_map(contact.get("attributes") or {}, "contact.attributes"),
        initiation_method=p.optional_choice(
            contact.get("initiation_method"), "contact.initiation_method", INITIATION_METHODS
        ),
        flows={str(k): p.text(v, f"flows.{k}") for k, v in p.section(top, "flows").items()},
        actions={str(k): p.action(v, f"actions.{k}") for k, v in p.section(top, "actions").items()},
    )


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> None:
        raise FixtureError(f"{self.source}: {where or 'the file'}: {message}")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(where, f"must be a mapping, not {type(value).__name__}")
        return {str(k): v for k, v in value.items()}

    def section(self, top: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = top.get(name)
        return self.mapping({} if value is None else value, name)

    def only(self, value: Mapping[str, Any], where: str, allowed: Sequence[str]) -> None:
        extra = sorted(set(value) - set(allowed))
        if extra:
            self.fail(f"{where}.{extra[0]}", f"is not a field here; use {', '.join(allowed)}")

    def text(self, value: Any, where: str) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(where, f"must be text, not {type(value).__name__}")
        return str(value)

    def optional_text(self, value: Any, where: str) -> str | None:
        return None if value is None else self.text(value, where)

    def text_map(self, value: Any, where: str) -> dict[str, str]:
        return {k: self.text(v, f"{where}.{k}") for k, v in self.mapping(value, where).items()}

    def choice(self, value: Any, where: str, choices: Mapping[str, str] | Sequence[str]) -> str:
        text = self.text(value, where)
        if text not in choices:
            self.fail(where, f"{text!r} is not one of {', '.join(choices)}")
        return text

    def optional_choice(self, value: Any, where: str, choices: Sequence[str]) -> str | None:
        return None if value is None else self.choice(value, where, choices)

    def lambda_answer(self, value: Any, where: str) -> LambdaAnswer:
        entry = self.mapping(value, where)
        if "error" in entry:
            self.only(entry, where, ("error",))
            return LambdaAnswer(
                error=LAMBDA_ERRORS[self.choice(entry["error"], f"{where}.error", LAMBDA_ERRORS)]
            )
        return LambdaAnswer(response=entry)

    def lambda_answers(self, value: Any, where: str) -> list[LambdaAnswer]:
        entry = self.mapping(value, where)
        given = [k for k in ("response", "responses", "error") if k in entry]
        if len(given) != 1:
            self.fail(where, "give exactly one of response (a map), responses (a list) or error")
        self.only(entry, where, given)
        if "error" in entry:
            return [self.lambda_answer({"error": entry["error"]}, where)]
        if "response" in entry:
            return [LambdaAnswer(response=self.mapping(entry["response"], f"{where}.response"))]
        answers = entry["responses"]
        if not isinstance(answers, list) or not answers:
            self.fail(f"{where}.responses", "must be a non-empty list of responses")
        return [self.lambda_answer(a, f"{where}.responses[{i}]") for i, a in enumerate(answers)]

    def queue(self, key: str, value: Any, where: str) -> QueueState:
        entry = self.mapping(value or {}, where)
        self.only(entry, where, tuple(QUEUE_FIELDS))
        values: dict[str, Any] = {}
        for name, kind in QUEUE_FIELDS.items():
            if name not in entry:
                continue
            v = entry[name]
            if kind is bool and not isinstance(v, bool):
                self.fail(f"{where}.{name}", "must be true or false")
            if kind is int and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                self.fail(f"{where}.{name}", "must be a whole number, 0 or more")
            values[name] = self.text(v, f"{where}.{name}") if kind is str else v
        values.setdefault("name", arn_tail(key))
        if key.startswith("arn:"):
            values.setdefault("arn", key)
        state = QueueState(key=key, **values)
        if state.agents_available > state.agents_online or state.agents_online > state.agents_staffed:
            # Connect counts an available agent as online and an online one as staffed.
            self.fail(where, "needs agents_available <= agents_online <= agents_staffed")
        return state

    def hours(self, value: Any, where: str) -> bool:
        if isinstance(value, bool):
            return value
        return self.choice(value, where, ("open", "closed")) == "open"

    def turns(self, value: Any, where: str) -> list[LexAnswer]:
        if isinstance(value, Mapping) and set(value) == {"turns"}:
            value, where = value["turns"], f"{where}.turns"
        if not isinstance(value, list) or not value:
            self.fail(where, "must be a non-empty list of turns ({intent: ...} or {error: timeout})")
        return [self.turn(t, f"{where}[{i}]") for i, t in enumerate(value)]

    def turn(self, value: Any, where: str) -> LexAnswer:
        entry = self.mapping(value, where)
        if "error" in entry:
            self.only(entry, where, ("error", "say"))
            kind = self.choice(entry["error"], f"{where}.error", LEX_ERRORS)
            return LexAnswer(error=LEX_ERRORS[kind], say=self.text(entry.get("say", ""), f"{where}.say"))
        self.only(entry, where, ("intent", "slots", "session_attributes", "sentiment", "say"))
        if "intent" not in entry:
            self.fail(where, "needs intent (the intent Lex returns) or error")
        slots = self.mapping(entry.get("slots") or {}, f"{where}.slots")
        return LexAnswer(
            intent=self.text(entry["intent"], f"{where}.intent"),
            slots={k: None if v is None else self.text(v, f"{where}.slots.{k}") for k, v in slots.items()},
            session_attributes=self.text_map(
                entry.get("session_attributes") or {}, f"{where}.session_attributes"
            ),
            sentiment=self.optional_text(entry.get("sentiment"), f"{where}.sentiment"),
            say=self.text(entry.get("say", ""), f"{where}.say"),
        )

    def views(self, value: Any, where: str) -> list[ViewAnswer]:
        if not isinstance(value, list) or not value:
            self.fail(where, "must be a non-empty list of results ({result: Next, data: {...}})")
        out = []
        for i, item in enumerate(value):
            at = f"{where}[{i}]"
            entry = {"result": item} if isinstance(item, str) else self.mapping(item, at)
            self.only(entry, at, ("result", "data"))
            if "result" not in entry:
                self.fail(at, "needs result (the action the agent chose, e.g. Next)")
            out.append(
                ViewAnswer(
                    self.text(entry["result"], f"{at}.result"),
                    self.mapping(entry.get("data") or {}, f"{at}.data"),
                )
            )
        return out

    def agent(self, value: Any, where: str) -> AgentFixture:
        entry = self.mapping(value, where)
        self.only(entry, where, AGENT_FIELDS)
        values = {k: self.text(v, f"{where}.{k}") for k, v in entry.items()}
        if "status" in values:
            self.choice(values["status"], f"{where}.status", AGENT_STATUSES)
        return AgentFixture(**values)

    def action(self, value: Any, where: str) -> ActionAnswer:
        entry = self.mapping(value, where)
        self.only(entry, where, ("result", "error", "data"))
        if "result" in entry and "error" in entry:
            self.fail(where, "give result or error, not both")
        if not entry:
            self.fail(where, "needs result, error or data")
        return ActionAnswer(
            result=self.optional_text(entry.get("result"), f"{where}.result"),
            error=self.optional_text(entry.get("error"), f"{where}.error"),
            data=self.mapping(entry.get("data") or {}, f"{where}.data"),
        )
