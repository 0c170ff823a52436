"""Gate: the Connect resource set Terraform builds is the one aicc-ops derives.

`connect diff` and the local Connect emulator use core/connect_resources.py; Terraform maps the
data files to resources in terraform/modules/connect/main.tf. This gate evaluates that HCL (parsed
with python-hcl2) over the data files, read as terraform/main.tf reads them (yamldecode), and
compares every resource with the derived set. A change to either side alone fails here, instead
of passing the gates and showing up as false drift in `aicc-ops connect diff`.

The evaluator knows the expression forms the module uses (each.value.x, templates, split/tonumber
of "HH:MM", resource references); an expression it does not know fails the gate, naming it, so a
new form is taught here rather than silently skipped.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hcl_files import parsed

from aicc.settings import load_config
from aicc_ops.core.connect_resources import ConnectResourceSet, derive
from aicc_ops.engine.flows import load_catalog, outbound_flow

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
CONFIG_DIR = ROOT / "lambdas" / "aicc" / "config"
KINDS = {  # resource type (name) in modules/connect -> the module variable it iterates
    "aws_connect_hours_of_operation": "hours",
    "aws_connect_queue": "queues",
    "aws_connect_quick_connect": "queues",
    "aws_connect_routing_profile": "routing_profiles",
    "aws_connect_security_profile": "security_profiles",
}
# The one for-expression of the root module that derives a Connect input (security profiles with
# the permissions of the roles they include); its meaning is implemented in _security_profiles.
SECURITY_PROFILES_EXPR = (
    "${{for role, sp in local.security_yaml : role => {name = sp.name, description = sp.description, "
    "permissions = distinct(concat(flatten([for r in try(sp.includes, []) : "
    "local.security_yaml[r].permissions]), sp.permissions))}}}"
)
# Per environment, not per data file (drift takes them from the environment's settings).
ENVIRONMENT_REFS = {"local.phone_number_id"}
OTHER_QUICK_CONNECTS_EXPR = (
    '${join(",", sort([for key, qc in aws_connect_quick_connect.queue : qc.quick_connect_id '
    "if key != each.key]))}"
)

# A routing profile's queue configs: every queue of the profile on every channel of its media.
QUEUE_CONFIGS_EXPR = (
    "flatten([for channel in keys(each.value.media) : [for q in each.value.queues : "
    "merge(q, {channel = channel})]])"
)


class UnknownExpressionError(Exception):
    """An HCL expression this gate cannot evaluate."""


def _literal(text: str) -> Any:
    return yaml.safe_load(text) if text not in ("null",) else None


def _optional_defaults(type_expr: str) -> dict[str, Any]:
    """Attribute defaults of a variable's object type: optional(T, default)."""
    return {
        name: _literal(default)
        for name, default in re.findall(r"(\w+)\s*=\s*optional\([^,()]+,\s*([^()]+?)\)", type_expr)
    }


