"""Exported contact flows read from files, in every form people keep them, as `Flow` objects.

The forms (a file may hold several flows):
- the Flow Language itself ({"Version", "StartAction", "Actions", ...}): the flow designer's export,
  or `describe-contact-flow --query ContactFlow.Content --output text`;
- DescribeContactFlow / DescribeContactFlowModule output ({"ContactFlow": {...}},
  {"ContactFlowModule": {...}});
- a wrapper {Name, Type, Content} (CreateContactFlow input, sample repositories), Content a JSON
  string or object;
- a CloudFormation template, JSON or YAML with the short tags (!Sub, !GetAtt, !Ref...): every
  AWS::Connect::ContactFlow and AWS::Connect::ContactFlowModule resource;
- `.json.tftpl` templates: ours (a flows.yaml beside them) render with this repository's local ARNs,
  as `flows lint` renders them; anyone else's with placeholders;
- the console's old export format ("modules", "version": "1") is refused, saying how to get the
  Flow Language (connect-flow-language.md §6.2: it "is not in the Flow Language").

Flow type: the file's (Describe/wrapper/CloudFormation `Type`, or the designer's camelCase
`Metadata.type`, §1.2), else `flow_type` (--type), else CONTACT_FLOW_MODULE when the flow has an
EndFlowModuleExecution action (only modules end that way, §2.15), else CONTACT_FLOW with a warning.
A file's own type wins over --type (Connect cannot change a flow's type, §1.8); a conflict is a note.

Deploy-time placeholders: a CloudFormation `${Var}` whose value the template does not state as a
literal (a parameter, another resource's attribute, `${AWS::Region}`), and every `${...}` of a
foreign template, stays in the flow as the text `${...}`. It is not Flow Language syntax (a dynamic
reference is `$.Namespace...`), so resolution can tell it apart: a value containing a placeholder
is dynamic, known only at deploy time (resource_map.has_placeholder), never a missing resource by
itself. A reference to a flow or module of the same template becomes that flow's `arn`
(`${Logical.ContactFlowArn}` / `${Logical.ContactFlowModuleArn}`), which
resource_map.flow_references maps to the flow, so transfers and InvokeFlowModule between them
resolve.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aicc.settings import load_config

from .actions import CUSTOMER_QUEUE, EVERYWHERE, INBOUND, MODULE, OUTBOUND_WHISPER, SPECS, WHISPER
from .flows import Flow, FlowError, Resources, build_resources, load_catalog, render
from .resource_map import has_placeholder

QUEUE_TRANSFER = "QUEUE_TRANSFER"

FLOW_SUFFIXES = (".json.tftpl", ".json", ".yaml", ".yml", ".template")
# Folders a walk does not enter: hidden ones (.git, .terraform) and package caches.
SKIPPED_DIRS = ("node_modules",)
CATALOG = "flows.yaml"

# The designer writes the type in camelCase in Metadata.type (connect-flow-language.md §1.2; seen in
# exports: contactFlow, customerQueue, outboundWhisper, agentWhisper). The docs list no values; the
# others follow the same pattern of the API's enum (§1.8).
CONSOLE_TYPES = {
    "contactFlow": "CONTACT_FLOW",
    "customerQueue": "CUSTOMER_QUEUE",
    "customerHold": "CUSTOMER_HOLD",
    "customerWhisper": "CUSTOMER_WHISPER",
    "agentHold": "AGENT_HOLD",
    "agentWhisper": "AGENT_WHISPER",
    "outboundWhisper": "OUTBOUND_WHISPER",
    "agentTransfer": "AGENT_TRANSFER",
    "queueTransfer": "QUEUE_TRANSFER",
}
CFN_FLOW = "AWS::Connect::ContactFlow"
CFN_MODULE = "AWS::Connect::ContactFlowModule"
# What Fn::GetAtt calls a flow's and a module's ARN (AWS::Connect::ContactFlow[Module] return values;
# Ref returns the ARN too).
CFN_ARN_ATTRIBUTE = {CFN_FLOW: "ContactFlowArn", CFN_MODULE: "ContactFlowModuleArn"}

LEGACY_HINT = (
    "this is the console's old export format (modules, version 1), not the Flow Language; get the Flow "
    "Language with `aws connect describe-contact-flow --instance-id ID --contact-flow-id ID` (lint that "
    "output as it is), or open the flow in the current flow designer and export it again"
)


class FlowFileError(FlowError):
    """A file cannot be read as flows; the message names the file."""


@dataclass(frozen=True)
class FileProblem:
    """Something about a file itself: an error (it could not be read, so it was not checked), a
    warning (read, with a guess that may be wrong), or a note (skipped, or how it was read)."""

    path: str
    message: str
    severity: str = "error"  # error | warning | note


@dataclass
class FlowFiles:
    flows: list[Flow] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    # Every file (or folder) read, in order: the flows' `source` and the problems' `path` name these.
    files: list[str] = field(default_factory=list)

    def flows_of(self, path: str) -> list[Flow]:
        return [f for f in self.flows if f.source == path]

    def problems_of(self, path: str) -> list[FileProblem]:
        return [p for p in self.problems if p.path == path]

    @property
    def errors(self) -> list[FileProblem]:
        return [p for p in self.problems if p.severity == "error"]


# ---- YAML with CloudFormation's short tags -----------------------------------------------------------


class CloudFormationLoader(yaml.SafeLoader):
    """yaml.SafeLoader that reads CloudFormation's short tags as their long form: !Ref X -> {"Ref": X},
    !GetAtt A.B -> {"Fn::GetAtt": [A, B]}, !Condition C -> {"Condition": C}, any other !Name V ->
    {"Fn::Name": V}. An unknown tag (GitLab's !reference...) reads the same way rather than failing."""


def _short_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _short_tag)


