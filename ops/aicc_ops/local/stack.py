"""The embedded local stack: moto as the AWS endpoint, tables, seed data, the engine.

The Lambda handlers reach DynamoDB and SNS through the very boto3 code they run in AWS. In one
process (`local_stack()`: `call simulate`, the demo, drills, scenario tests) moto serves their
requests in this process (local.moto_in_process); the local stack server gives them a moto server
through AWS_ENDPOINT_URL (`moto_endpoint()` and `provision()`). Flows are rendered from the
Terraform templates and linted before any call runs.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicc.settings import Config, load_config

from ..engine import lint as flow_lint
from ..engine.actions import VOICE
from ..engine.fixtures import Fixtures
from ..engine.flows import Flow, Resources, build_resources, render_all
from ..engine.interpreter import CallerInput, CallResult, Engine
from ..engine.lambdas import LocalLambdas
from ..engine.lex import LocalLexBot
from ..engine.presence import QueueModel, SimulatedQueues
from . import seed
from .aws_meter import SETUP, RequestMeter, counted_as
from .moto_in_process import moto_in_process
from .tables import create_tables

if TYPE_CHECKING:
    from aicc.domain.knowledge import Answer, Answerer, Passage, Retriever, Turn
    from aicc.domain.sentiment import Sentiment, SentimentScorer

QUIET_POWERTOOLS = {
    "POWERTOOLS_SERVICE_NAME": "aicc",
    "POWERTOOLS_METRICS_NAMESPACE": "AICC",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "POWERTOOLS_DEV": "false",
    # Powertools' Logger otherwise puts a filter on every handler of the host process's root logger
    # that drops each record whose logger name contains the service name ("aicc" is in
    # "aicc_ops.local.server"): once the first handler was loaded, the server's own log lost its
    # lines ("local stack up", "local stack stopped"). provision() stops the handlers' logger at
    # itself instead, so that nothing is logged twice.
    "POWERTOOLS_LOG_DEDUPLICATION_DISABLED": "true",
}
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-northeast-2",
    "AWS_REGION": "ap-northeast-2",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}


class FlowLintError(RuntimeError):
    def __init__(self, findings: list[flow_lint.Finding]) -> None:
        self.findings = findings
        super().__init__("flows do not pass lint:\n  " + "\n  ".join(map(str, findings)))


@dataclass
class LocalStack:
    config: Config
    resources: Resources
    flows: dict[str, Flow]
    endpoint: str
    tables: dict[str, str]
    lambdas: LocalLambdas
    lex: LocalLexBot
    seeded: seed.SeedData
    hold_seconds: int = 300
    # The AWS requests of this stack's clients and the time in the endpoint (local_stack() only).
    meter: RequestMeter | None = None

    def new_engine(
        self,
        queues: QueueModel,
        *,
        flows: Mapping[str, Flow] | None = None,
        entry_flow: str = "customer_authentication",
        fixtures: Fixtures | None = None,
        references: Mapping[str, str] | None = None,
        resources: Resources | None = None,
    ) -> Engine:
        """An engine on this stack's flows (or `flows`), Lambdas and Lex, with its queue model; what
        is not ours answers from `fixtures`, and `references` finds given flows by ARN or ID.
        `resources`: another instance's (a deployed one's: local/deployed.py) instead of ours."""
        return Engine(
            self.config,
            resources or self.resources,
            self.flows if flows is None else flows,
            self.lambdas,
            self.lex,
            queues,
            entry_flow=entry_flow,
            hold_seconds=self.hold_seconds,
            fixtures=fixtures,
            references=references,
        )

    @cached_property
    def engine(self) -> Engine:
        """The engine of simulated calls: agents from the agents table, no other caller waiting."""
        return self.new_engine(SimulatedQueues(self.config))

    def call(
        self,
        number: str,
        at: datetime,
        inputs: Sequence[str | CallerInput] = (),
        *,
        hold_seconds: int | None = None,
        faults: Mapping[str, str] | None = None,
        action_faults: Mapping[tuple[str, str], str] | None = None,
        responses: Mapping[str, Mapping[str, str]] | None = None,
        agents: Mapping[str, str] | None = None,
        waiting: Mapping[str, tuple[int, int]] | None = None,
        engine: Engine | None = None,
        channel: str = VOICE,
    ) -> CallResult:
        """One simulated call (or with `channel` CHAT, a chat) through the flows: the one call runner
        of the demo, the drills, `call simulate` and the scenario tests. For this call only, `faults`
        (handler -> kind) and `action_faults` add to those already injected, `responses` override
        Lambda results, `agents` set agents' statuses and `waiting` the callers already in each queue
        (queue key -> count, oldest age in s); everything is put back afterwards, whatever happens.
        `engine`: one of `new_engine` (another team's flows, fixtures) instead of the stack's own."""
        engine, lambdas = engine or self.engine, self.lambdas
        saved = dict(lambdas.faults), dict(engine.action_faults), dict(lambdas.overrides)
        queues = engine.queues
        saved_waiting = dict(queues.waiting) if isinstance(queues, SimulatedQueues) else {}
        previous: dict[str, str] = {}
        if agents:  # most calls set none: no set-up to time
            with self._counted_as(SETUP):
                previous = self.set_agent_status(agents)
        lambdas.faults = {**saved[0], **(faults or {})}
        engine.action_faults = {**saved[1], **(action_faults or {})}
        lambdas.overrides = {**saved[2], **{k: dict(v) for k, v in (responses or {}).items()}}
        if waiting is not None and isinstance(queues, SimulatedQueues):
            queues.waiting = dict(waiting)
        try:
            return engine.run(number, at, inputs, hold_seconds=hold_seconds, channel=channel)
        finally:
            lambdas.faults, engine.action_faults, lambdas.overrides = saved
            if isinstance(queues, SimulatedQueues):
                queues.waiting = saved_waiting
            if previous:
                with self._counted_as(SETUP):
                    self.put_agent_status(previous)

    def _counted_as(self, purpose: str) -> AbstractContextManager[None]:
        return self.meter.counted_as(purpose) if self.meter else counted_as(purpose)

    def set_agent_status(self, statuses: Mapping[str, str]) -> dict[str, str]:
        """Set agents' status in the agents table; returns the previous values, for restoring.
        One read of the statuses it replaces, then one transaction per 100 agents (all or none)."""
        if not statuses:
            return {}
        table, client = self.tables["AGENTS_TABLE"], self._dynamodb
        previous = dict.fromkeys(statuses, "OFFLINE")
        logins = list(statuses)
        for first in range(0, len(logins), _BATCH):
            request: dict[str, Any] = {
                table: {
                    "Keys": [{"login": {"S": login}} for login in logins[first : first + _BATCH]],
                    "ProjectionExpression": "#l, #s",
                    "ExpressionAttributeNames": {"#l": "login", "#s": "status"},
                    "ConsistentRead": True,
                }
            }
            while request:
                answer = client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(table, []):
                    previous[item["login"]["S"]] = item.get("status", {}).get("S", "OFFLINE")
                request = answer.get("UnprocessedKeys") or {}
        self.put_agent_status(statuses)
        return previous

    def put_agent_status(self, statuses: Mapping[str, str]) -> None:
        """Set agents' status in one transaction per 100 agents (a drill's or a test's restore)."""
        table, updates = self.tables["AGENTS_TABLE"], list(statuses.items())
        for first in range(0, len(updates), _BATCH):
            self._dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": table,
                            "Key": {"login": {"S": login}},
                            "UpdateExpression": "SET #s = :s",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {":s": {"S": status}},
                        }
                    }
                    for login, status in updates[first : first + _BATCH]
                ]
            )

    @cached_property
    def _dynamodb(self) -> Any:
        import boto3

        return boto3.client("dynamodb")


