"""Where an operator command operates: instance and table resolution, rate limits, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aicc_ops.admin.context import OpsContext, Target, TargetError
from aicc_ops.core.ratelimit import ConnectLimiter, TokenBucket
from aicc_ops.local.runtime import ServerInfo


@pytest.fixture
def terraform_dir(tmp_path: Path) -> Path:
    env = tmp_path / "envs" / "dev"
    env.mkdir(parents=True)
    (env / "terraform.tfvars").write_text('env = "dev"\n', encoding="utf-8")
    outputs = {
        "instance_id": {"value": "c8c0e68d-2200-4265-82c0-000000000000"},
        "region": {"value": "ap-northeast-2"},
        "table_names": {"value": {"agents": "aicc-dev-agents"}},
    }
    (env / "outputs.json").write_text(json.dumps(outputs), encoding="utf-8")
    return tmp_path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AICC_INSTANCE_ID", "AGENTS_TABLE", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)


def test_instance_id_precedence(terraform_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        OpsContext(Target(instance_id="given", env="dev", terraform_dir=terraform_dir)).instance_id == "given"
    )
    from_env = OpsContext(Target(env="dev", terraform_dir=terraform_dir))
    assert from_env.instance_id == "c8c0e68d-2200-4265-82c0-000000000000"
    assert from_env.table_name("agents") == "aicc-dev-agents"
    monkeypatch.setenv("AICC_INSTANCE_ID", "from-variable")
    assert OpsContext(Target()).instance_id == "from-variable"


def test_missing_instance_and_tables_say_what_to_give(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TargetError, match="--instance-id, --env ENV"):
        _ = OpsContext(Target()).instance_id
    with pytest.raises(TargetError, match="set AGENTS_TABLE"):
        OpsContext(Target()).table_name("agents")
    monkeypatch.setenv("AGENTS_TABLE", "mine")
    assert OpsContext(Target()).table_name("agents") == "mine"
    with pytest.raises(TargetError, match="no table 'nope'"):
        OpsContext(Target()).table_name("nope")


def test_unknown_env_lists_the_known_ones(terraform_dir: Path) -> None:
    with pytest.raises(TargetError, match="one of dev"):
        _ = OpsContext(Target(env="stage", terraform_dir=terraform_dir)).instance_id


def test_local_without_a_server_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="aicc-ops local up"):
        _ = OpsContext(Target(local=True, state_dir=tmp_path)).instance_id


def test_local_reads_the_running_server(tmp_path: Path) -> None:
    import os

    ServerInfo(
        pid=os.getpid(),
        started_at="",
        region="ap-northeast-2",
        account="000000000000",
        instance_id="aicc-local",
        aws_endpoint="http://127.0.0.1:1",
        connect_endpoint="http://127.0.0.1:2",
        calls_endpoint="http://127.0.0.1:3",
        connect_rate=7.0,
        connect_burst=9,
        tables={"agents": "aicc-local-agents"},
    ).write(tmp_path)
    ops = OpsContext(Target(local=True, state_dir=tmp_path))
    assert ops.instance_id == "aicc-local" and ops.table_name("agents") == "aicc-local-agents"
    assert ops.client("connect").meta.endpoint_url == "http://127.0.0.1:2"
    assert ops.client("dynamodb").meta.endpoint_url == "http://127.0.0.1:1"
    assert (ops.limiter.rate, ops.limiter.burst) == (7.0, 9)
    assert ops.limiter.bucket("CreateUser").rate == 7.0  # at the local server's quota


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_token_bucket_allows_the_burst_then_the_rate() -> None:
    t = FakeTime()
    bucket = TokenBucket(2.0, 5, clock=t.clock, sleep=t.sleep)
    for _ in range(5):
        assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(0.5)
    assert bucket.acquire() == pytest.approx(0.5)
    assert t.now == pytest.approx(1.0)  # 7 requests: 5 at once, then 2 per second
    assert bucket.waited == pytest.approx(1.0)


def test_try_acquire_refuses_without_waiting() -> None:
    t = FakeTime()
    bucket = TokenBucket(1.0, 2, clock=t.clock, sleep=t.sleep)
    assert bucket.try_acquire() and bucket.try_acquire()
    assert not bucket.try_acquire()
    t.now += 1.0
    assert bucket.try_acquire()
    assert t.slept == []


def test_each_operation_has_its_own_bucket_at_connects_quota() -> None:
    limiter = ConnectLimiter()
    create = limiter.bucket("CreateUser")
    assert create is limiter.bucket("CreateUser") and create is not limiter.bucket("SearchUsers")
    assert (create.rate, create.burst) == (2.0, 4)  # Connect's 2/s, its burst of 5 less the reserve
    metrics = limiter.bucket("GetCurrentMetricData")
    assert (metrics.rate, metrics.burst) == (5.0, 7)
    assert ConnectLimiter(reserve=0).bucket("CreateUser").burst == 5  # the service's own bucket
    assert ConnectLimiter(4.0, 5).bucket("GetCurrentMetricData").rate == 10.0  # a raised default raises all
    assert ConnectLimiter(0).bucket("GetCurrentMetricData").rate == 0  # unlimited stays unlimited


def _refused(client_reserve: int, calls: int = 200, jitter: float = 0.4) -> tuple[int, float]:
    """A client paced by a ConnectLimiter against the service's bucket of the same quota, with
    network latencies that vary by up to `jitter` s: how many arrivals the service refuses, and
    when the last call was sent."""
    import random

    t = FakeTime()
    client = ConnectLimiter(reserve=client_reserve)
    client.buckets["CreateUser"] = TokenBucket(2.0, 5 - client_reserve, clock=t.clock, sleep=t.sleep)
    sent = []
    for _ in range(calls):
        client.bucket("CreateUser").acquire()
        sent.append(t.now)
    rng = random.Random(7)
    arrivals = sorted(s + 0.05 + rng.uniform(0, jitter) for s in sent)
    now = [0.0]
    service = TokenBucket(2.0, 5, clock=lambda: now[0])
    refused = 0
    for at in arrivals:
        now[0] = at
        refused += not service.try_acquire()
    return refused, sent[-1]


def test_pacing_at_the_quota_with_a_reserved_token_is_never_throttled() -> None:
    refused, last = _refused(client_reserve=1)
    assert refused == 0
    assert last == pytest.approx((200 - 4) / 2.0)  # the quota-bound minimum plus one token's wait
    refused_without_reserve, _ = _refused(client_reserve=0)
    assert refused_without_reserve > 0  # the same pace with the whole burst taken: jitter throttles


def test_a_stale_info_file_with_a_reused_pid_is_not_a_server(tmp_path: Path) -> None:
    from aicc_ops.local.runtime import read_info

    ServerInfo(
        pid=1,  # alive, but init, not a local stack server
        started_at="",
        region="ap-northeast-2",
        account="000000000000",
        instance_id="aicc-local",
        aws_endpoint="",
        connect_endpoint="",
        calls_endpoint="",
        connect_rate=2.0,
        connect_burst=5,
    ).write(tmp_path)
    assert read_info(tmp_path) is None


def test_terraform_errors_are_shown_by_their_error_line(
    terraform_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without saved outputs, Terraform is asked; its boxed error reaches the operator unboxed."""
    env = terraform_dir / "envs" / "dev"
    (env / "outputs.json").unlink()
    (env / "terraform.tfvars").write_text('account_id = "111122223333"\n', encoding="utf-8")
    (env / "backend.hcl").write_text('region = "ap-northeast-2"\n', encoding="utf-8")
    fake = tmp_path / "terraform"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        "  version) echo 'Terraform v1.11.0' ;;\n"
        "  *) printf '\\342\\225\\267\\n\\342\\224\\202 Error: Backend initialization required\\n' >&2; exit 1 ;;\n"
        "esac\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("TERRAFORM_BIN", str(fake))
    with pytest.raises(TargetError) as failed:
        _ = OpsContext(Target(env="dev", terraform_dir=terraform_dir)).instance_id
    message = str(failed.value)
    assert "terraform init failed (exit 1)\nError: Backend initialization required" in message
    assert "│" not in message and "give --instance-id" in message
    assert not (env / "outputs.json").exists()  # nothing saved from a failed read
    # Another output (a load run's function names): no --instance-id could stand in for it.
    with pytest.raises(TargetError) as failed:
        OpsContext(Target(env="dev", terraform_dir=terraform_dir)).output("function_names")
    message = str(failed.value)
    assert "--instance-id" not in message and "make deploy ENV=dev" in message and "--profile" in message


def test_every_attempt_is_paced_retries_included(monkeypatch: pytest.MonkeyPatch) -> None:
    """A throttled request's retry takes a token of the client's bucket too: the service counts it."""
    import boto3
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    answers = iter([(429, b'{"message": "Rate exceeded"}'), (200, b'{"QueueSummaryList": []}')])

    class Body:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def stream(self, **_: object) -> list[bytes]:
            return [self.data]

    def service(request: object, **_: object) -> AWSResponse:  # Connect: throttled once, then answered
        status, body = next(answers)
        headers = {"x-amzn-ErrorType": "ThrottlingException"} if status == 429 else {}
        response = AWSResponse("https://connect.invalid", status, headers, Body(body))
        response._content = body
        return response

    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="ap-northeast-2")
    client = session.client("connect", config=Config(retries={"mode": "standard", "max_attempts": 3}))
    t = FakeTime()
    limiter = ConnectLimiter()
    limiter.buckets["ListQueues"] = TokenBucket(2.0, 1, clock=t.clock, sleep=t.sleep)
    limiter.attach(client)
    client.meta.events.register_first("before-send.connect", service)
    client.list_queues(InstanceId="i")
    assert t.slept == [pytest.approx(0.5)]  # the retry waited for a second token