# ---- deploy-time values in JSON text ------------------------------------------------------------------

# (text, literal): a literal goes in as it is (as CloudFormation and Terraform substitute text); a
# placeholder goes in as JSON text: escaped inside a JSON string, a JSON string outside one.
Fill = tuple[str, bool]


def _fill(text: str, token: str, value: Callable[[re.Match[str]], Fill], *, json_text: bool = True) -> str:
    """Replace every `token` match in JSON text, knowing whether it stands inside a JSON string
    (`json_text` False: plain text, where everything goes in as it is)."""
    scanner = re.compile(rf'(?P<escape>\\.)|(?P<quote>")|(?P<token>{token})', re.DOTALL)
    out: list[str] = []
    pos, in_string = 0, False
    for m in scanner.finditer(text):
        if m.group("quote"):
            in_string = not in_string
        if m.group("token") is None:
            continue
        replacement, literal = value(m)
        out.append(text[pos : m.start()])
        if literal or not json_text:
            out.append(replacement)
        else:
            quoted = json.dumps(replacement, ensure_ascii=False)
            out.append(quoted[1:-1] if in_string else quoted)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


_TFTPL_TOKEN = r"\$\$\{|%%\{|\$\{(?P<expr>[^}]*)\}|%\{"


# Blocks allowed in more flow types than they make sense in, for guessing an untyped export's type:
# End flow / Resume hangs up in an inbound flow (actions.py EndFlowExecution), so a flow ending with it
# is taken for one of the types the Flow Language page names: "whisper flows and customer queue flows".
_TELLING_TYPES = {"EndFlowExecution": (CUSTOMER_QUEUE, *WHISPER, OUTBOUND_WHISPER)}


# Blocks that act on the working queue without setting it: a Transfer to queue, or a hours check
# with no HoursOfOperationId (it checks the working queue's hours: reference §2.6).
_USES_QUEUE = ("TransferContactToQueue", "CheckHoursOfOperation")


def uses_a_queue_it_never_sets(actions: Sequence[Any]) -> bool:
    """Whether these blocks act on the working queue (`_USES_QUEUE`) but none sets it: the mark of a
    transfer-to-queue flow, which starts with the queue its quick connect names (lint_paths
    WORKING_QUEUE), not of an inbound flow, where such a block would always fail."""
    blocks = [a for a in actions if isinstance(a, dict)]
    uses = any(
        a.get("Type") == "TransferContactToQueue"
        or (a.get("Type") == "CheckHoursOfOperation" and "HoursOfOperationId" not in _params_of(a))
        for a in blocks
    )
    return uses and not any(a.get("Type") == "UpdateContactTargetQueue" for a in blocks)


