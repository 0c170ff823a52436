"""Run a contact through the flows as Amazon Connect would, offline.

Caller inputs are consumed, in order, by the blocks that wait for the caller (menu and digit
input, Lex speech). Time is simulated: it advances by input time limits and queue waits, so a call
at any instant (holidays, nights) runs in milliseconds. Every step and transition is recorded.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from aicc import clock
from aicc.domain import phones
from aicc.settings import DAYS, Config

from . import references as refs
from .action_params import BadParameterError, int_param, list_param, map_param, maps_param
from .actions import CHAT, HOLD, INBOUND, LANGUAGE_CODE, OUTBOUND_WHISPER, SINGLE_PATH_PARAMS, VOICE, WHISPER
from .channels import off_channel
from .contact import Contact as _Contact
from .contact import Outcome as _Outcome
from .fixtures import Cursor, Fixtures, QueueState, arn_tail
from .flows import Flow, Resources
from .graph import branches, transitions
from .lambdas import LambdaInvokeError, LocalLambdas, validate_response
from .lex import LocalLexBot, MissingLocaleError
from .offline_actions import OfflineActions
from .presence import QueueModel
from .resource_map import LocalMap, MalformedArnError, find_flow, has_placeholder, parse_arn, parse_symbolic
from .resource_map import ours as our_resource
from .routing_criteria import RoutingCriteria
from .ssml import spoken_text

MAX_ATTRIBUTES_BYTES = 32 * 1024
MAX_STEPS = 1000  # actions in a row without the caller's time or input moving on: a flow loop
# Actions in one contact at all: a loop that lets time pass (a retry on a Lambda timeout, a menu
# repeated on silence) never exits either; the simulator stops it instead of running for ever.
MAX_TOTAL_STEPS = 20_000
DEFAULT_INPUT_SECONDS = 5
# A chat Lex block without LexTimeoutSeconds.Text: the shortest chat timeout the console allows
# (1 minute; connect-flow-language.md §2.3, adminguide/get-customer-input.html "Configurable
# time-outs for chat input"). The stored docs did not give the default; the block should set it.
CHAT_LEX_TIMEOUT_SECONDS = 60
# $.InitiationMethod by the flow type a simulated contact starts in (connect-flow-language.md
# §3.1); the fixtures' contact.initiation_method overrides it.
INITIATION_BY_TYPE = {
    OUTBOUND_WHISPER: "OUTBOUND",
    "AGENT_TRANSFER": "TRANSFER",
    "QUEUE_TRANSFER": "TRANSFER",
}
# Flow types that run with an agent: $.Agent is "only in whisper, hold, outbound-whisper and
# transfer-to-agent flows" (connect-flow-language.md §3.1).
AGENT_FLOW_TYPES = frozenset({*WHISPER, *HOLD, OUTBOUND_WHISPER, "AGENT_TRANSFER"})
# Flow types that start with a working queue: the customer waits in it (customer queue), the
# quick connect names it (queue transfer, §2.0), or the agent answered from it (whispers).
QUEUED_FLOW_TYPES = frozenset({"CUSTOMER_QUEUE", "QUEUE_TRANSFER", *WHISPER})
# The contact's own data UpdateContactData sets, read as $.Name... (contact-actions-updatecontactdata.html).
CONTACT_DATA = ("Name", "Description", "CustomerId", "References")
_DTMF = re.compile(r"^[0-9#*]+$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_ATTR_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_FLOW_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class InputError(ValueError):
    """A caller input the simulator cannot understand."""


@dataclass(frozen=True)
class CallerInput:
    kind: str  # dtmf | speech | silence | text (a chat message)
    value: str = ""

    @classmethod
    def parse(cls, raw: str) -> CallerInput:
        if raw.lstrip().lower().startswith("text:"):
            # A chat message, as the customer typed it: blank text is a message too (SendMessage's
            # Content takes any 1-16384 characters); what it means is the flows' business.
            return cls("text", raw.lstrip()[5:].strip())
        text = raw.strip()
        if text.lower() == "silence":
            return cls("silence")
        if text.lower().startswith("say:"):
            spoken = text[4:].strip()
            if not spoken:
                raise InputError(f"{raw!r}: say: needs words after it, e.g. say:솔트웨어")
            return cls("speech", spoken)
        if text.lower().startswith("wav:"):
            return cls.heard(Path(text[4:].strip()), raw)
        if _DTMF.match(text):
            return cls("dtmf", text)
        raise InputError(
            f"{raw!r} is not a caller input: use digits with optional # or * (1234#), "
            "say:TEXT for speech, wav:FILE for recorded speech, or silence"
        )

    def on(self, channel: str) -> CallerInput:
        """This input, if a contact on `channel` can give it: a chat customer types (text:), a
        caller speaks (say:) or presses keys; silence is either's. InputError otherwise."""
        if self.kind == "silence" or (self.kind == "text") == (channel == CHAT):
            return self
        if channel == CHAT:
            raise InputError(f"{self}: a chat customer types messages (text:...), not speech or keys")
        raise InputError(f"{self}: a caller speaks (say:...) or presses keys; text: is a chat message")

    @classmethod
    def heard(cls, path: Path, raw: str = "") -> CallerInput:
        """The caller's recorded speech, recognised offline (stt): the same turn as say: with the
        words the recognizer heard; silence when it heard none."""
        from .stt import SpeechError, transcribe  # vosk loads only for audio input

        if not str(path).strip() or str(path) == ".":
            raise InputError(f"{raw!r}: wav: needs a file after it, e.g. wav:caller.wav")
        try:
            words = transcribe(path)
        except SpeechError as exc:
            raise InputError(f"{raw or path}: {exc}") from None
        return cls("speech", words) if words else cls("silence")

    def __str__(self) -> str:
        if self.kind == "text":
            return f"text:{self.value}"
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


