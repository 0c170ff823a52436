"""`aicc-ops dashboard --local`: the live page in a real browser (Playwright driving Debian's
chromium) over a local stack server (ports 0, a private state dir): calls placed through the call
API show up on the open page, which redraws itself without a reload. And its errors: no stack
running, the port taken, each one line without a trace."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from aicc.settings import config
from aicc_ops.admin.context import OpsContext, Target
from aicc_ops.cli.dashboard import dashboard
from aicc_ops.dashboard.server import start, url
from aicc_ops.local.call_client import CallClient
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
WAIT_MS = 30_000  # the longest the page may take to show a change (it polls every second here)


def test_no_local_stack_is_one_line_saying_how_to_start_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(dashboard, ["--local", "--state-dir", str(tmp_path), "--no-open"])
    assert result.exit_code == 1, result.output
    assert "aicc-ops local up" in result.output and "Traceback" not in result.output


def test_local_and_env_together_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(dashboard, ["--local", "--env", "dev", "--no-open"])
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
def stack(local_server: Any) -> Iterator[tuple[Any, CallClient]]:
    """The local stack with every agent who serves MSP General offline: its callers wait."""
    calls = CallClient(local_server.calls_endpoint)
    serving = {k for k, p in config().routing_profiles.items() if any(q.queue == QUEUE for q in p.queues)}
    logins = [a["login"] for a in calls.agents() if a["routing_profile"] in serving]
    assert logins
    for login in logins:
        calls.set_agent(login, "OFFLINE")
    yield local_server, calls
    for login in logins:
        calls.set_agent(login, "AVAILABLE")
    calls.close()


@pytest.mark.slow  # a local stack and a browser: ~15 s
def test_the_open_page_shows_calls_as_they_come_without_a_reload(
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

        contact = calls.place(**{k: v for k, v in MSP_GENERAL_CALL.items() if k != "talk_seconds"})[
            "contact_id"
        ]
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
        expect(page.locator("#queues tr[data-key=msp_general]")).to_have_class("state-OK")
        expect(page.locator("#call-count")).to_have_text("1")

        calls.hang_up(contact)
        expect(waiting).to_have_text("0", timeout=WAIT_MS)
        expect(page.locator("#call-count")).to_have_text("0", timeout=WAIT_MS)
        assert page.evaluate("window.notReloaded") is True  # redrawn in place
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
        result = CliRunner().invoke(dashboard, args)
    assert result.exit_code == 1, result.output
    assert f"port {port}" in result.output and "--port" in result.output and "Traceback" not in result.output
