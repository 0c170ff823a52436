"""Calls on a number of an instance created through the Connect API (the deploy rehearsal's, which
Terraform created in the emulator): Connect routes an inbound call by the number's flow association
(AssociatePhoneNumberContactFlow), so the call runs that instance's flows as deployed (the content
as Terraform put it, with its ARNs), invokes the Lambda functions associated with the instance
(our handlers, found by the `Handler` of their definition and run with its environment), reaches
the Lex bot associated with it (the local NLU stands in for it), and is queued in the instance's
queues. Queues, flows and hours are matched to the repository's keys by name, as Terraform names
them (modules/connect: each resource is named after its queues.yaml, flows.yaml, hours.yaml entry).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aicc.settings import Config

from ..engine.flows import DeployedResources, Flow, Resources, flow_of
from ..engine.lambdas import LocalLambdas
from .connect_emulator import ConnectEmulator

HANDLER_MODULE = "aicc.handlers."  # functions.yaml: handler = aicc.handlers.<name>.handler


class RoutingError(ValueError):
    """The number cannot take a call as Connect would route it; the message says why."""


@dataclass(frozen=True)
class Deployment:
    """What a call on a deployed number runs: the instance's resources and flows, and the flow the
    number answers with."""

    resources: DeployedResources
    flows: dict[str, Flow]
    entry: str


def route(
    emulator: ConnectEmulator,
    base: Resources,
    number: str,
    lambdas: LocalLambdas,
    function_of: Callable[[str], Mapping[str, Any]],
) -> Deployment | None:
    """The deployment answering `number`, or None when no instance but the stack's own claimed it.
    `function_of`: a function ARN -> its configuration (Lambda GetFunctionConfiguration); each
    associated function of ours is registered in `lambdas` with its environment."""
    config: Config = base.config
    with emulator.lock:
        claimed = next((n for n in emulator.numbers.values() if n["PhoneNumber"] == number), None)
        if claimed is None or claimed["InstanceId"] == emulator.instance_id:
            return None
        state = emulator.instances[claimed["InstanceId"]]
        if not claimed.get("flow"):
            raise RoutingError(
                f"{number} is claimed to instance {state.id} but answers no flow "
                "(AssociatePhoneNumberContactFlow)"
            )
        flow_records = [dict(f) for f in state.flows.values()]
        queues = {q["Name"]: q["QueueId"] for q in state.queues.values()}
        hours = {h["Name"]: h["HoursOfOperationId"] for h in state.hours.values()}
        associated, bots, instance_arn = list(state.lambdas), list(state.bots), state.arn
        entry_id = claimed["flow"]
    by_name = {d.name: d for d in base.catalog.values()}
    flow_ids = {by_name[f["Name"]].key: f["Id"] for f in flow_records if f["Name"] in by_name}
    functions: dict[str, str] = {}
    # Connect invokes only the functions associated with the instance (AssociateLambdaFunction).
    for arn in associated:
        definition = function_of(arn)
        name = str(definition.get("Handler", "")).removeprefix(HANDLER_MODULE).removesuffix(".handler")
        if name in base.handlers:
            functions[name] = arn
            lambdas.deploy(arn, name, definition.get("Environment", {}).get("Variables", {}))
    _, _, rest = instance_arn.partition(":connect:")
    region, account, _ = rest.split(":", 2)
    resources = DeployedResources(
        config,
        base.catalog,
        base.handlers,
        region=region,
        account=account,
        instance=instance_arn.rsplit("/", 1)[1],
        ids={
            "queue": {k: queues[q.name] for k, q in config.queues.items() if q.name in queues},
            "hours": {k: hours[h.name] for k, h in config.hours.items() if h.name in hours},
            "flow": flow_ids,
        },
        functions=functions,
        lex_alias=_lex_alias(bots, flow_records),
    )
    flows: dict[str, Flow] = {}
    for record in flow_records:
        defn = by_name.get(record["Name"])
        if defn is None or record.get("Status") == "SAVED":  # Connect's own flows; drafts do not run
            continue
        flow = flow_of(defn, record["Content"], f"flow {record['Name']} ({record['Id']}) of {state.id}")
        flow.arn = record["Arn"]
        flows[defn.key] = flow
    entry = next((k for k, ident in flow_ids.items() if ident == entry_id), None)
    if entry is None or entry not in flows:
        raise RoutingError(f"{number} answers with flow {entry_id}, which is not a flow of flows.yaml")
    return Deployment(resources, flows, entry)


_LEX_ALIAS = re.compile(r"arn:aws[a-z-]*:lex:[a-z0-9-]+:\d{12}:bot-alias/[A-Za-z0-9]+/[A-Za-z0-9]+")


def _lex_alias(bots: list[dict[str, Any]], flows: list[dict[str, Any]]) -> str:
    """The Lex V2 bot alias associated with the instance. Locally the association is a stand-in
    (CloudFormation's AWS::Connect::IntegrationAssociation, moto_extensions.STAND_INS), which does
    not reach the emulator: then the one alias the instance's flows name."""
    associated = [b["LexV2Bot"]["AliasArn"] for b in bots if "LexV2Bot" in b]
    named = sorted({m for f in flows for m in _LEX_ALIAS.findall(str(f.get("Content", "")))})
    found = associated or named
    return found[0] if len(found) == 1 else ""
