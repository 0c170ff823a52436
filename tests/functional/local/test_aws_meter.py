"""The stack's request meter: botocore's work on an API call is timed whole, from the client's
`_make_api_call` to its answer or its error, whatever botocore does before its first event and
after its last; the endpoint's time is timed apart."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from aicc_ops.local import aws_meter
from aicc_ops.local.aws_meter import RequestMeter


class _Clock:
    """time.perf_counter for the meter: moves only when the test says."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(aws_meter.time, "perf_counter", fake)
    return fake


@pytest.fixture
def metered(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[RequestMeter, Any]]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SNS", raising=False)
    meter = RequestMeter()
    with mock_aws():  # first: it sets up a new default session, whose events the meter joins
        meter.install()
        try:
            yield meter, boto3.client("sns", region_name="ap-northeast-2")
        finally:
            meter.uninstall()


def _moves(clock: _Clock, seconds: float) -> Any:
    def handler(**_: Any) -> None:
        clock.now += seconds

    return handler


def test_botocore_work_before_its_first_event_and_after_its_last_is_timed(
    metered: tuple[RequestMeter, Any], clock: _Clock
) -> None:
    meter, sns = metered
    # provide-client-params comes before before-parameter-build; handlers registered after the
    # meter's on after-call run after it: both are botocore's work on the call.
    sns.meta.events.register("provide-client-params.sns.ListTopics", _moves(clock, 1.0))
    sns.meta.events.register_last("after-call.sns.ListTopics", _moves(clock, 2.0))
    sns.meta.events.register("before-send.sns.ListTopics", _moves(clock, 0.5))  # on the way out
    sns.meta.events.register_first("before-parse.sns.ListTopics", _moves(clock, 4.0))  # the endpoint's
    before = meter.read()
    sns.list_topics()
    used = meter.read() - before
    assert used.of()["sns.ListTopics"] == 1
    assert used.endpoint() == pytest.approx(4.0)
    assert used.client() == pytest.approx(3.5)  # 1 + 0.5 + 2: everything but the endpoint's 4


def test_an_api_call_that_ends_in_an_error_is_timed_to_the_error(
    metered: tuple[RequestMeter, Any], clock: _Clock
) -> None:
    meter, sns = metered
    sns.meta.events.register("provide-client-params.sns.GetTopicAttributes", _moves(clock, 1.5))
    before = meter.read()
    with pytest.raises(ClientError):
        sns.get_topic_attributes(TopicArn="arn:aws:sns:ap-northeast-2:123456789012:missing")
    assert (meter.read() - before).client() == pytest.approx(1.5)


def test_clients_created_after_the_meter_is_gone_are_not_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    meter = RequestMeter()
    with mock_aws():
        meter.install()
        meter.uninstall()
        boto3.client("sns", region_name="ap-northeast-2").list_topics()
    assert meter.read().seconds == {} and meter.read().requests == {}
