"""The flow catalog (terraform/flows/flows.yaml), the template variables, and rendered flows.

Terraform renders each `<key>.json.tftpl` with templatefile() and the real ARNs; the engine renders
the very same files with local ARNs from `Resources`, so both run identical Flow Language.
"""

from __future__ import annotations

import json
import os
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from aicc.settings import Config, config

from ..core.repository import default_flows_dir
from . import template
from .actions import ALL_TYPES, OUTBOUND_WHISPER

REGION = "ap-northeast-2"
ACCOUNT = "000000000000"
INSTANCE = "aicc-local"
LOCAL_FUNCTION_PREFIX = "aicc-local"  # local Lambda names: aicc-local-<handler with dashes>


# Who a flow speaks to. Customers' flows follow the habits of Korean callers (lint: korean_menus).
AUDIENCES = ("callers", "staff")
# The knowledge answer blocks' one home, beside the templates: rendered per flow with the shared
# variables and `kb` = the flow's flows.yaml `knowledge` (these keys), bound as ${knowledge}.
KNOWLEDGE_BLOCKS = "knowledge.blocks.tftpl"
KNOWLEDGE_KEYS = ("prefix", "done", "person", "outage", "account")


class FlowError(ValueError):
    """A flow file or the catalog cannot be loaded; the message names the file."""


@dataclass(frozen=True)
class FlowDef:
    key: str
    name: str
    type: str
    description: str
    template: Path
    audience: str = "callers"  # who hears it: callers (customers), or staff (a page to an engineer)
    knowledge: Mapping[str, str] | None = None  # kb.<key> of its knowledge blocks (KNOWLEDGE_BLOCKS)


@dataclass
class Flow:
    key: str
    name: str
    type: str
    content: dict[str, Any]
    text: str
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    audience: str = "callers"
    # Where it came from (a file given to `flows lint`), and the ID or ARN other flows name it by.
    source: str = ""
    arn: str = ""
    # Someone else's flow (a file given to `flows lint` or `call simulate --flow`, not rendered from
    # this repository's catalog): house rules are advice on it, not errors.
    foreign: bool = False

    @property
    def start(self) -> str:
        return str(self.content.get("StartAction", ""))


def flows_dir() -> Path:
    """AICC_FLOWS_DIR, else the installed package's flow templates, else the clone's terraform/flows."""
    configured = os.environ.get("AICC_FLOWS_DIR")
    return Path(configured) if configured else default_flows_dir()


def handler_names() -> list[str]:
    """Every deployable handler: the public modules of aicc.handlers."""
    import aicc.handlers

    return sorted(m.name for m in pkgutil.iter_modules(aicc.handlers.__path__) if not m.name.startswith("_"))


def call_handlers(cfg: Config | None = None) -> list[str]:
    """The handlers a call can reach: those a flow or the Lex bot invokes (functions.yaml
    invoked_by connect or lex); a stream's handler (agent_events) runs beside the calls."""
    invoked_by = (cfg or config()).invoked_by
    return [h for h in handler_names() if invoked_by.get(h) in ("connect", "lex")]


def load_catalog(directory: Path | None = None) -> dict[str, FlowDef]:
    d = directory or flows_dir()
    path = d / "flows.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FlowError(
            f"{path}: flow catalog not found (set AICC_FLOWS_DIR to a directory with flows.yaml)"
        ) from None
    except yaml.YAMLError as exc:
        raise FlowError(f"{path}: not valid YAML: {exc}") from None
    out: dict[str, FlowDef] = {}
    entries = (data or {}).get("flows")
    if not isinstance(entries, dict) or not entries:
        raise FlowError(f"{path}: flows: must be a non-empty mapping")
    names: set[str] = set()
    for key, obj in entries.items():
        where = f"{path}: flows.{key}"
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
            raise FlowError(f"{where}.name: is required")
        ftype = obj.get("type", "CONTACT_FLOW")
        if ftype not in ALL_TYPES:
            raise FlowError(f"{where}.type: {ftype!r} is not a flow type ({', '.join(ALL_TYPES)})")
        if obj["name"] in names:
            raise FlowError(f"{where}.name: {obj['name']!r} is used twice")
        names.add(obj["name"])
        tpl = d / f"{key}.json.tftpl"
        if not tpl.is_file():
            raise FlowError(f"{where}: template {tpl.name} is missing")
        audience = obj.get("audience", "callers")
        if audience not in AUDIENCES:
            raise FlowError(f"{where}.audience: {audience!r} is not one of {', '.join(AUDIENCES)}")
        knowledge = obj.get("knowledge")
        if knowledge is not None and not (
            isinstance(knowledge, dict)
            and set(knowledge) == set(KNOWLEDGE_KEYS)
            and all(isinstance(v, str) for v in knowledge.values())
        ):
            raise FlowError(f"{where}.knowledge: must map {', '.join(KNOWLEDGE_KEYS)} to texts")
        out[key] = FlowDef(key, obj["name"], ftype, str(obj.get("description", "")), tpl, audience, knowledge)
    return out


