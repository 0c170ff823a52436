"""Shared fixtures: Connect events from tests/events, a Lambda context, and mocked AWS (moto)."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from helpers import REGION, EventLoader, FakeLambdaContext, read_event
from moto import mock_aws

from aicc.adapters import aws as aicc_aws
from aicc.settings import config
from aicc_ops.local.moto_extensions import patch_moto
from aicc_ops.local.tables import create_tables

# The log checker (every handler log line of the suite checked for PII) and pytester, which its
# own test uses.
pytest_plugins = ["pytester", "plugins.log_pii"]

# As Terraform sets them on every function; the handlers' Logger and Metrics read them when created.
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "aicc")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "AICC")
# The knowledge store a local stack serves from: an empty one of this test process, never the
# developer's own published knowledge base (the stacks then serve ../shared/data/kb as it is).
os.environ["AICC_KB_DIR"] = tempfile.mkdtemp(prefix="aicc-kb-tests-")


@pytest.fixture
def fresh_signals() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP handled as a process started from a terminal has them (a test
    runner may have its own; a shell starts background commands with Ctrl-C ignored, and a held
    section leaves an ignored signal ignored), put back afterwards. Signals go to the main thread,
    where the tests run."""
    from aicc_ops.core.signals import STOPPING

    previous = {s: signal.getsignal(s) for s in STOPPING}
    for signum in previous:
        signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@pytest.fixture
def connect_event() -> EventLoader:
    """Load a Connect event and override parts of it.

    `parameters` / `attributes` are merged into Details.Parameters / ContactData.Attributes (a None
    value removes the key); `caller` replaces the CustomerEndpoint address (None: no endpoint);
    `contact_id` replaces the contact ID.
    """

    def load(
        name: str,
        parameters: dict[str, str | None] | None = None,
        attributes: dict[str, str | None] | None = None,
        **contact: Any,
    ) -> dict[str, Any]:
        event = read_event(name)
        data = event["Details"]["ContactData"]
        for target, changes in (
            (event["Details"]["Parameters"], parameters),
            (data["Attributes"], attributes),
        ):
            for key, value in (changes or {}).items():
                if value is None:
                    target.pop(key, None)
                else:
                    target[key] = value
        if "caller" in contact:
            caller = contact.pop("caller")
            data["CustomerEndpoint"] = (
                None if caller is None else {"Address": caller, "Type": "TELEPHONE_NUMBER"}
            )
        if "contact_id" in contact:
            data["ContactId"] = data["InitialContactId"] = contact.pop("contact_id")
        if contact:
            raise TypeError(f"unknown override(s): {', '.join(contact)}")
        return event

    return load


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def _fake_aws_env(mp: pytest.MonkeyPatch, drop: Callable[[str], bool], **extra: str) -> None:
    """moto's fake credentials in REGION (and `extra` settings), after removing the AWS settings
    `drop` selects, so that no real profile or endpoint can be reached."""
    for key in [k for k in os.environ if drop(k)]:
        mp.delenv(key)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        **extra,
    }.items():
        mp.setenv(key, value)


def _moto_tables(mp: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    _fake_aws_env(
        mp,
        lambda k: k.startswith("AWS_ENDPOINT_URL") or k == "AWS_PROFILE",
        AWS_SESSION_TOKEN="testing",
        AWS_REGION=REGION,
    )
    mp.delenv("NOTIFY_TOPIC_ARN", raising=False)
    aicc_aws.reset()
    patch_moto()  # DynamoDB's conditional writes atomic, as in AWS (the local stack's moto has it too)
    with mock_aws():
        tables = create_tables(boto3.client("dynamodb", region_name=REGION), config().tables)
        for env, name in tables.items():
            mp.setenv(env, name)
        yield tables
    aicc_aws.reset()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """moto for every AWS call, fake credentials in ap-northeast-2, the tables of tables.yaml.

    Yields {table env var: table name}; the env vars are set. NOTIFY_TOPIC_ARN is unset.
    """
    yield from _moto_tables(monkeypatch)


@pytest.fixture(scope="module")
def aws_module() -> Iterator[dict[str, str]]:
    """`aws`, once for a test module (creating moto's tables is most of a short test's time)."""
    with pytest.MonkeyPatch.context() as mp:
        yield from _moto_tables(mp)


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The local stack server in this process (moto, Connect emulator, call API) for one test module.

    Yields its ServerInfo; `--local --state-dir <info.state_dir>` points the CLI at it. Simulated
    agents talk for 2 s; callers are waited for 1 s; the Connect API is not rate limited.
    """
    from aicc_ops.local.server import serve

    with serve(
        tmp_path_factory.mktemp("local-stack"), talk_seconds=2, acw_seconds=0.5, input_seconds=1
    ) as info:
        yield info


@pytest.fixture
def moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto for every AWS call, with nothing created: fake credentials of moto's account
    (123456789012) in ap-northeast-2, no other AWS_* setting (no profile, no endpoint)."""
    _fake_aws_env(monkeypatch, lambda k: k.startswith("AWS_"))
    with mock_aws():
        yield
