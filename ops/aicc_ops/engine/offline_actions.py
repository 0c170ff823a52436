"""The documented action types our own flows do not use, as the simulator runs them.

Each follows its page of the Flow Language reference (the URL above its handler). What an action
does only to the contact (tags, streaming, a task or case created) succeeds and
is recorded. What depends on something outside Connect that the simulator cannot know (a Voice ID
verdict, an outbound campaign's call progress, a customer profile, a third party answering, an
agent's choice in a guide) answers from the fixtures (`actions:`, `views:`), or takes the action's
documented error branch and the transcript says why. A chat-only action on this voice contact
takes its error branch, as Connect does.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import references as refs
from .action_params import list_param, map_param
from .actions import CHAT, MODULE
from .contact import Contact, Outcome
from .fixtures import ActionAnswer
from .flows import Flow

if TYPE_CHECKING:
    from .interpreter import CallResult, Engine

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def _seconds(params: Mapping[str, Any], key: str, default: int) -> int:
    try:
        return int(str(params.get(key, default)))
    except ValueError:
        return default


class OfflineActions:
    """Handlers mixed into the interpreter's run of one contact (`_Run`)."""

    if TYPE_CHECKING:
        e: Engine
        c: Contact
        r: CallResult
        hold_seconds: int

        def note(self, kind: str, text: str) -> None: ...
        def wait(self, seconds: float) -> None: ...
        def enter(self, flow: Flow) -> None: ...
        def unmodelled(self, error: str, detail: str) -> Outcome: ...
        def execute(self, flow: Flow, budget_until: datetime | None = None) -> tuple[str, str] | None: ...

    def answer(self, action: Mapping[str, Any]) -> ActionAnswer | None:
        """The fixtures' answer for this action (actions: by Identifier, else by Type)."""
        return self.e.fixtures.action(str(action["Identifier"]), str(action["Type"]))

    def from_fixtures(
        self, action: Mapping[str, Any], what: str, error: str = "NoMatchingError"
    ) -> Outcome | None:
        """None when the fixtures answer the action (result or data); else its error branch."""
        if self.answer(action) is not None:
            return None
        where = f"actions.{action['Identifier']} (or actions.{action['Type']})"
        return self.unmodelled(error, f"{action['Type']}: {what}; give its answer under {where}")

    def chat_only(self, action: Mapping[str, Any], error: str = "NoMatchingError") -> Outcome:
        return self.unmodelled(
            error, f"{action['Type']} runs on the chat channel only; this contact is a voice call"
        )

    # ---- participant actions --------------------------------------------------------------------
    # APIReference/participant-actions-showview.html: "only supported on the chat channel"; the
    # result is the action the agent chose; TimeLimitExceeded when no one answers in time.
    def do_ShowView(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        ref = refs.as_text(map_param(p, "ViewResource").get("Id"))
        key, answer = self.c.cursor.view(ref)
        if key is None:
            # On chat the customer's answer is what is missing; on a voice rehearsal, the channel too.
            why = "no customer answers it here" if self.c.channel == CHAT else "ShowView runs on chat only"
            return self.unmodelled(
                "NoMatchingError",
                f"view {ref or '(none)'!r}: {why}, and the fixtures have no such view (views:)",
            )
        if answer is None:
            limit = _seconds(p, "InvocationTimeLimitSeconds", 400)
            self.wait(limit)
            self.c.views = {}
            return Outcome(
                "error", "TimeLimitExceeded", f"fixtures: views.{key}: no answer left within {limit} s"
            )
        self.c.views = {"Action": answer.result, "ViewResultData": dict(answer.data)}
        return Outcome("result", answer.result, f"fixtures: views.{key} -> {answer.result}")

    # adminguide/participant-actions-transferparticipanttothirdparty.html: errors CallFailed and
    # ConnectionTimeLimitExceeded (only with ContinueFlowExecution), NoMatchingError. Whether the
    # third party answers is outside Connect: the fixtures say (actions:), else the error branch.
    def do_TransferParticipantToThirdParty(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        number = refs.as_text(p.get("ThirdPartyPhoneNumber"))
        if number and not _E164.match(number):
            return Outcome("error", "CallFailed", f"{number!r} is not an E.164 number")
        failed = self.from_fixtures(a, f"whether {number or 'the third party'} answers is not known offline")
        if failed:
            return failed
        if refs.as_text(p.get("ContinueFlowExecution")).lower() == "false":
            why = f"transferred to {number or 'a third party'}"
            self.note("end", why)
            return Outcome("leave", f"end:{why}", why)
        return Outcome("next", detail=f"{number}: the third party's call ended; the flow goes on")

    # ---- contact actions ------------------------------------------------------------------------
    # APIReference/contact-actions-tagcontact.html: user-defined tags on the contact; no errors.
    def do_TagContact(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        tags = {str(k): refs.as_text(v) for k, v in map_param(p, "Tags").items()}
        self.c.tags.update(tags)
        self.r.tags = dict(self.c.tags)
        return Outcome("next", detail=", ".join(f"{k}={v}" for k, v in tags.items()))

    # devguide/contact-actions-untagcontact.html: removes user-defined tags; NoMatchingError.
    def do_UnTagContact(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        keys = [str(k) for k in list_param(p, "TagKeys")]
        for key in keys:
            self.c.tags.pop(key, None)
        self.r.tags = dict(self.c.tags)
        return Outcome("next", detail=", ".join(keys))

    # The Flow Language page spells it UnTagContact; UntagContact, the API operation's spelling, is
    # accepted too: the docs never say Connect refuses it (actions.py names both).
    do_UntagContact = do_UnTagContact

    # APIReference/flow-language-actions-invoke-flow-module.html: runs the module and comes back
    # when it returns (EndFlowModuleExecution); NoMatchingError "if no other Error matches", which
    # is what a module the simulation was not given takes. The page lists no conditions, but a
    # module with custom branches returns one by name (its Return block's Result), and the block
    # that invoked it branches on it with an Equals condition; a Result no condition names takes
    # NoMatchingCondition, and no Result the default branch. The module reads its input as
    # $.Modules.Input; after it, $.Modules.Result and $.Modules.ResultData hold what it returned,
    # each invocation overwriting them (adminguide/connect-attrib-list.html, flow module
    # attributes). Modules have "inputs, output fields and custom branches"
    # (adminguide/real-time-data-integration-modules.html); the Flow Language reference does not
    # show their JSON, so the Result/ResultData/Input shape is inferred (actions.py says so).
    # "Modules do not allow invoking another module" (adminguide/contact-flow-modules.html, the
    # rule actions.py MODULE states and lint enforces): Connect refuses such a module, so one met
    # here takes the error branch, and so does a flow ID that names a flow, not a module.
    def do_InvokeFlowModule(
        self, flow: Flow, a: Any, p: Mapping[str, Any], budget: datetime | None
    ) -> Outcome:
        if flow.type == MODULE:
            return Outcome(
                "error",
                "NoMatchingError",
                "a module cannot invoke another module (adminguide/contact-flow-modules.html)",
            )
        ref = refs.as_text(p.get("FlowModuleId"))
        key = self.e.flow_key(ref) if ref else None
        if key is None:
            return self.unmodelled(
                "NoMatchingError",
                f"module {ref or '(none)'!r} was not given (--with FILE, or the fixtures' flows:)",
            )
        module, saved = self.e.flows[key], self.c.flow_attributes
        if module.type != MODULE:
            return Outcome(
                "error", "NoMatchingError", f"{ref} is {module.name}, a {module.type} flow, not a flow module"
            )
        self.c.modules = {"Input": dict(map_param(p, "Input"))}
        self.enter(module)  # a module has its own flow attributes
        try:
            leave = self.execute(module, budget)
        finally:
            self.c.flow_attributes = saved
        if leave is None:
            return Outcome("terminal", detail=f"{module.name} ended the contact")
        kind, target = leave
        if kind != "module":
            return Outcome("leave", f"{kind}:{target}", f"{module.name} left the flow")
        self.r.flows.append(flow.name)
        self.note("flow", flow.name)
        if target:
            return Outcome("result", target, f"{module.name} returned {target}")
        return Outcome("next", detail=f"{module.name} returned")

    # APIReference/endflowmoduleexecution.html: "Ends the current module execution without
    # disconnecting the contact"; no errors, modules only. Result names the custom branch the
    # module returns and ResultData its output (see InvokeFlowModule); either may be absent.
    def do_EndFlowModuleExecution(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        result = refs.as_text(p.get("Result"))
        data = dict(map_param(p, "ResultData"))
        self.c.modules = {"Result": result, "ResultData": data}
        shown = f"returns {result}" if result else "returns"
        return Outcome("leave", f"module:{result}", shown + (f" with {', '.join(data)}" if data else ""))

    # APIReference/contact-actions-updatecontactmediastreamingbehavior.html: voice only; the
    # stream's $.MediaStreams.Customer.Audio values are simulated here.
    def do_UpdateContactMediaStreamingBehavior(
        self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any
    ) -> Outcome:
        state = refs.as_text(p.get("MediaStreamingState"))
        if state == "Enabled":
            res = self.e.resources
            self.c.media_streams = {
                "Customer": {
                    "Audio": {
                        "StreamARN": f"arn:aws:kinesisvideo:{res.region}:{res.account}:stream/"
                        f"{res.instance}-contact-{self.c.contact_id}/simulated",
                        "StartTimestamp": str(int(self.c.now.timestamp() * 1000)),
                        "StartFragmentNumber": str(random.Random(self.c.contact_id).getrandbits(96)),
                    }
                }
            }
        elif state == "Disabled":
            audio = (self.c.media_streams.get("Customer") or {}).get("Audio")
            if audio:
                audio["StopTimestamp"] = str(int(self.c.now.timestamp() * 1000))
        else:
            return Outcome(
                "error", "NoMatchingError", f"MediaStreamingState {state!r} is not Enabled or Disabled"
            )
        return Outcome("next", detail=f"media streaming {state} (simulated stream)")

    # APIReference/createtask.html: a new task contact runs the given flow; NoMatchingError.
    def do_CreateTask(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        target = refs.as_text(p.get("ContactFlowId"))
        if not target:
            return Outcome("error", "NoMatchingError", "CreateTask needs ContactFlowId")
        task = {"kind": "task", "name": refs.as_text(p.get("Name")), "flow": target}
        self.r.created.append(task)
        return Outcome("next", detail=f"task {task['name']!r} for flow {target} (created, not run)")

    # adminguide/contact-actions-completeoutboundcall.html: dials the outbound destination; no
    # errors; "If this action is not used, the first participant action implicitly completes".
    def do_CompleteOutboundCall(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        if self.c.initiation_method != "OUTBOUND":
            return Outcome("next", detail="no outbound call in progress: nothing to complete")
        return Outcome("next", detail=f"calls {self.c.caller}")

    # APIReference/createcase.html, updatecase.html (errors ContactNotLinked, NoMatchingError):
    # a case is written to the Cases domain; recorded here.
    def do_CreateCase(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        answer = self.answer(a)
        self.c.case = {"CaseId": str(uuid.uuid4()), **(answer.data if answer else {})}
        fields = {str(k): refs.as_text(v) for k, v in map_param(p, "CaseRequestFields").items()}
        self.r.created.append({"kind": "case", "template": refs.as_text(p.get("CaseTemplateId")), **fields})
        return Outcome("next", detail=f"case {self.c.case['CaseId']} (simulated)")

    def do_UpdateCase(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return Outcome("next", detail=f"case {refs.as_text(p.get('CaseId'))} updated (simulated)")

    # APIReference/getcase.html: errors NoMatchingError, ContactNotLinked, MultipleFound, NoneFound.
    # The Cases domain is not offline: the fixtures give the case ($.Case) or the error.
    def do_GetCase(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        failed = self.from_fixtures(a, "the Cases domain is not simulated")
        if failed:
            return failed
        answer = self.answer(a)
        self.c.case = dict(answer.data) if answer else {}
        return Outcome("next", detail="fixtures: case found")

    # ko_kr/connect/latest/devguide/createwisdomsession.md: voice only; NoMatchingError.
    def do_CreateWisdomSession(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return Outcome(
            "next", detail=f"Amazon Q session for {refs.as_text(p.get('WisdomAssistantArn'))} (simulated)"
        )

    # APIReference/contact-actions-updatecontactresumecontact.html: resumes a paused contact;
    # usable everywhere; a voice call in a flow is not paused, so nothing changes.
    def do_ResumeContact(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return Outcome("next", detail="the contact is not paused")

    # APIReference/contact-actions-updatepreviouscontactparticipantstate.html: AgentOnHold,
    # CustomerOnHold or OffHold for voice contacts; NoMatchingError.
    def do_UpdatePreviousContactParticipantState(
        self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any
    ) -> Outcome:
        state = refs.as_text(p.get("PreviousContactParticipantState"))
        if state not in ("AgentOnHold", "CustomerOnHold", "OffHold"):
            return Outcome(
                "error", "NoMatchingError", f"{state!r} is not AgentOnHold, CustomerOnHold or OffHold"
            )
        return Outcome("next", detail=state)

    # API_CreatePersistentContactAssociation.html: rehydrates a past chat (persistent chat).
    def do_CreatePersistentContactAssociation(
        self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any
    ) -> Outcome:
        return self.chat_only(a)

    # APIReference/contact-actions-transfercontacttoagent.html: ends the flow and transfers the
    # customer to the agent; "If the agent is already with someone else, the contact is
    # disconnected". No errors. The agent is the fixtures' (agent:).
    def do_TransferContactToAgent(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        agent = self.e.fixtures.agent
        if agent.status != "AVAILABLE":
            self.r.disconnected = True
            self.r.end_reason = f"agent {agent.username} is {agent.status}: Connect disconnects the contact"
            self.note("end", self.r.end_reason)
            return Outcome("terminal", detail=self.r.end_reason)
        why = f"transferred to agent {agent.username}"
        self.note("end", why)
        return Outcome("leave", f"end:{why}", why)

    # APIReference/contact-actions-startoutboundchatcontact.html: an SMS to an E.164 number;
    # NoMatchingError.
    def do_StartOutboundChatContact(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        to = refs.as_text(map_param(p, "DestinationEndpoint").get("Address"))
        if not _E164.match(to):
            return Outcome("error", "NoMatchingError", f"destination {to!r} is not an E.164 number")
        self.r.created.append({"kind": "sms", "to": to})
        return Outcome("next", detail=f"SMS chat to {to} (not sent)")

    # devguide/contact-actions-updatecontactmediaprocessing.md: in-flight chat message processing;
    # ChannelMismatch on another channel (connect-flow-language.md §1.6).
    def do_UpdateContactMediaProcessing(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return self.chat_only(a, "ChannelMismatch")

    # devguide/contact-actions-updatecontactrecordingandanalyticsbehavior.html: one channel's
    # behaviour per action; a voice contact takes ChannelMismatch for a chat or email one.
    def do_UpdateContactRecordingAndAnalyticsBehavior(
        self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any
    ) -> Outcome:
        if "VoiceBehavior" not in p and any(k.endswith("Behavior") for k in p):
            return self.chat_only(a, "ChannelMismatch")
        self.r.recording = {**self.r.recording, "behavior": dict(map_param(p, "VoiceBehavior"))}
        return Outcome("next", detail="recording and analytics set (voice)")

    # ---- flow control actions -------------------------------------------------------------------
    # adminguide/flow-control-actions-startvoiceidstream.html: voice only; NoMatchingError.
    def do_StartVoiceIdStream(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return Outcome("next", detail="Voice ID stream started (no voice analysis offline)")

    # adminguide/flow-control-actions-checkvoiceid.html: enrollment, authentication or fraud
    # results from Voice ID, which only the fixtures can give.
    def do_CheckVoiceId(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return self._fixture_result(a, "Voice ID's verdict is not known offline")

    # devguide/flow-control-actions-checkoutboundcallstatus.html: CallAnswered, VoicemailBeep,
    # VoicemailNoBeep, NotDetected; "works with outbound campaigns only".
    def do_CheckOutboundCallStatus(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return self._fixture_result(a, "call progress comes from an outbound campaign's dialer")

    def _fixture_result(self, a: Mapping[str, Any], why: str) -> Outcome:
        """A block whose result only the fixtures can give (actions: {result}); else its error."""
        failed = self.from_fixtures(a, why)
        answer = self.answer(a)
        if failed or answer is None or answer.result is None:
            return failed or self.unmodelled("NoMatchingError", f"actions.{a['Identifier']}: give a result")
        return Outcome("result", answer.result, f"fixtures: {answer.result}")

    # APIReference/flow-control-actions-distributebypercentage.html: "a random number between 1 and
    # 100 (inclusive)". Drawn from the call's number, time and action, so a rehearsal repeats; the
    # fixtures may fix it (actions: {result: "42"}).
    def do_DistributeByPercentage(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        answer = self.answer(a)
        if answer is not None and answer.result is not None:
            return Outcome("result", answer.result, f"fixtures: {answer.result}")
        seed = f"{self.c.caller}|{self.r.started_at}|{flow.key}|{a['Identifier']}|{len(self.r.steps)}"
        drawn = random.Random(seed).randint(1, 100)
        return Outcome("result", str(drawn), f"drew {drawn}")

    # APIReference/flow-control-actions-wait.html: "supported only by the chat channel";
    # NoMatchingError. The fixtures may say what ended the wait (actions: {result: WaitCompleted}).
    def do_Wait(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        answer = self.answer(a)
        if answer is None or answer.result is None:
            return self.chat_only(a)
        return Outcome("result", answer.result, f"fixtures: {answer.result}")

    # ---- interactions: Customer Profiles --------------------------------------------------------
    # APIReference/interactions-getcustomerprofile.html (and the Customer profiles block): the
    # profile's fields land under $.Customer; errors NoneFoundError, MultipleFoundError,
    # NoMatchingError (connect-flow-language.md §1.6). Reads need the fixtures; writes succeed.
    def _profile_read(self, a: Any, what: str) -> Outcome:
        failed = self.from_fixtures(a, f"Customer Profiles is not simulated ({what})")
        if failed:
            return failed
        answer = self.answer(a)
        self.c.customer.update(answer.data if answer else {})
        return Outcome("next", detail=f"fixtures: {what}")

    def do_GetCustomerProfile(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return self._profile_read(a, "profile")

    def do_GetCustomerProfileObject(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        return self._profile_read(a, "profile object")

    def do_GetCalculatedAttributesForCustomerProfile(
        self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any
    ) -> Outcome:
        return self._profile_read(a, "calculated attributes")

    # devguide/interactions-createcustomerprofile.html: "Newly created profile ID is persisted
    # under ... $.Customer.ProfileId".
    def do_CreateCustomerProfile(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        self.c.customer = {"ProfileId": uuid.uuid4().hex}
        self._profile_fields(p)
        return Outcome("next", detail=f"profile {self.c.customer['ProfileId']} (simulated)")

    def do_UpdateCustomerProfile(self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any) -> Outcome:
        self._profile_fields(p)
        return Outcome("next", detail="profile updated (simulated)")

    def _profile_fields(self, p: Mapping[str, Any]) -> None:
        """The profile's text fields from ProfileRequestData, into $.Customer."""
        request = map_param(p, "ProfileRequestData")
        self.c.customer.update({str(k): refs.as_text(v) for k, v in request.items() if isinstance(v, str)})

    # devguide/interactions-associatecontacttocustomerprofile.html: NoMatchingError.
    def do_AssociateContactToCustomerProfile(
        self, flow: Flow, a: Any, p: Mapping[str, Any], b: Any
    ) -> Outcome:
        profile = refs.as_text(map_param(p, "ProfileRequestData").get("ProfileId"))
        if not profile:
            return Outcome("error", "NoMatchingError", "ProfileRequestData.ProfileId is required")
        return Outcome("next", detail=f"contact associated with profile {profile} (simulated)")