@dataclass(frozen=True)
class Resources:
    """ARNs of the local instance's resources, and the reverse mapping the engine needs."""

    config: Config
    catalog: Mapping[str, FlowDef]
    handlers: tuple[str, ...]
    region: str = REGION
    account: str = ACCOUNT
    instance: str = INSTANCE

    @property
    def instance_arn(self) -> str:
        return f"arn:aws:connect:{self.region}:{self.account}:instance/{self.instance}"

    def queue_arn(self, key: str) -> str:
        return f"{self.instance_arn}/queue/{key}"

    def agent_arn(self, login: str) -> str:
        return f"{self.instance_arn}/agent/{login}"

    def flow_arn(self, key: str) -> str:
        return f"{self.instance_arn}/contact-flow/{key}"

    def hours_arn(self, key: str) -> str:
        return f"{self.instance_arn}/operating-hours/{key}"

    def function_arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{local_function_name(name)}"

    def stream_arn(self, name: str) -> str:
        return f"arn:aws:kinesis:{self.region}:{self.account}:stream/{INSTANCE}-{name}"

    @property
    def lex_alias_arn(self) -> str:
        return f"arn:aws:lex:{self.region}:{self.account}:bot-alias/AICCBOT/LOCAL"

    def variables(self) -> dict[str, Any]:
        """The templatefile() variables, as the Terraform root module binds them."""
        rules = self.config.sentiment.rules
        return {
            "queues": {k: self.queue_arn(k) for k in self.config.queues},
            "queue_names": {k: q.name for k, q in self.config.queues.items()},
            "flows": {k: self.flow_arn(k) for k in self.catalog},
            "lambdas": {h: self.function_arn(h) for h in self.handlers},
            "hours": {k: self.hours_arn(k) for k in self.config.hours},
            "prompts": {k: p.text("ko-KR") for k, p in self.config.prompts.items()},
            "escalation": {"wait_seconds": str(self.config.escalation.wait_seconds)},
            "sentiment": {
                "proficiency": rules.proficiency,
                "attribute": rules.proficiency_name,
                "value": rules.proficiency_value,
                "level": f"{rules.proficiency_level:.1f}",
                "expiry_seconds": str(rules.proficiency_expiry),
            },
            "lex_bot_alias_arn": self.lex_alias_arn,
        }

    @cached_property
    def _by_arn(self) -> dict[str, tuple[str, str]]:
        return {
            **{self.queue_arn(k): ("queue", k) for k in self.config.queues},
            **{self.flow_arn(k): ("flow", k) for k in self.catalog},
            **{self.hours_arn(k): ("hours", k) for k in self.config.hours},
            **{self.function_arn(h): ("lambda", h) for h in self.handlers},
            self.lex_alias_arn: ("lex", "bot"),
        }

    def identify(self, ref: str) -> tuple[str, str] | None:
        """('queue'|'agent'|'flow'|'hours'|'lambda'|'lex', key) for an ARN of this instance, else None.

        Templates bind full ARNs (as Terraform does); a bare ID is not resolved, since local IDs are
        the keys, which queues and flows may share (after_hours)."""
        found = self._by_arn.get(ref)
        if found:
            return found
        prefix = f"{self.instance_arn}/agent/"
        if ref.startswith(prefix) and len(ref) > len(prefix):
            return "agent", ref[len(prefix) :]
        return None


