"""The local stack's AWS endpoint (moto) in a process of its own.

moto answers every DynamoDB and SNS request of the handlers; run in the server's process it shares
that process's one interpreter lock with the flows, so the server uses one core however many the
machine has. `moto_process()` runs it as `python -m aicc_ops.local.aws_process` instead: the child
binds the port (a port in use fails at once, with the reason), says on stdout which URL it serves,
and serves until its stdin closes, which happens when its parent ends however it ends (a clean
stop, a crash, SIGKILL), so no moto outlives the server. `stack.moto_endpoint()` stays the
in-process variant for the embedded stack and the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, NamedTuple

from .http_serving import Listener, WsgiHandler
from .moto_extensions import patch_moto
from .runtime import HOST

READY = "listening "
FAILED = "failed "
START_SECONDS = 60.0  # importing moto takes a second or two; a loaded machine more


class AwsProcess(NamedTuple):
    url: str
    pid: int


@contextmanager
def moto_process(port: int = 0, owner: str = "") -> Iterator[AwsProcess]:
    """moto in a child process on loopback (port 0: a free one) for the lifetime of the context.
    OSError when it cannot listen on the port. `owner` goes on the child's command line only, so
    that an operator (or a test) sees whose it is."""
    args = [sys.executable, "-m", "aicc_ops.local.aws_process", "--port", str(port)]
    if owner:
        args += ["--owner", owner]
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        yield AwsProcess(_await_ready(process), process.pid)
    finally:
        _stop(process)


def _await_ready(process: subprocess.Popen[str]) -> str:
    stdout = process.stdout
    assert stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_SECONDS)  # a thread, not a select(): the same on every platform
    line = lines[0].strip() if lines else ""
    if line.startswith(READY):
        return line.removeprefix(READY)
    if line.startswith(FAILED):
        code, _, message = line.removeprefix(FAILED).partition(" ")
        raise OSError(int(code), message)
    raise OSError(
        f"the AWS endpoint process did not start within {START_SECONDS:g} s"
        if process.poll() is None
        else f"the AWS endpoint process exited during its start (code {process.returncode})"
    )


def _stop(process: subprocess.Popen[str]) -> None:
    """Closing its stdin stops it; SIGTERM, then SIGKILL, if it does not go within seconds."""
    with contextlib.suppress(OSError):
        if process.stdin is not None:
            process.stdin.close()
    for ask, wait in ((None, 5.0), (process.terminate, 5.0), (process.kill, None)):
        if ask is not None:
            with contextlib.suppress(ProcessLookupError):
                ask()
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    if process.stdout is not None:
        process.stdout.close()


def _serve(port: int) -> int:
    # Bound before moto is imported: a port in use answers in a moment.
    try:
        server = Listener((HOST, port), _MotoHandler)
    except OSError as exc:
        print(f"{FAILED}{exc.errno or 0} {exc.strerror or exc}", flush=True)
        return 1
    # moto's own server application, served kept-alive (http_serving: werkzeug's server closes
    # every connection after one request).
    _MotoHandler.app = moto_application()

    def parent_gone() -> None:
        sys.stdin.read()  # returns at EOF: the parent closed the pipe or ended
        server.shutdown()

    threading.Thread(target=parent_gone, name="aicc-moto-parent", daemon=True).start()
    print(f"{READY}http://{HOST}:{server.server_address[1]}", flush=True)
    server.serve_forever()
    server.server_close()
    return 0


def moto_application() -> Any:
    """moto's server application (its dispatcher to each service's app), moto patched first."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    patch_moto()

    class Dispatcher(DomainDispatcherApplication):
        """moto's dispatcher, with the service each host maps to remembered: moto found it anew on
        every request, listing its package folder (a stat per service module), ~15 % of the
        endpoint's CPU per DynamoDB request."""

        known: ClassVar[dict[str, Any]] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            if host is None:
                return None
            backend = self.known.get(host)
            if backend is None:
                backend = super().get_backend_for_host(host)
                if backend is not None:
                    self.known[host] = backend
            return backend

    return Dispatcher(create_backend_app)


class _MotoHandler(WsgiHandler):
    pass


def _quit(signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aicc_ops.local.aws_process", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--owner", default="", help="whose endpoint this is (shown in ps)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _quit)
    signal.signal(signal.SIGINT, _quit)
    return _serve(args.port)


if __name__ == "__main__":
    sys.exit(main())