def _params_of(action: Mapping[str, Any]) -> Mapping[str, Any]:
    params = action.get("Parameters")
    return params if isinstance(params, dict) else {}


def fitting_types(actions: Sequence[Any]) -> list[str]:
    """The flow types (inbound first, modules last) in which every one of these blocks is allowed and
    makes sense (`_TELLING_TYPES`)."""
    kinds = {str(a.get("Type")) for a in actions if isinstance(a, dict)}
    allowed = [SPECS[k].flow_types for k in kinds if k in SPECS]
    allowed += [_TELLING_TYPES[k] for k in kinds if k in _TELLING_TYPES]
    return [t for t in EVERYWHERE if all(t in types for types in allowed)]


def render_foreign_template(text: str) -> str:
    """A Terraform template without its variables: `${expr}` kept as a placeholder, the `$${` and
    `%%{` escapes undone. Directives (`%{ if }`, `%{ for }`) cannot render without the values."""

    def value(m: re.Match[str]) -> Fill:
        token = m.group("token")
        if token in ("$${", "%%{"):
            return token[1:], True
        if token == "%{":
            line = text.count("\n", 0, m.start()) + 1
            raise FlowFileError(
                f"line {line}: a template directive (%{{ if }}, %{{ for }}) needs the template's values; "
                "render it (terraform console, templatefile()) and lint the output"
            )
        return token, False

    return _fill(text, _TFTPL_TOKEN, value)


# ---- reading one file ---------------------------------------------------------------------------------


class _Catalogs:
    """This repository's catalogs (flows.yaml beside templates), each read once per run."""

    def __init__(self) -> None:
        self._resources: dict[Path, Resources | FlowError] = {}

    def resources(self, directory: Path) -> Resources:
        directory = directory.resolve()
        if directory not in self._resources:
            try:
                self._resources[directory] = build_resources(load_config(), directory)
            except FlowError as exc:
                self._resources[directory] = exc
        found = self._resources[directory]
        if isinstance(found, FlowError):
            raise found
        return found


def _is_catalog_template(path: Path) -> bool:
    return path.name.endswith(".json.tftpl") and (path.parent / CATALOG).is_file()


def _is_legacy(doc: Mapping[str, Any]) -> bool:
    return isinstance(doc.get("modules"), list) and ("version" in doc or "start" in doc)


_FLOW_KEYS = "Actions, ContactFlow, ContactFlowModule, Resources or Content"


def _may_hold_flow(doc: Any) -> bool:
    """Whether a document has one of the forms `_Reader.document` reads (see the module docstring)."""
    keys = ("Actions", "StartAction", "ContactFlow", "ContactFlowModule", "Resources", "Content")
    return isinstance(doc, dict) and (_is_legacy(doc) or any(k in doc for k in keys))


# What every form of a flow export has in its text, even when it no longer parses: the Flow
# Language's StartAction, or DescribeContactFlow's ContactFlow / CloudFormation's
# AWS::Connect::ContactFlow(Module) (which the Content's StartAction is inside of, escaped or not).
_FLOW_MARKERS = re.compile(r"StartAction|ContactFlow")


def looks_like_flow(text: str) -> bool:
    """Whether text that cannot be parsed was meant to be a flow export (a broken one is an error
    even in a folder walk; other unparsable files there are notes)."""
    return bool(_FLOW_MARKERS.search(text))


