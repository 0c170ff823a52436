"""Where a running local stack server is: its state directory and the info file it writes there.

`aicc-ops local up` writes server.json once every endpoint answers; `--local` on any command reads
it to point boto3 at moto and the Connect emulator. The state directory is `--state-dir`, else
$AICC_LOCAL_DIR, else ~/.local/state/aicc-ops/local.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"  # the local stack listens on loopback only
# Connections the kernel holds for a listener until the server accepts them: a burst of callers
# dialling at once waits there instead of being reset (Python's http.server asks for 5). Linux cuts
# any backlog to net.core.somaxconn (4096 by default since 5.4).
LISTEN_BACKLOG = 4096
SOMAXCONN = Path("/proc/sys/net/core/somaxconn")
# Admission of live calls (admission.py), sized by docs/performance.md, "The local stack server
# under load": the answer rate keeps the flow steps of a 2-core machine within p95 100 ms.
DEFAULT_ANSWER_RATE = 20.0  # new calls answered a second, at most
DEFAULT_FLOW_SLOTS = 8  # calls whose flows run a step at once
INFO_FILE = "server.json"
PID_FILE = "server.pid"
LOG_FILE = "server.log"


def listen_backlog() -> int:
    """The backlog a listener really gets: LISTEN_BACKLOG, or the kernel's lower net.core.somaxconn."""
    try:
        return min(LISTEN_BACKLOG, int(SOMAXCONN.read_text().strip()))
    except (OSError, ValueError):
        return LISTEN_BACKLOG  # not Linux: the system caps it silently


def default_state_dir() -> Path:
    configured = os.environ.get("AICC_LOCAL_DIR")
    if configured:
        return Path(configured).expanduser()
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "aicc-ops" / "local"


@dataclass
class ServerInfo:
    pid: int
    started_at: str
    region: str
    account: str
    instance_id: str
    aws_endpoint: str  # moto: DynamoDB, S3, SNS, SQS, CloudWatch, Secrets Manager, EventBridge
    connect_endpoint: str  # the Connect API emulator
    calls_endpoint: str  # the HTTP call API
    connect_rate: float  # requests/s the emulator allows (Connect: 2); 0 = unlimited
    connect_burst: int
    tables: dict[str, str] = field(default_factory=dict)  # tables.yaml key -> table name
    topic_arn: str = ""
    state_dir: str = ""
    lambda_endpoint: str = ""  # AWS Lambda's Invoke API for our handlers
    aws_pid: int = 0  # the AWS endpoint's own process (0: inside the server's)
    listen_backlog: int = 0  # connections each listener queues before accepting them
    flow_slots: int = 0  # calls whose flows run a step at once (docs/local-stack.md, "Admission")
    answer_rate: float = 0.0  # new calls answered a second at most; 0: no limit

    def client(self, service: str, **config: Any) -> Any:
        """A boto3 client of the local stack: Connect and its chats' Participant Service at the
        emulator, Lambda at the Invoke API, anything else at moto. `config`: botocore Config
        arguments (retries=...)."""
        import boto3
        from botocore.config import Config

        make: Any = boto3.client  # the stubs overload per service name; this takes any
        return make(
            service,
            endpoint_url={
                "connect": self.connect_endpoint,
                "connectparticipant": self.connect_endpoint,
                "lambda": self.lambda_endpoint,
            }.get(service)
            or self.aws_endpoint,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(**config) if config else None,
        )

    def aws_environment(self) -> dict[str, str]:
        """The environment variables that point the AWS CLI, boto3 and Terraform's AWS provider at
        this stack (`aicc-ops local env`, `aicc-ops deploy --env local`)."""
        return {
            "AWS_ENDPOINT_URL": self.aws_endpoint,
            "AWS_ENDPOINT_URL_CONNECT": self.connect_endpoint,
            "AWS_ENDPOINT_URL_CONNECTPARTICIPANT": self.connect_endpoint,  # the chats' Participant Service
            **({"AWS_ENDPOINT_URL_LAMBDA": self.lambda_endpoint} if self.lambda_endpoint else {}),
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,  # what boto3 reads (AWS_REGION: the AWS CLI and SDKs)
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def write(self, state_dir: Path) -> None:
        path = state_dir / INFO_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_server(pid: int) -> bool:
    """Whether pid is a local stack server: a file can outlive its process and the pid be reused."""
    try:
        return b"aicc_ops.local.server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return not Path("/proc/self").exists()  # no /proc (macOS): trust the file


class PortError(OSError):
    """A port the local stack cannot listen on; the message names it and what it was for."""

    def __init__(self, port: int, what: str, cause: OSError) -> None:
        super().__init__(
            f"the {what} port {port} cannot be used ({cause.strerror or cause}); pick another "
            "(0: any free port)"
        )


def port_problem(port: int) -> str | None:
    """Why the local stack could not listen on 127.0.0.1:port (None: it can, at this moment)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as http.server binds
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


class NotRunningError(LookupError):
    """No local stack server runs from a state directory; the message says how to start one."""


def running_info(state_dir: Path | None) -> ServerInfo:
    """The server running from state_dir (default: default_state_dir()), else NotRunningError."""
    where = state_dir or default_state_dir()
    info = read_info(where)
    if info is None:
        raise NotRunningError(f"no local stack runs from {where}: start it with `aicc-ops local up`")
    return info


def read_info(state_dir: Path) -> ServerInfo | None:
    """The running server's info, or None when none runs (a stale file from a crash is ignored)."""
    path = state_dir / INFO_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        info = ServerInfo(**data)
    except (OSError, ValueError, TypeError):
        return None
    if info.pid == os.getpid():
        return info  # serve() in this process (tests, benchmarks)
    return info if pid_alive(info.pid) and is_server(info.pid) else None


def stop_process_group(process: subprocess.Popen[bytes], seconds: float = 10.0) -> None:
    """SIGTERM to the process's group (a server and its children, such as the AWS endpoint's
    process), SIGKILL if it is still there after `seconds`."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
