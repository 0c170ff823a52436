"""Path rules of the linter: what holds on every path a caller can take through the flows.

Each rule is a may-analysis over `graph.branches` (a transfer's success leaves the flow; only its
error branches go on). What a flow starts with depends on how the contact got there: an entry flow
starts as Connect starts a call, a flow reached by TransferToFlow carries what held before each
transfer to it, and other flow types start with what their kind guarantees.

InvokeFlowModule runs the module and comes back: where the module is given alongside, what held
before the block runs through the module (from its start to its EndFlowModuleExecution blocks) and
comes out on the block's success branches; where it is not (another instance's, a dynamic
FlowModuleId), what the module did is unknown (`Analysis.unknown`), never "not set".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aicc.domain.hangul import HANGUL

from . import references as refs
from .actions import (
    CUSTOMER_QUEUE,
    DEFAULT_VOICE,
    HOLD,
    INBOUND,
    KOREAN_VOICES,
    MODULE,
    SPEAKING,
    SPECS,
)
from .flows import Flow, Resources
from .graph import branches, facts_before, is_error, reachable, transitions
from .resource_map import FOUND, MalformedArnError, ResourceMap, parse_arn

T = TypeVar("T")
Problem = tuple[str, str]  # (action identifier, message)
Graded = tuple[str, str, str]  # (action identifier, message, severity)
INHERITED = "inherited"  # set by whatever ran before this flow: not known here


def own(flow: Flow) -> bool:
    """A flow of this repository (rendered from terraform/flows, or built by a test), not a file given
    to `flows lint`. House rules (Korean callers' habits, our bot's intents, functions.yaml) are errors
    on our flows and advice on others'."""
    return not flow.foreign


@dataclass(frozen=True)
class Analysis(Generic[T]):
    entry: frozenset[T]  # at the start of a call
    other: Callable[[str], frozenset[T]]  # at the start of a flow of this type nothing transfers to
    transfer: Callable[[Mapping[str, Any], str, frozenset[T]], frozenset[T]]
    # After a module that is not given alongside: whatever it did is not known here.
    unknown: frozenset[T]
    # Whether a module shares the fact with the flow that invokes it (the contact's queue, language
    # and voice) or keeps its own (the flow's local data, such as $.External).
    shared_with_modules: bool = True


def _params(action: Mapping[str, Any]) -> Mapping[str, Any]:
    p = action.get("Parameters")
    return p if isinstance(p, dict) else {}


def _static(value: Any) -> str | None:
    return value if isinstance(value, str) and "$." not in value else None