@dataclass(frozen=True)
class DeployedResources(Resources):
    """The resources of an instance Terraform created (the deploy rehearsal's calls): the same keys,
    known by the IDs and ARNs Connect and Lambda gave them, so that `identify` finds our queue,
    flow, hours or handler behind each ARN the deployed flows name. A key the deployment lacks
    keeps its local ARN, which the deployed flows cannot name."""

    ids: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # queue|flow|hours -> key -> ID
    functions: Mapping[str, str] = field(default_factory=dict)  # handler -> function ARN
    lex_alias: str = ""

    def _arn(self, kind: str, segment: str, key: str) -> str:
        return f"{self.instance_arn}/{segment}/{self.ids.get(kind, {}).get(key, key)}"

    def queue_arn(self, key: str) -> str:
        return self._arn("queue", "queue", key)

    def flow_arn(self, key: str) -> str:
        return self._arn("flow", "contact-flow", key)

    def hours_arn(self, key: str) -> str:
        return self._arn("hours", "operating-hours", key)

    def function_arn(self, name: str) -> str:
        return self.functions.get(name) or super().function_arn(name)

    @property
    def lex_alias_arn(self) -> str:
        return self.lex_alias or super().lex_alias_arn


def function_name_of(prefix: str, handler: str) -> str:
    """A handler's function name (modules/lambdas: <name_prefix>-<handler with dashes>)."""
    return f"{prefix}-{handler.replace('_', '-')}"


def local_function_name(handler: str) -> str:
    return function_name_of(LOCAL_FUNCTION_PREFIX, handler)


def outbound_flow(catalog: Mapping[str, FlowDef]) -> str | None:
    """The OUTBOUND_WHISPER flow every queue runs for a callback's customer (modules/connect
    `outbound_flow`), or None when the catalog has none."""
    found = [key for key, d in catalog.items() if d.type == OUTBOUND_WHISPER]
    if len(found) > 1:
        raise FlowError(
            f"flows.yaml: one {OUTBOUND_WHISPER} flow is the queues' outbound flow, found {found}"
        )
    return found[0] if found else None


def render(defn: FlowDef, variables: Mapping[str, Any]) -> Flow:
    source = defn.template.read_text(encoding="utf-8")
    if defn.knowledge is not None:  # as modules/connect's local.flow_knowledge
        blocks = defn.template.parent / KNOWLEDGE_BLOCKS
        try:
            knowledge = template.render(
                blocks.read_text(encoding="utf-8"), {**variables, "kb": defn.knowledge}
            )
        except (OSError, template.TemplateError) as exc:
            raise FlowError(f"{blocks.name} (for {defn.template.name}): {exc}") from None
        variables = {**variables, "knowledge": knowledge}
    try:
        text = template.render(source, variables)
    except template.TemplateError as exc:
        raise FlowError(f"{defn.template.name}: {exc}") from None
    return flow_of(defn, text, f"{defn.template.name}: rendered flow")


def flow_of(defn: FlowDef, text: str, where: str) -> Flow:
    """The catalog's flow `defn` with this Flow Language content (rendered here, or as Terraform
    put it into an instance); `where` names the content in errors."""
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowError(f"{where} is not valid JSON: {exc}") from None
    if not isinstance(content, dict):
        raise FlowError(f"{where}: a flow must be a JSON object")
    flow = Flow(defn.key, defn.name, defn.type, content, text, audience=defn.audience)
    for action in content.get("Actions") or []:
        if isinstance(action, dict) and isinstance(action.get("Identifier"), str):
            flow.actions.setdefault(action["Identifier"], action)
    return flow


def build_resources(config: Config, directory: Path | None = None) -> Resources:
    return Resources(config, load_catalog(directory), tuple(handler_names()))


def render_all(resources: Resources) -> dict[str, Flow]:
    variables = resources.variables()
    flows = {k: render(d, variables) for k, d in resources.catalog.items()}
    for key, flow in flows.items():
        flow.arn = resources.flow_arn(key)  # what the other templates name it by
    return flows
