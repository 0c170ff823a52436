# ruff: noqa: N815 - do_GET & co. are http.server's names
"""The local stack as a server: moto, the Connect API emulator and the HTTP call API on loopback.

`aicc-ops local up` runs `python -m aicc_ops.local.server` in the background; tests use `serve()`
in-process. Three listeners:

- AWS endpoint (moto): DynamoDB, S3, SNS, SQS, CloudWatch, Secrets Manager, EventBridge.
- Connect endpoint: the emulator, speaking Connect's REST-JSON protocol (boto3 with endpoint_url),
  and on the same port the Participant Service of its chats (boto3 `connectparticipant`, chat.py).
- Call API: place simulated calls, send caller input, watch them queue and be answered
  (docs/local-stack.md documents it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aicc.adapters import aws as handler_clients
from aicc.clock import seoul
from aicc.settings import Config, ConfigError, load_config

from ..core import connect_users
from ..core.agents import split_name
from ..engine.flows import FlowError
from ..engine.interpreter import Engine
from ..engine.lambdas import FAULTS, SERVICE_FAULTS
from . import connect_protocol as wire
from .aws_process import moto_process
from .chat import ParticipantService
from .connect_emulator import CONTACT_TIME_HEADER, ConnectEmulator
from .deployed import RoutingError, route
from .http_serving import KeepAliveHandler, Listener
from .lambda_api import Answer, LambdaApi, function_timeouts
from .live import LiveCenter, LiveQueues
from .runtime import (
    DEFAULT_ANSWER_RATE,
    DEFAULT_FLOW_SLOTS,
    HOST,
    INFO_FILE,
    LISTEN_BACKLOG,
    PortError,
    ServerInfo,
    listen_backlog,
)
from .seed import SeedError
from .stack import (
    FAKE_CREDENTIALS,
    QUIET_POWERTOOLS,
    FlowLintError,
    LocalStack,
    _environment,
    long_lived,
    moto_endpoint,
    provision,
)
from .streams import StreamToLambda

log = logging.getLogger("aicc_ops.local.server")
TEAM_SECURITY = {"MANAGER": "supervisor"}
FAULT_KINDS = ("lambdas", "services", "agents_offline", "queue_limits")


class ConnectHandler(KeepAliveHandler):
    """One Connect API request: route by the service model, run the operation, answer as Connect."""

    emulator: ConnectEmulator
    participants: ParticipantService | None = None

    def _serve(self) -> None:
        """Connect's operations, and the Participant Service's on the same port (its routes are
        /participant/...: none of Connect's): one routing, one error handling for both."""
        body = self._body()
        services: list[tuple[wire.Protocol, Callable[[str, dict[str, Any]], dict[str, Any]]]] = [
            (wire.CONNECT, self.emulator.call)
        ]
        if self.participants is not None:  # none on an emulator-only server
            services.append((wire.PARTICIPANT, self.participants.call))
        for protocol, service in services:
            found = protocol.match(self.command, self.path)
            if found is not None:
                self._answer(protocol, service, found, body)
                return
        error = wire.ConnectError(
            "UnknownOperationException", f"no Connect operation {self.command} {self.path}"
        )
        self._send(*_error_reply(error, 404))

    def _answer(
        self,
        protocol: wire.Protocol,
        service: Callable[[str, dict[str, Any]], dict[str, Any]],
        found: tuple[str, dict[str, str], dict[str, list[str]]],
        body: bytes,
    ) -> None:
        operation, labels, query = found
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            params = protocol.parse_input(operation, labels, query, body, headers)
            at = headers.get(CONTACT_TIME_HEADER.lower())
            if at and operation == "StartChatContact":
                params[CONTACT_TIME_HEADER] = at  # the local stack's own clock for this chat
            result = service(operation, params)
        except wire.ConnectError as exc:
            status, reply_headers, payload = protocol.error_body(exc)
            self._send(status, payload, reply_headers)
            return
        except Exception as exc:  # a bug here: the service's internal error, with the trace in the log
            log.exception("%s failed", operation)
            internal = "InternalServiceException" if protocol is wire.CONNECT else "InternalServerException"
            status, reply_headers, payload = protocol.error_body(wire.ConnectError(internal, str(exc)))
            self._send(500, payload, reply_headers)
            return
        self._send(200, protocol.serialize_output(operation, result))

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _serve


class LambdaHandler(KeepAliveHandler):
    """AWS Lambda's Invoke API for our handlers (lambda_api.py)."""

    api: LambdaApi

    def _serve(self) -> None:
        try:
            headers = {k.lower(): v for k, v in self.headers.items()}  # names are case-blind
            answer = self.api.handle(self.command, self.path, headers, self._body())
        except Exception as exc:  # a bug here: Lambda's own 500, with the trace in the log
            log.exception("Lambda %s %s failed", self.command, self.path)
            answer = Answer(
                500, json.dumps({"Message": str(exc)}).encode(), {"x-amzn-ErrorType": "ServiceException"}
            )
        headers = {"x-amzn-RequestId": str(uuid.uuid4()), **answer.headers}
        self._send(answer.status, answer.body, headers)

    do_GET = do_PUT = do_POST = do_DELETE = _serve


def _error_reply(error: wire.ConnectError, status: int) -> tuple[int, bytes, dict[str, str]]:
    _, headers, payload = wire.error_body(error)
    return status, payload, headers


class CallApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


class CallsHandler(KeepAliveHandler):
    """The HTTP call API (JSON): calls, caller input, simulated agents, fault injection."""

    app: CallApp

    def _serve(self) -> None:
        try:
            raw = self._body()
            payload = json.loads(raw) if raw.strip() else {}
            if not isinstance(payload, dict):
                raise CallApiError(400, "the body must be a JSON object")
            path, _, query = self.path.partition("?")
            options = dict(parse_qsl(query)) if self.command == "GET" else {}  # ?transcript=false
            status, result = self.app.route(self.command, path.rstrip("/"), {**options, **payload})
        except json.JSONDecodeError:
            status, result = 400, {"error": "the body is not JSON"}
        except CallApiError as exc:
            status, result = exc.status, {"error": str(exc)}
        except Exception as exc:
            log.exception("call API %s %s failed", self.command, self.path)
            status, result = 500, {"error": f"{type(exc).__name__}: {exc}"}
        self._send(status, json.dumps(result, ensure_ascii=False, default=str).encode("utf-8"))

    do_GET = do_PUT = do_POST = do_DELETE = _serve


class CallApp:
    def __init__(
        self,
        stack: LocalStack,
        emulator: ConnectEmulator,
        center: LiveCenter,
        settle: Callable[[], None] = lambda: None,
    ) -> None:
        """`settle` waits until agent state changes have reached the agents table (the event
        stream), so that a call placed after a sign-in or -out sees it as the flows would."""
        self.stack, self.emulator, self.center, self.settle = stack, emulator, center, settle
        self.faults: dict[str, Any] = {}
        self._saved_status: dict[str, str] = {}
        self._lambda: Any = None

    def route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        from ..engine.interpreter import InputError

        parts = [p for p in path.split("/") if p]
        try:
            if parts == ["health"]:
                return 200, {"status": "ok"}
            if parts == ["status"]:
                return 200, self.status()
            if parts == ["calls"] and method == "GET":
                with self.emulator.lock:
                    calls = list(self.center.contacts.values())
                return 200, [c.to_json(transcript=False) for c in calls]
            if parts == ["calls"] and method == "POST":
                return 201, self.place(body)
            if len(parts) == 2 and parts[0] == "calls" and method == "GET":
                return 200, self.center.get(parts[1]).to_json(transcript=_option(body, "transcript", True))
            if len(parts) == 2 and parts[0] == "calls" and method == "DELETE":
                return 200, self.center.hang_up(parts[1]).to_json(transcript=False)
            if len(parts) == 3 and parts[0] == "calls" and parts[2] == "input" and method == "POST":
                value = body.get("input")
                if not isinstance(value, str):
                    raise CallApiError(
                        400, 'give {"input": "1234#"}, {"input": "say:..."} or {"input": "silence"}'
                    )
                wait = _timeout(body) if _flag(body, "wait_step") else 0.0
                return 202, self.center.send_input(parts[1], value, wait).to_json(transcript=False)
            if parts == ["agents"] and method == "GET":
                return 200, self.agents()
            if len(parts) == 2 and parts[0] == "agents" and method == "PUT":
                return 200, self.set_agent(parts[1], body)
            if parts == ["faults"]:
                return self.fault_route(method, body)
        except KeyError as exc:
            raise CallApiError(404, f"no call or agent {exc.args[0]}") from None
        except InputError as exc:
            raise CallApiError(400, str(exc)) from None
        raise CallApiError(404, f"no route {method} /{'/'.join(parts)}; see docs/local-stack.md")

    def place(self, body: dict[str, Any]) -> dict[str, Any]:
        caller = body.get("caller")
        if not isinstance(caller, str):
            raise CallApiError(400, 'give "caller": an E.164 number such as +821012345678')
        inputs = body.get("inputs") or []
        if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
            raise CallApiError(400, '"inputs" is a list of strings such as ["1234#", "say:솔트웨어"]')
        at = None
        if body.get("at"):
            try:
                at = datetime.fromisoformat(str(body["at"]))
            except ValueError:
                raise CallApiError(400, f'"at" {body["at"]!r} is not ISO-8601 with an offset') from None
        hold, talk = body.get("hold_seconds", 0), body.get("talk_seconds")
        if not isinstance(hold, int) or not 0 <= hold <= 86400:
            raise CallApiError(400, '"hold_seconds" is a whole number of seconds, 0-86400')
        if talk is not None and (not isinstance(talk, (int, float)) or talk < 0):
            raise CallApiError(400, '"talk_seconds" is a number of seconds >= 0')
        dialed = body.get("dialed")
        if dialed is not None and not isinstance(dialed, str):
            raise CallApiError(400, '"dialed" is the E.164 number called, such as +18005550100')
        contact = self.center.place(
            caller,
            inputs,
            at=at,
            hold_seconds=hold,
            talk_seconds=float(talk) if talk is not None else None,
            live_input=bool(body.get("live_input", not body.get("wait", False))),
            dialed=dialed,
            engine=self.deployed_engine(dialed) if dialed else None,
        )
        if body.get("wait"):
            contact.done.wait(timeout=_timeout(body))
        elif _flag(body, "wait_step"):
            contact.wait_step(0, _timeout(body))
        return contact.to_json()

    def deployed_engine(self, number: str) -> Engine | None:
        """The engine of a number another instance of the emulator claimed (the deploy rehearsal's),
        built on what that instance holds now; None for a number only the stack's own flows answer."""
        if self._lambda is None:
            import boto3

            self._lambda = boto3.client("lambda")  # moto: the functions Terraform created

        def function_of(arn: str) -> dict[str, Any]:
            return dict(self._lambda.get_function_configuration(FunctionName=arn))

        try:
            found = route(self.emulator, self.stack.resources, number, self.stack.lambdas, function_of)
        except (RoutingError, FlowError) as exc:
            raise CallApiError(409, str(exc)) from None
        if found is None:
            return None
        return self.stack.new_engine(
            LiveQueues(self.center), flows=found.flows, entry_flow=found.entry, resources=found.resources
        )

    def agents(self) -> list[dict[str, Any]]:
        with self.emulator.lock:
            return [
                {
                    "login": u["Username"],
                    "user_id": u["Id"],
                    "routing_profile": u["RoutingProfileId"],
                    "state": self.center.agent_state(u["Id"]),
                    "contact": self.center.activity[u["Id"]].contact_id
                    if u["Id"] in self.center.activity
                    else None,
                }
                for u in sorted(self.emulator.users.values(), key=lambda u: u["Username"])
            ]

    def set_agent(self, login: str, body: dict[str, Any]) -> dict[str, Any]:
        status = str(body.get("status", "")).lower()
        if status not in ("available", "offline"):
            raise CallApiError(400, '"status" is AVAILABLE or OFFLINE')
        user = self.emulator.user_by_login(login)
        if user is None:
            raise KeyError(login)
        with self.emulator.lock:
            self.emulator.set_status(user["Id"], status)
        self.settle()
        return {"login": login, "state": self.center.agent_state(user["Id"])}

    def status(self) -> dict[str, Any]:
        snap = self.center.snapshot()
        states: dict[str, int] = {}
        with self.emulator.lock:
            for u in self.emulator.users.values():
                s = self.center.agent_state(u["Id"])
                states[s] = states.get(s, 0) + 1
        calls: dict[str, int] = {}
        with self.emulator.lock:
            contacts = list(self.center.contacts.values())
        for c in contacts:
            calls[c.state] = calls.get(c.state, 0) + 1
        return {
            "agents": states,
            "calls": calls,
            "waiting": len(snap.waiting),
            "faults": self.faults,
            "admission": self.center.admission(),
        }

    # ---- faults -----------------------------------------------------------------------------------
    def fault_route(self, method: str, body: dict[str, Any]) -> tuple[int, Any]:
        if method == "GET":
            return 200, self.faults
        if method == "DELETE":
            self.clear_faults()
            return 200, self.faults
        if method == "PUT":
            self.clear_faults()
            self.apply_faults(body)
            return 200, self.faults
        raise CallApiError(405, "faults: GET, PUT or DELETE")

    def apply_faults(self, body: dict[str, Any]) -> None:
        unknown = set(body) - set(FAULT_KINDS)
        if unknown:
            raise CallApiError(
                400, f"unknown fault kind(s) {sorted(unknown)}; known: {', '.join(FAULT_KINDS)}"
            )
        lambdas = body.get("lambdas") or {}
        for name, kind in lambdas.items():
            if name not in self.stack.resources.handlers or kind not in FAULTS:
                raise CallApiError(
                    400,
                    f"lambdas: {name}={kind}: handler one of {', '.join(self.stack.resources.handlers)}, "
                    f"kind one of {', '.join(FAULTS)}",
                )
        limits = body.get("queue_limits") or {}
        for key, value in limits.items():
            if key not in self.stack.config.queues or not isinstance(value, int) or value < 0:
                raise CallApiError(400, f"queue_limits: {key}={value!r}: a queues.yaml key and a count >= 0")
        services = body.get("services") or []
        if any(s not in SERVICE_FAULTS for s in services):
            raise CallApiError(400, f"services: one of {', '.join(SERVICE_FAULTS)}")
        self.stack.lambdas.faults.update(lambdas)
        self.center.engine.queue_limits.update(limits)
        self.stack.lambdas.service_faults.update(services)
        if body.get("agents_offline"):
            with self.emulator.lock:
                for user in self.emulator.users.values():
                    self._saved_status[user["Id"]] = self.emulator.status.get(user["Id"], ("offline",))[0]
                    self.emulator.set_status(user["Id"], "offline")
            self.settle()
        self.faults = {k: v for k, v in body.items() if v}

    def clear_faults(self) -> None:
        self.stack.lambdas.faults.clear()
        self.center.engine.queue_limits.clear()
        self.stack.lambdas.service_faults.clear()
        with self.emulator.lock:
            for user_id, status in self._saved_status.items():
                if user_id in self.emulator.users:
                    self.emulator.set_status(user_id, status)
        self._saved_status.clear()
        self.faults = {}


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise CallApiError(400, f'"{name}" is true or false')
    return value


def _option(body: dict[str, Any], name: str, default: bool) -> bool:
    """A yes/no option of a GET, from its query string (?transcript=false)."""
    value = str(body.get(name, default)).lower()
    if value not in ("true", "false"):
        raise CallApiError(400, f"{name}={body[name]}: true or false")
    return value == "true"


def _timeout(body: dict[str, Any]) -> float:
    """How long a request waits for the flows (`timeout`, seconds; default 60)."""
    try:
        value = float(body.get("timeout", 60))
    except (TypeError, ValueError):
        value = -1.0
    if not 0 < value <= 3600:
        raise CallApiError(400, '"timeout" is a number of seconds, more than 0 and at most 3600')
    return value


def _seed_users(stack: LocalStack, emulator: ConnectEmulator) -> None:
    """The sample agents as Connect users; their records get the users' ARNs."""
    import boto3

    table = boto3.resource("dynamodb").Table(stack.tables["AGENTS_TABLE"])
    for agent in stack.seeded.agents:
        last, first = split_name(str(agent["name"]))
        role = TEAM_SECURITY.get(str(agent["team"]), "agent")
        user_id = emulator.add_user(
            agent["login"], first, last, str(agent.get("email", "")), str(agent["routing_profile"]), [role]
        )
        held = [connect_users.parse_proficiency(text) for text in agent.get("proficiencies", [])]
        if held:  # as onboarding gives them (AssociateUserProficiencies)
            emulator.op_AssociateUserProficiencies({"UserId": user_id, "UserProficiencies": held})
        if agent.get("status") == "AVAILABLE":  # a seeded BUSY agent has no contact to be busy with
            emulator.set_status(user_id, "available")
        table.update_item(
            Key={"login": agent["login"]},
            UpdateExpression="SET user_arn = :a, user_id = :i",
            ExpressionAttributeValues={":a": emulator.users[user_id]["Arn"], ":i": user_id},
        )
    assert set(stack.config.security_profiles) >= set(TEAM_SECURITY.values())


def _bind(port: int, handler: type[BaseHTTPRequestHandler], what: str) -> ThreadingHTTPServer:
    """A listener bound now (a port in use fails before anything is built), served later."""
    try:
        return Listener((HOST, port), handler)
    except OSError as exc:
        raise PortError(port, what, exc) from None


def _serve_in_thread(server: ThreadingHTTPServer, name: str) -> str:
    threading.Thread(target=server.serve_forever, name=f"aicc-http-{name}", daemon=True).start()
    return f"http://{HOST}:{server.server_address[1]}"


@contextmanager
def serve(
    state_dir: Path,
    *,
    aws_port: int = 0,
    connect_port: int = 0,
    calls_port: int = 0,
    lambda_port: int = 0,
    connect_rate: float = 0.0,
    connect_burst: int = 5,
    data_dir: Path | None = None,
    config: Config | None = None,
    talk_seconds: float = 30.0,
    acw_seconds: float = 5.0,
    input_seconds: float = 10.0,
    flow_slots: int = DEFAULT_FLOW_SLOTS,
    answer_rate: float = DEFAULT_ANSWER_RATE,
    aws_process: bool = True,
) -> Iterator[ServerInfo]:
    """Run the local stack server in this process until the context ends (port 0: any free port).
    The AWS endpoint (moto) runs in a child process (`aws_process`), else in a thread of this one."""
    cfg = config or load_config()
    state_dir.mkdir(parents=True, exist_ok=True)
    if listen_backlog() < LISTEN_BACKLOG:
        log.warning(
            "net.core.somaxconn is %d: a burst of more callers than that at once is reset; "
            "raise it (sysctl -w net.core.somaxconn=%d)",
            listen_backlog(),
            LISTEN_BACKLOG,
        )
    with ExitStack() as stack_exit:
        # Every port first: one in use fails in a moment, not after the stack was built.
        # Handler classes of this server's own: two servers in one process do not share state.
        connect_handler: Any = type("ConnectHandler", (ConnectHandler,), {})
        calls_handler: Any = type("CallsHandler", (CallsHandler,), {})
        lambda_handler: Any = type("LambdaHandler", (LambdaHandler,), {})
        connect_server = _bind(connect_port, connect_handler, "Connect API")
        stack_exit.callback(connect_server.server_close)
        calls_server = _bind(calls_port, calls_handler, "call API")
        stack_exit.callback(calls_server.server_close)
        lambda_server = _bind(lambda_port, lambda_handler, "Lambda API")
        stack_exit.callback(lambda_server.server_close)
        try:
            if aws_process:
                aws = stack_exit.enter_context(moto_process(aws_port, owner=str(state_dir)))
                endpoint, aws_pid = aws.url, aws.pid
            else:
                endpoint, aws_pid = stack_exit.enter_context(moto_endpoint(aws_port)), 0
        except OSError as exc:
            raise PortError(aws_port, "AWS (moto)", exc) from None
        env = {**FAKE_CREDENTIALS, **QUIET_POWERTOOLS, "AWS_ENDPOINT_URL": endpoint}
        stack_exit.enter_context(_environment(env))
        stack = provision(endpoint, cfg, data_dir, hold_seconds=0)
        stack_exit.callback(stack.lambdas.close)
        stack_exit.enter_context(long_lived())
        emulator = ConnectEmulator(cfg, stack.resources, stack.flows, rate=connect_rate, burst=connect_burst)
        # Connect's agent event stream: the simulated agents' state changes reach the agents table
        # through the agent_events handler, as in AWS.
        agent_events = StreamToLambda(
            stack.lambdas, "agent_events", stack.resources.stream_arn("agent-events")
        )
        stack_exit.callback(agent_events.close)
        center = LiveCenter(
            emulator,
            stack.new_engine,
            talk_seconds=talk_seconds,
            acw_seconds=acw_seconds,
            input_seconds=input_seconds,
            on_agent_event=agent_events.put,
            flow_slots=flow_slots,
            answer_rate=answer_rate,
        )
        _seed_users(stack, emulator)
        agent_events.drain()  # the sample agents' sign-in reaches the table before the first call
        center.start()
        stack_exit.callback(center.stop)
        app = CallApp(stack, emulator, center, agent_events.drain)
        # The chats' Participant Service, throttled at its documented rates when Connect's are.
        participants = ParticipantService(center, throttle=connect_rate > 0)
        emulator.chats = participants
        connect_handler.emulator, calls_handler.app = emulator, app
        connect_handler.participants = participants
        connect_url = _serve_in_thread(connect_server, "connect")
        stack_exit.callback(connect_server.shutdown)
        # The handlers' own Connect calls (the escalation's page calls) reach the emulator too.
        stack_exit.enter_context(_environment({"AWS_ENDPOINT_URL_CONNECT": connect_url}))
        handler_clients.reset()
        stack_exit.callback(handler_clients.reset)  # no cached client outlives the emulator
        calls_url = _serve_in_thread(calls_server, "calls")
        stack_exit.callback(calls_server.shutdown)
        lambda_handler.api = LambdaApi(stack.lambdas, stack.resources, function_timeouts(cfg.directory))
        lambda_url = _serve_in_thread(lambda_server, "lambda")
        stack_exit.callback(lambda_server.shutdown)
        _RUNNING[connect_url] = app
        stack_exit.callback(_RUNNING.pop, connect_url, None)
        info = ServerInfo(
            pid=os.getpid(),
            started_at=datetime.now(seoul()).isoformat(timespec="seconds"),  # operators read it
            region=stack.resources.region,
            account=stack.resources.account,
            instance_id=emulator.instance_id,
            aws_endpoint=endpoint,
            connect_endpoint=connect_url,
            calls_endpoint=calls_url,
            lambda_endpoint=lambda_url,
            connect_rate=connect_rate,
            connect_burst=connect_burst,
            tables={key: name for key, name in _table_names(cfg, stack).items()},
            topic_arn=os.environ.get("NOTIFY_TOPIC_ARN", ""),
            state_dir=str(state_dir),
            aws_pid=aws_pid,
            listen_backlog=listen_backlog(),
            flow_slots=flow_slots,
            answer_rate=answer_rate,
        )
        # Its removal first: a stop signal between the two must not leave the file of a dead server.
        stack_exit.callback((state_dir / INFO_FILE).unlink, missing_ok=True)
        info.write(state_dir)
        yield info


_RUNNING: dict[str, CallApp] = {}


def running(info: ServerInfo) -> CallApp:
    """The objects behind a server started by serve() in this process (tests and benchmarks)."""
    return _RUNNING[info.connect_endpoint]


def _table_names(cfg: Config, stack: LocalStack) -> dict[str, str]:
    return {key: stack.tables[schema.env] for key, schema in cfg.tables.items() if schema.env in stack.tables}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aicc_ops.local.server", description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--aws-port", type=int, default=0)
    parser.add_argument("--connect-port", type=int, default=0)
    parser.add_argument("--calls-port", type=int, default=0)
    parser.add_argument("--lambda-port", type=int, default=0)
    parser.add_argument("--connect-rate", type=float, default=2.0)
    parser.add_argument("--connect-burst", type=int, default=5)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--talk-seconds", type=float, default=30.0)
    parser.add_argument("--acw-seconds", type=float, default=5.0)
    parser.add_argument("--input-seconds", type=float, default=10.0)
    parser.add_argument("--flow-slots", type=int, default=DEFAULT_FLOW_SLOTS)
    parser.add_argument("--answer-rate", type=float, default=DEFAULT_ANSWER_RATE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SIGTERM and SIGINT stop the server at any moment, during the start too: the exception unwinds
    # whatever runs in the main thread, and every listener, thread and file is closed on the way.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("local stack starting (pid %d)", os.getpid())
    try:
        with serve(
            args.state_dir,
            aws_port=args.aws_port,
            connect_port=args.connect_port,
            calls_port=args.calls_port,
            lambda_port=args.lambda_port,
            connect_rate=args.connect_rate,
            connect_burst=args.connect_burst,
            data_dir=args.data_dir,
            talk_seconds=args.talk_seconds,
            acw_seconds=args.acw_seconds,
            input_seconds=args.input_seconds,
            flow_slots=args.flow_slots,
            answer_rate=args.answer_rate,
        ) as info:
            log.info("local stack up: %s", json.dumps(info.__dict__))
            threading.Event().wait()
    except Stopped:
        log.info("local stack stopped")
        return 0
    except (PortError, ConfigError, FlowError, FlowLintError, SeedError) as exc:
        # What the operator must fix (a port, a data file, a flow): the message, not a trace.
        print(f"local stack failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        log.exception("local stack failed")
        print(f"local stack failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


class Stopped(BaseException):
    """SIGTERM or SIGINT: not an Exception, so that no `except Exception` on the way swallows it."""


def _stop(signum: int, _frame: Any) -> None:
    # One stop is enough: a second signal must not interrupt the clean-up of the first.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise Stopped(signal.Signals(signum).name)


if __name__ == "__main__":
    sys.exit(main())