def transfers_to(flows: Mapping[str, Flow], refs: ResourceMap) -> dict[str, list[tuple[str, str]]]:
    """flow key -> the (flow key, action) TransferToFlow blocks that name it statically (`refs`
    resolves a reference to the key of a flow given)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for key, flow in flows.items():
        for ident, a in flow.actions.items():
            if a.get("Type") == "TransferToFlow":
                found = refs.resolve(str(_params(a).get("ContactFlowId", "")), "flow")
                if found.status == FOUND and found.kind == "flow" and found.key and found.key in flows:
                    out.setdefault(found.key, []).append((key, ident))
    return out


def modules_invoked(flows: Mapping[str, Flow], refs: ResourceMap) -> dict[tuple[str, str], str | None]:
    """(flow key, action) of every InvokeFlowModule -> the key of the module given alongside that its
    FlowModuleId names, or None (not given, another instance's, or dynamic)."""
    out: dict[tuple[str, str], str | None] = {}
    for key, flow in flows.items():
        for ident, a in flow.actions.items():
            if a.get("Type") != "InvokeFlowModule":
                continue
            found = refs.resolve(str(_params(a).get("FlowModuleId", "")), "module")
            given = found.status == FOUND and found.kind == "module" and found.key in flows
            module = found.key if given and found.key and flows[found.key].type == MODULE else None
            out[(key, ident)] = module
    return out


def _union(sets: Iterable[frozenset[T]]) -> frozenset[T]:
    return frozenset().union(*sets)


def solve(
    flows: Mapping[str, Flow], refs: ResourceMap, analysis: Analysis[T]
) -> dict[str, dict[str, frozenset[T]]]:
    """flow key -> action -> the facts some path (across transfers and modules) can carry to it."""
    incoming = transfers_to(flows, refs)
    invoked = modules_invoked(flows, refs) if analysis.shared_with_modules else {}
    callers: dict[str, list[tuple[str, str]]] = {}
    for site, module in invoked.items():
        if module is not None:
            callers.setdefault(module, []).append(site)
    runs: dict[tuple[str, frozenset[T]], tuple[frozenset[T], frozenset[T]]] = {}

    def run_module(key: str, before: frozenset[T]) -> tuple[frozenset[T], frozenset[T]]:
        """What the module leaves when it returns, and what may hold anywhere in it (where it may
        fail), when it starts with `before`."""
        if (key, before) not in runs:
            m = flows[key]
            # A module cannot invoke another (actions.MODULE), so no InvokeFlowModule is followed here.
            facts = facts_before(m.actions, m.start, before, step(key))
            ends = (i for i, a in m.actions.items() if a.get("Type") == "EndFlowModuleExecution")
            runs[(key, before)] = _union(facts[i] for i in ends), _union(facts.values())
        return runs[(key, before)]

    def step(key: str) -> Callable[[Mapping[str, Any], str, frozenset[T]], frozenset[T]]:
        def transfer(action: Mapping[str, Any], branch: str, facts: frozenset[T]) -> frozenset[T]:
            if action.get("Type") != "InvokeFlowModule" or not analysis.shared_with_modules:
                return analysis.transfer(action, branch, facts)
            module = invoked.get((key, str(action.get("Identifier"))))
            if module is None or flows[key].type == MODULE:
                return facts | analysis.unknown if is_error(branch) else analysis.unknown
            returned, anywhere = run_module(module, facts)
            # Its error branch: the module may have failed anywhere, before or after changing the fact.
            return facts | anywhere if is_error(branch) else returned

        return transfer

    start: dict[str, frozenset[T]] = {}
    for key, flow in flows.items():
        if key in incoming or key in callers:
            start[key] = frozenset()  # filled from the transfers and invocations below
        elif flow.type == INBOUND:
            start[key] = analysis.entry
        else:
            start[key] = analysis.other(flow.type)
    while True:
        result = {k: facts_before(f.actions, f.start, start[k], step(k)) for k, f in flows.items()}
        changed = False
        for key, sites in (*incoming.items(), *callers.items()):
            new = _union(result[k].get(i, frozenset()) for k, i in sites)
            if new != start[key]:
                start[key], changed = new, True
        if not changed:
            return result


# ---- working queue ------------------------------------------------------------------------------

# Blocks that act on the working queue unless they name a queue or agent themselves.
_QUEUE_USERS = {
    "TransferContactToQueue": (),
    "CheckHoursOfOperation": ("HoursOfOperationId",),
    "CheckMetricData": ("QueueId", "AgentId"),
    "GetMetricData": ("QueueId", "AgentId"),
    "CreateCallbackContact": ("QueueId", "AgentId"),
}


def _queue_transfer(action: Mapping[str, Any], branch: str, facts: frozenset[str]) -> frozenset[str]:
    sets = action.get("Type") in ("UpdateContactTargetQueue", "DequeueContactAndTransferToQueue")
    return frozenset({"set"}) if sets and not is_error(branch) else facts


# What each kind of flow starts with ("unset" where some way in has no queue):
# - An inbound flow (CONTACT_FLOW: a call, a chat, a task from StartTaskContact) has none until Set
#   working queue: "A queue must be specified before invoking Transfer to queue except when used in a
#   customer queue flow" (adminguide/set-working-queue.html). StartOutboundVoiceContact may pass a
#   QueueId, but a flow cannot count on how it was started.
# - A transfer flow runs for a quick connect, which names its queue (QueueQuickConnectConfig: QueueId
#   and a Transfer to Queue flow) or its agent (UserQuickConnectConfig: the agent's queue and a
#   Transfer to Agent flow), APIReference/API_QueueQuickConnectConfig.html, API_UserQuickConnectConfig.html.
# - A customer-queue, hold or whisper flow runs for a contact in a queue; an outbound whisper for a call
#   placed from the outbound queue.
# - A flow module runs inside the flow that invokes it and shares its contact: one given alongside
#   starts with what held before each InvokeFlowModule naming it (see `solve`); one nothing given
#   invokes is taken as set (the docs are silent; the lenient choice), as is what a module not given
#   leaves behind.
WORKING_QUEUE: Analysis[str] = Analysis(
    frozenset({"unset"}),
    lambda ftype: frozenset({"unset" if ftype == INBOUND else "set"}),
    _queue_transfer,
    unknown=frozenset({INHERITED}),
)


def working_queue(flow: Flow, facts: Mapping[str, frozenset[str]]) -> Iterator[Graded]:
    """A block that acts on the working queue where none may be set. Connect publishes such a flow,
    and the block then fails: TransferContactToQueue "places a contact ... into the contact's
    TargetQueue" and raises NoMatchingError "if no other Error matches"
    (APIReference/contact-actions-transfercontacttoqueue.html); CheckHoursOfOperation and
    CheckMetricData fall back to the TargetQueue (reference §2.6, §2.7). With a NoMatchingError branch
    the contact goes on down it (a warning, whatever that branch then does: a silent hang-up there is
    silent_hangups' error); without one the contact would be dropped (an error)."""
    for ident, a in flow.actions.items():
        named_by = _QUEUE_USERS.get(str(a.get("Type")))
        if named_by is None or any(_params(a).get(k) for k in named_by) or "unset" not in facts[ident]:
            continue
        fix = "add UpdateContactTargetQueue on every path before it"
        if named_by:
            fix += f" or give it {' or '.join(named_by)}"
        when = (
            "runs with no working queue set on every path here"
            if facts[ident] == {"unset"}
            else "may run with no working queue set"
        )
        if any(e["ErrorType"] == "NoMatchingError" for e in transitions(a).get("Errors", [])):
            yield (
                ident,
                f"{a.get('Type')} {when}: it then takes its NoMatchingError branch ({fix})",
                "warning",
            )
        else:
            yield (
                ident,
                f"{a.get('Type')} {when}, and has no NoMatchingError branch: the contact would be dropped "
                f"({fix})",
                "error",
            )


# ---- language and voice -------------------------------------------------------------------------


def _language_transfer(action: Mapping[str, Any], branch: str, facts: frozenset[str]) -> frozenset[str]:
    if (
        action.get("Type") == "UpdateContactData"
        and "LanguageCode" in _params(action)
        and not is_error(branch)
    ):
        return frozenset({"set"})
    return facts


LANGUAGE: Analysis[str] = Analysis(
    frozenset({"default"}),
    lambda ftype: frozenset({INHERITED}),
    _language_transfer,
    unknown=frozenset({INHERITED}),
)


def _prompt_texts(action: Mapping[str, Any]) -> list[str]:
    p = _params(action)
    listed = p.get("Messages")
    messages: list[Any] = listed if isinstance(listed, list) else [p]
    return [str(m.get(k, "")) for m in messages if isinstance(m, dict) for k in ("Text", "SSML")]


def language_before_lex(flow: Flow, facts: Mapping[str, frozenset[str]]) -> Iterator[Problem]:
    """A Lex block that speaks Korean runs only after the contact's language is set: Connect asks
    the bot for the locale of the contact's language, en-US unless a flow set it, so Korean speech
    would reach the en_US locale and not be understood."""
    for ident, a in flow.actions.items():
        if a.get("Type") != "ConnectParticipantWithLexBot" or "default" not in facts[ident]:
            continue
        if any(HANGUL.search(t) for t in _prompt_texts(a)):
            yield (
                ident,
                "asks in Korean, but the contact's language may still be Connect's default en-US here: "
                "Lex would listen with its en_US locale (set LanguageCode ko-KR with UpdateContactData "
                "on every path before it)",
            )


def _voice_transfer(action: Mapping[str, Any], branch: str, facts: frozenset[str]) -> frozenset[str]:
    if action.get("Type") != "UpdateContactTextToSpeechVoice":
        return facts
    voice = _static(_params(action).get("TextToSpeechVoice"))
    if voice is None:
        return facts | {"dynamic"} if is_error(branch) else frozenset({"dynamic"})
    return frozenset({voice})  # a static voice Polly has cannot fail to be set


VOICE: Analysis[str] = Analysis(
    frozenset({DEFAULT_VOICE}),
    lambda ftype: frozenset({INHERITED}),
    _voice_transfer,
    unknown=frozenset({INHERITED}),
)


def _engine_transfer(action: Mapping[str, Any], branch: str, facts: frozenset[str]) -> frozenset[str]:
    if action.get("Type") != "UpdateContactTextToSpeechVoice":
        return facts
    # A Set voice without an engine speaks with the standard one (the engine is optional).
    engine = _static(_params(action).get("TextToSpeechEngine", "Standard"))
    if engine is None:
        return facts | {"dynamic"} if is_error(branch) else frozenset({"dynamic"})
    return frozenset({engine.lower()})


# The Polly engine that speaks (Set voice's TextToSpeechEngine, lower case): which SSML tags work
# depends on it (ssml.problems). Before any Set voice it is Connect's default: not known here.
ENGINE: Analysis[str] = Analysis(
    frozenset({INHERITED}),
    lambda ftype: frozenset({INHERITED}),
    _engine_transfer,
    unknown=frozenset({INHERITED}),
)


def korean_voice(flow: Flow, facts: Mapping[str, frozenset[str]]) -> Iterator[Problem]:
    for ident, a in flow.actions.items():
        if a.get("Type") not in SPEAKING or not any(HANGUL.search(t) for t in _prompt_texts(a)):
            continue
        foreign = sorted(v for v in facts[ident] if v not in KOREAN_VOICES | {INHERITED, "dynamic"})
        if foreign:
            yield (
                ident,
                f"speaks Korean, but the voice may be {', '.join(foreign)} here (not a Korean voice; "
                f"Connect's default is {DEFAULT_VOICE}): set TextToSpeechVoice to "
                f"{' or '.join(sorted(KOREAN_VOICES))} with UpdateContactTextToSpeechVoice on every path "
                "before it",
            )


# ---- $.External ---------------------------------------------------------------------------------

Source = tuple[str, str]  # ("ok", function ARN) | ("failed", action) | ("none", "") | (INHERITED, "")


def _external_transfer(action: Mapping[str, Any], branch: str, facts: frozenset[Source]) -> frozenset[Source]:
    p = _params(action)
    if action.get("Type") != "InvokeLambdaFunction" or p.get("InvocationType") == "ASYNCHRONOUS":
        return facts  # an asynchronous invocation leaves $.External as it was
    if is_error(branch):
        return frozenset({("failed", str(action.get("Identifier")))})
    return frozenset({("ok", str(p.get("LambdaFunctionARN", "")))})


# $.External is the flow's local data, which a module does not share: "Modules do not allow overriding
# flow local data of the invoking flow. This means you can't use the following with modules: External
# attributes, ..." (https://docs.aws.amazon.com/connect/latest/adminguide/contact-flow-modules.html).
# So InvokeFlowModule leaves the invoking flow's $.External as it was, and a module starts with
# whatever it has (unknown here).
EXTERNAL: Analysis[Source] = Analysis(
    frozenset({("none", "")}),
    lambda ftype: frozenset({(INHERITED, "")}),
    _external_transfer,
    unknown=frozenset({(INHERITED, "")}),
    shared_with_modules=False,
)


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a parameter value (nested objects and lists included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def _external_keys(action: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for text in strings_in(_params(action)):
        for r in refs.references_in(text):
            try:
                parts = refs.parse(r)
            except refs.InvalidReferenceError:
                continue
            if parts[:1] == ["External"] and len(parts) > 1 and parts[1] not in keys:
                keys.append(parts[1])
    return keys


def _our_handler(arn: str, ours: ResourceMap) -> str | None:
    """The handler of this repository that a function ARN invokes, else None."""
    found = ours.resolve(arn, "lambda")
    return found.key if found.status == FOUND and found.kind == "lambda" else None


def _function_name(arn: str) -> str:
    try:
        parsed = parse_arn(arn)
    except MalformedArnError:
        return arn
    return parsed.ident if parsed.kind == "lambda" else arn


def _describe(source: Source, ours: ResourceMap) -> str:
    kind, what = source
    if kind == "failed":
        return f"nothing (the Lambda of {what} failed, and Connect keeps no response of a failed Lambda)"
    if kind == "none":
        return "nothing (no Lambda has run yet)"
    if kind == INHERITED:
        return "whatever a Lambda before this flow returned"
    return f"the response of {_our_handler(what, ours) or _function_name(what)}"


def external_reads(
    flow: Flow, facts: Mapping[str, frozenset[Source]], resources: Resources, ours: ResourceMap
) -> Iterator[Problem]:
    """$.External holds the last successful synchronous Lambda's response only: a read must see the
    same function's response on every path to it, and that function must answer the key (its
    `returns` in functions.yaml: known of this repository's handlers alone, `ours`)."""
    answers = resources.config.function_returns
    for ident, a in flow.actions.items():
        keys = _external_keys(a)
        sources = facts[ident]
        if not keys or not sources or sources == {(INHERITED, "")}:
            continue
        for kind, arn in sorted(sources):
            handler = _our_handler(arn, ours) if kind == "ok" else None
            if handler and handler in answers:
                missing = [k for k in keys if k not in answers[handler]]
                if missing:
                    yield (
                        ident,
                        f"reads $.External.{', $.External.'.join(missing)}, but on some path $.External "
                        f"holds the response of {handler}, which answers only "
                        f"{', '.join(sorted(answers[handler]))} (functions.yaml returns)",
                    )
        if len(sources) == 1 and next(iter(sources))[0] == "ok":
            continue
        seen = "; or ".join(sorted(_describe(s, ours) for s in sources))
        yield (
            ident,
            f"reads $.External.{', $.External.'.join(keys)}, but on some path $.External holds {seen}: "
            "read it only on the success path of the Lambda that returns it, or copy it into a contact "
            "attribute right after that Lambda",
        )


# ---- traps and silent hang-ups ------------------------------------------------------------------


def _waits_for_agent(flow: Flow, action: Mapping[str, Any]) -> bool:
    return flow.type in (CUSTOMER_QUEUE, *HOLD) and action.get("Type") == "MessageParticipantIteratively"


def _exits(flow: Flow, action: Mapping[str, Any]) -> bool:
    spec = SPECS.get(str(action.get("Type")))
    return bool(spec and (spec.terminal or spec.leaves_flow)) or _waits_for_agent(flow, action)


def _dead_end(flow: Flow, action: Mapping[str, Any]) -> bool:
    """A block whose success goes nowhere (no NextAction, or one naming no action): the contact stops
    there, which the linter reports on the block itself ("no NextAction", "dangling transition"). It
    ends the contact; it does not send the caller round, so the trap rule takes it as an end."""
    kind = str(action.get("Type"))
    spec = SPECS.get(kind)
    if spec is None or spec.terminal or spec.leaves_flow or kind == "MessageParticipantIteratively":
        return False
    return transitions(action).get("NextAction") not in flow.actions


# Blocks whose result the customer chooses: a key, an intent, a button of a view (ShowView's
# conditions are the view's actions, such as Back and Next of a step-by-step guide:
# https://docs.aws.amazon.com/connect/latest/APIReference/participant-actions-showview.html).
_ASKS_CUSTOMER = frozenset({"GetParticipantInput", "ConnectParticipantWithLexBot", "ShowView"})


def _callers_choice(action: Mapping[str, Any], branch: str) -> bool:
    """A branch the caller picks (a key, an intent, a wrong key): they can pick another."""
    if action.get("Type") not in _ASKS_CUSTOMER:
        return False
    return (not is_error(branch) and branch != "next") or branch == "error:NoMatchingCondition"


def traps(flow: Flow) -> Iterator[Problem]:
    """A caller trapped: no way from an action to the end of the call or a hand-off, or an error
    branch that comes back round to its action with nothing (a Loop, the caller) to stop it."""
    actions = flow.actions
    live = reachable(actions, flow.start)
    can_leave = {i for i in live if _exits(flow, actions[i]) or _dead_end(flow, actions[i])}
    grew = True
    while grew:
        grew = False
        for i in live - can_leave:
            if any(t in can_leave for _, t in branches(actions[i])):
                can_leave.add(i)
                grew = True
    for i in sorted(live - can_leave):
        entered = i == flow.start or any(t == i for j in can_leave for _, t in branches(actions[j]))
        if entered:
            yield i, "from here no path ends the call or hands it on: the caller would go round forever"
    for i in sorted(live & can_leave):
        a = actions[i]
        for branch, target in branches(a):
            # An error wired to where success goes changes nothing: any cycle is the success path's.
            success = transitions(a).get("NextAction")
            if (
                is_error(branch)
                and target != success
                and target in actions
                and i in _forced_reach(flow, target)
            ):
                yield (
                    i,
                    f"its {branch[6:]} branch comes back to it with no Loop to count the tries: while the "
                    "error lasts the caller goes round forever (bound it with a Loop and then play a "
                    "message, queue or hang up)",
                )


def _forced_reach(flow: Flow, start: str) -> set[str]:
    """Actions reachable from `start` on branches the caller does not choose, not through a Loop
    (which bounds a cycle) nor a wait for an agent."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        ident = todo.pop()
        a = flow.actions.get(ident)
        if a is None or ident in seen:
            continue
        # A Loop bounds a cycle; a wait lets an agent answer; an action this linter does not know
        # (ShowView...) may be the customer's choice.
        if a.get("Type") == "Loop" or str(a.get("Type")) not in SPECS or _waits_for_agent(flow, a):
            continue
        seen.add(ident)
        todo.extend(t for b, t in branches(a) if not _callers_choice(a, b))
    return seen


_CALLER_ON_LINE = (
    INBOUND,
    CUSTOMER_QUEUE,
    "CUSTOMER_WHISPER",
    "OUTBOUND_WHISPER",
    "QUEUE_TRANSFER",
    "AGENT_TRANSFER",
)


# A block's ordinary "none of the conditions matched" outcome, not a fault: Compare's and
# DistributeByPercentage's default branch, CheckMetricData's queue-metric comparison (reference §1.6, §2.8).
_NO_MATCH_IS_DEFAULT = frozenset({"Compare", "DistributeByPercentage", "CheckMetricData"})


def _success_targets(flow: Flow, action: Mapping[str, Any]) -> set[str]:
    """Where a block goes when it works. A Loop prompts that waits for an agent, with no interrupt,
    never completes (it plays until the agent answers: reference §2.17); a transfer's success leaves."""
    if _waits_for_agent(flow, action) and not _params(action).get("InterruptFrequencySeconds"):
        return set()
    return {target for branch, target in branches(action) if not is_error(branch)}


def _diverts(flow: Flow, action: Mapping[str, Any], branch: str) -> bool:
    """Whether this error branch sends the contact somewhere its success would not. An error branch to
    where the block goes anyway (a console habit: Set contact attributes' Error wired to its Success
    target) changes nothing for the caller, so it cannot be what hangs them up."""
    if branch == "error:NoMatchingCondition" and action.get("Type") in _NO_MATCH_IS_DEFAULT:
        return False
    errors = transitions(action).get("Errors", [])
    target = next((e["NextAction"] for e in errors if f"error:{e['ErrorType']}" == branch), None)
    return target not in _success_targets(flow, action)


def ends_inbound_flow(flow: Flow) -> bool:
    """Whether End flow / Resume hangs up here: in an inbound flow "it functions identically to the
    Disconnect block" (https://docs.aws.amazon.com/connect/latest/adminguide/end-flow-resume.html), and a
    module runs inside an inbound flow (InvokeFlowModule is an inbound flow's block alone:
    APIReference/flow-language-actions-invoke-flow-module.html), so ending it there ends that flow."""
    return flow.type in (INBOUND, MODULE)


def _hangs_up(flow: Flow, action: Mapping[str, Any]) -> bool:
    """DisconnectParticipant; or EndFlowExecution where it hangs up (`ends_inbound_flow`)."""
    kind = action.get("Type")
    return kind == "DisconnectParticipant" or (kind == "EndFlowExecution" and ends_inbound_flow(flow))


def speaks(flow: Flow) -> bool:
    """Whether any block of the flow talks to the customer (actions.SPEAKING)."""
    return any(a.get("Type") in SPEAKING for a in flow.actions.values())


def silent_hangups(flow: Flow, *, caller_speaks: bool = False) -> Iterator[Problem]:
    """A caller hung up because something failed, with not a word about it: the error that "can drop a
    caller silently", whoever wrote the flow. Connect accepts such a flow; the caller hears silence and
    then the line goes dead.

    Only flows someone listens to: an inbound, customer-queue, customer-whisper, outbound-whisper or
    transfer flow that speaks, and a module (it runs inside an inbound flow) that speaks or is invoked
    by a flow given alongside that speaks (`caller_speaks`). Not an agent's whisper or hold, and not a
    flow that never speaks: a task's or a chat's flow has no caller listening, and the file does not
    say its channel, so a flow with no prompt at all is taken for one of those. The gap that leaves: a
    voice flow that never speaks and hangs up after an error is not reported (docs/flows.md).

    Each hang-up names the last error that sent the contact towards it: an error after which the
    contact went on into a queue, a module or a message is not the cause. A module may speak (its
    actions are not in this flow), so returning from one counts as having told the caller."""
    if flow.type == MODULE:
        listened = caller_speaks or speaks(flow)
    else:
        listened = flow.type in _CALLER_ON_LINE and speaks(flow)
    if not listened:
        return

    def unannounced(action: Mapping[str, Any], branch: str, facts: frozenset[str]) -> frozenset[str]:
        kind = action.get("Type")
        if kind == "MessageParticipant":
            return frozenset()  # the flow told the caller (if that message fails, another would too)
        if is_error(branch) and _diverts(flow, action, branch):
            return frozenset({f"{action.get('Identifier')} {branch[6:]}"})
        return frozenset() if kind in SPEAKING or kind == "InvokeFlowModule" else facts

    facts = facts_before(flow.actions, flow.start, [], unannounced)
    for ident, a in flow.actions.items():
        if _hangs_up(flow, a) and facts[ident]:
            after = ", ".join(sorted(facts[ident]))
            yield (
                ident,
                f"hangs up after an error ({after}) with no message in between: play a MessageParticipant "
                "that tells the caller what happened before disconnecting",
            )
