"""What each Flow Language action accepts: parameters, errors, flow types, terminality.

Source: shared/reference/connect-flow-language.md (§2). The linter checks flows against this table
and the interpreter runs only the action types listed here; anything else is rejected loudly.
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
# A flow module (CreateContactFlowModule): run by InvokeFlowModule, not a flow type of its own.
MODULE = "CONTACT_FLOW_MODULE"

PROMPT_KEYS = ("Text", "SSML", "PromptId", "Media")


@dataclass(frozen=True)
class ActionSpec:
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    errors: frozenset[str] = frozenset({"NoMatchingError"})
    required_errors: frozenset[str] = frozenset()
    flow_types: tuple[str, ...] = ALL_TYPES
    terminal: bool = False
    leaves_flow: bool = False  # success ends this flow (no success branch)
    conditions: bool = False
    # Parameter groups of which at most one may be set (the Flow Language refuses two together).
    exclusive: tuple[tuple[str, ...], ...] = ()


def _s(*names: str) -> frozenset[str]:
    return frozenset(names)


_QUEUE_OR_AGENT = ("QueueId", "AgentId")


SPECS: dict[str, ActionSpec] = {
    "MessageParticipant": ActionSpec(
        optional=_s(*PROMPT_KEYS),
        exclusive=(PROMPT_KEYS,),
        flow_types=(INBOUND, CUSTOMER_QUEUE, *WHISPER, OUTBOUND_WHISPER, *TRANSFER),
    ),
    "GetParticipantInput": ActionSpec(
        optional=_s(
            *PROMPT_KEYS,
            "InputTimeLimitSeconds",
            "StoreInput",
            "InputValidation",
            "InputEncryption",
            "DTMFConfiguration",
        ),
        exclusive=(PROMPT_KEYS,),
        errors=_s("NoMatchingError", "NoMatchingCondition", "InputTimeLimitExceeded", "InvalidPhoneNumber"),
        required_errors=_s("NoMatchingError"),
        flow_types=(INBOUND, CUSTOMER_QUEUE, *TRANSFER),
        conditions=True,
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
        flow_types=(INBOUND, CUSTOMER_QUEUE, *TRANSFER),
        conditions=True,
    ),
    "InvokeLambdaFunction": ActionSpec(
        required=_s("LambdaFunctionARN"),
        optional=_s(
            "InvocationTimeLimitSeconds", "InvocationType", "LambdaInvocationAttributes", "ResponseValidation"
        ),
        required_errors=_s("NoMatchingError"),
    ),
    "Compare": ActionSpec(required=_s("ComparisonValue"), errors=_s("NoMatchingCondition"), conditions=True),
    "CheckHoursOfOperation": ActionSpec(
        optional=_s("HoursOfOperationId"),
        required_errors=_s("NoMatchingError"),
        flow_types=(INBOUND, CUSTOMER_QUEUE, *TRANSFER),
        conditions=True,
    ),
    "CheckMetricData": ActionSpec(
        required=_s("MetricType"),
        optional=_s("QueueId", "AgentId"),
        exclusive=(_QUEUE_OR_AGENT,),
        errors=_s("NoMatchingError", "NoMatchingCondition"),
        required_errors=_s("NoMatchingError"),
        flow_types=(INBOUND, CUSTOMER_QUEUE, *TRANSFER),
        conditions=True,
    ),
    "GetMetricData": ActionSpec(
        optional=_s("QueueId", "AgentId", "QueueChannel"), exclusive=(_QUEUE_OR_AGENT,)
    ),
    "Loop": ActionSpec(required=_s("LoopCount"), errors=frozenset(), conditions=True),
    "UpdateContactTargetQueue": ActionSpec(
        optional=_s("QueueId", "AgentId"), flow_types=(INBOUND, *TRANSFER), exclusive=(_QUEUE_OR_AGENT,)
    ),
    "TransferContactToQueue": ActionSpec(
        errors=_s("NoMatchingError", "QueueAtCapacity"),
        required_errors=_s("NoMatchingError", "QueueAtCapacity"),
        flow_types=(INBOUND, *TRANSFER),
        leaves_flow=True,
    ),
    "DequeueContactAndTransferToQueue": ActionSpec(
        optional=_s("QueueId", "AgentId"),
        exclusive=(_QUEUE_OR_AGENT,),
        errors=_s("NoMatchingError", "QueueAtCapacity"),
        required_errors=_s("NoMatchingError"),
        flow_types=(CUSTOMER_QUEUE,),
    ),
    "UpdateContactAttributes": ActionSpec(required=_s("Attributes"), optional=_s("TargetContact")),
    "UpdateFlowAttributes": ActionSpec(required=_s("FlowAttributes")),
    "UpdateContactRecordingBehavior": ActionSpec(
        optional=_s("RecordingBehavior", "AnalyticsBehavior", "IVRRecordingBehavior"),
        errors=frozenset(),
        flow_types=(INBOUND, CUSTOMER_QUEUE, OUTBOUND_WHISPER, *TRANSFER),
    ),
    "UpdateFlowLoggingBehavior": ActionSpec(required=_s("FlowLoggingBehavior"), errors=frozenset()),
    # "Cannot be specified if QueueTimeAdjustmentSeconds is specified" and the reverse; both static
    # integers, the priority above zero (APIReference/contact-actions-updatecontactroutingbehavior.html).
    "UpdateContactRoutingBehavior": ActionSpec(
        optional=_s("QueuePriority", "QueueTimeAdjustmentSeconds"),
        errors=frozenset(),
        flow_types=(INBOUND,),
        exclusive=(("QueuePriority", "QueueTimeAdjustmentSeconds"),),
    ),
    "UpdateContactEventHooks": ActionSpec(required=_s("EventHooks"), optional=_s("EventHooksConfiguration")),
    "UpdateContactTextToSpeechVoice": ActionSpec(
        required=_s("TextToSpeechVoice"),
        optional=_s("TextToSpeechEngine", "TextToSpeechStyle"),
    ),
    # The Set voice block's "Set language attribute" and the Set contact data blocks. Lex and
    # Contact Lens use the contact's language (default en-US), which nothing else sets.
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
        ),
    ),
    "TransferToFlow": ActionSpec(
        required=_s("ContactFlowId"),
        required_errors=_s("NoMatchingError"),
        flow_types=(INBOUND, *TRANSFER),
        leaves_flow=True,
    ),
    "UpdateContactCallbackNumber": ActionSpec(
        required=_s("CallbackNumber"),
        errors=_s("NoMatchingError", "InvalidCallbackNumber", "CallbackNumberNotDialable"),
        required_errors=_s("InvalidCallbackNumber", "CallbackNumberNotDialable"),
        flow_types=(INBOUND, CUSTOMER_QUEUE, *TRANSFER),
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
        flow_types=(INBOUND, CUSTOMER_QUEUE, *TRANSFER),
    ),
    "MessageParticipantIteratively": ActionSpec(
        required=_s("Messages"),
        optional=_s("InterruptFrequencySeconds"),
        flow_types=(CUSTOMER_QUEUE, *HOLD),
        conditions=True,
    ),
    "DisconnectParticipant": ActionSpec(errors=frozenset(), terminal=True),
    "EndFlowExecution": ActionSpec(
        errors=frozenset(), terminal=True, flow_types=(CUSTOMER_QUEUE, *WHISPER, OUTBOUND_WHISPER)
    ),
}

# A contact language (UpdateContactData LanguageCode, AnalyticsLanguage): ko-KR, en-US...; "ko_KR"
# is Lex's spelling of a locale, not a language code.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}-[A-Z]{2}$")

# Parameters the Flow Language takes only as static values (never a JSONPath).
STATIC_PARAMS = frozenset(
    {"QueuePriority", "QueueTimeAdjustmentSeconds", "InvocationTimeLimitSeconds", "InvocationType"}
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

# Parameters that must be a single JSONPath or static (never text with embedded references).
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
    }
)
AGENT_METRICS = frozenset({"NumberOfAgentsAvailable", "NumberOfAgentsStaffed", "NumberOfAgentsOnline"})
QUEUE_METRICS = frozenset({"OldestContactInQueueAgeSeconds", "NumberOfContactsInQueue"})
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
