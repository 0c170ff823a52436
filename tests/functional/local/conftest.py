"""The Connect emulator on a loopback port, with a boto3 `connect` client of it: one per test module
(module scope), for the tests that speak the Connect API to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from aicc.settings import load_config
from aicc_ops.engine.flows import build_resources, render_all
from aicc_ops.local.connect_emulator import ConnectEmulator
from aicc_ops.local.server import ConnectHandler, _bind, _serve_in_thread


@pytest.fixture(scope="module")
def emulator() -> ConnectEmulator:
    resources = build_resources(load_config())
    return ConnectEmulator(resources.config, resources, render_all(resources))


@pytest.fixture(scope="module")
def connect(emulator: ConnectEmulator) -> Iterator[Any]:
    server = _bind(0, type("ConnectHandler", (ConnectHandler,), {"emulator": emulator}), "Connect API")
    url = _serve_in_thread(server, "connect")
    try:
        yield boto3.client(
            "connect",
            endpoint_url=url,
            region_name="ap-northeast-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    finally:
        server.shutdown()
        server.server_close()
