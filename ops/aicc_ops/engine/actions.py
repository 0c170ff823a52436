"""What each Flow Language action accepts: parameters, errors, flow types, terminality.

Every action type of the AWS Flow Language reference is here, each with the page it comes from
(`ActionSpec.source`): the contact, flow control, interaction and participant actions listed under
https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html, plus the few
types real console exports use under another name. shared/reference/connect-flow-language.md (§2)
holds the details this project relies on. The linter checks flows against this table; the
interpreter runs only the types it has a handler for and rejects the rest loudly.

Where the docs and what Connect accepts disagree (real exports import, so they are evidence), the
table takes the lenient side and says why in a comment: a linter that reports an error Connect would
not raise is wrong in a way operators stop trusting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INBOUND = "CONTACT_FLOW"
CUSTOMER_QUEUE = "CUSTOMER_QUEUE"
HOLD = ("CUSTOMER_HOLD", "AGENT_HOLD")
WHISPER = ("CUSTOMER_WHISPER", "AGENT_WHISPER")
OUTBOUND_WHISPER = "OUTBOUND_WHISPER"
TRANSFER = ("AGENT_TRANSFER", "QUEUE_TRANSFER")
ALL_TYPES = (INBOUND, CUSTOMER_QUEUE, *HOLD, *WHISPER, OUTBOUND_WHISPER, *TRANSFER)
# A flow module (CreateContactFlowModule): run by InvokeFlowModule, not a flow type of its own. Modules
# run only inside inbound flows ("You can use modules in any flow that is type Inbound flow"), so a
# module may hold what an inbound flow may, except InvokeFlowModule ("Modules do not allow invoking
# another module"), and only a module may hold EndFlowModuleExecution.
# https://docs.aws.amazon.com/connect/latest/adminguide/contact-flow-modules.html
MODULE = "CONTACT_FLOW_MODULE"
EVERYWHERE = (*ALL_TYPES, MODULE)

VOICE, CHAT, TASK, EMAIL = "VOICE", "CHAT", "TASK", "EMAIL"
ALL_CHANNELS = frozenset({VOICE, CHAT, TASK, EMAIL})

PROMPT_KEYS = ("Text", "SSML", "PromptId", "Media")

_API = "https://docs.aws.amazon.com/connect/latest/APIReference/"
_ADMIN = "https://docs.aws.amazon.com/connect/latest/adminguide/"


@dataclass(frozen=True)
class ActionSpec:
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    errors: frozenset[str] = frozenset({"NoMatchingError"})
    # Errors a flow must wire: only where Connect refuses the flow without them (public exports that
    # import without a branch prove it is not required, whatever a page says).
    required_errors: frozenset[str] = frozenset()
    flow_types: tuple[str, ...] = EVERYWHERE
    terminal: bool = False
    leaves_flow: bool = False  # success ends this flow (no success branch)
    conditions: bool = False
    # Parameter groups of which at most one may be set (the Flow Language refuses two together).
    exclusive: tuple[tuple[str, ...], ...] = ()
    # Channels the action works on; on another channel Connect takes the error branch.
    channels: frozenset[str] = ALL_CHANNELS
    # Condition operators the action allows (empty: any documented operator).
    operators: frozenset[str] = frozenset()
    # The closed set of results conditions may test (empty: open, e.g. Compare's value).
    results: frozenset[str] = frozenset()
    # The AWS documentation page the entry follows.
    source: str = ""


def _s(*names: str) -> frozenset[str]:
    return frozenset(names)


def _types(*types: str) -> tuple[str, ...]:
    """Flow types an action may appear in; a module may hold what an inbound flow may (see MODULE)."""
    return (*types, MODULE) if INBOUND in types else types


_QUEUE_OR_AGENT = ("QueueId", "AgentId")
_EQUALS = _s("Equals")
# "contact flows, transfer flows, and customer queue flows", the most common restriction.
_IN_CQ_XFER = _types(INBOUND, CUSTOMER_QUEUE, *TRANSFER)
# "contact flows, transfer flows, whisper flows, and customer queue flows. It is not supported in hold flows."
_NOT_HOLD = _types(INBOUND, CUSTOMER_QUEUE, *WHISPER, OUTBOUND_WHISPER, *TRANSFER)
# The fields a Customer Profiles action reads and writes.
_PROFILE = _s("ProfileRequestData", "ProfileResponseData")
# Cases actions: ContactNotLinked when the case was found or made but the contact not linked to it.
_CASE_ERRORS = _s("NoMatchingError", "ContactNotLinked")


PARTICIPANT_ACTIONS: dict[str, ActionSpec] = {
    "MessageParticipant": ActionSpec(
        # SkipWhenDTMFBufferEnabled is not on the page: the docs are silent on it. Newer console exports
        # of the Play prompt block write it ("false"), so it is accepted (the lenient choice).
        optional=_s(*PROMPT_KEYS, "SkipWhenDTMFBufferEnabled"),
        exclusive=(PROMPT_KEYS,),
        flow_types=_NOT_HOLD,
        source=_API + "participant-actions-messageparticipant.html",
    ),
    "GetParticipantInput": ActionSpec(
        # One doc page spells the timeout InputTimeoutSeconds (reference §2.2); exports use
        # InputTimeLimitSeconds. Both are accepted, never together.
        optional=_s(
            *PROMPT_KEYS,
            "InputTimeLimitSeconds",
            "InputTimeoutSeconds",
            "StoreInput",
            "InputValidation",
            "InputEncryption",
            "DTMFConfiguration",
        ),
        exclusive=(PROMPT_KEYS, ("InputTimeLimitSeconds", "InputTimeoutSeconds")),
        errors=_s("NoMatchingError", "NoMatchingCondition", "InputTimeLimitExceeded", "InvalidPhoneNumber"),
        required_errors=_s("NoMatchingError"),  # "Must always be defined"; every export has it
        flow_types=_IN_CQ_XFER,
        conditions=True,
        operators=_EQUALS,
        channels=_s(VOICE),
        source=_API + "participant-actions-getparticipantinput.html",
    ),
    "ConnectParticipantWithLexBot": ActionSpec(
        optional=_s(
            *PROMPT_KEYS,
            "LexV2Bot",
            "LexBot",
            "LexSessionAttributes",
            "LexInitializationData",
            "LexTimeoutSeconds",
        ),
        exclusive=(PROMPT_KEYS, ("LexV2Bot", "LexBot")),
        errors=_s("NoMatchingError", "NoMatchingCondition", "InputTimeLimitExceeded"),
        required_errors=_s("NoMatchingError", "NoMatchingCondition"),
        flow_types=_IN_CQ_XFER,
        conditions=True,
        operators=_EQUALS,
        source=_API + "participant-actions-connectparticipantwithlexbot.html",
    ),
    "MessageParticipantIteratively": ActionSpec(
        required=_s("Messages"),
        # ContinueMessagingDuringInterrupt is not on the page; the console writes it (Voicemail
        # Express' in-queue flow, a public export that imports), so it is accepted.
        optional=_s("InterruptFrequencySeconds", "ContinueMessagingDuringInterrupt"),
        flow_types=(CUSTOMER_QUEUE, *HOLD),
        conditions=True,
        operators=_EQUALS,
        results=_s("MessagesInterrupted"),
        channels=_s(VOICE),  # "On chat channel, immediately takes error branch"
        source=_API + "participant-actions-messageparticipantiteratively.html",
    ),
    "ShowView": ActionSpec(
        # The page shows ViewResource {Id, Version}; exports may carry the version on the ARN instead.
        optional=_s("ViewResource", "InvocationTimeLimitSeconds", "ViewData", "SensitiveDataConfiguration"),
        errors=_s("NoMatchingError", "NoMatchingCondition", "TimeLimitExceeded"),
        flow_types=_types(INBOUND, CUSTOMER_QUEUE),
        conditions=True,  # the result is what the user chose in the view; branches depend on the view
        channels=_s(CHAT),
        source=_API + "participant-actions-showview.html",
    ),
    "DisconnectParticipant": ActionSpec(
        errors=frozenset(),
        terminal=True,
        flow_types=_IN_CQ_XFER,  # "contact flows, transfer flows, and customer queue flows"
        source=_API + "participant-actions-disconnectparticipant.html",
    ),
    # Absent from the current API Reference list but still documented (the "Transfer to phone number"
    # block). The current page calls the timeout ThirdPartyConnectionTimeoutSeconds; the 2023 page
    # (awsdocs/amazon-connect-admin-guide, reference §2.21) ThirdPartyConnectionTimeLimitSeconds: both
    # are accepted, never together. VoiceConnector is the page's "voice connector" target, named as in
    # CompleteOutboundCall.
    "TransferParticipantToThirdParty": ActionSpec(
        optional=_s(
            "ThirdPartyPhoneNumber",
            "ThirdPartyConnectionTimeLimitSeconds",
            "ThirdPartyConnectionTimeoutSeconds",
            "ContinueFlowExecution",
            "ThirdPartyDTMFDigits",
            "CallerId",
            "VoiceConnector",
        ),
        exclusive=(("ThirdPartyConnectionTimeLimitSeconds", "ThirdPartyConnectionTimeoutSeconds"),),
        # ConnectionTimeLimitExceeded and CallFailed only when ContinueFlowExecution is True.
        errors=_s("NoMatchingError", "ConnectionTimeLimitExceeded", "CallFailed"),
        flow_types=_IN_CQ_XFER,
        channels=_s(VOICE),
        source=_ADMIN + "participant-actions-transferparticipanttothirdparty.html",
    ),
}


CONTACT_ACTIONS: dict[str, ActionSpec] = {
    # "can be used only when the contact is in the process of making an outbound call": a runtime
    # condition, not a flow type, so every type is allowed. Errors: "None", but NoMatchingError is
    # accepted as on every block that has an Error branch in the designer.
    "CompleteOutboundCall": ActionSpec(
        optional=_s("CallerId", "VoiceConnector", "ConnectionTimeLimitSeconds"),
        channels=_s(VOICE),
        source=_API + "contact-actions-completeoutboundcall.html",
    ),
    "CreateCase": ActionSpec(
        optional=_s("LinkContactToCase", "CaseTemplateId", "CaseRequestFields"),
        errors=_CASE_ERRORS,
        source=_API + "createcase.html",
    ),
    "GetCase": ActionSpec(
        optional=_s(
            "LinkContactToCase", "GetLastUpdatedCase", "CustomerId", "CaseRequestFields", "CaseResponseFields"
        ),
        errors=_s(*_CASE_ERRORS, "MultipleFound", "NoneFound"),
        source=_API + "getcase.html",
    ),
    "UpdateCase": ActionSpec(
        optional=_s("LinkContactToCase", "CaseId", "CaseRequestFields"),
        errors=_CASE_ERRORS,
        source=_API + "updatecase.html",
    ),
    "CreateTask": ActionSpec(
        optional=_s(
            "ContactFlowId",
            "Attributes",
            "Name",
            "Description",
            "References",
            "DelaySeconds",
            "ScheduledTime",
            "TaskTemplateId",
        ),
        exclusive=(("DelaySeconds", "ScheduledTime"),),
        source=_API + "createtask.html",
    ),
    "CreateWisdomSession": ActionSpec(
        optional=_s("WisdomAssistantArn"),
        channels=_s(VOICE),  # "only supported on the voice channel ... all contact flow types"
        source=_API + "createwisdomsession.html",
    ),
    "DequeueContactAndTransferToQueue": ActionSpec(
        optional=_s("QueueId", "AgentId"),
        exclusive=(_QUEUE_OR_AGENT,),
        errors=_s("NoMatchingError", "QueueAtCapacity"),
        required_errors=_s("NoMatchingError"),
        flow_types=(CUSTOMER_QUEUE,),
        source=_API + "contact-actions-dequeuecontactandtransfertoqueue.html",
    ),
    # The Return block: Parameters {} on the page. Modules have "custom input/output objects and
    # branches" (adminguide/contact-flow-modules.html), which the Return block must carry, but no page
    # names its parameters: Result and ResultData (the branch returned and the output object) are
    # accepted, as the docs are silent (the lenient choice).
    "EndFlowModuleExecution": ActionSpec(
        optional=_s("Result", "ResultData"),
        errors=frozenset(),
        terminal=True,
        flow_types=(MODULE,),
        source=_API + "endflowmoduleexecution.html",
    ),
    # "only supports Inbound flow types", and a module cannot invoke another module. The page lists no
    # conditions nor an input, yet modules have "custom input/output objects and branches"
    # (adminguide/contact-flow-modules.html): Equals conditions on the branch a module returns, and
    # Input, are accepted, as the docs are silent on their form (the lenient choice).
    "InvokeFlowModule": ActionSpec(
        optional=_s("FlowModuleId", "Input"),
        errors=_s("NoMatchingError", "NoMatchingCondition"),
        flow_types=(INBOUND,),
        conditions=True,
        operators=_EQUALS,
        source=_API + "flow-language-actions-invoke-flow-module.html",
    ),
    "StartOutboundChatContact": ActionSpec(
        optional=_s(
            "SourceEndpoint",
            "DestinationEndpoint",
            "ContactFlowArn",
            "ContactSubtype",
            "InitialSystemMessage",
            "RelatedContact",
        ),
        source=_API + "contact-actions-startoutboundchatcontact.html",
    ),
    # Errors: "None" on the page, but Voicemail Express' in-queue flow (a public export that imports)
    # wires NoMatchingError, so it is accepted.
    "TagContact": ActionSpec(optional=_s("Tags"), source=_API + "contact-actions-tagcontact.html"),
    "TransferContactToAgent": ActionSpec(
        errors=frozenset(),
        terminal=True,
        flow_types=TRANSFER,  # "only transfer to agent and transfer to queue flows"
        channels=_s(VOICE),
        source=_API + "contact-actions-transfercontacttoagent.html",
    ),
    "TransferContactToQueue": ActionSpec(
        errors=_s("NoMatchingError", "QueueAtCapacity"),
        required_errors=_s("NoMatchingError", "QueueAtCapacity"),
        flow_types=_types(INBOUND, *TRANSFER),
        leaves_flow=True,
        source=_API + "contact-actions-transfercontacttoqueue.html",
    ),
    "UnTagContact": ActionSpec(optional=_s("TagKeys"), source=_API + "contact-actions-untagcontact.html"),
    "UpdateContactAttributes": ActionSpec(
        required=_s("Attributes"),
        optional=_s("TargetContact"),
        source=_API + "contact-actions-updatecontactattributes.html",
    ),
    "UpdateContactCallbackNumber": ActionSpec(
        required=_s("CallbackNumber"),
        errors=_s("NoMatchingError", "InvalidCallbackNumber", "CallbackNumberNotDialable"),
        required_errors=_s("InvalidCallbackNumber", "CallbackNumberNotDialable"),
        flow_types=_IN_CQ_XFER,
        source=_API + "contact-actions-updatecontactcallbacknumber.html",
    ),
    # The Set voice block's "Set language attribute" and the Set contact data blocks. Lex and Contact
    # Lens use the contact's language (default en-US), which nothing else sets. The page marks
    # TargetContact required; public exports (Voice ID handler) import without it, so it is optional.
    "UpdateContactData": ActionSpec(
        optional=_s(
            "LanguageCode",
            "Name",
            "Description",
            "CustomerId",
            "References",
            "TargetContact",
            "IsVoiceIdStreamingEnabled",
            "IsFraudDetectionEnabled",
            "IsVoiceAuthenticationEnabled",
            "VoiceAuthenticationThreshold",
            "VoiceAuthenticationResponseTime",
            "FraudDetectionThreshold",
            "WatchlistId",
            "WisdomSessionArn",
        ),
        source=_API + "contact-actions-updatecontactdata.html",
    ),
    # EventHooksConfiguration is not on the page; public exports (gitlab-cicd queue transfer) carry it.
    "UpdateContactEventHooks": ActionSpec(
        required=_s("EventHooks"),
        optional=_s("EventHooksConfiguration"),
        source=_API + "contact-actions-updatecontacteventhooks.html",
    ),
    "UpdateContactMediaProcessing": ActionSpec(
        optional=_s("ChatProcessor"),
        errors=_s("NoMatchingError", "ChannelMismatch"),
        channels=_s(CHAT),
        source=_API + "contact-actions-updatecontactmediaprocessing.html",
    ),
    "UpdateContactMediaStreamingBehavior": ActionSpec(
        optional=_s("MediaStreamingState", "Participants", "MediaStreamType"),
        flow_types=_NOT_HOLD,  # "contact flows, customer queue flows, transfer flows, and whisper flows"
        channels=_s(VOICE),
        source=_API + "contact-actions-updatecontactmediastreamingbehavior.html",
    ),
    # The newer "Set recording, analytics and processing behavior" block; the page gives no flow-type
    # restriction. Only one of ChatBehavior and VoiceBehavior per action.
    "UpdateContactRecordingAndAnalyticsBehavior": ActionSpec(
        optional=_s("ChatBehavior", "VoiceBehavior", "ScreenRecordingBehavior"),
        exclusive=(("ChatBehavior", "VoiceBehavior"),),
        errors=_s("NoMatchingError", "ChannelMismatch", "InFlightRedactionConfigurationFailed"),
        source=_API + "contact-actions-updatecontactrecordingandanalyticsbehavior.html",
    ),
    # IVRRecordingBehavior belongs inside RecordingBehavior on the page; older exports put it at the
    # top level, which this table has always accepted.
    "UpdateContactRecordingBehavior": ActionSpec(
        optional=_s("RecordingBehavior", "AnalyticsBehavior", "IVRRecordingBehavior"),
        errors=frozenset(),
        flow_types=_types(INBOUND, CUSTOMER_QUEUE, OUTBOUND_WHISPER, *TRANSFER),
        source=_API + "contact-actions-updatecontactrecordingbehavior.html",
    ),
    "ResumeContact": ActionSpec(source=_API + "contact-actions-updatecontactresumecontact.html"),
    # "Cannot be specified if QueueTimeAdjustmentSeconds is specified" and the reverse; both static
    # integers, the priority above zero. Inbound flows only.
    "UpdateContactRoutingBehavior": ActionSpec(
        optional=_s("QueuePriority", "QueueTimeAdjustmentSeconds"),
        errors=frozenset(),
        flow_types=_types(INBOUND),
        exclusive=(("QueuePriority", "QueueTimeAdjustmentSeconds"),),
        source=_API + "contact-actions-updatecontactroutingbehavior.html",
    ),
    "UpdateContactTargetQueue": ActionSpec(
        optional=_s("QueueId", "AgentId"),
        flow_types=_types(INBOUND, *TRANSFER),
        exclusive=(_QUEUE_OR_AGENT,),
        source=_API + "contact-actions-updatecontacttargetqueue.html",
    ),
    # "NoMatchingError ... Must always be defined", yet public exports (gitlab-cicd main flow) set the
    # voice with no error branch and import: not a required error.
    "UpdateContactTextToSpeechVoice": ActionSpec(
        required=_s("TextToSpeechVoice"),
        optional=_s("TextToSpeechEngine", "TextToSpeechStyle"),
        source=_API + "contact-actions-updatecontacttexttospeechvoice.html",
    ),
    "UpdatePreviousContactParticipantState": ActionSpec(
        optional=_s("PreviousContactParticipantState"),
        flow_types=_types(INBOUND, *TRANSFER),
        channels=_s(VOICE),
        source=_API + "contact-actions-updatepreviouscontactparticipantstate.html",
    ),
}


FLOW_CONTROL_ACTIONS: dict[str, ActionSpec] = {
    "CheckHoursOfOperation": ActionSpec(
        optional=_s("HoursOfOperationId"),
        required_errors=_s("NoMatchingError"),
        flow_types=_IN_CQ_XFER,
        conditions=True,
        operators=_EQUALS,
        results=_s("True", "False"),
        source=_API + "flow-control-actions-checkhoursofoperation.html",
    ),
    "CheckMetricData": ActionSpec(
        required=_s("MetricType"),
        optional=_s("QueueId", "AgentId"),
        exclusive=(_QUEUE_OR_AGENT,),
        errors=_s("NoMatchingError", "NoMatchingCondition"),
        required_errors=_s("NoMatchingError"),
        flow_types=_IN_CQ_XFER,
        conditions=True,
        source=_API + "flow-control-actions-checkmetricdata.html",
    ),
    # Answering machine detection; "Works with Connect outbound campaigns ONLY", a runtime condition.
    "CheckOutboundCallStatus": ActionSpec(
        conditions=True,
        operators=_EQUALS,
        results=_s("CallAnswered", "VoicemailBeep", "VoicemailNoBeep", "NotDetected"),
        channels=_s(VOICE),
        source=_API + "flow-control-actions-checkoutboundcallstatus.html",
    ),
    # The page lists the results as display labels ("Not enrolled"); the same words without spaces
    # ("NotEnrolled") are accepted too, as the docs give no other spelling of the values a flow's
    # conditions test (the lenient choice).
    "CheckVoiceId": ActionSpec(
        optional=_s("CheckVoiceIdOption"),
        conditions=True,
        results=_s(
            "Enrolled",
            "Not enrolled",
            "NotEnrolled",
            "Opted out",
            "OptedOut",
            "Authenticated",
            "Not authenticated",
            "NotAuthenticated",
            "Inconclusive",
            "High risk",
            "HighRisk",
            "Low risk",
            "LowRisk",
        ),
        channels=_s(VOICE),
        source=_API + "flow-control-actions-checkvoiceid.html",
    ),
    "Compare": ActionSpec(
        required=_s("ComparisonValue"),
        errors=_s("NoMatchingCondition"),
        conditions=True,
        source=_API + "flow-control-actions-compare.html",
    ),
    # "a chain of NumericLessThan comparisons" (the operator is NumberLessThan); the remainder is the
    # NoMatchingCondition branch.
    "DistributeByPercentage": ActionSpec(
        errors=_s("NoMatchingCondition"),
        flow_types=_IN_CQ_XFER,
        conditions=True,
        operators=_s("NumberLessThan"),
        source=_API + "flow-control-actions-distributebypercentage.html",
    ),
    # The two pages disagree on where it may be: the Flow Language page, "available only in whisper
    # flows and customer queue flows"; its block's page (End flow / Resume), "All flows", adding that
    # "if you place the End flow / Resume block in an inbound flow or disconnect flow, it functions
    # identically to the Disconnect block" (https://docs.aws.amazon.com/connect/latest/adminguide/
    # end-flow-resume.html). The block page describes what Connect does with it, so every type is
    # allowed (the lenient choice); lint warns where it hangs up (an inbound flow).
    "EndFlowExecution": ActionSpec(
        errors=frozenset(),
        terminal=True,
        source=_API + "flow-control-actions-endflowexecution.html",
    ),
    "GetMetricData": ActionSpec(
        optional=_s("QueueId", "AgentId", "QueueChannel"),
        exclusive=(_QUEUE_OR_AGENT,),
        source=_API + "flow-control-actions-getmetricdata.html",
    ),
    "Loop": ActionSpec(
        required=_s("LoopCount"),
        errors=frozenset(),
        conditions=True,
        operators=_EQUALS,
        results=_s("ContinueLooping", "DoneLooping"),
        source=_API + "flow-control-actions-loop.html",
    ),
    "StartVoiceIdStream": ActionSpec(
        flow_types=_types(INBOUND, CUSTOMER_QUEUE, *WHISPER, OUTBOUND_WHISPER, *TRANSFER),  # not hold
        channels=_s(VOICE),
        source=_API + "flow-control-actions-startvoiceidstream.html",
    ),
    "TransferToFlow": ActionSpec(
        required=_s("ContactFlowId"),
        required_errors=_s("NoMatchingError"),
        flow_types=_types(INBOUND, *TRANSFER),
        leaves_flow=True,
        source=_API + "flow-control-actions-transfertoflow.html",
    ),
    # Errors: "None" on the page, but the public exports wire NoMatchingError (gitlab-cicd's
    # acme_main_AUTO, VMX3's AWS test flow: both import), so it is accepted.
    "UpdateFlowAttributes": ActionSpec(
        required=_s("FlowAttributes"), source=_API + "flow-control-actions-updateflowattributes.html"
    ),
    "UpdateFlowLoggingBehavior": ActionSpec(
        required=_s("FlowLoggingBehavior"),
        errors=frozenset(),
        source=_API + "flow-control-actions-updateflowloggingbehavior.html",
    ),
    # "RoutingCriteria": Required. "This action is supported on all channels and in only in Inbound
    # flow, Customer Queue flow, Transfer to Agent flow, and Transfer to Queue flow types"; errors:
    # NoMatchingError. The parameter's shape is checked by routing_criteria.problems.
    "UpdateRoutingCriteria": ActionSpec(
        required=_s("RoutingCriteria"),
        flow_types=_IN_CQ_XFER,
        source=_API + "flow-control-actions-updateroutingcriteria.html",
    ),
    # The page says TimeoutSeconds; TimeLimitSeconds, the name every other timeout of the Flow Language
    # has, is accepted too (the docs are silent on it: the lenient choice), never both. Flow Language
    # page: chat only; the Wait block page adds voice (inbound, event-based), task and email, so every
    # channel is allowed.
    "Wait": ActionSpec(
        optional=_s("TimeoutSeconds", "TimeLimitSeconds", "Events"),
        exclusive=(("TimeoutSeconds", "TimeLimitSeconds"),),
        errors=_s("NoMatchingError", "ParticipantNotFound"),
        conditions=True,
        operators=_EQUALS,
        source=_API + "flow-control-actions-wait.html",
    ),
}
# Console exports write the Set routing criteria block as UpdateContactRoutingCriteria (Voicemail
# Express' task flow, a public export that imports); the reference page is titled UpdateRoutingCriteria.
FLOW_CONTROL_ACTIONS["UpdateContactRoutingCriteria"] = FLOW_CONTROL_ACTIONS["UpdateRoutingCriteria"]


INTERACTIONS: dict[str, ActionSpec] = {
    # "A ProfileId and ContactId must be present" (inside ProfileRequestData).
    "AssociateContactToCustomerProfile": ActionSpec(
        required=_s("ProfileRequestData"),
        optional=_s("ProfileResponseData"),
        source=_API + "interactions-associatecontacttocustomerprofile.html",
    ),
    "CreateCallbackContact": ActionSpec(
        optional=_s(
            "QueueId",
            "AgentId",
            "InitialCallDelaySeconds",
            "MaximumConnectionAttempts",
            "RetryDelaySeconds",
            "ContactFlowId",
            "CallerId",
        ),
        exclusive=(_QUEUE_OR_AGENT,),
        required_errors=_s("NoMatchingError"),
        flow_types=_IN_CQ_XFER,
        source=_API + "interactions-createcallbackcontact.html",
    ),
    "CreateCustomerProfile": ActionSpec(
        optional=_PROFILE, source=_API + "interactions-createcustomerprofile.html"
    ),
    "GetCustomerProfile": ActionSpec(
        optional=_PROFILE,
        errors=_s("NoMatchingError", "MultipleFoundError", "NoneFoundError"),
        source=_API + "interactions-getcustomerprofile.html",
    ),
    "GetCustomerProfileObject": ActionSpec(
        optional=_PROFILE,
        errors=_s("NoMatchingError", "NoneFoundError"),
        source=_API + "interactions-getcustomerprofileobject.html",
    ),
    "GetCalculatedAttributesForCustomerProfile": ActionSpec(
        optional=_PROFILE,
        errors=_s("NoMatchingError", "NoneFoundError"),
        source=_API + "interactions-getcalculatedattributesforcustomerprofile.html",
    ),
    "InvokeLambdaFunction": ActionSpec(
        required=_s("LambdaFunctionARN"),
        optional=_s(
            "InvocationTimeLimitSeconds", "InvocationType", "LambdaInvocationAttributes", "ResponseValidation"
        ),
        required_errors=_s("NoMatchingError"),
        source=_API + "interactions-invokelambdafunction.html",
    ),
    "UpdateCustomerProfile": ActionSpec(
        optional=_PROFILE, source=_API + "interactions-updatecustomerprofile.html"
    ),
}


# Types the Flow Language reference does not list, or lists under another spelling.
UNLISTED_ACTIONS: dict[str, ActionSpec] = {
    # The "Create persistent contact association" block (chat only; error branch on voice and task).
    # Its parameters are those of the CreatePersistentContactAssociation API the block calls:
    # https://docs.aws.amazon.com/connect/latest/APIReference/API_CreatePersistentContactAssociation.html
    "CreatePersistentContactAssociation": ActionSpec(
        optional=_s("RehydrationType", "SourceContactId", "ClientToken"),
        channels=_s(CHAT),
        source=_ADMIN + "create-persistent-contact-association-block.html",
    ),
    # The Flow Language page spells the action UnTagContact (contact-actions-untagcontact.html); the API
    # operation is UntagContact (APIReference/API_UntagContact.html). The docs never use that spelling
    # for a flow action, nor say Connect refuses it: both are accepted (the lenient choice).
    "UntagContact": CONTACT_ACTIONS["UnTagContact"],
}


SPECS: dict[str, ActionSpec] = {
    **PARTICIPANT_ACTIONS,
    **CONTACT_ACTIONS,
    **FLOW_CONTROL_ACTIONS,
    **INTERACTIONS,
    **UNLISTED_ACTIONS,
}

# A contact language (UpdateContactData LanguageCode, AnalyticsLanguage): ko-KR, en-US...; "ko_KR"
# is Lex's spelling of a locale, not a language code.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")

# Parameters (at any depth) the Flow Language takes only as static values, never a JSONPath: the
# pages say "Must be defined statically", "Dynamic values are not supported" or "static only".
STATIC_PARAMS = frozenset(
    {
        # UpdateContactRoutingBehavior
        "QueuePriority",
        "QueueTimeAdjustmentSeconds",
        # InvokeLambdaFunction (and ResponseValidation.ResponseType)
        "InvocationTimeLimitSeconds",
        "InvocationType",
        "ResponseType",
        # GetParticipantInput
        "InputTimeLimitSeconds",
        "StoreInput",
        "NumberFormat",
        "CountryCode",
        # CheckMetricData, UpdateFlowLoggingBehavior
        "MetricType",
        "FlowLoggingBehavior",
        # CreateCallbackContact
        "InitialCallDelaySeconds",
        "MaximumConnectionAttempts",
        "RetryDelaySeconds",
        # UpdateContactMediaStreamingBehavior
        "MediaStreamingState",
        "MediaStreamType",
        "ParticipantType",
        # TransferParticipantToThirdParty, CompleteOutboundCall (VoiceConnector)
        "ContinueFlowExecution",
        "VoiceConnectorType",
        # CreateTask, UpdateRoutingCriteria (Expiry.DurationInSeconds)
        "TaskTemplateId",
        "DurationInSeconds",
        # UpdateContactRecordingBehavior / UpdateContactRecordingAndAnalyticsBehavior
        "IVRRecordingBehavior",
        "RedactionMaskMode",
        "AnalyticsRedactionMaskMode",
    }
)
# Connect speaks with Joanna (en-US) until a Set voice block runs (reference §2.16). Polly's Korean
# voices: docs.aws.amazon.com/polly/latest/dg/available-voices.html (Seoyeon standard and neural,
# Jihye neural); any other voice reads Hangul as a foreign speaker would, or not at all.
DEFAULT_VOICE = "Joanna"
KOREAN_VOICES = frozenset({"Seoyeon", "Jihye"})
# Actions that play their prompt parameters to the caller.
SPEAKING = frozenset(
    {
        "MessageParticipant",
        "GetParticipantInput",
        "ConnectParticipantWithLexBot",
        "MessageParticipantIteratively",
    }
)

# Parameters that must be static or a single JSONPath (never text with embedded references): the
# pages say "fully static or a single valid JSONPath identifier" (or "fully static or fully dynamic").
SINGLE_PATH_PARAMS = frozenset(
    {
        "ComparisonValue",
        "QueueId",
        "AgentId",
        "ContactFlowId",
        "HoursOfOperationId",
        "CallbackNumber",
        "PromptId",
        "LoopCount",
        # Wait
        "TimeoutSeconds",
        # TransferParticipantToThirdParty (and CompleteOutboundCall's CallerId.Number)
        "ThirdPartyConnectionTimeLimitSeconds",
        "ThirdPartyConnectionTimeoutSeconds",
        "ThirdPartyDTMFDigits",
        "Number",
    }
)
# CheckMetricData MetricType values: the agent counts allow only NumberGreaterThan "0"; the queue
# metrics allow Equals and every Number* operator.
# https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-checkmetricdata.html
AGENT_METRICS = frozenset({"NumberOfAgentsAvailable", "NumberOfAgentsStaffed", "NumberOfAgentsOnline"})
QUEUE_METRICS = frozenset({"OldestContactInQueueAgeSeconds", "NumberOfContactsInQueue"})
# The event hooks UpdateContactEventHooks may set ("The following event hooks are valid").
# https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-updatecontacteventhooks.html
EVENT_HOOKS = frozenset(
    {
        "AgentHold",
        "AgentWhisper",
        "CustomerHold",
        "CustomerQueue",
        "CustomerRemaining",
        "CustomerWhisper",
        "DefaultAgentUI",
        "DisconnectAgentUI",
        "PauseContact",
        "ResumeContact",
    }
)
# The condition operators of the "List of Operators" table, each taking one string operand.
# https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
OPERATORS = frozenset(
    {
        "Equals",
        "TextStartsWith",
        "TextEndsWith",
        "TextContains",
        "NumberGreaterThan",
        "NumberGreaterOrEqualTo",
        "NumberLessThan",
        "NumberLessOrEqualTo",
    }
)