# BatchGetItem reads, and TransactWriteItems writes, at most 100 items per request
# (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
_BATCH = 100


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set env vars for the stack's lifetime; everything set meanwhile (table names...) is undone."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def moto_endpoint(port: int = 0) -> Iterator[str]:
    """A moto server on loopback (port 0: a free one), for the lifetime of the context.

    The socket is bound here, in the caller's thread, so that a port in use raises OSError at once
    (moto's ThreadedMotoServer binds in its thread and then waits forever for a server that never
    came)."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from .moto_extensions import patch_moto

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log in the CLI's output
    patch_moto()
    # Bound by us: werkzeug reports a port in use by printing and exiting the process.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        app = DomainDispatcherApplication(create_backend_app)
        server = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler, fd=listener.fileno()
        )
    thread = threading.Thread(target=server.serve_forever, name="aicc-moto", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def reset_moto(endpoint: str) -> None:
    """Forget every resource of the moto server (fresh stack without a restart)."""
    import urllib.request

    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10
    ).close()


def local_sentiment_scorer(meter: RequestMeter | None = None) -> SentimentScorer:
    """The offline Korean model (aicc_ops.engine.sentiment), loaded (or trained) now: a caller's
    turn never waits for it. With a meter, its work is timed as a stand-in's (Comprehend's in AWS)."""
    from ..engine.sentiment import OfflineSentiment  # here: numpy is for stacks with a Lex bot only

    model = OfflineSentiment().load()
    return model if meter is None else _TimedScorer(model, meter)


@dataclass
class _TimedScorer:
    scorer: SentimentScorer
    meter: RequestMeter

    def detect(self, text: str) -> Sentiment:
        with self.meter.stand_in():
            return self.scorer.detect(text)


@dataclass
class _TimedRetriever:
    """The local index, its work timed as a stand-in's (Bedrock's knowledge base in AWS)."""

    retriever: Retriever
    meter: RequestMeter

    def retrieve(self, query: str, top: int = 5) -> list[Passage]:
        with self.meter.stand_in():
            return self.retriever.retrieve(query, top)


@dataclass
class _TimedAnswerer:
    """The extractive answerer, its work timed as a stand-in's (Bedrock's model in AWS)."""

    answerer: Answerer
    meter: RequestMeter

    def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Answer | None:
        with self.meter.stand_in():
            return self.answerer.answer(question, passages, history)


def provision(
    endpoint: str,
    config: Config,
    data_dir: Path | None,
    faults: Mapping[str, str] | None = None,
    hold_seconds: int = 300,
    meter: RequestMeter | None = None,
) -> LocalStack:
    """Tables, topic and seed data on the endpoint, then the engine. Env must point at the endpoint.
    `meter`: times the AI stand-ins' work (the Lex bot's NLU, the sentiment model, the knowledge
    index and answerer)."""
    import boto3

    from aicc.adapters import aws as handler_clients

    handler_clients.reset()  # clients cached by the handlers still point at a previous endpoint
    # The handlers' Powertools logger has its own handler: its records stop there, not at the host
    # process's root handlers too (what Powertools' deduplication filter did, too broadly).
    logging.getLogger(QUIET_POWERTOOLS["POWERTOOLS_SERVICE_NAME"]).propagate = False
    resources = build_resources(config)
    flows = render_all(resources)
    problems = flow_lint.errors(flow_lint.lint(flows, resources))
    if problems:
        raise FlowLintError(problems)
    data = seed.load(data_dir or seed.SAMPLE_DIR, config)
    tables = create_tables(boto3.client("dynamodb"), config.tables)
    topic = boto3.client("sns").create_topic(Name="aicc-local-notifications")["TopicArn"]
    os.environ.update(tables)
    os.environ["NOTIFY_TOPIC_ARN"] = topic
    seed.write(data, tables, boto3.resource("dynamodb"), resources.agent_arn)
    lambdas = LocalLambdas({resources.function_arn(h): h for h in resources.handlers}, faults)
    if "knowledge_answer" in resources.handlers:
        # The embedded index and extractive answerer here, where AWS has Bedrock.
        from aicc.handlers import knowledge_answer

        from ..knowledge.local import local_knowledge

        retriever, answerer = local_knowledge()
        if meter is not None:
            retriever, answerer = _TimedRetriever(retriever, meter), _TimedAnswerer(answerer, meter)
        knowledge_answer.use_knowledge(retriever, answerer)
    hook = None
    if "lex_hook" in resources.handlers:
        # The hook scores caller turns with the offline model here, where AWS has Comprehend.
        from aicc.handlers import _sentiment

        _sentiment.use_scorer(local_sentiment_scorer(meter))

        # Lex gives its code hook at most 30 s; a failing hook fails the turn (the flow's error branch).
        def hook(event: dict[str, Any]) -> dict[str, Any]:
            return lambdas.invoke_named("lex_hook", event, 30, "JSON")

    # The NLU is loaded (or, with an empty cache, trained) before the stack is up, never inline in
    # a caller's turn: Lex would time the turn out (`make install` trains it into the cache).
    lex = LocalLexBot(config.intents, code_hook=hook, timed=meter.stand_in if meter else nullcontext).load()
    return LocalStack(config, resources, flows, endpoint, tables, lambdas, lex, data, hold_seconds)


YOUNG_COLLECTION = 20_000  # net allocations between collections of the youngest generation (long_lived)


@contextmanager
def long_lived() -> Iterator[None]:
    """What is alive now (a stack's models, index, flows and moto's state: some 260,000 objects)
    kept out of the garbage collector's generations until the block ends: each full collection
    traversed them all again (~140 ms every few hundred calls, and the younger ones more often),
    and none of them is garbage while the stack runs. What was garbage already is collected first.

    The youngest generation is collected every YOUNG_COLLECTION net allocations, not Python's 700,
    while the block runs: a call keeps ~1,900 objects alive long enough to be counted (moto's
    requests and items, the handlers' events), so at 700 the collector ran ~2.7 times a call and a
    middle-generation pass every ~4 calls, 1.4-1.8 ms of GC a call against 0.5 at 20,000 (the
    stack's own calls alternating both settings in one process; docs/performance.md). Cyclic
    garbage then waits for at most that many allocations. Most of those ~1,900 were cyclic garbage
    of moto's requests, until moto_fast_paths broke its cycles: a call leaves ~340 since, and the
    youngest generation is collected about every 60 calls."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()  # back in the oldest generation: collected as usual once the stack is gone


@contextmanager
def local_stack(
    data_dir: Path | None = None,
    *,
    config: Config | None = None,
    faults: Mapping[str, str] | None = None,
    hold_seconds: int = 300,
    moto_server: bool = False,
) -> Iterator[LocalStack]:
    """A fresh local stack for one process (`call simulate`, `demo`, drills, scenario tests), with
    moto in this process; `moto_server`: a moto server on loopback instead, as the local stack
    server uses (the benchmark compares the two)."""
    from aicc.adapters import aws as handler_clients

    cfg = config or load_config()
    meter = RequestMeter()
    with ExitStack() as stack_exit:
        stack_exit.callback(handler_clients.reset)  # their clients send to this stack's moto
        endpoint = stack_exit.enter_context(moto_endpoint() if moto_server else moto_in_process())
        env: dict[str, Any] = {**FAKE_CREDENTIALS, **QUIET_POWERTOOLS}
        if moto_server:
            env["AWS_ENDPOINT_URL"] = endpoint
        stack_exit.enter_context(_environment(env))
        meter.install()  # before provision() creates the first clients: they copy the session's events
        stack_exit.callback(meter.uninstall)
        stack = provision(endpoint, cfg, data_dir, faults, hold_seconds, meter)
        stack.meter = meter
        stack_exit.callback(stack.lambdas.close)
        stack_exit.enter_context(long_lived())
        yield stack
