"""Live calls on the local stack: callers in real time, queues that fill, simulated agents that answer.

A placed call runs through the flows (the engine) on a thread of its own; its caller answers from
the inputs given up front, then from inputs sent while it runs (the HTTP call API), else silence
after the input wait. A call that reaches a queue waits there in real time. A dispatcher offers
waiting contacts to the agents whose routing profile serves the queue, as Connect does: the
profile's queue priority first, then the longest wait, honouring each queue's delay; the agent
talks for the talk time, does after-contact work, and becomes available again. Agent states feed
the emulator's real-time metrics and, as Connect's agent events (the same records, through the
agent_events handler), the agents table the Lambdas read.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from aicc.clock import seoul

from ..core.connect_users import held_proficiencies
from ..engine.actions import VOICE
from ..engine.interpreter import CallerInput, CallResult, Engine, InputError
from ..engine.presence import AgentPresence, QueueModel
from ..engine.routing_criteria import RoutingCriteria
from .admission import ANSWERED, RINGING, AnswerRate, FlowSlots, Ringing, Ticket
from .connect_emulator import ConnectEmulator
from .runtime import DEFAULT_ANSWER_RATE, DEFAULT_FLOW_SLOTS

log = logging.getLogger("aicc_ops.local.live")


@dataclass
class FlowStep:
    """One flow step of a live call: from the call's answer, a caller's input or the input wait
    running out (silence), until the flows next wait for the caller, queue the call or end it.
    An input sent before the flows wait for it starts its step when they take it."""

    cause: str  # answer | input | silence
    started: float  # monotonic
    started_at: datetime
    said: str = ""  # the input, for cause "input"
    seq: int = 0  # which input sent through the call API started it (1, 2...; 0: none)
    ended: float = 0.0  # monotonic; 0 while the flows run
    until: str = ""  # the call's state when the step ended: waiting_input | queued | ended

    def to_json(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "input": self.said or None,
            "started_at": self.started_at.isoformat(),
            "ms": round((self.ended - self.started) * 1000, 2) if self.ended else None,
            "until": self.until or None,
        }


class ContactEvents(Protocol):
    """Who hears what happens to a contact as it happens (a chat's Participant Service, chat.py):
    a flow step ended (its messages are out), an agent joined, the contact ended. `ended` comes
    once, after the flows are done with the contact, so after the last step's messages."""

    def step_ended(self, contact: LiveContact) -> None: ...

    def agent_joined(self, contact: LiveContact, at: datetime) -> None: ...

    def chat_ended(self, contact: LiveContact, at: datetime) -> None: ...


class _Said(NamedTuple):
    raw: str  # "" wakes a waiting flow without input (hang-up, stop)
    at: float  # monotonic: when the call API received it
    seq: int


@dataclass
class LiveContact:
    contact_id: str
    caller: str
    talk_seconds: float
    state: str = "ivr"  # ringing | ivr | waiting_input | queued | connected | ended
    queue_key: str = ""  # a queues.yaml key, or agent:<user id> for an agent's own queue
    queued_at: float = 0.0  # monotonic
    # The flows' routing behaviour (UpdateContactRoutingBehavior): within a queue Connect routes
    # the lowest priority first (default 5), then the oldest, an age adjustment counting as waited.
    priority: int = 5
    age_adjustment: float = 0.0
    # The flows' routing criteria (UpdateRoutingCriteria): which agents may take it as it waits.
    criteria: RoutingCriteria | None = None
    agent_id: str = ""
    agent_login: str = ""
    connected_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str = ""
    error: str = ""
    result: CallResult | None = None
    reserved: str = ""  # the queue key whose place the flows took while still running (capacity)
    ended_mono: float = 0.0
    arrived_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    answered_at: datetime | None = None
    steps: list[FlowStep] = field(default_factory=list)
    sent: int = 0  # inputs received through the call API
    inputs: queue.Queue[_Said] = field(default_factory=queue.Queue)
    done: threading.Event = field(default_factory=threading.Event)  # the flows are done with it
    hung_up: threading.Event = field(default_factory=threading.Event)
    stepped: threading.Condition = field(default_factory=threading.Condition)  # a step ended, or done
    ticket: Ticket | None = None  # its place in line for a flow slot, while it waits for one
    ringing: Ringing | None = None  # its place in line to be answered, while it rings
    holds_slot: bool = False  # its flows run a step (only its own thread changes this)
    channel: str = VOICE  # or CHAT: a chat started with StartChatContact (chat.py)
    events: ContactEvents | None = None  # a chat's transcript is written as things happen
    end_told: bool = False  # events.chat_ended was called (under emulator.lock)

    @property
    def waited(self) -> float:
        return time.monotonic() - self.queued_at if self.state == "queued" else 0.0

    def begin_step(self, cause: str, started: float, said: _Said | None = None) -> None:
        self.steps.append(
            FlowStep(
                cause,
                started,
                datetime.now(UTC) - timedelta(seconds=time.monotonic() - started),
                said.raw if said else "",
                said.seq if said else 0,
            )
        )

    def end_step(self) -> None:
        """The running step (if any) ends now, in the call's present state."""
        with self.stepped:
            if self.steps and not self.steps[-1].ended:
                self.steps[-1].ended = time.monotonic()
                self.steps[-1].until = self.state
            self.stepped.notify_all()
        if self.events is not None:
            self.events.step_ended(self)

    def say(self, raw: str) -> int:
        """Queue a caller input for the flows; its number (1, 2...) among those the API received."""
        with self.stepped:
            self.sent += 1
            self.inputs.put(_Said(raw, time.monotonic(), self.sent))
            return self.sent

    def wait_step(self, seq: int, timeout: float) -> None:
        """Until the step started by input `seq` (0: the call's first step) has ended, the flows
        are done with the call, or `timeout` seconds have passed."""

        def over() -> bool:
            if self.done.is_set():
                return True
            if seq == 0:
                return bool(self.steps) and self.steps[0].ended > 0
            return any(s.seq == seq and s.ended for s in self.steps)

        with self.stepped:
            self.stepped.wait_for(over, timeout)

    def to_json(self, transcript: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "contact_id": self.contact_id,
            "caller": self.caller,
            "channel": self.channel,
            "state": self.state,
            "queue": self.queue_key or None,
            "waited_seconds": round(self.waited, 1),
            "agent": self.agent_login or None,
            "connected_at": self.connected_at.isoformat() if self.connected_at else None,
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "end_reason": self.end_reason,
            "error": self.error or None,
            "arrived_at": self.arrived_at.isoformat(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "prompt": self.result.prompts[-1] if self.result is not None and self.result.prompts else None,
            "lambda_errors": sum(1 for c in self.result.lambda_calls if c.error) if self.result else 0,
            "steps": [s.to_json() for s in list(self.steps)],
        }
        if transcript and self.result is not None:
            data["call"] = self.result.to_json()
        return data


@dataclass(frozen=True)
class Activity:
    """What a simulated agent is doing: CONNECTED (talking) or ENDED (after-contact work)."""

    contact_id: str
    state: str
    since: datetime
    connected_at: datetime
    queue_id: str
    until: float  # monotonic
    channel: str = VOICE


@dataclass(frozen=True)
class Waiting:
    contact_id: str
    queue_key: str
    waited: float


@dataclass(frozen=True)
class Snapshot:
    waiting: list[Waiting]
    agents: dict[str, Activity]


class CallerHungUpError(Exception):
    """Raised into the flows when the live caller hangs up: the engine's run ends there."""


class LiveQueues(AgentPresence):
    """The engine's queue model on the server: the emulator's users and what they are doing right
    now, the callers waiting in the live queues, and an atomic check-and-reserve of a place."""

    def __init__(self, center: LiveCenter) -> None:
        super().__init__(center.emulator.config)
        self.center = center

    def backlog(self) -> dict[str, tuple[int, int]]:
        return self.center.backlog()

    def admit(self, contact_id: str, queue_key: str, limit: int | None) -> bool:
        return self.center.admit(contact_id, queue_key, limit)

    def refresh(self) -> None:
        em = self.center.emulator
        with em.lock:
            activity = dict(self.center.activity)
            self._agents = [
                {
                    "login": u["Username"],
                    "routing_profile": u["RoutingProfileId"],
                    "status": self.center.agent_state(u["Id"], activity),
                }
                for u in em.users.values()
            ]


class LiveCenter:
    def __init__(
        self,
        emulator: ConnectEmulator,
        new_engine: Callable[[QueueModel], Engine],
        *,
        talk_seconds: float = 30.0,
        acw_seconds: float = 5.0,
        input_seconds: float = 10.0,
        max_wait_seconds: float = 3600.0,
        keep_ended_seconds: float = 900.0,
        tick: float = 0.1,
        on_agent_event: Callable[[dict[str, Any]], None] | None = None,
        flow_slots: int = DEFAULT_FLOW_SLOTS,
        answer_rate: float = DEFAULT_ANSWER_RATE,
    ) -> None:
        self.emulator = emulator
        self.slots = FlowSlots(flow_slots)
        # 0: every call is answered as soon as a flow slot is free
        self.answers = (
            AnswerRate(answer_rate, burst=max(1, int(answer_rate)), behind=self.slots.behind)
            if answer_rate
            else None
        )
        self.talk_seconds, self.acw_seconds = talk_seconds, acw_seconds
        self.input_seconds, self.max_wait = input_seconds, max_wait_seconds
        self.keep_ended = keep_ended_seconds  # ended calls stay visible this long, then are forgotten
        self.tick = tick
        self.on_agent_event = on_agent_event  # an agent event record, as Connect streams it
        self.contacts: dict[str, LiveContact] = {}
        # Indexes kept under emulator.lock, so that no round walks every call the server remembers:
        # calls holding a queue place (queued, or reserved while their flows run), and ended calls
        # in the order they ended (forgotten after keep_ended).
        self._holding: dict[str, LiveContact] = {}
        self._ended: deque[LiveContact] = deque()
        # What each agent does, contact by contact (a chat agent may have several at once, up to
        # the routing profile's concurrency), and the one activity per agent the metrics and
        # agent events show (`_summarize`): a contact it talks on first, else its after-work.
        self.work: dict[str, dict[str, Activity]] = {}  # user ID -> contact ID -> activity
        self.activity: dict[str, Activity] = {}  # user ID -> activity
        self.idle_since: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._dispatch_loop, name="aicc-live-dispatch", daemon=True)
        # The calls' engine, built on the live queues: metrics and capacity read what waits now.
        self.engine = new_engine(LiveQueues(self))
        emulator.live = self
        emulator.listeners.append(self._user_changed)

    # ---- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self.answers is not None:
            self.answers.close()  # ringing calls end
        self.slots.close()  # calls being answered and waiting steps end
        for c in list(self.contacts.values()):
            if c.state == "ringing":
                c.hung_up.set()
            c.inputs.put(_Said("", time.monotonic(), 0))  # wake callers waiting for input
        self._thread.join(timeout=5)

    # ---- calls ---------------------------------------------------------------------------------
    def place(
        self,
        caller: str,
        inputs: list[str] | None = None,
        at: datetime | None = None,
        hold_seconds: int = 0,
        talk_seconds: float | None = None,
        live_input: bool = True,
        *,
        channel: str = VOICE,
        entry: str | None = None,
        attributes: dict[str, str] | None = None,
        contact_id: str | None = None,
        events: ContactEvents | None = None,
        dialed: str | None = None,
        engine: Engine | None = None,
    ) -> LiveContact:
        """Start a call (or, with channel CHAT, a chat: `caller` is the customer's name, `entry`
        the flow StartChatContact named); InputError for a bad number or input (nothing started).
        `dialed`: the number called; `engine`: the flows that number answers with, when they are
        not the stack's own (a deployed instance's: local/deployed.py)."""
        script = [CallerInput.parse(i).on(channel) for i in inputs or []]
        contact = LiveContact(
            contact_id or str(uuid.uuid4()),
            caller,
            self.talk_seconds if talk_seconds is None else talk_seconds,
            state="ringing",
            channel=channel,
            events=events,
        )
        at = at or datetime.now(seoul())
        if at.tzinfo is None:
            raise InputError("the call time needs a UTC offset, e.g. 2026-11-25T10:00:00+09:00")
        ready = threading.Event()
        thread = threading.Thread(
            target=self._run_call,
            args=(contact, script, at, hold_seconds, live_input, ready, entry, attributes, dialed, engine),
            name=f"aicc-call-{contact.contact_id[:8]}",
            daemon=True,
        )
        with self.emulator.lock:
            self.contacts[contact.contact_id] = contact
        thread.start()
        ready.wait(timeout=5)
        if contact.error.startswith("InputError:"):
            with self.emulator.lock:
                self.contacts.pop(contact.contact_id, None)
            raise InputError(contact.error.removeprefix("InputError: "))
        return contact

    def _run_call(
        self,
        contact: LiveContact,
        script: list[CallerInput],
        at: datetime,
        hold_seconds: int,
        live_input: bool,
        ready: threading.Event,
        entry: str | None = None,
        attributes: dict[str, str] | None = None,
        dialed: str | None = None,
        engine: Engine | None = None,
    ) -> None:
        def source() -> CallerInput | None:
            if contact.hung_up.is_set():
                raise CallerHungUpError
            if not live_input or self._stop.is_set():
                return None
            contact.state = "waiting_input"
            contact.end_step()  # the flows wait for the caller
            self._leave_slot(contact)
            waiting_since = time.monotonic()
            try:
                said: _Said | None = contact.inputs.get(timeout=self.input_seconds)
            except queue.Empty:
                said = None
            if contact.hung_up.is_set():
                raise CallerHungUpError
            began = max(said.at, waiting_since) if said and said.raw else time.monotonic()
            contact.state = "ivr"
            if not self._take_slot(contact, ANSWERED):
                raise CallerHungUpError
            if said is None or not said.raw:
                contact.begin_step("silence", began)
                return None
            contact.begin_step("input", began, said)
            try:
                return CallerInput.parse(said.raw).on(contact.channel)
            except InputError:
                return None  # validated when sent; anything else counts as silence

        def started(result: CallResult) -> None:
            """The call is valid: it rings until its turn to be answered comes and a flow slot is
            free (admission.py), then is answered."""
            contact.result = result
            # A chat does not ring: the answer rate paces calls as a carrier's lines do.
            ringing = self.answers.ring() if self.answers and contact.channel == VOICE else None
            now = ringing is None or self.answers is None or self.answers.try_answer(ringing)
            ticket = self.slots.enter(RINGING) if now else None
            if ticket is not None and ticket.granted:
                contact.state = "ivr"
            ready.set()  # place() answers: the call rings, or is answered already
            if ringing is not None and self.answers is not None and not now:
                contact.ringing = ringing
                if contact.hung_up.is_set():  # hang_up() may have looked before it was set
                    self.answers.withdraw(ringing)
                answered = self.answers.wait_answer(ringing)
                contact.ringing = None
                if not answered:
                    raise CallerHungUpError
            if not self._take_slot(contact, RINGING, ticket):
                raise CallerHungUpError
            contact.state = "ivr"
            contact.answered_at = datetime.now(UTC)
            contact.begin_step("answer", time.monotonic())

        try:
            (engine or self.engine).run(
                contact.caller,
                at,
                script,
                dialed=dialed,
                hold_seconds=hold_seconds,
                input_source=source,
                started=started,
                contact_id=contact.contact_id,
                entry=entry,
                attributes=attributes,
                channel=contact.channel,
            )
        except CallerHungUpError:
            pass  # hang_up() ended it
        except InputError as exc:
            contact.error = f"InputError: {exc}"
            self._end(contact, "rejected")
        except Exception as exc:  # a flow or engine failure: the caller would be dropped; say why
            log.exception("call %s failed", contact.contact_id)
            contact.error = f"{type(exc).__name__}: {exc}"
            self._end(contact, "error")
        else:
            with self.emulator.lock:
                result = contact.result
                if contact.state == "ended":
                    pass
                elif result is not None and result.in_queue:
                    self._enqueue(contact, result)
                else:
                    self._end(contact, (result.end_reason if result else "") or "disconnected")
        finally:
            with self.emulator.lock:
                contact.reserved = ""
                if contact.state != "queued":
                    self._holding.pop(contact.contact_id, None)
            contact.end_step()
            self._leave_slot(contact)
            ready.set()
            with contact.stepped:
                contact.done.set()
                contact.stepped.notify_all()
            with self.emulator.lock:
                self._tell_ended(contact)

    def _take_slot(self, contact: LiveContact, priority: int, ticket: Ticket | None = None) -> bool:
        """Wait for a flow slot (admission.py); False when the caller hung up meanwhile."""
        ticket = ticket or self.slots.enter(priority)
        contact.ticket = ticket
        if contact.hung_up.is_set():  # hang_up() may have looked for the ticket before it was set
            self.slots.withdraw(ticket)
        granted = ticket.wait()
        contact.ticket = None
        if granted and contact.hung_up.is_set():
            self.slots.release()
            return False
        contact.holds_slot = granted
        return granted

    def _leave_slot(self, contact: LiveContact) -> None:
        if contact.holds_slot:
            contact.holds_slot = False
            self.slots.release()

    def admission(self) -> dict[str, float]:
        """The admission limits and how full they are (GET /status)."""
        return {
            "answer_rate": self.answers.rate if self.answers else 0,
            "flow_slots": self.slots.size,
            **self.slots.counts(),
            "ringing": self.answers.ringing if self.answers else 0,
        }

    def backlog(self) -> dict[str, tuple[int, int]]:
        """Per queue key: contacts waiting (and places taken by calls still in their flows), oldest wait."""
        out: dict[str, tuple[int, int]] = {}
        with self.emulator.lock:
            for c in self._holding.values():
                key = c.queue_key if c.state == "queued" else c.reserved
                count, oldest = out.get(key, (0, 0))
                out[key] = (count + 1, max(oldest, int(c.waited)))
        return out

    def admit(self, contact_id: str, queue_key: str, limit: int | None) -> bool:
        """Take a place in a queue for a call still in its flows, unless the queue is at capacity."""
        with self.emulator.lock:
            contact = self.contacts.get(contact_id)
            if contact is None:
                return limit is None  # not a live call (cannot happen through place())
            if queue_key not in self.engine.queue_limits and queue_key in self.emulator.queues:
                limit = self.emulator.queues[queue_key].get("MaxContacts")  # UpdateQueueMaxContacts
            taken = sum(
                1
                for c in self._holding.values()
                if c is not contact and (c.queue_key if c.state == "queued" else c.reserved) == queue_key
            )
            if limit is not None and taken >= limit:
                return False
            contact.reserved = queue_key
            self._holding[contact_id] = contact
            return True

    def _enqueue(self, contact: LiveContact, result: CallResult) -> None:
        name = result.queue or ""
        key = ""
        if name.startswith("agent:"):
            user = self.emulator.user_by_login(name.removeprefix("agent:"))
            key = f"agent:{user['Id']}" if user else ""
        else:
            key = next((k for k, q in self.emulator.config.queues.items() if q.name == name), "")
        if not key:
            self._end(contact, f"queue {name!r} does not exist")
            return
        contact.queue_key = key
        contact.priority = result.routing.get("queue_priority", 5)
        contact.age_adjustment = float(result.routing.get("queue_age_s", 0))
        contact.criteria = result.routing_criteria
        contact.queued_at = time.monotonic()
        contact.state = "queued"
        contact.reserved = ""
        self._holding[contact.contact_id] = contact

    def send_input(self, contact_id: str, raw: str, wait_step: float = 0.0) -> LiveContact:
        """Give the caller's input to the flows; with `wait_step` (seconds), return once the step
        it starts has ended (or the flows are done with the call, or the time is up)."""
        contact = self.get(contact_id)
        CallerInput.parse(raw).on(contact.channel)  # InputError for the caller of the API, at once
        if contact.state in ("ended", "connected", "queued") and contact.done.is_set():
            raise InputError(f"call {contact_id} is {contact.state}: it takes no more input")
        seq = contact.say(raw)
        if wait_step > 0:
            contact.wait_step(seq, wait_step)
        return contact

    def hang_up(self, contact_id: str) -> LiveContact:
        contact = self.get(contact_id)
        contact.hung_up.set()
        ringing = contact.ringing
        if ringing is not None and self.answers is not None:
            self.answers.withdraw(ringing)  # it rang: the callers behind it move up
        ticket = contact.ticket
        if ticket is not None:
            self.slots.withdraw(ticket)  # it was answered, or waiting for a slot for its next step
        with self.emulator.lock:
            if contact.state == "connected" and contact.contact_id in self.work.get(contact.agent_id, {}):
                self._after_work(contact.agent_id, contact.contact_id)
            if contact.state != "ended":
                self._end(contact, "caller hung up")
        contact.inputs.put(_Said("", time.monotonic(), 0))
        return contact

    def get(self, contact_id: str) -> LiveContact:
        found = self.contacts.get(contact_id)
        if found is None:
            raise KeyError(contact_id)
        return found

    def busy(self, user_id: str) -> bool:
        activity = self.activity.get(user_id)
        return activity is not None and activity.state == "CONNECTED"

    def snapshot(self) -> Snapshot:
        with self.emulator.lock:
            waiting = [
                Waiting(c.contact_id, c.queue_key, c.waited)
                for c in self._holding.values()
                if c.state == "queued"
            ]
            return Snapshot(waiting, dict(self.activity))

    # ---- agents --------------------------------------------------------------------------------
    def agent_state(self, user_id: str, activity: dict[str, Activity] | None = None) -> str:
        act = (activity if activity is not None else self.activity).get(user_id)
        if act is not None:
            return "BUSY" if act.state == "CONNECTED" else "AFTER_CONTACT_WORK"
        return "AVAILABLE" if self.emulator.routable(user_id) else "OFFLINE"

    def _user_changed(self, change: str, user: dict[str, Any]) -> None:
        if change == "deleted":
            self.work.pop(user["Id"], None)
            self.activity.pop(user["Id"], None)
            return
        if change == "status":
            self.idle_since[user["Id"]] = time.monotonic()
            self._report(user["Id"])

    def _report(self, user_id: str) -> None:
        if user_id in self.emulator.users and self.on_agent_event is not None:
            self.on_agent_event(self.emulator.agent_event(user_id))

    def _end(self, contact: LiveContact, reason: str) -> None:
        """Under emulator.lock."""
        self._holding.pop(contact.contact_id, None)
        if contact.state != "ended":
            self._ended.append(contact)
        contact.state = "ended"
        contact.reserved = ""
        contact.end_reason = contact.end_reason or reason
        contact.ended_at = datetime.now(UTC)
        contact.ended_mono = time.monotonic()
        self._tell_ended(contact)

    def _tell_ended(self, contact: LiveContact) -> None:
        """Under emulator.lock: the contact's events hear that it ended, once, and only once its
        flows are done with it: a chat's last step's messages come before its end."""
        if (
            contact.events is None
            or contact.end_told
            or contact.state != "ended"
            or not contact.done.is_set()
        ):
            return
        contact.end_told = True
        contact.events.chat_ended(contact, datetime.now(UTC))

    def _after_work(self, user_id: str, contact_id: str) -> None:
        act = self.work[user_id][contact_id]
        now = time.monotonic()
        self.work[user_id][contact_id] = Activity(
            act.contact_id,
            "ENDED",
            datetime.now(UTC),
            act.connected_at,
            act.queue_id,
            now + self.acw_seconds,
            act.channel,
        )
        self._summarize(user_id)

    def _summarize(self, user_id: str) -> None:
        """The agent's one activity from its contacts (a contact it talks on, the earliest first;
        else its after-work), and an agent event when it changed."""
        acts = sorted(self.work.get(user_id, {}).values(), key=lambda a: (a.state != "CONNECTED", a.since))
        before = self.activity.get(user_id)
        if acts:
            self.activity[user_id] = acts[0]
        else:
            self.work.pop(user_id, None)
            self.activity.pop(user_id, None)
            self.idle_since[user_id] = time.monotonic()
        if self.activity.get(user_id) != before:
            self._report(user_id)

    def room(self, user: dict[str, Any]) -> dict[str, int]:
        """Per channel, how many more contacts the agent can take now: the routing profile's
        MediaConcurrencies ("The number of contacts an agent can have on a channel
        simultaneously", https://docs.aws.amazon.com/connect/latest/APIReference/API_MediaConcurrency.html)
        less the contacts it has (after-contact work included), on the channel it works on: with the
        default cross-channel behaviour an agent "can only receive new contacts from the same
        channel" it is working on (ROUTE_CURRENT_CHANNEL_ONLY, API_CrossChannelBehavior.html)."""
        profile = self.emulator.routing_profiles.get(user["RoutingProfileId"]) or {}
        media = {m["Channel"]: int(m["Concurrency"]) for m in profile.get("MediaConcurrencies") or []}
        load = self.work.get(user["Id"], {})
        channels = {a.channel for a in load.values()}
        if not channels:
            return media
        if len(channels) > 1:
            return {}
        (channel,) = channels
        return {channel: media.get(channel, 0) - len(load)}

    # ---- dispatcher ----------------------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.dispatch()
            except Exception:  # keep the center running; the log says what broke
                log.exception("dispatch failed")

    def dispatch(self) -> None:
        """One round: finish talks and after-contact work, drop callers who waited too long, route."""
        em = self.emulator
        now = time.monotonic()
        with em.lock:
            for user_id, acts in list(self.work.items()):
                for contact_id, act in list(acts.items()):
                    if now < act.until:
                        continue
                    if act.state == "CONNECTED":
                        contact = self.contacts.get(contact_id)
                        if contact is not None and contact.state == "connected":
                            self._end(contact, "completed")
                        self._after_work(user_id, contact_id)
                    else:
                        del acts[contact_id]
                        self._summarize(user_id)
            while (
                self._ended
                and self._ended[0].done.is_set()
                and now - self._ended[0].ended_mono > self.keep_ended
            ):
                self.contacts.pop(self._ended.popleft().contact_id, None)
            waiting = [c for c in self._holding.values() if c.state == "queued"]
            for c in waiting:
                if c.waited > self.max_wait:
                    self._end(c, "abandoned")
            waiting = [c for c in waiting if c.state == "queued"]
            if not waiting:
                return
            rooms = {u["Id"]: self.room(u) for u in em.users.values() if em.routable(u["Id"])}
            free = [em.users[i] for i, room in rooms.items() if any(n > 0 for n in room.values())]
            free.sort(key=lambda u: self.idle_since.get(u["Id"], 0.0))  # longest idle first
            for user in free:
                contact = self._pick(user, waiting, rooms[user["Id"]])
                if contact is None:
                    continue
                waiting.remove(contact)
                self._connect(user, contact, now)
                if not waiting:
                    break

    def _pick(
        self, user: dict[str, Any], waiting: list[LiveContact], room: dict[str, int]
    ) -> LiveContact | None:
        """The contact the agent is offered: of a channel it has room for, from a queue its routing
        profile serves on that channel (queue configs are per queue and channel), by the queue's
        priority in the profile, then the contact's routing priority, then the longest wait (its
        age adjusted by the flows' routing behaviour), once the queue's delay has passed, and only
        a contact whose routing criteria step in force (timed from its queueing) the agent's
        proficiencies meet; the criteria never apply in an agent's own queue."""
        configs = {
            (c["QueueId"], c["Channel"]): c
            for c in self.emulator.profile_queues.get(user["RoutingProfileId"], [])
        }
        held = held_proficiencies(user.get("Proficiencies", []))
        best: tuple[int, int, float, LiveContact] | None = None
        for c in waiting:
            if room.get(c.channel, 0) <= 0:
                continue
            config = configs.get((c.queue_key, c.channel))
            age = c.waited + c.age_adjustment
            if c.queue_key == f"agent:{user['Id']}":
                rank = (0, c.priority, -age)  # an agent's own queue comes first
            elif config is not None and c.waited >= config["Delay"]:
                if c.criteria is not None and not c.criteria.accepts(user["Id"], held, c.waited):
                    continue
                rank = (config["Priority"], c.priority, -age)
            else:
                continue
            if best is None or rank < best[:3]:
                best = (*rank, c)
        return best[3] if best else None

    def _connect(self, user: dict[str, Any], contact: LiveContact, now: float) -> None:
        at = datetime.now(UTC)
        self._holding.pop(contact.contact_id, None)
        contact.state = "connected"
        contact.agent_id, contact.agent_login = user["Id"], user["Username"]
        contact.connected_at = at
        queue_id = contact.queue_key.removeprefix("agent:")
        self.work.setdefault(user["Id"], {})[contact.contact_id] = Activity(
            contact.contact_id, "CONNECTED", at, at, queue_id, now + contact.talk_seconds, contact.channel
        )
        self._summarize(user["Id"])
        if contact.events is not None:
            contact.events.agent_joined(contact, at)
