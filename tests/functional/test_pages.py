"""One paginator for the Connect List APIs (core.aws.pages), checked with botocore's Stubber."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from aicc_ops.core.aws import pages

INSTANCE = "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d"


def _client() -> object:
    return boto3.client(
        "connect", region_name="ap-northeast-2", aws_access_key_id="x", aws_secret_access_key="x"
    )


def test_a_list_operation_goes_through_boto3s_paginator() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "list_queues", {"QueueSummaryList": [{"Id": "q1"}], "NextToken": "t"}, {"InstanceId": INSTANCE}
        )
        stub.add_response(
            "list_queues", {"QueueSummaryList": [{"Id": "q2"}]}, {"InstanceId": INSTANCE, "NextToken": "t"}
        )
        assert [q["Id"] for q in pages(client, "ListQueues", "QueueSummaryList", InstanceId=INSTANCE)] == [
            "q1",
            "q2",
        ]
        stub.assert_no_pending_responses()


def test_an_operation_without_a_paginator_follows_next_token() -> None:
    client = _client()
    params = {
        "InstanceId": INSTANCE,
        "Filters": {"Queues": ["q1"]},
        "CurrentMetrics": [{"Name": "AGENTS_ONLINE", "Unit": "COUNT"}],
    }
    with Stubber(client) as stub:
        stub.add_response(
            "get_current_metric_data", {"MetricResults": [{"Collections": []}], "NextToken": "n"}, params
        )
        stub.add_response(
            "get_current_metric_data", {"MetricResults": [{"Collections": []}]}, {**params, "NextToken": "n"}
        )
        assert len(pages(client, "get_current_metric_data", "MetricResults", **params)) == 2
        stub.assert_no_pending_responses()
