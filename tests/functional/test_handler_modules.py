"""Every handler module is thin: the shared prologue around it, at most ~60 lines over the domain."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aicc.settings import config
from aicc_ops.engine.flows import handler_names

MAX_LINES = 60  # non-blank, non-comment lines (docstrings count)
PROLOGUES = {"contact_flow", "lex_code_hook", "kinesis_batch", "scheduled"}


def source(name: str) -> Path:
    return Path(inspect.getfile(importlib.import_module(f"aicc.handlers.{name}")))


def test_there_are_handlers() -> None:
    assert len(handler_names()) >= 8


@pytest.mark.parametrize("name", handler_names())
def test_the_handler_runs_inside_the_shared_prologue(name: str) -> None:
    handler = importlib.import_module(f"aicc.handlers.{name}").handler
    layers = []
    while handler is not None:  # functools.wraps leaves each layer's inner function in __wrapped__
        layers.append((handler.__module__, handler.__qualname__.partition(".<locals>")[0]))
        handler = getattr(handler, "__wrapped__", None)
    assert {("aicc.handlers._prologue", p) for p in PROLOGUES} & set(layers), layers
    prologue = importlib.import_module("aicc.handlers._prologue")
    assert prologue.logger.service == "aicc"  # one Logger, named by POWERTOOLS_SERVICE_NAME


@pytest.mark.parametrize("name", handler_names())
def test_the_handler_repeats_no_prologue_of_its_own(name: str) -> None:
    tree = ast.parse(source(name).read_text(encoding="utf-8"))
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not {m for m in imported if m.startswith("aws_lambda_powertools")}, "use aicc.handlers._prologue"
    decorators = [
        d.id
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "handler"
        for d in node.decorator_list
        if isinstance(d, ast.Name)
    ]
    assert len(decorators) == 1 and decorators[0] in PROLOGUES, decorators


@pytest.mark.parametrize("name", handler_names())
def test_the_handler_module_stays_small(name: str) -> None:
    lines = source(name).read_text(encoding="utf-8").splitlines()
    code = [line for line in lines if line.strip() and not line.strip().startswith("#")]
    assert len(code) <= MAX_LINES, f"{name}: {len(code)} lines; move logic into aicc.domain"


def _answer_keys(name: str) -> set[str]:
    """The keys of the dict literals `handler` returns (a flow handler answers a flat map)."""
    tree = ast.parse(source(name).read_text(encoding="utf-8"))
    handler = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "handler")
    keys: set[str] = set()
    for node in ast.walk(handler):
        if isinstance(node, ast.Return):
            assert isinstance(node.value, ast.Dict), f"{name}: return the answer as a dict literal"
            keys |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    return keys


@pytest.mark.parametrize("name", sorted(config().function_returns))
def test_functions_yaml_names_the_keys_each_flow_handler_answers(name: str) -> None:
    # The flow lint reads `returns` to check every $.External read: it must be the handler's truth.
    assert _answer_keys(name) == set(config().function_returns[name])


# What a cold start must not import: code for other handlers' work (make bench shows the cost).
NOT_AT_IMPORT = {
    "rapidfuzz": "names are compared only when a caller is identified",
    "aicc.domain.identification": "only customer_lookup identifies callers",
    "aicc.domain.escalation": "only the emergency chain's handlers walk it",
    "aws_lambda_powertools.utilities.data_classes": "the prologue reads events itself",
    "pygal": "only the report job draws charts, when it renders the HTML",
    "slack_sdk": "loaded by the first Slack message, which most SLA monitor runs never send",
    "aicc.domain.sla": "only the SLA monitor judges queues (the call log reads its callers for it)",
}
NEEDED = {
    "customer_lookup": {"aicc.domain.identification"},
    "escalation": {"aicc.domain.escalation"},
    "sla_monitor": {"aicc.domain.sla"},
}


@pytest.mark.parametrize("name", handler_names())
def test_a_cold_start_imports_only_what_the_handler_needs(name: str) -> None:
    code = f"import sys, aicc.handlers.{name}; print('\\n'.join(sys.modules))"
    env = {**os.environ, "POWERTOOLS_SERVICE_NAME": "aicc", "POWERTOOLS_METRICS_NAMESPACE": "AICC"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    loaded = set(done.stdout.split())
    unwanted = {
        m: why for m, why in NOT_AT_IMPORT.items() if m in loaded and m not in NEEDED.get(name, set())
    }
    assert unwanted == {}, unwanted


def test_no_cold_start_compiles_the_pattern_only_the_ops_side_reads() -> None:
    # hangul.HANGUL (flow lint, SSML, Lex) is compiled when first read, not by the log masking
    # every handler imports (0.5 ms of each cold start).
    handlers = ", ".join(f"aicc.handlers.{name}" for name in handler_names())
    code = f"import {handlers}, aicc.domain.hangul as h; print('HANGUL' in vars(h))"
    env = {**os.environ, "POWERTOOLS_SERVICE_NAME": "aicc", "POWERTOOLS_METRICS_NAMESPACE": "AICC"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["False"]