# The number the stack's own flows answer (a call API call that names no other number).
OWN_NUMBER = "+8215880000"


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
    # What the flows did beyond the call itself: contact tags, tasks and cases created, what was
    # sent elsewhere (TagContact, CreateTask, StartOutboundChatContact...).
    tags: dict[str, str] = field(default_factory=dict)
    created: list[dict[str, str]] = field(default_factory=list)
    # UpdateContactRoutingBehavior: QueuePriority (lower is routed first; Connect's default 5) or
    # QueueTimeAdjustmentSeconds (the contact counts as that much older); the live queues order by it.
    routing: dict[str, int] = field(default_factory=dict)
    # UpdateRoutingCriteria: the steps that narrow which agents may take the contact once queued
    # (routing_criteria.py); the live queues match them against the agents' proficiencies.
    routing_criteria: RoutingCriteria | None = None
    # The instance whose flows ran the call: the stack's own, or the one the dialled number is
    # claimed to (local/deployed.py).
    instance: str = ""

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


@dataclass(frozen=True)
class _Plan:
    """How an action's parameters are resolved: the keys resolved as one whole path (a key of
    SINGLE_PATH_PARAMS, unless its value holds a deploy-time placeholder such as
    ${Other.ContactFlowArn}, which is no JSONPath but text the deployment replaces:
    resource_map.PLACEHOLDER), each parameter's resolver, and the namespaces of the contact's view
    they read. No resolvers: a reference is not Flow Language, and resolving it errors the action."""

    singles: frozenset[str]
    resolvers: tuple[tuple[str, refs.Resolver], ...] | None
    namespaces: tuple[str, ...]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> _Plan:
        singles = frozenset(
            k
            for k, v in raw.items()
            if k in SINGLE_PATH_PARAMS and not (isinstance(v, str) and has_placeholder(v))
        )
        read: set[str] = set()
        try:
            resolvers = tuple((k, refs.resolver(v, single=k in singles, read=read)) for k, v in raw.items())
        except refs.InvalidReferenceError:
            return cls(singles, None, ())
        return cls(singles, resolvers, tuple(sorted(read)))


def _attributes_bytes(attributes: Mapping[str, str]) -> int:
    # The UTF-8 bytes of texts put together are the sum of theirs: two encodings, not two a key.
    return len("".join(attributes).encode("utf-8")) + len("".join(attributes.values()).encode("utf-8"))


class FlowRunError(RuntimeError):
    """A flow is broken at run time (unhandled error, step limit); the contact would be dropped."""


class SimulatorBugError(RuntimeError):
    """The simulator itself failed running an action: a bug in aicc-ops, not a fault of the flow.
    Not a FlowRunError, so nothing takes it for the flow's failure (a drill would record the flow
    as dropping the call); the message says to report it."""


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
        fixtures: Fixtures | None = None,
        references: Mapping[str, str] | None = None,
    ) -> None:
        self.config, self.resources, self.flows = config, resources, flows
        self.local = LocalMap(resources)  # our resources by name, for symbolic references
        self.lambdas, self.lex = lambdas, lex
        self.queues = queues  # agents online and callers waiting: simulated, or the live server's
        if entry_flow not in flows:
            raise ValueError(f"entry flow {entry_flow!r} is not in the catalog")
        self.entry_flow = entry_flow
        self.hold_seconds = hold_seconds
        # What answers for the Lambdas, queues, bots... that are not ours (nothing: their error
        # branches), and the ARNs and IDs of flows given alongside -> their keys in `flows`.
        self.fixtures = fixtures or Fixtures()
        self.references = dict(references or {})
        # Fault injection for drills and tests: queue key -> capacity (overrides max_contacts), and
        # (flow key, action identifier) -> the ErrorType that action raises instead of running.
        self.queue_limits: dict[str, int] = {}
        self.action_faults: dict[tuple[str, str], str] = {}
        # Per action (by id, the action kept alive with its entry): its transitions, and how its
        # parameters' references are resolved.
        self._transitions: dict[int, tuple[Mapping[str, Any], dict[str, Any]]] = {}
        # id(action) -> (the action, its plan, the parameters the plan was worked out from)
        self._references: dict[int, tuple[Mapping[str, Any], _Plan | None, Any]] = {}

    # ---- public -----------------------------------------------------------------------------
    def run(
        self,
        caller: str,
        at: datetime,
        inputs: Sequence[str | CallerInput] = (),
        dialed: str | None = None,
        hold_seconds: int | None = None,
        input_source: Callable[[], CallerInput | None] | None = None,
        started: Callable[[CallResult], None] | None = None,
        contact_id: str | None = None,
        attributes: Mapping[str, str] | None = None,
        entry: str | None = None,
        channel: str = VOICE,
    ) -> CallResult:
        """Run one call. With `input_source`, a block that waits for the caller and finds the script
        empty asks it (a live caller; None is silence, an exception ends the call: the caller hung
        up); `started` receives the result being filled in. `attributes`: the contact's attributes
        from the start (an outbound contact's, as StartOutboundVoiceContact sets them), over the
        fixtures' contact.attributes. `entry`: the flow the contact starts in (default: the
        engine's entry flow); its type's rules apply (see `_Run.start`). `channel`: VOICE, or CHAT
        for a chat contact (`caller` is then the customer's display name, not a number)."""
        if channel not in (VOICE, CHAT):
            raise InputError(f"channel {channel!r}: VOICE or CHAT")
        script = [(i if isinstance(i, CallerInput) else CallerInput.parse(i)).on(channel) for i in inputs]
        if channel == VOICE and not _E164.match(caller):
            raise InputError(f"caller number {caller!r} must be E.164, e.g. +821012345678")
        if at.tzinfo is None:
            raise InputError("the call time needs a UTC offset, e.g. 2026-11-25T10:00:00+09:00")
        dialed = dialed or OWN_NUMBER
        entry = entry or self.entry_flow
        if entry not in self.flows:
            raise InputError(f"no flow {entry!r} to start the contact in")
        contact = _Contact(
            contact_id or str(uuid.uuid4()),
            caller,
            dialed,
            at,
            {**self.fixtures.attributes, **(attributes or {})},
            cursor=Cursor(self.fixtures),
            channel=channel,
        )
        result = CallResult(contact.contact_id, at.isoformat(), instance=self.resources.instance_arn)
        run = _Run(
            self, contact, result, script, hold_seconds if hold_seconds is not None else self.hold_seconds
        )
        run.source = input_source
        if started is not None:
            started(result)
        try:
            run.start(entry)
        finally:
            result.ended_at = contact.now.isoformat()
            result.attributes = dict(contact.attributes)
        return result

    def ours(self, ref: str) -> tuple[str, str] | None:
        """(kind, key) of one of this repository's resources a flow names, by ARN or by the symbolic
        reference `connect export` writes (resource_map.ours), else None."""
        return our_resource(self.resources, ref, self.local)

    def flow_key(self, ref: str) -> str | None:
        """The key of the flow or module an ARN, ID or symbolic reference names: ours, or one given
        alongside (found as `flows lint` finds it: resource_map.find_flow)."""
        found = self.ours(ref)
        if found and found[0] == "flow" and found[1] in self.flows:
            return found[1]
        key = find_flow(ref, self.references)
        return key if key in self.flows else None

    def transitions(self, action: Mapping[str, Any]) -> dict[str, Any]:
        """graph.transitions of one of the engine's actions, worked out once: a flow's actions do
        not change while the engine runs them."""
        key = id(action)
        if key not in self._transitions:
            self._transitions[key] = (action, transitions(action))
        return self._transitions[key][1]

    def resolution(self, action: Mapping[str, Any]) -> _Plan | None:
        """How the action's parameters are resolved, worked out once; None when no parameter holds
        a `$` (a reference, or a placeholder the resolution leaves as it is): one without is run
        with its parameters as written. Worked out again when the parameters are no longer those
        it was worked out from (an action edited in place: its resolvers hold the values)."""
        raw = action.get("Parameters")
        kept = self._references.get(id(action))
        if kept is None or kept[0] is not action or kept[2] != raw:
            plan = None
            if isinstance(raw, Mapping) and "$" in json.dumps(raw, ensure_ascii=False):
                plan = _Plan.of(raw)
            kept = self._references[id(action)] = (action, plan, copy.deepcopy(raw))
        return kept[1]

    def all_transitions(self, flow: Flow) -> set[tuple[str, str, str]]:
        """(source, branch, target) for every transition of a flow: the denominator of coverage."""
        out: set[tuple[str, str, str]] = set()
        for ident, action in flow.actions.items():
            for branch, target in branches(action):
                out.add((ident, branch, target))
        return out


