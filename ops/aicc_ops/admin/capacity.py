"""Capacity planning for AWS: which quota a rate of calls meets first, by arithmetic.

Every limit a call leans on is a number (the quota: AWS's default with its documentation page, the
deployment's own from its tfvars, or an account's raised one from a quotas file) and a load that
grows with the rate of calls:

- things a call holds while it lasts (Connect's concurrent calls, Contact Lens analytics, Lex
  conversations, Lambda executions): by Little's law, load = arrivals/s x seconds held;
- things a call asks for per second (Connect API requests, Polly requests): load = calls/s x
  requests per call.

The per-call counts come from running calls through the local stack (call_costs.py). A limit is hit
at (quota / load per call/s) calls per second; the binding limit is the one hit first. Nothing here
calls AWS.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.ratelimit import quota as connect_api_quota
from .call_costs import CallCosts

CONNECT_QUOTAS = "https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html"
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
LAMBDA_RESERVED = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"
POLLY_QUOTAS = "https://docs.aws.amazon.com/polly/latest/dg/limits.html"
LEX_QUOTAS = "https://docs.aws.amazon.com/lexv2/latest/dg/quotas.html"


@dataclass(frozen=True)
class Default:
    value: float | None  # None: no published default; the quotas file must give it
    source: str


# Default quotas of new accounts (each page says an older account's may differ: --quotas FILE).
DEFAULTS: dict[str, Default] = {
    # "Concurrent active calls per instance | 10" (counts calls in flows, in queue, with agents).
    "connect.concurrent_calls": Default(10, f"{CONNECT_QUOTAS}#connect-quotas"),
    # "Concurrent real-time calls with analytics | 300", "Concurrent post-call analytics jobs | 200".
    "contact_lens.realtime_calls": Default(300, f"{CONNECT_QUOTAS}#contactlens-quotas"),
    "contact_lens.post_call_jobs": Default(200, f"{CONNECT_QUOTAS}#contactlens-quotas"),
    # "Concurrent executions | 1,000" per Region ("New AWS accounts have reduced concurrency").
    "lambda.concurrent_executions": Default(1000, LAMBDA_QUOTAS),
    # SynthesizeSpeech, neural voices: "8 tps, burst limit 10 tps" (the flows' Set voice: Seoyeon, Neural).
    "polly.neural_tps": Default(8, POLLY_QUOTAS),
    # The bot alias's concurrent conversations: the page's runtime table, as read, publishes no number
    # for it (a Chime SDK page confirms the quota exists): give it from Service Quotas.
    "lex.concurrent_conversations": Default(None, LEX_QUOTAS),
}
# Lambda keeps this many executions unreserved: "You can reserve up to the Unreserved account
# concurrency value that is shown, minus 100".
UNRESERVED_MINIMUM = 100
# "for planning purposes, you can estimate that [a post-call analytics job] usually takes about 40%
# of the call length" (the Connect quotas page, contactlens-concurrent-analytics-jobs).
POST_CALL_SHARE = 0.4
# Lex speech input is at most 15 s (RecognizeUtterance; Connect's max-length-ms is at most 15000):
# an upper bound of a turn, the default of --lex-turn-seconds.
LEX_TURN_SECONDS = 15.0
CONNECT_API_KEY = re.compile(r"^connect\.api\.[A-Z][A-Za-z0-9]+$")


class CapacityError(ValueError):
    """Input the arithmetic cannot use; the message names the file or option and what to fix."""


# ---- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    calls_per_second: float
    call_seconds: float  # average handle time: in flows, in queue, with an agent
    lex_turn_seconds: float = LEX_TURN_SECONDS

    def __post_init__(self) -> None:
        for name in ("calls_per_second", "call_seconds", "lex_turn_seconds"):
            value = getattr(self, name)
            if not (value > 0 and math.isfinite(value)):
                raise CapacityError(f"{name.replace('_', '-')} must be a number above 0, got {value}")


@dataclass(frozen=True)
class Function:
    """A Lambda function of functions.yaml."""

    name: str
    timeout: float  # seconds
    pages: bool = False  # calls StartOutboundVoiceContact (page calls)


@dataclass(frozen=True)
class Deployment:
    """What an environment's tfvars set that the arithmetic reads."""

    source: str  # the tfvars file, or "(no tfvars)"
    concurrent_calls: int | None = None  # concurrent_calls_quota
    reserved: Mapping[str, int] = field(default_factory=dict)  # reserved_concurrency
    provisioned: Mapping[str, int] = field(default_factory=dict)  # provisioned_concurrency

    @classmethod
    def from_tfvars(cls, tfvars: Mapping[str, Any], source: str) -> Deployment:
        def counts(key: str) -> dict[str, int]:
            value = tfvars.get(key) or {}
            if not isinstance(value, Mapping):
                raise CapacityError(f"{source}: {key} must be a map of handler = count")
            try:
                return {str(k): int(v) for k, v in value.items()}
            except (TypeError, ValueError):
                raise CapacityError(f"{source}: {key} values must be whole numbers") from None

        calls = tfvars.get("concurrent_calls_quota")
        try:
            concurrent = int(calls) if calls is not None else None
        except (TypeError, ValueError):
            raise CapacityError(f"{source}: concurrent_calls_quota must be a whole number") from None
        return cls(source, concurrent, counts("reserved_concurrency"), counts("provisioned_concurrency"))