def _strip_suffix(name: str) -> str:
    for suffix in FLOW_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class _Reader:
    def __init__(self, path: Path, flow_type: str | None, *, required: bool, catalogs: _Catalogs) -> None:
        self.path, self.source = path, str(path)
        self.flow_type, self.required, self.catalogs = flow_type, required, catalogs
        self.flows: list[Flow] = []
        self.problems: list[FileProblem] = []
        self.prefix = ""  # which document of a YAML stream the problems are about

    def problem(self, message: str, severity: str = "error") -> None:
        self.problems.append(FileProblem(self.source, f"{self.prefix}{message}", severity))

    def not_a_flow(self, why: str) -> None:
        if self.required:
            self.problem(f"not a flow: {why}")
        else:
            self.problem(f"skipped, not a flow: {why}", "note")

    def unreadable(self, why: str, text: str = "") -> None:
        """A file that cannot be parsed: an error when the user named it or it looks like a flow
        export (a broken export must not pass unnoticed); found in a folder walk, anything else
        (a tsconfig.json with comments, a binary, an empty file) is a note, as a file with no flow."""
        if self.required or looks_like_flow(text):
            self.problem(why)
        else:
            self.problem(
                f"skipped: {why} (no StartAction or ContactFlow in it: not taken for a flow)", "note"
            )

    def read(self) -> None:
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            self.problem(f"cannot be read: {exc.strerror or exc}")
            return
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.unreadable("not UTF-8 text (export flows as JSON)")
            return
        if not text.strip():
            self.unreadable("the file is empty")
            return
        name = self.path.name
        if name == CATALOG and any(self.path.parent.glob("*.json.tftpl")):
            self.catalog_note()
            return
        if _is_catalog_template(self.path) and self.catalog_template():
            return
        try:
            rendered = render_foreign_template(text) if name.endswith(".json.tftpl") else text
            docs = self.parse(rendered)
        except FlowFileError as exc:
            self.unreadable(str(exc), text)
            return
        if len(docs) == 1:
            self.document(docs[0], rendered)
        else:
            self.documents(docs, rendered)

    def parse(self, text: str) -> list[Any]:
        """The file's documents: one for JSON; every document of a YAML stream (`---` between them;
        empty ones left out)."""
        yaml_file = self.path.suffix in (".yaml", ".yml") or (
            self.path.suffix != ".json" and not text.lstrip().startswith(("{", "["))
        )
        if yaml_file:
            try:
                # A SafeLoader: no Python objects.
                docs = [d for d in yaml.load_all(text, Loader=CloudFormationLoader) if d is not None]
                return docs or [None]
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" at line {mark.line + 1}" if mark is not None else ""
                raise FlowFileError(
                    f"not valid YAML{where}: {getattr(exc, 'problem', None) or exc}"
                ) from None
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            hint = ""
            if has_placeholder(text) and not self.path.name.endswith(".json.tftpl"):
                hint = " (it has ${...} placeholders: if it is a Terraform template, name it .json.tftpl)"
            raise FlowFileError(
                f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}{hint}"
            ) from None

    # -- forms

    def documents(self, docs: Sequence[Any], text: str) -> None:
        """A YAML stream of several documents (a Kubernetes manifest, several exports in one file):
        each document that may hold a flow is read as a file of its own would be; the others are
        skipped with a note. A CloudFormation template is one document."""
        flowish = [(i, d) for i, d in enumerate(docs, 1) if _may_hold_flow(d)]
        if not flowish:
            self.not_a_flow(f"{len(docs)} YAML documents, none with {_FLOW_KEYS}")
            return
        for i, doc in flowish:
            self.prefix = f"document {i} of {len(docs)}: "
            self.document(doc, text)
        self.prefix = ""
        if len(flowish) < len(docs):
            skipped = ", ".join(str(i) for i, d in enumerate(docs, 1) if not _may_hold_flow(d))
            self.problem(f"YAML document(s) {skipped} of {len(docs)} hold no flow: skipped", "note")

    def document(self, doc: Any, text: str) -> None:
        if not isinstance(doc, dict):
            self.not_a_flow(f"a {type(doc).__name__}, not an object with a flow")
            return
        if _is_legacy(doc):
            self.problem(LEGACY_HINT)
        elif isinstance(doc.get("ContactFlow"), dict):
            self.described(doc["ContactFlow"], module=False)
        elif isinstance(doc.get("ContactFlowModule"), dict):
            self.described(doc["ContactFlowModule"], module=True)
        elif isinstance(doc.get("Resources"), dict):
            self.cloudformation(doc["Resources"])
        elif "Actions" in doc or "StartAction" in doc:
            self.add(doc, text, name=None, declared=None)
        elif "Content" in doc:
            arn = doc.get("Arn") or doc.get("Id") or ""
            self.content(doc["Content"], "Content", name=doc.get("Name"), declared=doc.get("Type"), arn=arn)
        else:
            self.not_a_flow(f"no {_FLOW_KEYS}")

    def described(self, obj: Mapping[str, Any], *, module: bool) -> None:
        kind = "ContactFlowModule" if module else "ContactFlow"
        declared = MODULE if module else obj.get("Type")
        arn = obj.get("Arn") or obj.get("Id") or ""
        self.content(obj.get("Content"), f"{kind}.Content", name=obj.get("Name"), declared=declared, arn=arn)

    def content(self, raw: Any, where: str, *, name: Any, declared: Any, arn: Any, logical: str = "") -> None:
        if isinstance(raw, str):
            if not raw.strip():
                self.problem(f"{where} is empty")
                return
            try:
                content = json.loads(raw)
            except json.JSONDecodeError as exc:
                self.problem(f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
                return
            text = raw
        elif isinstance(raw, dict):
            content, text = raw, json.dumps(raw, ensure_ascii=False, default=str)  # YAML may hold dates
        elif raw is None:
            self.problem(f"{where} is missing")
            return
        else:
            self.problem(f"{where} must be the flow's JSON (a string or an object)")
            return
        self.add(content, text, name=name, declared=declared, arn=arn, logical=logical, where=where)

    def add(
        self,
        content: Any,
        text: str,
        *,
        name: Any,
        declared: Any,
        arn: Any = "",
        logical: str = "",
        where: str = "",
    ) -> None:
        prefix = f"{where}: " if where else ""
        if not isinstance(content, dict):
            self.problem(f"{prefix}a flow must be a JSON object")
            return
        if _is_legacy(content):
            self.problem(f"{prefix}{LEGACY_HINT}")
            return
        ftype = self.type_of(content, declared if isinstance(declared, str) else None, prefix)
        if ftype is None:
            return
        meta = content.get("Metadata")
        meta_name = meta.get("name") if isinstance(meta, dict) else None
        shown = next(
            (n for n in (name, meta_name, logical) if isinstance(n, str) and n.strip()),
            _strip_suffix(self.path.name),
        )
        key = f"{self.source}#{logical}" if logical else self.source
        flow = Flow(
            key, shown.strip(), ftype, content, text, source=self.source, arn=str(arn or ""), foreign=True
        )
        index_actions(flow)
        self.flows.append(flow)

    def type_of(self, content: Mapping[str, Any], declared: str | None, prefix: str) -> str | None:
        meta = content.get("Metadata")
        console = meta.get("type") if isinstance(meta, dict) else None
        from_file = (
            declared or CONSOLE_TYPES.get(str(console)) or (console if console in EVERYWHERE else None)
        )
        if from_file:
            if from_file not in EVERYWHERE:
                self.problem(
                    f"{prefix}not checked: the linter does not know the flow type {from_file!r} "
                    f"(it knows {', '.join(EVERYWHERE)})",
                    "warning",
                )
                return None
            if self.flow_type and self.flow_type != from_file:
                self.problem(f"{prefix}--type {self.flow_type} not used: the file says {from_file}", "note")
            return from_file
        if self.flow_type:
            return self.flow_type
        actions = content.get("Actions")
        if isinstance(actions, list) and any(
            isinstance(a, dict) and a.get("Type") == "EndFlowModuleExecution" for a in actions
        ):
            self.problem(
                f"{prefix}read as a flow module ({MODULE}): it ends with EndFlowModuleExecution, which only "
                "modules have; pass --type if it is not one",
                "note",
            )
            return MODULE
        unknown = f" (Metadata.type {console!r} is not one the linter knows)" if console else ""
        fits = fitting_types(actions if isinstance(actions, list) else [])
        # Inbound when its blocks allow it; else the first type every block allows (a loop-prompts
        # queue flow, a whisper ending with EndFlowExecution), so an untyped export is not blamed
        # for blocks its real type allows.
        assumed = INBOUND if INBOUND in fits or not fits else fits[0]
        # A flow that transfers to a queue it never sets fits a queue-transfer flow better (the SCV
        # sample's and the gitlab sample's AWS_Sample_SCV_Queue_Transfer and acme_queue_transfer are).
        blocks = actions if isinstance(actions, list) else []
        if assumed == INBOUND and QUEUE_TRANSFER in fits and uses_a_queue_it_never_sets(blocks):
            assumed = QUEUE_TRANSFER
            why = ", as it uses a working queue it never sets (a quick connect gives a transfer flow one)"
        else:
            why = ""
        others = (
            f" (its blocks also fit {', '.join(t for t in fits if t != assumed)})" if len(fits) > 1 else ""
        )
        self.problem(
            f"{prefix}the file does not say its flow type{unknown}: checked as {assumed}{why}{others}; pass "
            "--type TYPE if it is another type",
            "warning",
        )
        return assumed

    # -- CloudFormation

    def cloudformation(self, resources: Mapping[str, Any]) -> None:
        found = {
            lid: r
            for lid, r in resources.items()
            if isinstance(r, dict) and r.get("Type") in (CFN_FLOW, CFN_MODULE)
        }
        if not found:
            self.not_a_flow(f"a CloudFormation template without {CFN_FLOW} or {CFN_MODULE} resources")
            return
        arns = {lid: f"${{{lid}.{CFN_ARN_ATTRIBUTE[r['Type']]}}}" for lid, r in found.items()}
        for lid, resource in found.items():
            where = f"Resources.{lid}"
            props = resource.get("Properties")
            if not isinstance(props, dict):
                self.problem(f"{where}: Properties is missing")
                continue
            subst = _Substitution(arns)
            try:
                text = subst.string(props.get("Content"), "Content", json_text=True)
            except FlowFileError as exc:
                self.problem(f"{where}: {exc}")
                continue
            try:
                name = subst.string(props.get("Name"), "Name", json_text=False)
            except FlowFileError:
                name = lid
            declared = MODULE if resource["Type"] == CFN_MODULE else props.get("Type")
            self.content(
                text, f"{where}.Properties.Content", name=name, declared=declared, arn=arns[lid], logical=lid
            )

    # -- this repository's templates

    def catalog_note(self) -> None:
        try:
            catalog = load_catalog(self.path.parent)
        except FlowError as exc:
            self.problem(str(exc))
            return
        self.problem(f"the flow catalog of the {len(catalog)} templates beside it: checked with them", "note")

    def catalog_template(self) -> bool:
        """Render a template of a catalog as `flows lint` does; False if the catalog does not list it."""
        directory = self.path.parent
        try:
            resources = self.catalogs.resources(directory)
        except FlowError as exc:
            self.problem(f"cannot be rendered: the {CATALOG} beside it cannot be read: {exc}")
            return True
        defn = next(
            (d for d in resources.catalog.values() if d.template.resolve() == self.path.resolve()), None
        )
        if defn is None:
            self.problem(f"not listed in the {CATALOG} beside it: rendered with placeholders", "note")
            return False
        try:
            flow = render(defn, resources.variables())
        except FlowError as exc:
            self.problem(str(exc))
            return True
        flow.source, flow.arn = self.source, resources.flow_arn(defn.key)
        self.flows.append(flow)
        return True


class _Substitution:
    """CloudFormation values of a flow resource as text: a string, Fn::Sub (with or without a
    variables map) or Fn::Join. Literal values are substituted; the rest become placeholders."""

    def __init__(self, arns: Mapping[str, str]) -> None:
        self.arns = arns  # the flows and modules of the template: logical id -> their `arn`

    def reference(self, name: str) -> Fill:
        """`${name}` of a Sub string or a Ref / GetAtt (name "A.B") not given in the map."""
        logical, _, attribute = name.partition(".")
        if logical in self.arns and attribute in ("", *CFN_ARN_ATTRIBUTE.values()):
            return self.arns[logical], False
        return f"${{{name}}}", False

    def intrinsic(self, value: Any, name: str) -> Fill:
        """A Sub variable's or a Join part's value."""
        if isinstance(value, bool):
            return ("true" if value else "false"), True
        if isinstance(value, str | int | float):
            return str(value), True
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref" and isinstance(arg, str):
                return self.reference(arg)
            if fn == "Fn::GetAtt" and isinstance(arg, list) and len(arg) == 2:
                return self.reference(f"{arg[0]}.{arg[1]}")
            if fn == "Fn::GetAtt" and isinstance(arg, str):
                return self.reference(arg)
        return f"${{{name}}}", False

    def sub(self, template: str, variables: Mapping[str, Any], json_text: bool) -> str:
        def value(m: re.Match[str]) -> Fill:
            name = m.group("name").strip()
            if name.startswith("!"):  # ${!Literal} writes ${Literal}
                return f"${{{name[1:]}}}", True
            if name in variables:
                return self.intrinsic(variables[name], name)
            return self.reference(name)

        return _fill(template, r"\$\{(?P<name>[^}]*)\}", value, json_text=json_text)

    def string(self, value: Any, prop: str, *, json_text: bool) -> str:
        """A property's text; raises FlowFileError for what is known only at deploy time."""
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Fn::Sub":
                if isinstance(arg, str):
                    return self.sub(arg, {}, json_text)
                if (
                    isinstance(arg, list)
                    and len(arg) == 2
                    and isinstance(arg[0], str)
                    and isinstance(arg[1], dict)
                ):
                    return self.sub(arg[0], arg[1], json_text)
            if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
                sep = arg[0] if isinstance(arg[0], str) else ""
                return sep.join(self.intrinsic(part, f"{prop} part")[0] for part in arg[1])
            if fn in ("Ref", "Fn::GetAtt"):
                raise FlowFileError(
                    f"{prop} is {fn} {arg}, known only at deploy time: lint the file it comes from"
                )
            raise FlowFileError(
                f"{prop} is built with {fn}, which the loader does not evaluate (it reads a string, "
                "Fn::Sub and Fn::Join)"
            )
        if value is None:
            raise FlowFileError(f"{prop} is missing")
        raise FlowFileError(f"{prop} must be a string")


def index_actions(flow: Flow) -> None:
    """flow.actions by Identifier, as flows.render builds it (the first of a duplicated one wins)."""
    for action in flow.content.get("Actions") or []:
        if isinstance(action, dict) and isinstance(action.get("Identifier"), str):
            flow.actions.setdefault(action["Identifier"], action)


def read_flow_file(
    path: Path, flow_type: str | None = None, *, required: bool = True
) -> tuple[list[Flow], list[FileProblem]]:
    """The flows of one file, and what was wrong with it or guessed about it (never raises on bad
    input). `required`: the user named this file, so a file that is no flow is an error (found in a
    folder walk, it is a note and skipped)."""
    reader = _Reader(path, flow_type, required=required, catalogs=_Catalogs())
    reader.read()
    return reader.flows, reader.problems


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIPPED_DIRS)
        found.extend(
            Path(dirpath) / f
            for f in sorted(filenames)
            if f.endswith(FLOW_SUFFIXES) and not f.startswith(".")
        )
    return found