class Module:
    """modules/connect evaluated over the root module's inputs."""

    def __init__(self, terraform_dir: Path) -> None:
        self.root = parsed(terraform_dir)
        self.module = parsed(terraform_dir / "modules" / "connect")
        self.config_dir = terraform_dir / ".." / "lambdas" / "aicc" / "config"
        self.catalog = load_catalog(terraform_dir / "flows")

    # ---- inputs: module "connect" arguments, as terraform/main.tf computes them --------------
    def input(self, variable: str) -> dict[str, Any]:
        argument = str(self.root["module"]["connect"][variable])
        local = re.fullmatch(r"\$\{local\.(\w+)\}", argument)
        if not local:
            raise UnknownExpressionError(
                f'module "connect" {variable} = {argument}: not a local of the root module'
            )
        raw = self._local(local[1])
        defaults = _optional_defaults(str(self.module["variable"][variable]["type"]))
        return {key: {**defaults, **entry} for key, entry in raw.items()}

    def _local(self, name: str) -> dict[str, Any]:
        expr = str(self.root["locals"][name])
        found = re.fullmatch(r'\$\{yamldecode\(file\("\$\{local\.config_dir\}/([\w.]+)"\)\)\.(\w+)\}', expr)
        if found:
            data = yaml.safe_load((self.config_dir / found[1]).read_text(encoding="utf-8"))
            return dict(data[found[2]])
        if expr == SECURITY_PROFILES_EXPR:
            return self._security_profiles(self._local("security_yaml"))
        raise UnknownExpressionError(f"local.{name} = {expr}")

    @staticmethod
    def _security_profiles(yaml_profiles: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for role, sp in yaml_profiles.items():
            included = [p for r in sp.get("includes") or [] for p in yaml_profiles[r]["permissions"]]
            out[role] = {
                "name": sp["name"],
                "description": sp["description"],
                "permissions": list(dict.fromkeys([*included, *sp["permissions"]])),
            }
        return out

    # ---- expressions ---------------------------------------------------------------------------
    def value(self, expr: Any, scope: Mapping[str, Any]) -> Any:
        if not isinstance(expr, str):
            return expr
        if expr.startswith('"') and expr.endswith('"'):  # a string, maybe a template
            return re.sub(r"\$\{([^{}]+)\}", lambda m: str(self.ref(m[1], scope)), expr[1:-1])
        whole = re.fullmatch(r"\$\{(.+)\}", expr, re.S)
        if whole:
            return self.ref(whole[1], scope)
        return expr

    def ref(self, inner: str, scope: Mapping[str, Any]) -> Any:
        inner = inner.strip()
        if inner in ENVIRONMENT_REFS:
            return f"({inner})"
        if inner == OTHER_QUICK_CONNECTS_EXPR[2:-1]:
            return tuple(sorted(k for k in self.input("queues") if k != scope["each"]["key"]))
        if inner == QUEUE_CONFIGS_EXPR:
            profile = scope["each"]["value"]
            return [
                {**q, "channel": channel} for channel in sorted(profile["media"]) for q in profile["queues"]
            ]
        found = re.fullmatch(r"tonumber\(split\(\":\", (.+)\)\[(\d)\]\)", inner)
        if found:
            return int(str(self.ref(found[1], scope)).split(":")[int(found[2])])
        found = re.fullmatch(r"aws_connect_(queue|hours_of_operation)\.this\[(.+)\]\.\w+", inner)
        if found:
            return ("queue" if found[1] == "queue" else "hours", self.ref(found[2], scope))
        if inner == "aws_connect_contact_flow.outbound[local.outbound_flow].contact_flow_id":
            return ("flow", outbound_flow(self.catalog))
        found = re.fullmatch(r"data\.aws_connect_contact_flow\.(\w+)\.contact_flow_id", inner)
        if found:
            return (
                "flow name",
                self.value(self.module["data"]["aws_connect_contact_flow"][found[1]]["name"], {}),
            )
        found = re.fullmatch(r"(\w+)\.(key|value)((?:\.\w+)*)", inner)
        if found and found[1] in scope:
            out = scope[found[1]][found[2]]
            for attr in filter(None, found[3].split(".")):
                out = out.get(attr)
            return out
        raise UnknownExpressionError(inner)

    def resources(self, rtype: str) -> dict[str, dict[str, Any]]:
        """for_each key -> the resource's arguments and blocks, evaluated (meta-arguments left out)."""
        (body,) = self.module["resource"][rtype].values()
        variable = re.fullmatch(r"\$\{var\.(\w+)\}", str(body["for_each"]))
        assert variable and variable[1] == KINDS[rtype], f"{rtype} must iterate var.{KINDS[rtype]}"
        return {
            key: self._body(body, {"each": {"key": key, "value": entry}})
            for key, entry in self.input(variable[1]).items()
        }

    def _body(self, body: Mapping[str, Any], scope: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in body.items():
            if name in ("for_each", "instance_id", "tags", "lifecycle", "depends_on") or name.startswith(
                "__"
            ):
                continue
            if name == "dynamic":
                for block in value:
                    for label, dyn in block.items():
                        label = label.strip('"')
                        items = self.value(dyn["for_each"], scope)
                        pairs = items.items() if isinstance(items, dict) else enumerate(items)
                        out[label] = [
                            self._body(dyn["content"][0], {**scope, label: {"key": k, "value": v}})
                            for k, v in pairs
                        ]
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                out[name] = [self._body(b, scope) for b in value]
            else:
                out[name] = self.value(value, scope)
        return out


def hcl_view(terraform_dir: Path) -> dict[str, dict[str, Any]]:
    """What modules/connect creates from the data files, in the gate's comparable shape."""
    m = Module(terraform_dir)
    hours = {
        k: {
            "name": r["name"],
            "description": r["description"],
            "time_zone": r["time_zone"],
            "config": sorted(
                (
                    c["day"],
                    (c["start_time"][0]["hours"], c["start_time"][0]["minutes"]),
                    (c["end_time"][0]["hours"], c["end_time"][0]["minutes"]),
                )
                for c in r["config"]
            ),
        }
        for k, r in m.resources("aws_connect_hours_of_operation").items()
    }
    quick_connects_of = m.module["resource"]["terraform_data"]["queue_quick_connects"]
    queues = {
        k: {
            "name": r["name"],
            "description": r["description"],
            "hours": r["hours_of_operation_id"],
            "max_contacts": r["max_contacts"],
            "outbound_caller_name": r["outbound_caller_config"][0]["outbound_caller_id_name"],
            "outbound_flow": r["outbound_caller_config"][0]["outbound_flow_id"],
            "quick_connects": m.value(
                quick_connects_of["triggers_replace"]["quick_connect_ids"],
                {"each": {"key": k, "value": None}},
            ),
        }
        for k, r in m.resources("aws_connect_queue").items()
    }
    quick_connects = {
        k: {
            "name": r["name"],
            "description": r["description"],
            "type": r["quick_connect_config"][0]["quick_connect_type"],
            "queue": r["quick_connect_config"][0]["queue_config"][0]["queue_id"],
            "flow": r["quick_connect_config"][0]["queue_config"][0]["contact_flow_id"],
        }
        for k, r in m.resources("aws_connect_quick_connect").items()
    }
    routing_profiles = {
        k: {
            "name": r["name"],
            "description": r["description"],
            "default_outbound_queue": r["default_outbound_queue_id"],
            "media": sorted((c["channel"], c["concurrency"]) for c in r["media_concurrencies"]),
            "queues": sorted(
                (q["queue_id"], q["channel"], q["priority"], q["delay"]) for q in r["queue_configs"]
            ),
        }
        for k, r in m.resources("aws_connect_routing_profile").items()
    }
    security_profiles = {
        k: {"name": r["name"], "description": r["description"], "permissions": sorted(r["permissions"])}
        for k, r in m.resources("aws_connect_security_profile").items()
    }
    return {
        "hours": hours,
        "queues": queues,
        "quick_connects": quick_connects,
        "routing_profiles": routing_profiles,
        "security_profiles": security_profiles,
    }


def derived_view(rs: ConnectResourceSet) -> dict[str, dict[str, Any]]:
    """The derived set in the same shape (references as (kind, key))."""
    return {
        "hours": {
            k: {
                "name": h.name,
                "description": h.description,
                "time_zone": h.time_zone,
                "config": sorted((d.day, d.start, d.end) for d in h.config),
            }
            for k, h in rs.hours.items()
        },
        "queues": {
            k: {
                "name": q.name,
                "description": q.description,
                "hours": ("hours", q.hours),
                "max_contacts": q.max_contacts,
                "outbound_caller_name": q.outbound_caller_name,
                "outbound_flow": ("flow", q.outbound_flow),
                "quick_connects": tuple(sorted(q.quick_connects)),
            }
            for k, q in rs.queues.items()
        },
        "quick_connects": {
            k: {
                "name": qc.name,
                "description": qc.description,
                "type": qc.type,
                "queue": ("queue", qc.queue),
                "flow": ("flow name", qc.flow),
            }
            for k, qc in rs.quick_connects.items()
        },
        "routing_profiles": {
            k: {
                "name": rp.name,
                "description": rp.description,
                "default_outbound_queue": ("queue", rp.default_outbound_queue),
                "media": sorted(rp.media),
                "queues": sorted((("queue", q.queue), q.channel, q.priority, q.delay) for q in rp.queues),
            }
            for k, rp in rs.routing_profiles.items()
        },
        "security_profiles": {
            k: {"name": sp.name, "description": sp.description, "permissions": sorted(sp.permissions)}
            for k, sp in rs.security_profiles.items()
        },
    }


def differences(hcl: Mapping[str, Any], derived: Mapping[str, Any]) -> list[str]:
    out = []
    for kind in sorted(set(hcl) | set(derived)):
        left, right = hcl.get(kind, {}), derived.get(kind, {})
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                out.append(f"{kind}.{key}: only in {'the derived set' if key in right else 'the HCL'}")
                continue
            for field in sorted(set(left[key]) | set(right[key])):
                a, b = left[key].get(field), right[key].get(field)
                if a != b:
                    out.append(f"{kind}.{key}.{field}: Terraform {a!r}, derived set {b!r}")
    return out


def _derived(terraform_dir: Path = TERRAFORM) -> dict[str, Any]:
    config = load_config(CONFIG_DIR)
    return derived_view(derive(config, outbound_flow(load_catalog(terraform_dir / "flows"))))


def test_terraform_builds_the_derived_connect_resource_set() -> None:
    found = differences(hcl_view(TERRAFORM), _derived())
    assert not found, "modules/connect and core/connect_resources.py disagree:\n  " + "\n  ".join(found)


def test_the_gate_sees_every_kind_of_resource() -> None:
    view = hcl_view(TERRAFORM)
    config = load_config(CONFIG_DIR)
    assert set(view["queues"]) == set(config.queues) == set(view["quick_connects"])
    assert set(view["hours"]) == set(config.hours)
    assert set(view["routing_profiles"]) == set(config.routing_profiles)
    assert set(view["security_profiles"]) == set(config.security_profiles)


def _copy(tmp_path: Path) -> Path:
    """terraform/ and the data files, copied to be broken."""
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfplan", "*.tfstate*"))
    (tmp_path / "lambdas" / "aicc").mkdir(parents=True)
    shutil.copytree(CONFIG_DIR, tmp_path / "lambdas" / "aicc" / "config")
    return copy


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "concurrency = media_concurrencies.value",
            "concurrency = 1",
            "routing_profiles.general_agent.media",
        ),
        (
            "channel  = queue_configs.value.channel",
            'channel  = "VOICE"',
            "routing_profiles.general_agent.queues",
        ),
        ("escalation and agent transfers", "agent transfers", "quick_connects.after_hours.description"),
        (
            "max_contacts          = each.value.max_contacts",
            "max_contacts          = 5",
            "queues.after_hours.max_contacts",
        ),
    ],
)
def test_a_change_to_the_module_alone_fails_the_gate(tmp_path: Path, old: str, new: str, field: str) -> None:
    copy = _copy(tmp_path)
    main = copy / "modules" / "connect" / "main.tf"
    text = main.read_text(encoding="utf-8")
    assert old in text
    main.write_text(text.replace(old, new), encoding="utf-8")
    found = differences(hcl_view(copy), _derived())
    assert any(line.startswith(field) for line in found), found


def test_an_expression_the_gate_does_not_know_fails_it(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    main = copy / "modules" / "connect" / "main.tf"
    text = main.read_text(encoding="utf-8")
    main.write_text(
        text.replace(
            "name        = each.value.name\n  description = each.value.description\n  time_zone",
            "name        = upper(each.value.name)\n  description = each.value.description\n  time_zone",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(UnknownExpressionError, match="upper"):
        hcl_view(copy)
