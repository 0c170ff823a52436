"""What Terraform's local-exec provisioners run for what the AWS provider 5.x cannot do, as
`aicc-ops deploy step NAME ...`: each step is idempotent, says what it did, and fails with the
service's own error (Terraform then fails the apply and prints it).

- associate-phone-number: the support line's number answers the entry flow
  (AssociatePhoneNumberContactFlow; the provider's association resource came with 6.x).
- queue-quick-connects: a queue offers the other queues' quick connects to its agents
  (AssociateQueueQuickConnects; `quick_connect_ids` on the queue would be a dependency cycle).
- predefined-attribute: the attribute and values the flows' routing criteria and the agents'
  proficiencies name (CreatePredefinedAttribute; AWS::Connect::PredefinedAttribute is in
  CloudFormation and awscc only, not in the AWS provider).

Several steps run at once during an apply, all inside Connect's 2 requests/s: each client paces
itself (core.ratelimit) and retries throttling adaptively.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..core.aws import error_code, error_text, pages
from .errors import DeployError

MAX_QUICK_CONNECTS_PER_CALL = 50  # AssociateQueueQuickConnects takes at most 50 IDs


def _call(what: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(f"{what}: {error_text(exc)}") from None


def associate_phone_number(connect: Any, instance_id: str, phone_number_id: str, contact_flow_id: str) -> str:
    """Point a number claimed to the instance at a flow. The number must already be the instance's:
    a Korean number is issued through AWS Support and claimed to the instance by AWS."""
    number = _call(
        f"phone number {phone_number_id}",
        lambda: connect.describe_phone_number(PhoneNumberId=phone_number_id)["ClaimedPhoneNumberSummary"],
    )
    status = (number.get("PhoneNumberStatus") or {}).get("Status", "")
    if status != "CLAIMED":
        message = (number.get("PhoneNumberStatus") or {}).get("Message", "")
        raise DeployError(
            f"phone number {number.get('PhoneNumber', phone_number_id)} is {status or 'not claimed'}"
            + (f" ({message})" if message else "")
            + ": wait until it is CLAIMED (Korean numbers: the AWS Support case), then apply again"
        )
    target = str(number.get("TargetArn", ""))
    if not target.endswith(f"instance/{instance_id}"):
        shown = number.get("PhoneNumber", phone_number_id)
        raise DeployError(
            f"phone number {shown} belongs to {target or 'no instance'}, "
            f"not instance {instance_id}: ask AWS Support to claim it to this instance, or fix "
            "phone_number.existing_id in the tfvars"
        )
    _call(
        "AssociatePhoneNumberContactFlow",
        lambda: connect.associate_phone_number_contact_flow(
            PhoneNumberId=phone_number_id, InstanceId=instance_id, ContactFlowId=contact_flow_id
        ),
    )
    return f"{number.get('PhoneNumber', phone_number_id)} answers flow {contact_flow_id}"


def disassociate_phone_number(connect: Any, instance_id: str, phone_number_id: str) -> str:
    try:
        connect.disassociate_phone_number_contact_flow(PhoneNumberId=phone_number_id, InstanceId=instance_id)
    except (BotoCoreError, ClientError) as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise DeployError(f"DisassociatePhoneNumberContactFlow: {error_text(exc)}") from None
        return f"{phone_number_id} had no flow (or is gone)"
    return f"{phone_number_id} answers no flow"


def _associated(connect: Any, instance_id: str, queue_id: str) -> set[str]:
    found = pages(
        connect,
        "list_queue_quick_connects",
        "QuickConnectSummaryList",
        InstanceId=instance_id,
        QueueId=queue_id,
    )
    return {str(qc["Id"]) for qc in found}


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    return [
        list(ids[i : i + MAX_QUICK_CONNECTS_PER_CALL])
        for i in range(0, len(ids), MAX_QUICK_CONNECTS_PER_CALL)
    ]


def associate_queue_quick_connects(
    connect: Any, instance_id: str, queue_id: str, quick_connect_ids: Sequence[str]
) -> str:
    """Make the queue offer these quick connects (those already offered are left alone)."""
    offered = _call(
        f"ListQueueQuickConnects of {queue_id}", partial(_associated, connect, instance_id, queue_id)
    )
    missing = sorted(set(quick_connect_ids) - offered)
    for chunk in _chunks(missing):
        _call(
            "AssociateQueueQuickConnects",
            partial(
                connect.associate_queue_quick_connects,
                InstanceId=instance_id,
                QueueId=queue_id,
                QuickConnectIds=chunk,
            ),
        )
    return f"queue {queue_id}: {len(missing)} quick connect(s) added, {len(quick_connect_ids)} wanted"


def disassociate_queue_quick_connects(
    connect: Any, instance_id: str, queue_id: str, quick_connect_ids: Sequence[str]
) -> str:
    try:
        present = sorted(set(quick_connect_ids) & _associated(connect, instance_id, queue_id))
    except (BotoCoreError, ClientError) as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise DeployError(f"ListQueueQuickConnects of {queue_id}: {error_text(exc)}") from None
        return f"queue {queue_id} is gone: nothing to undo"
    for chunk in _chunks(present):
        _call(
            "DisassociateQueueQuickConnects",
            partial(
                connect.disassociate_queue_quick_connects,
                InstanceId=instance_id,
                QueueId=queue_id,
                QuickConnectIds=chunk,
            ),
        )
    return f"queue {queue_id}: {len(present)} quick connect(s) removed"


def predefined_attribute(connect: Any, instance_id: str, name: str, values: Sequence[str]) -> str:
    """Make the predefined attribute hold these values (values already there are kept: agents'
    proficiencies may name them)."""
    try:
        found = connect.describe_predefined_attribute(InstanceId=instance_id, Name=name)[
            "PredefinedAttribute"
        ]
    except (BotoCoreError, ClientError) as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise DeployError(f"DescribePredefinedAttribute {name}: {error_text(exc)}") from None
        _call(
            f"CreatePredefinedAttribute {name}",
            partial(
                connect.create_predefined_attribute,
                InstanceId=instance_id,
                Name=name,
                Values={"StringList": list(values)},
            ),
        )
        return f"predefined attribute {name}: created with {', '.join(values)}"
    have = [str(v) for v in (found.get("Values") or {}).get("StringList") or []]
    missing = [v for v in values if v not in have]
    if not missing:
        return f"predefined attribute {name}: has {', '.join(values)} already"
    _call(
        f"UpdatePredefinedAttribute {name}",
        partial(
            connect.update_predefined_attribute,
            InstanceId=instance_id,
            Name=name,
            Values={"StringList": have + missing},
        ),
    )
    return f"predefined attribute {name}: {', '.join(missing)} added"