def load_paths(paths: Sequence[Path], *, flow_type: str | None = None) -> FlowFiles:
    """Every flow of these files and folders (folders walked for *.json, *.yaml, *.yml, *.template,
    *.json.tftpl), and each file's problems: one bad file never stops the others.

    Keys are unique (the file's path, and `#LogicalId` in a CloudFormation template; this repository's
    templates keep their catalog keys); names stay as the files give them, with the key added in
    parentheses where two flows share one."""
    if flow_type is not None and flow_type not in EVERYWHERE:
        raise FlowError(f"--type {flow_type}: not a flow type ({', '.join(EVERYWHERE)})")
    result = FlowFiles()
    catalogs = _Catalogs()
    seen: set[Path] = set()
    for root in paths:
        files = _walk(root) if root.is_dir() else [root]
        before = (len(result.flows), len(result.errors))
        for path in files:
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
            reader = _Reader(path, flow_type, required=not root.is_dir(), catalogs=catalogs)
            reader.read()
            result.flows.extend(reader.flows)
            result.problems.extend(reader.problems)
            result.files.append(reader.source)
        if root.is_dir() and (len(result.flows), len(result.errors)) == before:
            looked = (
                f"{len(files)} file(s)" if files else f"no {', '.join('*' + s for s in FLOW_SUFFIXES)} file"
            )
            result.problems.append(FileProblem(str(root), f"no flows found here ({looked})"))
            result.files.append(str(root))
    _unique_keys(result.flows)
    _unique_names(result.flows)
    return result


def _unique_keys(flows: list[Flow]) -> None:
    taken: set[str] = set()
    for flow in flows:
        key, n = flow.key, 1
        while key in taken:
            n += 1
            key = f"{flow.key}#{n}"
        flow.key = key
        taken.add(key)


def _unique_names(flows: list[Flow]) -> None:
    counts = Counter(f.name for f in flows)
    for flow in flows:
        if counts[flow.name] > 1:
            flow.name = f"{flow.name} ({flow.key})"