@dataclass(frozen=True)
class Quotas:
    """An account's quotas where they differ from the defaults (a YAML file: key -> number)."""

    values: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def load(cls, path: Path) -> Quotas:
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CapacityError(f"{path}: cannot read it ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise CapacityError(f"{path}: not YAML ({str(exc).splitlines()[0]})") from None
        data = data or {}
        if not isinstance(data, Mapping):
            raise CapacityError(
                f"{path}: must be a mapping of quota key: number, e.g. connect.concurrent_calls: 100"
            )
        values: dict[str, float] = {}
        for key, value in data.items():
            key = str(key)
            if key not in DEFAULTS and not CONNECT_API_KEY.match(key):
                known = ", ".join([*DEFAULTS, "connect.api.<Operation>"])
                raise CapacityError(f"{path}: unknown quota {key!r}; one of {known}")
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise CapacityError(f"{path}: {key} must be a number above 0, got {value!r}")
            values[key] = float(value)
        return cls(values, str(path))

    def get(self, key: str) -> tuple[float | None, str]:
        if key in self.values:
            return self.values[key], self.source
        default = DEFAULTS[key]
        return default.value, default.source

    def connect_api(self, operation: str) -> tuple[float, str]:
        key = f"connect.api.{operation}"
        if key in self.values:
            return self.values[key], self.source
        return connect_api_quota(operation).rate, f"{CONNECT_QUOTAS}#connect-api-quotas"


@dataclass(frozen=True)
class Duration:
    ms: float
    source: str


def durations(
    functions: Mapping[str, Function], given: Mapping[str, float], source: str = "--duration"
) -> dict[str, Duration]:
    """Each function's duration per invocation: the given one, else its timeout (no invocation runs
    longer: an upper bound, so the Lambda rows err on the safe side)."""
    unknown = sorted(set(given) - set(functions))
    if unknown:
        raise CapacityError(f"{source}: no function {', '.join(unknown)}; one of {', '.join(functions)}")
    out = {}
    for name, fn in functions.items():
        if name in given:
            if not given[name] > 0:
                raise CapacityError(f"{source}: {name} must be a duration in ms above 0, got {given[name]}")
            out[name] = Duration(given[name], source)
        else:
            out[name] = Duration(fn.timeout * 1000, "its timeout (functions.yaml): an upper bound")
    return out


def read_durations(path: Path) -> dict[str, float]:
    """A durations file: YAML or JSON, handler: milliseconds (e.g. CloudWatch's p99 Duration)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise CapacityError(f"{path}: cannot read it ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise CapacityError(f"{path}: not YAML or JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, Mapping):
        raise CapacityError(f"{path}: must map each handler to its duration in ms, e.g. customer_lookup: 120")
    try:
        return {str(k): float(v) for k, v in data.items()}
    except (TypeError, ValueError):
        raise CapacityError(f"{path}: durations must be numbers of milliseconds") from None


def read_functions(config_dir: Path) -> dict[str, Function]:
    """The functions of functions.yaml with their timeouts (the Terraform module deploys them so)."""
    import yaml

    path = config_dir / "functions.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(name): Function(str(name), float(spec["timeout"]), bool(spec.get("pages", False)))
        for name, spec in (data.get("functions") or {}).items()
    }


# ---- the arithmetic ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    key: str  # the quotas file's key (or the tfvars variable)
    name: str
    value: float | None  # None: unknown; give it in the quotas file
    unit: str
    source: str
    per_cps: float  # load on the limit for each call per second
    confirmed: bool = True  # False: AWS does not say Connect's use counts against this quota
    note: str = ""

    def load(self, calls_per_second: float) -> float:
        return self.per_cps * calls_per_second

    @property
    def max_calls_per_second(self) -> float | None:
        """The rate of calls that reaches the quota (None: no quota, or no load)."""
        if self.value is None or self.per_cps <= 0:
            return None
        return self.value / self.per_cps

    def as_dict(self, calls_per_second: float) -> dict[str, Any]:
        load = self.load(calls_per_second)
        return {
            "key": self.key,
            "limit": self.name,
            "quota": self.value,
            "unit": self.unit,
            "source": self.source,
            "load": round(load, 3),
            "use": round(load / self.value, 4) if self.value else None,
            "max_calls_per_second": _round(self.max_calls_per_second),
            "confirmed": self.confirmed,
            "note": self.note,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass(frozen=True)
class Plan:
    load: Load
    limits: list[Limit]
    costs: CallCosts
    deployment: Deployment

    @property
    def binding(self) -> Limit | None:
        """The confirmed limit the fewest calls per second reach."""
        known = [x for x in self.limits if x.confirmed and x.max_calls_per_second is not None]
        return min(known, key=lambda x: x.max_calls_per_second or 0.0, default=None)

    @property
    def exceeded(self) -> list[Limit]:
        cps = self.load.calls_per_second
        return [x for x in self.limits if x.value is not None and x.load(cps) > x.value]

    def to_json(self) -> dict[str, Any]:
        cps = self.load.calls_per_second
        binding = self.binding
        return {
            "calls_per_second": cps,
            "call_seconds": self.load.call_seconds,
            "lex_turn_seconds": self.load.lex_turn_seconds,
            "concurrent_calls": round(cps * self.load.call_seconds, 3),
            "deployment": self.deployment.source,
            "binding": None
            if binding is None
            else {
                "key": binding.key,
                "limit": binding.name,
                "max_calls_per_second": _round(binding.max_calls_per_second),
            },
            "exceeded": [x.key for x in self.exceeded],
            "limits": [x.as_dict(cps) for x in self.limits],
            "per_call": self.costs.to_json(),
        }


def plan(
    load: Load,
    deployment: Deployment,
    functions: Mapping[str, Function],
    costs: CallCosts,
    duration: Mapping[str, Duration],
    quotas: Quotas | None = None,
) -> Plan:
    """Every limit with its quota, source and load per call/s; see the module's docstring."""
    quotas = quotas or Quotas()
    limits = [_concurrent_calls(load, deployment, quotas)]
    limits += _connect_api(functions, costs, quotas)
    limits += _lambdas(functions, costs, duration, deployment, quotas)
    limits += _speech(load, costs, quotas)
    return Plan(load, limits, costs, deployment)


def _concurrent_calls(load: Load, deployment: Deployment, quotas: Quotas) -> Limit:
    key = "connect.concurrent_calls"
    value, source = quotas.get(key)
    note = ""
    if key not in quotas.values and deployment.concurrent_calls is not None:
        value, source = float(deployment.concurrent_calls), f"{deployment.source} (concurrent_calls_quota)"
    elif key in quotas.values and deployment.concurrent_calls not in (None, value):
        note = f"{deployment.source} says {deployment.concurrent_calls}: raise concurrent_calls_quota with it"
    return Limit(key, "Connect concurrent active calls", value, "calls", source, load.call_seconds, note=note)


def _connect_api(functions: Mapping[str, Function], costs: CallCosts, quotas: Quotas) -> list[Limit]:
    """The Connect API requests the handlers make during calls (per account and Region: the operators'
    commands share these buckets)."""
    operations = set(costs.connect_api)
    if any(f.pages for f in functions.values()):
        operations.add("StartOutboundVoiceContact")
    out = []
    for op in sorted(operations):
        value, source = quotas.connect_api(op)
        per_call = costs.connect_api.get(op, 0.0)
        note = "" if per_call else "not called by the measured calls (pages go to engineers not signed in)"
        out.append(
            Limit(f"connect.api.{op}", f"Connect API {op}", value, "requests/s", source, per_call, note=note)
        )
    return out


def _lambdas(
    functions: Mapping[str, Function],
    costs: CallCosts,
    duration: Mapping[str, Duration],
    deployment: Deployment,
    quotas: Quotas,
) -> list[Limit]:
    """Reserved functions have their own cap; the others share what the account leaves unreserved."""
    unknown = sorted((set(deployment.reserved) | set(deployment.provisioned)) - set(functions))
    if unknown:
        raise CapacityError(
            f"{deployment.source}: reserved/provisioned concurrency names no function {', '.join(unknown)}; "
            f"functions.yaml has {', '.join(functions)}"
        )
    out = []
    shared, sharers = 0.0, []
    for name in functions:
        per_call, timed = costs.invocations.get(name, 0.0), duration[name]
        per_cps = per_call * timed.ms / 1000
        provisioned = deployment.provisioned.get(name)
        note = f"{per_call:.2f} invocations per call x {timed.ms:g} ms ({timed.source})"
        if provisioned:
            note += f"; {provisioned} provisioned (executions beyond start cold)"
        if name in deployment.reserved:
            out.append(
                Limit(
                    f"reserved_concurrency.{name}",
                    f"Lambda {name}: reserved concurrency",
                    float(deployment.reserved[name]),
                    "executions",
                    f"{deployment.source} (reserved_concurrency)",
                    per_cps,
                    note=note,
                )
            )
        elif per_cps > 0:
            shared += per_cps
            sharers.append(name)
    account, account_source = quotas.get("lambda.concurrent_executions")
    if account is None:  # not reached: the default is published
        raise CapacityError("lambda.concurrent_executions has no value")
    pool = account - sum(deployment.reserved.values())
    note = f"shared by {', '.join(sharers) or 'no function'}; timeouts as durations unless given"
    if pool < UNRESERVED_MINIMUM:
        note = (
            f"below Lambda's minimum of {UNRESERVED_MINIMUM} unreserved ({LAMBDA_RESERVED}): "
            f"the apply fails; {note}"
        )
    reserved = (
        f" - {sum(deployment.reserved.values())} reserved ({deployment.source})"
        if deployment.reserved
        else ""
    )
    out.append(
        Limit(
            "lambda.concurrent_executions",
            "Lambda unreserved concurrency",
            pool,
            "executions",
            f"{account:g} account ({account_source}){reserved}",
            shared,
            note=note,
        )
    )
    return out


def _speech(load: Load, costs: CallCosts, quotas: Quotas) -> list[Limit]:
    out = []
    for key, name, share in (
        ("contact_lens.realtime_calls", "Contact Lens real-time analytics calls", 1.0),
        ("contact_lens.post_call_jobs", "Contact Lens post-call analytics jobs", POST_CALL_SHARE),
    ):
        value, source = quotas.get(key)
        note = f"{costs.analytics:.0%} of calls turn analytics on; held for the whole call (an upper bound)"
        if share != 1.0:
            note = (
                f"{costs.analytics:.0%} of calls; a job takes ~{share:.0%} of the call's length "
                "(AWS's planning estimate)"
            )
        out.append(
            Limit(
                key, name, value, "concurrent", source, costs.analytics * load.call_seconds * share, note=note
            )
        )
    value, source = quotas.get("lex.concurrent_conversations")
    out.append(
        Limit(
            "lex.concurrent_conversations",
            "Lex V2 bot alias concurrent conversations",
            value,
            "concurrent",
            source,
            costs.lex_turns * load.lex_turn_seconds,
            note=f"{costs.lex_turns:.2f} turns per call x {load.lex_turn_seconds:g} s"
            + (
                ""
                if value is not None
                else "; no published default: give it in --quotas (Service Quotas, Amazon Lex)"
            ),
        )
    )
    value, source = quotas.get("polly.neural_tps")
    out.append(
        Limit(
            "polly.neural_tps",
            "Polly SynthesizeSpeech (neural)",
            value,
            "requests/s",
            source,
            costs.tts_prompts,
            confirmed=False,
            note=f"{costs.tts_prompts:.1f} prompts ({costs.tts_characters:.0f} characters) per call; AWS "
            "does not say whether Connect's text-to-speech counts against the account's Polly quota",
        )
    )
    return out


# ---- from the files -----------------------------------------------------------------------------


def deployment_of(env: str | None, tfvars: Path | None, terraform_dir: Path | None = None) -> Deployment:
    """The deployed configuration: terraform/envs/ENV/terraform.tfvars, a tfvars file, or none
    (AWS's defaults). DeployError (deploy layer) when the environment or file cannot be read."""
    from ..core.repository import TERRAFORM_DIR
    from ..deploy.environment import Environment, read_hcl

    if env and tfvars:
        raise CapacityError("give --env or --tfvars, not both")
    if env:
        environment = Environment.load(env, terraform_dir or TERRAFORM_DIR)
        return Deployment.from_tfvars(environment.tfvars, f"envs/{env}/terraform.tfvars")
    if tfvars:
        return Deployment.from_tfvars(read_hcl(tfvars), str(tfvars))
    return Deployment("(no tfvars: AWS's defaults)")


def plan_from_files(
    load: Load,
    costs: CallCosts,
    *,
    env: str | None = None,
    tfvars: Path | None = None,
    quotas_file: Path | None = None,
    durations_file: Path | None = None,
    duration_ms: Mapping[str, float] | None = None,
    terraform_dir: Path | None = None,
    config_dir: Path | None = None,
) -> Plan:
    """`loadtest capacity`: the plan for an environment (or tfvars file) and optional quota and
    duration files; `duration_ms` (--duration NAME=MS) wins over the durations file."""
    from aicc.settings import config_dir as default_config_dir

    deployment = deployment_of(env, tfvars, terraform_dir)
    functions = read_functions(config_dir or default_config_dir())
    quotas = Quotas.load(quotas_file) if quotas_file else Quotas()
    given = read_durations(durations_file) if durations_file else {}
    timed = durations(functions, given, str(durations_file))
    if duration_ms:
        options = durations(functions, duration_ms, "--duration")
        timed |= {name: options[name] for name in duration_ms}
    return plan(load, deployment, functions, costs, timed, quotas)
