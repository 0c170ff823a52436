"""`aicc-ops dashboard --local`: the live page in a real browser (Playwright driving Debian's
chromium) over a local stack server (ports 0, a private state dir): calls placed through the call
API show up on the open page, which redraws itself without a reload, a breach turns its queue red
and the SLA monitor's alert and resolve show. And its errors: no stack
running, the port taken, each one line without a trace."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers import StackCliRunner, config_with_sla

from aicc.domain.sla import Level, SlaState
from aicc.settings import config, load_config
from aicc_ops.admin.context import OpsContext, Target
from aicc_ops.cli import sla as sla_cli
from aicc_ops.cli.dashboard import dashboard, start
from aicc_ops.dashboard.server import Snapshots, make_server, url
from aicc_ops.local.call_client import CallClient
from aicc_ops.local.server import serve
from functional.cli.test_queues import MSP_GENERAL_CALL

CHROMIUM = Path("/usr/bin/chromium")
# design.md: Debian's chromium, nothing downloaded, nothing reached but the page's own server.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUEUE = "msp_general"  # where MSP_GENERAL_CALL waits
SLA = 4  # seconds: MSP General's SLA on this module's stack
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
WAIT_MS = 30_000  # the longest the page may take to show a change (it polls every second here)


def test_no_local_stack_is_one_line_saying_how_to_start_one(tmp_path: Path) -> None:
    result = StackCliRunner().invoke(dashboard, ["--local", "--state-dir", str(tmp_path), "--no-open"])
    assert result.exit_code == 1, result.output
    assert "aicc-ops local up" in result.output and "Traceback" not in result.output


def test_local_and_env_together_is_a_usage_error(tmp_path: Path) -> None:
    result = StackCliRunner().invoke(dashboard, ["--local", "--env", "dev", "--no-open"])
    assert result.exit_code == 2 and "--local" in result.output


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium through Playwright; missing, the test fails saying how to install it (`make test`
    installs both), it is never skipped."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` (apt-get install chromium) installs it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: `make install` installs the [dev] extras")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, CallClient]]:
    """A local stack whose MSP General SLA is a few seconds, with every agent who serves MSP General
    offline: its callers wait, and breach it."""
    config_dir = config_with_sla(tmp_path_factory.mktemp("config"), QUEUE, SLA)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AICC_CONFIG_DIR", str(config_dir))
        for key in ("call_logs", "sla_alerts"):  # restored after the module: the commands set them
            mp.setenv(config().tables[key].env, "")
        mp.delenv("AICC_SLACK_BASE_URL", raising=False)
        config.cache_clear()
        with serve(tmp_path_factory.mktemp("state"), config=load_config(config_dir), acw_seconds=0.2) as info:
            calls = CallClient(info.calls_endpoint)
            serving = {
                k for k, p in config().routing_profiles.items() if any(q.queue == QUEUE for q in p.queues)
            }
            logins = [a["login"] for a in calls.agents() if a["routing_profile"] in serving]
            assert logins
            for login in logins:
                calls.set_agent(login, "OFFLINE")
            yield info, calls
            calls.close()
    config.cache_clear()


def sla_monitor_run(info: Any) -> None:
    """One run of the SLA monitor on the stack, as `aicc-ops sla watch --local --once` runs it."""
    result = StackCliRunner().invoke(
        sla_cli.sla, ["watch", "--local", "--once", "--state-dir", info.state_dir]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.slow  # a local stack, a browser and an SLA of seconds waited in real time: ~20 s
def test_the_open_page_follows_calls_and_a_breach_without_a_reload(
    stack: tuple[Any, CallClient], browser: Any
) -> None:
    from playwright.sync_api import expect

    info, calls = stack
    server, _ = start(OpsContext(Target(local=True, state_dir=Path(info.state_dir))), 0, 1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = browser.new_page()
    try:
        page.goto(url(server))
        waiting = page.locator(f"#queues tr[data-key={QUEUE}] td.waiting")
        expect(waiting).to_have_text("0", timeout=WAIT_MS)
        expect(page.locator("#call-count")).to_have_text("0")
        page.evaluate("window.notReloaded = true")

        contact = calls.place(**MSP_GENERAL_CALL)["contact_id"]
        expect(waiting).to_have_text("1", timeout=WAIT_MS)
        row = page.locator(f"#calls tr[data-key='{contact}']")
        expect(row.locator("td.stage")).to_have_text("QUEUED", timeout=WAIT_MS)
        logged = boto3.resource(
            "dynamodb",
            endpoint_url=info.aws_endpoint,
            region_name=info.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).Table(info.tables["call_logs"])
        path = logged.get_item(Key={"contact_id": contact})["Item"]["path"]
        expect(row.locator("td.step")).to_have_text(path[-1])  # the call log's flow step
        expect(page.locator("#call-count")).to_have_text("1")
        queue_row = page.locator(f"#queues tr[data-key={QUEUE}]")
        expect(queue_row).to_have_class(f"state-{SlaState.BREACHED.value}", timeout=WAIT_MS)  # red

        sla_monitor_run(info)  # the breach alert: the page's alerts show the open episode
        alert = page.locator(f"#alerts tr[data-key={QUEUE}] td.episode")
        expect(alert).to_have_text(Level.BREACH.name, timeout=WAIT_MS)

        calls.hang_up(contact)
        expect(waiting).to_have_text("0", timeout=WAIT_MS)
        expect(page.locator("#call-count")).to_have_text("0", timeout=WAIT_MS)
        expect(queue_row).to_have_class(f"state-{SlaState.OK.value}", timeout=WAIT_MS)
        sla_monitor_run(info)  # the resolve message: the episode closes
        expect(alert).to_have_text("resolved", timeout=WAIT_MS)
        assert page.evaluate("window.notReloaded") is True  # redrawn in place, never reloaded
    finally:
        page.close()
        server.shutdown()
        server.server_close()


def test_a_port_in_use_is_one_line_saying_what_to_give(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["--local", "--state-dir", str(tmp_path), "--port", str(port), "--no-open"]
        result = StackCliRunner().invoke(dashboard, args)
    assert result.exit_code == 1, result.output
    assert f"port {port}" in result.output and "--port" in result.output and "Traceback" not in result.output


def test_only_its_own_host_names_are_answered() -> None:
    """DNS rebinding: a site that re-points its name at 127.0.0.1 is same-origin with the page and
    could read /api/state; its requests carry its name as Host, and are refused unread."""
    snapshots = Snapshots(lambda now: {"calls": []}, 5, lambda: NOW)
    server = make_server(snapshots, "test", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]

    def status(host: str | None, path: str = "/api/state") -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.putrequest("GET", path, skip_host=True)
            if host is not None:
                connection.putheader("Host", host)
            connection.endheaders()
            return connection.getresponse().status
        finally:
            connection.close()

    try:
        for refused in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1:{port + 1}", None):
            assert status(refused) == 421, refused
            assert status(refused, "/") == 421, refused
        assert snapshots.reads == 0  # a refused request costs no read of the target
        assert status(f"127.0.0.1:{port}") == 200 and status(f"LOCALHOST:{port}", "/") == 200
    finally:
        server.shutdown()
        server.server_close()