_ABSENT = object()  # a namespace the contact does not have: not in its view


class _Run(OfflineActions):
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
        self.total_steps = 0
        self.progress: tuple[datetime, int] | None = None
        self.source: Callable[[], CallerInput | None] | None = None
        self.agents_read = False
        self._stamped: tuple[datetime | None, str] = (None, "")

    def agents(self) -> QueueModel:
        """The queue model, its agents read once per contact, when the contact first asks about
        them (a metric block): a call whose flows check no staffing reads no presence."""
        if not self.agents_read:
            self.e.queues.refresh()
            self.agents_read = True
        return self.e.queues

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

    def view(self, namespaces: Iterable[str] | None = None) -> dict[str, Any]:
        """The contact as references read it ($.Attributes, $.Queue...): every namespace it has, or
        those of `namespaces` (a block's references read one or two; the others are not built)."""
        view = {}
        for namespace in _VIEW if namespaces is None else namespaces:
            read = _VIEW.get(namespace)
            value = _ABSENT if read is None else read(self)
            if value is not _ABSENT:
                view[namespace] = value
        return view

    def endpoints(self) -> dict[str, Any]:
        """$.CustomerEndpoint and $.SystemEndpoint: the phone numbers of a call; a chat started with
        StartChatContact has neither (the API takes no number)."""
        c = self.c
        if c.channel != VOICE:
            return {"CustomerEndpoint": None, "SystemEndpoint": None}
        return {
            "CustomerEndpoint": {"Address": c.caller, "Type": "TELEPHONE_NUMBER"},
            "SystemEndpoint": {"Address": c.dialed, "Type": "TELEPHONE_NUMBER"},
        }

    def queue_name(self, target: tuple[str, str]) -> str:
        kind, key = target
        if kind == "queue":
            return self.e.config.queues[key].name
        if kind == "external":
            return self.c.queue_states[key].name
        return f"agent:{key}"

    def queue_arn(self, target: tuple[str, str]) -> str:
        kind, key = target
        if kind == "queue":
            return self.e.resources.queue_arn(key)
        if kind == "external":
            state = self.c.queue_states[key]
            return state.arn or f"{self.e.resources.instance_arn}/queue/{arn_tail(key)}"
        if kind == "xagent":
            return self.e.fixtures.agent.arn or self.e.resources.agent_arn(key)
        return self.e.resources.agent_arn(key)

    def external_queue(self, state: QueueState) -> tuple[str, str]:
        """Another instance's queue, as the fixtures describe it, as a working-queue target."""
        self.c.queue_states[state.key] = state
        return "external", state.key

    def unmodelled(self, error: str, detail: str) -> _Outcome:
        """What the simulator cannot answer (not ours, not in the fixtures) takes the action's
        documented error branch, and the transcript says why."""
        self.note("fixture", detail)
        return _Outcome("error", error, detail)

    # ---- flow loop ----------------------------------------------------------------------------
    def start(self, flow_key: str) -> None:
        """Start the contact in a flow of any type, as Connect would run that type: a customer-queue
        flow for a contact waiting in its working queue, a hold flow while the call is on hold,
        whisper and transfer-to-agent flows with an agent ($.Agent), an outbound whisper for an
        outbound contact, a queue transfer flow with the quick connect's queue."""
        c, f = self.c, self.e.fixtures
        ftype = self.e.flows[flow_key].type
        # A chat StartChatContact started is an API contact: "the InitiationMethod ... is API"
        # (https://docs.aws.amazon.com/connect/latest/adminguide/integrate-with-startchatcontact-api.html).
        started = "API" if c.channel == CHAT else "INBOUND"
        c.initiation_method = f.initiation_method or INITIATION_BY_TYPE.get(ftype, started)
        if ftype in AGENT_FLOW_TYPES:
            a = f.agent
            c.agent = {
                "UserName": a.username,
                "FirstName": a.first_name,
                "LastName": a.last_name,
                "ARN": a.arn or self.e.resources.agent_arn(a.username),
            }
        if ftype in QUEUED_FLOW_TYPES:
            c.target_queue = self.start_queue()
        if ftype == "CUSTOMER_QUEUE":
            assert c.target_queue is not None
            name = self.queue_name(c.target_queue)
            self.r.queue_transfers.append(name)
            self.r.queue = name
            c.queued = True
            c.hooks["CustomerQueue"] = flow_key
            self.wait_in_queue()
        elif ftype in HOLD:
            flow = self.e.flows[flow_key]
            self.enter(flow)
            until = c.now + timedelta(seconds=self.hold_seconds)
            # A hold flow plays until the agent resumes the call: the simulated hold time.
            if self.execute(flow, budget_until=until) is None and not self.r.disconnected:
                c.now = max(c.now, until)
                self.r.end_reason = f"on hold for {self.hold_seconds} s (simulated), then resumed"
        else:
            self.inbound(flow_key)

    def start_queue(self) -> tuple[str, str]:
        """The working queue a queued flow type starts with: the fixtures' contact.queue (ours by key
        or name, or another instance's), else Connect's BasicQueue."""
        ref = self.e.fixtures.start_queue
        if ref is not None:
            queues = self.e.config.queues
            key = next((k for k, q in queues.items() if ref in (k, q.name)), None)
            found = self.e.ours(ref)
            if key is None and found and found[0] == "queue":
                key = found[1]
            if key is not None:
                return "queue", key
        return self.external_queue(self.e.fixtures.start_queue_state())

    def enter(self, flow: Flow) -> None:
        self.r.flows.append(flow.name)
        self.note("flow", flow.name)
        self.c.flow_attributes = {}

    def inbound(self, flow_key: str) -> None:
        while flow_key:
            flow = self.e.flows[flow_key]
            self.enter(flow)
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
                self.resumed(flow)
            elif kind == "module":
                # A module started on its own returns to nothing: the rehearsal ends there.
                returned = f" with result {target}" if target else ""
                self.r.end_reason = self.r.end_reason or f"module returned{returned} (EndFlowModuleExecution)"
            elif kind == "end":
                self.r.end_reason = target

    def resumed(self, flow: Flow) -> None:
        """End flow / Resume: "if a flow ends before the contact is put into queue, ending the flow
        results in the contact being ended" (APIReference/flow-control-actions-endflowexecution.html);
        after a whisper the parties talk."""
        if flow.type in (*WHISPER, OUTBOUND_WHISPER) or self.c.queued:
            self.r.end_reason = self.r.end_reason or "whisper ended: connected"
            return
        self.r.disconnected = True
        self.r.end_reason = self.r.end_reason or "flow ended before the contact was queued"

    def execute(self, flow: Flow, budget_until: datetime | None = None) -> tuple[str, str] | None:
        """Run a flow from its start. Returns ('flow', key) or ('queue', name) when it hands off, and
        ('resume', '') when an End flow / Resume block hands the contact back."""
        ident: str | None = flow.start
        c, r, e = self.c, self.r, self.e  # the run's, for its whole length
        steps, transitions_ = r.steps, r.transitions
        while ident:
            if budget_until is not None and c.now >= budget_until:
                return None
            progress = (c.now, len(r.inputs_used))
            self.steps = self.steps + 1 if progress == self.progress else 1
            self.progress = progress
            if self.steps > MAX_STEPS:
                raise FlowRunError(
                    f"{flow.name} / {ident}: {MAX_STEPS} actions in a row with no input and no time passing; "
                    "a loop without an exit"
                )
            self.total_steps += 1
            if self.total_steps > MAX_TOTAL_STEPS:
                raise FlowRunError(
                    f"{flow.name} / {ident}: {MAX_TOTAL_STEPS} actions in one contact; a loop without an "
                    f"exit (the contact's clock reached {c.now.isoformat()})"
                )
            action = flow.actions.get(ident)
            if action is None:
                raise FlowRunError(f"{flow.name}: no action {ident!r}; Connect would drop the call")
            kind = str(action["Type"])
            # Most calls inject no fault and have no fixtures' answers: no key built to look them up.
            injected = e.action_faults.get((flow.key, ident)) if e.action_faults else None
            answer = e.fixtures.action(ident, kind) if e.fixtures.actions else None
            if injected:
                outcome = _Outcome("error", injected, "injected fault")
            elif answer is not None and answer.error:
                outcome = _Outcome(
                    "error",
                    answer.error,
                    f"fixtures: actions.{ident if ident in e.fixtures.actions else kind}",
                )
            else:
                outcome = self.dispatch(flow, action, kind, budget_until)
            next_ident, branch = self.choose(flow, action, outcome)
            steps.append(Step(flow.name, ident, kind, branch, self.stamp(), outcome.detail))
            if outcome.kind == "terminal":
                return None
            if outcome.kind == "leave":
                kind_, target = outcome.value.split(":", 1)
                transitions_.append((flow.name, ident, "leave", ""))
                return kind_, target
            if next_ident is None:
                raise FlowRunError(
                    f"{flow.name} / {ident}: {branch} has no branch; Connect would drop the call"
                )
            transitions_.append((flow.name, ident, branch, next_ident))
            ident = next_ident
        return None

    def choose(self, flow: Flow, action: Mapping[str, Any], outcome: _Outcome) -> tuple[str | None, str]:
        if outcome.kind in ("terminal", "leave"):
            return None, outcome.kind
        # The well-formed part: a malformed branch is no branch (lint says why).
        t = self.e.transitions(action)
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
        # Every documented action type has a do_<Type> handler; a type without one is not Flow
        # Language the simulator knows, and Connect would not have imported the flow.
        handler = getattr(self, f"do_{kind}", None) if kind.isidentifier() else None
        if handler is None:
            raise FlowRunError(f"{flow.name} / {action['Identifier']}: unknown action type {kind!r}")
        raw = action.get("Parameters") or {}
        if type(raw) is not dict and not isinstance(raw, Mapping):  # a dict first: the ABC's check is slower
            return _Outcome("error", "NoMatchingError", f"Parameters is {type(raw).__name__}, not an object")
        plan = self.e.resolution(action)
        try:
            params = raw if plan is None else self.resolved(raw, plan)
        except refs.InvalidReferenceError as exc:
            # Not Flow Language (references.NAMESPACES holds every documented namespace): the
            # linter reports it; here the action errors.
            return _Outcome("error", "NoMatchingError", str(exc))
        wrong = off_channel(kind, raw, self.c.channel) if self.c.channel != VOICE else None  # voice runs all
        if wrong is not None:
            return wrong
        try:
            outcome: _Outcome = handler(flow, action, params, budget)
        except BadParameterError as exc:
            # A parameter of a shape the action does not take, found on purpose by the handler
            # (action_params): the action's NoMatchingError branch, as Connect errors the action.
            return _Outcome("error", "NoMatchingError", f"{kind}: {exc}")
        except InputError:
            raise
        except (ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as exc:
            # Anything else a handler raises is the simulator's own fault: taking the flow's error
            # branch would pass it off as Connect's behaviour, so the rehearsal stops and says so.
            raise SimulatorBugError(
                f"{flow.name} / {action['Identifier']} ({kind}): a bug in aicc-ops, not in the flow "
                f"({type(exc).__name__}: {exc}); please report it with the flow file"
            ) from exc
        return outcome

    def resolved(self, raw: Mapping[str, Any], plan: _Plan) -> dict[str, Any]:
        """An action's parameters with the contact's values in place of their references."""
        if plan.resolvers is None:  # resolving raises InvalidReferenceError, as it would here
            view = self.view()
            return {k: refs.resolve_param(v, view, single=k in plan.singles) for k, v in raw.items()}
        view = self.view(plan.namespaces)
        return {k: value_of(view) for k, value_of in plan.resolvers}

    # ---- caller I/O ---------------------------------------------------------------------------
    def note(self, kind: str, text: str) -> None:
        flow = self.r.flows[-1] if self.r.flows else ""
        self.r.transcript.append({"at": self.stamp(), "flow": flow, "kind": kind, "text": text})

    def stamp(self) -> str:
        """The contact's clock as steps and transcript write it, formatted once per instant: most
        blocks take no time, and a call writes ~65 stamps."""
        now = self.c.now
        if now is not self._stamped[0]:
            self._stamped = (now, now.isoformat())
        return self._stamped[1]

    def say(self, params: Mapping[str, Any]) -> None:
        if params.get("Text"):
            text = str(params["Text"]).strip()  # spoken as written: a Text prompt is not SSML
        elif params.get("SSML"):
            text = spoken_text(str(params["SSML"]))
        elif params.get("PromptId"):
            text = f"[prompt {params['PromptId']}]"
        elif params.get("Media"):
            text = f"[audio {refs.as_text(map_param(params, 'Media').get('Uri'))}]"
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
        limit = int_param(p, "InputTimeLimitSeconds", DEFAULT_INPUT_SECONDS)
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
        dtmf = map_param(p, "DTMFConfiguration")
        terminator = str(dtmf.get("InputTerminationSequence", "#"))
        cancel = str(dtmf.get("DisableCancelKey", "False")).lower() != "true"
        digits = given.value
        if terminator and terminator in digits:
            digits = digits[: digits.index(terminator)]
        if cancel and "*" in digits:
            digits = digits[digits.rindex("*") + 1 :]
        validation = map_param(p, "InputValidation")
        custom = map_param(validation, "CustomValidation")
        if custom.get("MaximumLength") is not None:
            digits = digits[: int_param(custom, "MaximumLength", 20)]
        phone = map_param(validation, "PhoneNumberValidation")
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
        v2, v1 = map_param(p, "LexV2Bot"), map_param(p, "LexBot")
        bot = refs.as_text(v2.get("AliasArn"))
        session = {str(k): str(v) for k, v in map_param(p, "LexSessionAttributes").items()}
        if self.e.ours(bot) != ("lex", "bot"):
            # Another team's bot (Lex V2 by alias ARN, Lex V1 by name) answers from the fixtures.
            name = bot or refs.as_text(v1.get("Name"))
            return self.fixture_lex_turn(name, session)
        given = self.next_input()
        if given.kind == "silence":
            if self.c.channel == CHAT:
                # A chat waits the block's LexTimeoutSeconds.Text ("chat inactivity timer",
                # APIReference/participant-actions-connectparticipantwithlexbot.html).
                text_s = int_param(map_param(p, "LexTimeoutSeconds"), "Text", CHAT_LEX_TIMEOUT_SECONDS)
                self.wait(text_s)
                self.c.lex = {}
                return _Outcome("error", "InputTimeLimitExceeded", f"no message within {text_s} s")
            # Lex waits start-timeout-ms for speech to begin (3 s unless the block's session says otherwise).
            start_ms = session.get("x-amz-lex:audio:start-timeout-ms:*:*", "3000")
            self.wait(int(start_ms) / 1000 if start_ms.isdigit() else 3)
            self.c.lex = {}
            return _Outcome("error", "InputTimeLimitExceeded", "no speech")
        text = given.value.rstrip("#") if given.kind == "dtmf" else given.value
        mode = {"dtmf": "DTMF", "text": "Text"}.get(given.kind, "Speech")
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

    def fixture_lex_turn(self, bot: str, session: Mapping[str, str]) -> _Outcome:
        """A turn of a bot that is not ours, from the fixtures (bots:): one per block, in order."""
        key, turn = self.c.cursor.lex_turn(bot)
        if key is None:
            self.c.lex = {}
            return self.unmodelled(
                "NoMatchingError", f"Lex bot {bot or '(none)'!r} is not ours and not in the fixtures (bots:)"
            )
        if turn is not None and turn.say:
            self.r.inputs_used.append(f"say:{turn.say}")
            self.note("input", f"say:{turn.say}")
        if turn is None or turn.error:
            # No turn left: the caller says nothing, and Lex times out (3 s unless the session says).
            self.wait(3)
            self.c.lex = {}
            error = turn.error if turn is not None and turn.error else "InputTimeLimitExceeded"
            return _Outcome(
                "error", error, f"fixtures: bots.{key}: {'no turn left' if turn is None else error}"
            )
        self.c.lex = {
            "IntentName": turn.intent,
            "Slots": dict(turn.slots),
            "SessionAttributes": {**session, **turn.session_attributes},
            "DialogState": "Fulfilled",
            "IntentConfidence": {"Score": "1.00"},
            "InputTranscript": turn.say,
            **({"SentimentResponse": {"Label": turn.sentiment}} if turn.sentiment else {}),
        }
        return _Outcome("result", turn.intent, f"fixtures: bots.{key} -> {turn.intent}")

    def do_InvokeLambdaFunction(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        arn = refs.as_text(p.get("LambdaFunctionARN"))
        found = self.e.ours(arn)
        ours = found[1] if found and found[0] == "lambda" else self.e.lambdas.name_of(arn)
        name = ours or arn_tail(arn) or "(no function)"
        limit = float(int_param(p, "InvocationTimeLimitSeconds", 8))
        rtype = map_param(p, "ResponseValidation").get("ResponseType", "STRING_MAP")
        asynchronous = p.get("InvocationType") == "ASYNCHRONOUS"
        parameters = {str(k): refs.as_text(v) for k, v in map_param(p, "LambdaInvocationAttributes").items()}
        event = self.lambda_event(parameters)
        started = datetime.now()
        response: dict[str, Any] | None = None
        error: str | None = None
        try:
            if ours is None and arn:
                response = self.fixture_lambda(arn, name, rtype)
            else:
                with clock.frozen_at(self.c.now):
                    if ours is None:
                        response = self.e.lambdas.invoke(arn, event, limit, rtype)
                    else:
                        response = self.e.lambdas.invoke_named(ours, event, limit, rtype, arn=arn)
        except LambdaInvokeError as exc:
            error = str(exc)
        elapsed = 0.0 if ours is None else (datetime.now() - started).total_seconds()
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

    def fixture_lambda(self, arn: str, name: str, rtype: str) -> dict[str, Any]:
        """Another team's function answers from the fixtures (lambdas:), under the same rules as
        ours (a STRING_MAP answer must be flat strings); one not listed fails, as a function
        Connect cannot invoke does (the error branch)."""
        answer = self.c.cursor.lambda_answer(arn)
        if answer is None:
            raise LambdaInvokeError("NotFound", f"{name} is not ours and not in the fixtures (lambdas:)")
        if answer.error:
            raise LambdaInvokeError(answer.error, f"{name} (fixtures)")
        return validate_response(name, answer.response or {}, rtype)

    def lambda_event(self, parameters: dict[str, str]) -> dict[str, Any]:
        c = self.c
        endpoints = self.endpoints()
        return {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    "Attributes": dict(c.attributes),
                    "Channel": c.channel,
                    "ContactId": c.contact_id,
                    "CustomerEndpoint": endpoints["CustomerEndpoint"],
                    "CustomerId": c.contact_data.get("CustomerId"),
                    "Description": c.contact_data.get("Description"),
                    "InitialContactId": c.contact_id,
                    "InitiationMethod": c.initiation_method,
                    "InstanceARN": self.e.resources.instance_arn,
                    "LanguageCode": c.language,
                    "MediaStreams": {"Customer": {"Audio": None}},
                    "Name": "ContactFlowEvent",
                    "PreviousContactId": c.contact_id,
                    "Queue": self.queue_view(),
                    "References": {},
                    "SystemEndpoint": endpoints["SystemEndpoint"],
                },
                "Parameters": parameters,
            },
        }

    def do_Compare(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        value = p.get("ComparisonValue")
        return _Outcome("result", refs.as_text(value), f"value {refs.as_text(value)!r}")

    def do_CheckHoursOfOperation(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        ref = refs.as_text(p.get("HoursOfOperationId"))
        target = self.c.target_queue
        if ref:
            found = self.e.ours(ref)
            key = found[1] if found and found[0] == "hours" else None
            if key is None:
                return self.fixture_hours(ref, f"hours {ref!r}")
        elif target and target[0] == "queue":
            key = self.e.config.queues[target[1]].hours
        elif target and target[0] == "external":
            # Another instance's queue: its hours as the fixtures say (queues.<key>.hours).
            state = self.c.queue_states[target[1]]
            if state.hours is None:
                return self.unmodelled(
                    "NoMatchingError",
                    f"queue {state.name!r} has no hours in the fixtures (queues.{state.key}.hours)",
                )
            return self.fixture_hours(state.hours, f"{state.name}'s hours {state.hours!r}")
        else:
            key = None  # no hours given and an agent queue or none: Connect takes Error
        if key is None:
            return _Outcome("error", "NoMatchingError", "no hours of operation")
        hours = self.e.config.hours[key]
        local = self.c.now.astimezone(hours.time_zone)
        day = hours.schedule.get(DAYS[local.weekday()])
        is_open = bool(day and day.contains(local.time().replace(second=0, microsecond=0)))
        return _Outcome("result", "True" if is_open else "False", f"{key} at {local:%a %H:%M}")

    def fixture_hours(self, ref: str, what: str) -> _Outcome:
        is_open = self.e.fixtures.hours_open(ref)
        if is_open is None:
            return self.unmodelled("NoMatchingError", f"{what} is not ours and not in the fixtures (hours:)")
        return _Outcome(
            "result", "True" if is_open else "False", f"fixtures: {what} {'open' if is_open else 'closed'}"
        )

    def _queue_ref(self, p: Mapping[str, Any]) -> tuple[str, str] | None:
        ref = refs.as_text(p.get("QueueId") or p.get("AgentId"))
        found = self.e.ours(ref) if ref else None
        if found and found[0] in ("queue", "agent"):
            return found[0], found[1]
        if ref and p.get("QueueId"):
            state = self.e.fixtures.queue(ref)
            return self.external_queue(state) if state is not None else None
        if ref and self.e.fixtures.agent_matches(ref):
            return "xagent", self.e.fixtures.agent.username
        return None

    def _unknown_queue(self, p: Mapping[str, Any]) -> _Outcome:
        ref = refs.as_text(p.get("QueueId") or p.get("AgentId"))
        if not ref:
            return _Outcome("error", "NoMatchingError", "no queue or agent given")
        if ref.startswith(f"{self.e.resources.instance_arn}/"):
            return _Outcome("error", "NoMatchingError", f"unknown queue {ref!r}")
        section = "queues:" if p.get("QueueId") else "agent:"
        return self.unmodelled("NoMatchingError", f"{ref!r} is not ours and not in the fixtures ({section})")

    def _metric_target(self, p: Mapping[str, Any]) -> tuple[str, str] | None:
        """The queue or agent a metric block measures: its QueueId/AgentId, else the working queue."""
        return self._queue_ref(p) if (p.get("QueueId") or p.get("AgentId")) else self.c.target_queue

    def _queue_metrics(self, target: tuple[str, str]) -> dict[str, int]:
        if target[0] == "external":
            q = self.c.queue_states[target[1]]
            return {
                "NumberOfAgentsAvailable": q.agents_available,
                "NumberOfAgentsOnline": q.agents_online,
                "NumberOfAgentsStaffed": q.agents_staffed,
                "NumberOfContactsInQueue": q.contacts_in_queue,
                "OldestContactInQueueAgeSeconds": q.oldest_contact_age,
            }
        queue_key = target[1]
        counts = self.agents().counts(queue_key)
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
        if target[0] in ("queue", "external"):
            return self._queue_metrics(target).get(metric)
        # An agent queue: the agent's own state; queue metrics of agent queues are not modelled.
        if target[0] == "xagent":
            status = self.e.fixtures.agent.status
        else:
            status = self.agents().agent_status(target[1])
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
        if target is None or target[0] not in ("queue", "external"):
            return _Outcome("error", "NoMatchingError", "no queue to measure")
        m = self._queue_metrics(target)
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
        limit = int_param(p, "LoopCount", 0)
        if done < limit:
            self.c.loops[key] = done + 1
            return _Outcome("result", "ContinueLooping", f"{done + 1}/{limit}")
        self.c.loops[key] = 0
        return _Outcome("result", "DoneLooping", f"{limit}/{limit}")

    def do_UpdateContactTargetQueue(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        target = self._queue_ref(p)
        if target is None:
            return self._unknown_queue(p)
        self.c.target_queue = target
        return _Outcome("next", detail=self.queue_name(target))

    def _enqueue(self, target: tuple[str, str]) -> _Outcome | None:
        if target[0] == "queue":
            queue = self.e.config.queues[target[1]]
            limit = self.e.queue_limits.get(target[1], queue.max_contacts)
            if not self.e.queues.admit(self.c.contact_id, target[1], limit):
                return _Outcome("error", "QueueAtCapacity", f"{queue.name} holds {limit}")
        if target[0] == "external" and self.c.queue_states[target[1]].at_capacity:
            state = self.c.queue_states[target[1]]
            return _Outcome("error", "QueueAtCapacity", f"fixtures: queues.{state.key}.at_capacity")
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
        if not self.c.queued:
            return _Outcome("error", "NoMatchingError", "not queued")
        if target is None:
            return self._unknown_queue(p)
        failed = self._enqueue(target)
        return failed or _Outcome("next", detail=self.queue_name(target))

    def do_UpdateContactAttributes(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        values = {str(k): refs.as_text(v) for k, v in map_param(p, "Attributes").items()}
        if any(not _ATTR_KEY.match(k) for k in values):
            return _Outcome("error", "NoMatchingError", "invalid attribute key")
        merged = {**self.c.attributes, **values}
        if _attributes_bytes(merged) > MAX_ATTRIBUTES_BYTES:
            return _Outcome("error", "NoMatchingError", "attributes would exceed 32 KB")
        self.c.attributes = merged
        return _Outcome("next", detail=", ".join(f"{k}={v}" for k, v in values.items()))

    def do_UpdateFlowAttributes(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        attributes = map_param(p, "FlowAttributes")
        for k in attributes:
            # Each is {"Value": ..., "Type": "String"} (flow-control-actions-updateflowattributes.html).
            self.c.flow_attributes[str(k)] = refs.as_text(map_param(attributes, k).get("Value"))
        return _Outcome("next")

    def do_UpdateContactRecordingBehavior(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        participants = list_param(map_param(p, "RecordingBehavior"), "RecordedParticipants")
        recording: dict[str, Any] = {"participants": participants}
        analytics = map_param(p, "AnalyticsBehavior")
        # Contact Lens analyses a call only when both sides are recorded.
        if analytics.get("Enabled") == "True" and set(map(str, participants)) == {"Agent", "Customer"}:
            voice = map_param(map_param(analytics, "ChannelConfiguration"), "Voice")
            recording["analytics_language"] = analytics.get("AnalyticsLanguage", "")
            recording["analytics_modes"] = list_param(voice, "AnalyticsModes")
        self.r.recording = recording
        return _Outcome("next", detail=", ".join(f"{k}={v}" for k, v in recording.items()))

    def do_UpdateFlowLoggingBehavior(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        return _Outcome("next")

    def do_UpdateContactRoutingBehavior(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        # Reference §2.13: one of the two, static; the later setting replaces the earlier one.
        for param, key in (
            ("QueuePriority", "queue_priority"),
            ("QueueTimeAdjustmentSeconds", "queue_age_s"),
        ):
            value = str(p.get(param, "")).strip()
            if value.lstrip("-").isdigit():
                self.r.routing = {key: int(value)}
        return _Outcome("next", detail=f"priority {p.get('QueuePriority', '-')}")

    # APIReference/flow-control-actions-updateroutingcriteria.html (exports write the type as
    # UpdateContactRoutingCriteria): a later block replaces the criteria; NoMatchingError when the
    # parameter (perhaps set dynamically) is not one Connect takes.
    def do_UpdateRoutingCriteria(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        criteria = map_param(p, "RoutingCriteria")
        if isinstance(criteria.get("Steps"), str):  # a dynamic value: the JSON text of the steps
            try:
                criteria = {"Steps": json.loads(criteria["Steps"])}
            except ValueError:
                return _Outcome("error", "NoMatchingError", "RoutingCriteria.Steps is not JSON")
        try:
            self.r.routing_criteria = RoutingCriteria.parse(criteria)
        except ValueError as e:
            return _Outcome("error", "NoMatchingError", f"routing criteria refused: {e}")
        steps = self.r.routing_criteria.steps
        expiries = ", ".join(f"{s.expiry} s" if s.expiry else "no expiry" for s in steps)
        return _Outcome("next", detail=f"routing criteria: {len(steps)} step(s) ({expiries})")

    def do_UpdateContactRoutingCriteria(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        return self.do_UpdateRoutingCriteria(flow, a, p, b)

    def do_UpdateContactTextToSpeechVoice(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        self.c.voice = str(p.get("TextToSpeechVoice"))
        return _Outcome("next")

    def do_UpdateContactData(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        if "LanguageCode" in p:
            code = refs.as_text(p["LanguageCode"])
            if not LANGUAGE_CODE.match(code):
                return _Outcome("error", "NoMatchingError", f"{code!r} is not a language code such as ko-KR")
            self.c.language = code
        # The contact's own data, readable as $.Name, $.Description, $.CustomerId, $.References
        # (APIReference/contact-actions-updatecontactdata.html); the Voice ID settings only
        # configure StartVoiceIdStream.
        for key in CONTACT_DATA:
            if key in p:
                self.c.contact_data[key] = p[key] if key == "References" else refs.as_text(p[key])
        return _Outcome("next", detail=", ".join(f"{k}={refs.as_text(v)}" for k, v in p.items()))

    def do_UpdateContactEventHooks(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        notes = []
        for hook, value in map_param(p, "EventHooks").items():
            ref = refs.as_text(value)
            key = self.e.flow_key(ref) if ref else None
            if key is not None:
                self.c.hooks[str(hook)] = key
            elif self.not_given(ref):
                # Another instance's flow the simulation was not given: Connect would accept it;
                # here it cannot run (the contact waits with music, the whisper is skipped).
                self.c.hooks.pop(str(hook), None)
                notes.append(f"{hook}: flow {ref} not given, it will not run here")
            else:
                return _Outcome("error", "NoMatchingError", f"{hook}: unknown flow {ref!r}")
        for text in notes:
            self.note("fixture", f"{text} (--with FILE, or the fixtures' flows:)")
        return _Outcome("next", detail="; ".join(notes))

    def not_given(self, ref: str) -> bool:
        """A flow the simulation was not given, which exists where the flow runs: a flow ARN of
        another instance, a bare flow ID, a symbolic {{flow:NAME}} (`connect export`), or a value
        holding a deploy-time placeholder (${Other.ContactFlowArn}: the deployment names the flow).
        An ARN of this instance that names no flow, or a reference to another kind, is an error."""
        if ref.startswith(f"{self.e.resources.instance_arn}/"):
            return False
        if _FLOW_ID.match(ref):
            return True
        symbolic = parse_symbolic(ref)
        if symbolic is not None:
            return symbolic[0] in ("flow", "module")
        try:
            # A placeholder may stand for the ARN's kind itself (kind ""): taken as a flow.
            return parse_arn(ref).kind in ("flow", "module", "")
        except MalformedArnError:
            return has_placeholder(ref)

    def do_TransferToFlow(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        ref = refs.as_text(p.get("ContactFlowId"))
        key = self.e.flow_key(ref) if ref else None
        if key is not None:
            return _Outcome("leave", f"flow:{key}", self.e.flows[key].name)
        if self.not_given(ref):
            why = f"transferred to flow {ref}, which was not given (--with FILE, or the fixtures' flows:)"
            self.note("fixture", why)
            return _Outcome("leave", f"end:{why}", why)
        return _Outcome("error", "NoMatchingError", f"unknown flow {ref!r}")

    def do_UpdateContactCallbackNumber(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        number = refs.as_text(p.get("CallbackNumber"))
        if not _E164.match(number):
            return _Outcome("error", "InvalidCallbackNumber", f"{number!r} is not E.164")
        # Our instance dials Korea only; which countries another instance may dial is its own (a
        # flow of someone else's file: Flow.foreign; ours keep the rule even when given as a file).
        if not flow.foreign and not number.startswith("+82"):
            return _Outcome("error", "CallbackNumberNotDialable", f"{number} is outside Korea")
        self.c.callback_number = number
        return _Outcome("next", detail=number)

    def do_CreateCallbackContact(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> _Outcome:
        given = p.get("QueueId") or p.get("AgentId")
        target = self._queue_ref(p) if given else self.c.target_queue
        if target is None:
            return (
                self._unknown_queue(p) if given else _Outcome("error", "NoMatchingError", "no callback queue")
            )
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
        for message in maps_param(p, "Messages"):
            self.say(message)
        interval = p.get("InterruptFrequencySeconds")
        remaining = (budget - self.c.now).total_seconds() if budget else float(self.hold_seconds)
        if interval is not None:
            interval = int_param(p, "InterruptFrequencySeconds", 60)
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
        # End flow / Resume works in every flow type; in an inbound flow there is nothing to resume,
        # so it "acts as Disconnect" (adminguide/end-flow-resume.html).
        if flow.type == INBOUND:
            return self.do_DisconnectParticipant(flow, a, p, b)
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


def _contact_datum(key: str) -> Callable[[_Run], Any]:
    return lambda r: r.c.contact_data.get(key, _ABSENT)


# The contact's view by namespace (connect-attrib-list.html), each read when a reference names it.
# $.Agent is there only in the flow types that run with an agent (AGENT_FLOW_TYPES), and the
# contact's own data ($.Name, $.Description, $.CustomerId, $.References) once UpdateContactData set
# it (it sets no other key).
_VIEW: dict[str, Callable[[_Run], Any]] = {
    "Attributes": lambda r: r.c.attributes,
    "External": lambda r: r.c.external,
    "StoredCustomerInput": lambda r: r.c.stored_input,
    "Lex": lambda r: r.c.lex,
    "Queue": lambda r: r.queue_view(),
    "FlowAttributes": lambda r: r.c.flow_attributes,
    "Metrics": lambda r: r.c.metrics,
    "CustomerEndpoint": lambda r: r.endpoints()["CustomerEndpoint"],
    "SystemEndpoint": lambda r: r.endpoints()["SystemEndpoint"],
    "Channel": lambda r: r.c.channel,
    "ContactId": lambda r: r.c.contact_id,
    "InitialContactId": lambda r: r.c.contact_id,
    "InstanceARN": lambda r: r.e.resources.instance_arn,
    "AwsRegion": lambda r: r.e.resources.region,
    "InitiationMethod": lambda r: r.c.initiation_method,
    "LanguageCode": lambda r: r.c.language,
    "TextToSpeechVoiceId": lambda r: r.c.voice,
    "LambdaInvocation": lambda r: r.c.lambda_invocation,
    **{key: _contact_datum(key) for key in CONTACT_DATA},
    "Agent": lambda r: _ABSENT if r.c.agent is None else r.c.agent,
    "Customer": lambda r: r.c.customer,
    "Case": lambda r: r.c.case,
    "Views": lambda r: r.c.views,
    "MediaStreams": lambda r: r.c.media_streams,
    "Modules": lambda r: r.c.modules,
}
