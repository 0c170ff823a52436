"""Functional fixtures: the tables of the `aws` fixture filled with a small contact center.

Items are written as the local stack's seeder writes them (lists, empty values left out), so the
repositories are tested against the stored shape rather than against their own writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from helpers import REGION

from aicc.adapters.call_logs import CallLogRepository

INSTANCE = "arn:aws:connect:ap-northeast-2:111122223333:instance/c8c0e68d-2200-4265-82c0-000000000000"
CALLER = "+821012345678"


def agent_arn(login: str) -> str:
    return f"{INSTANCE}/agent/{login}"


CUSTOMERS: list[dict[str, Any]] = [
    {
        "customer_id": "C-SALTWARE-KMJ",
        "company": "솔트웨어",
        "contact_name": "김민준",
        "phone": CALLER,
        "account_id": "123456781234",
        "account_last4": "1234",
        "tier": "MSP",
        "part": "TS1",
        "ts_primary": "ts.park",
        "ts_secondary": "ts.choi",
        "sales_rep_name": "이영희",
        "sales_rep_phone": "+821055501001",
        "aliases": ["Saltware"],
    },
    {
        "customer_id": "C-SALTWARE-KMS",
        "company": "솔트웨어",
        "contact_name": "김민수",
        "phone": "+821099998888",
        "account_id": "123456781234",
        "account_last4": "1234",
        "tier": "MSP",
        "part": "TS1",
        "ts_primary": "ts.park",
        "ts_secondary": "ts.choi",
        "sales_rep_name": "이영희",
        "sales_rep_phone": "+821055501001",
        "aliases": ["Saltware"],
    },
    {
        "customer_id": "C-HANBIT",
        "company": "한빛금융",
        "contact_name": "이서연",
        "phone": "+821023456789",
        "account_id": "210987654321",
        "account_last4": "4321",
        "tier": "MSP",
        "part": "TS2",
        "ts_primary": "ts.jung",
        "ts_secondary": "ts.kang",
        "sales_rep_name": "박철수",
        "sales_rep_phone": "+821055501002",
        "aliases": ["Hanbit Financial", "한빛"],
    },
    {
        "customer_id": "C-DAON",
        "company": "다온로지스",
        "contact_name": "정하은",
        "phone": "+821045678901",
        "account_id": "567890123456",
        "account_last4": "3456",
        "tier": "GENERAL",
        "sales_rep_name": "김도윤",
        "sales_rep_phone": "+821055501003",
        "aliases": ["Daon Logistics"],
    },
]

AGENTS: list[dict[str, Any]] = [
    {
        "login": "ts.park",
        "name": "박준영",
        "team": "TS",
        "part": "TS1",
        "skills": ["EC2", "VPC", "RDS"],
        "status": "AVAILABLE",
    },
    {
        "login": "ts.choi",
        "name": "최지우",
        "team": "TS",
        "part": "TS1",
        "skills": ["EKS", "EC2"],
        "status": "AVAILABLE",
    },
    {
        "login": "ts.yoon",
        "name": "윤서준",
        "team": "TS",
        "part": "TS1",
        "skills": ["RDS", "Aurora"],
        "status": "AVAILABLE",
    },
    {
        "login": "ts.jung",
        "name": "정민호",
        "team": "TS",
        "part": "TS2",
        "skills": ["Network"],
        "status": "OFFLINE",
    },
    {
        "login": "ga.han",
        "name": "한소희",
        "team": "GENERAL",
        "part": "GEN",
        "skills": ["Billing", "Account"],
        "status": "AVAILABLE",
    },
    {
        "login": "ga.oh",
        "name": "오세훈",
        "team": "GENERAL",
        "part": "GEN",
        "skills": ["Billing"],
        "status": "BUSY",
    },
    {"login": "mgr.kim", "name": "김현우", "team": "MANAGER", "part": "TS1", "status": "AVAILABLE"},
    {"login": "mgr.lee", "name": "이수진", "team": "MANAGER", "part": "TS2", "status": "OFFLINE"},
]

ROSTERS: list[dict[str, Any]] = [
    {
        "part": "TS1",
        "name": "기술지원 1파트",
        "members": ["ts.park", "ts.choi", "ts.yoon"],
        "manager": "mgr.kim",
    },
    {"part": "TS2", "name": "기술지원 2파트", "members": ["ts.jung"], "manager": "mgr.lee"},
    {"part": "GEN", "name": "일반 상담 파트", "members": ["ga.han", "ga.oh"], "manager": "mgr.kim"},
]


class Tables:
    """Raw access to the test tables (to arrange state and to inspect what handlers wrote)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.client = boto3.client("dynamodb", region_name=REGION)
        self._serializer = TypeSerializer()

    def put(self, env: str, item: dict[str, Any]) -> None:
        clean = {k: self._serializer.serialize(v) for k, v in item.items() if v not in ("", [], None)}
        self.client.put_item(TableName=self.names[env], Item=clean)

    def set_status(self, login: str, status: str) -> None:
        self.client.update_item(
            TableName=self.names["AGENTS_TABLE"],
            Key={"login": {"S": login}},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": status}},
        )

    def agent(self, login: str) -> dict[str, Any]:
        item = self.client.get_item(TableName=self.names["AGENTS_TABLE"], Key={"login": {"S": login}})["Item"]
        return {k: next(iter(v.values())) for k, v in item.items()}

    def call_log(self, contact_id: str) -> dict[str, Any] | None:
        return CallLogRepository().get(contact_id)

    def scan(self, env: str) -> list[dict[str, Any]]:
        return self.client.scan(TableName=self.names[env])["Items"]


@pytest.fixture
def tables(aws: dict[str, str]) -> Iterator[Tables]:
    t = Tables(aws)
    for customer in CUSTOMERS:
        t.put("CUSTOMERS_TABLE", customer)
    for agent in AGENTS:
        t.put(
            "AGENTS_TABLE",
            {
                **agent,
                "email": f"{agent['login']}@saltware.co.kr",
                "user_arn": agent_arn(agent["login"]),
                "active_contacts": 0,
                "handled_today": 0,
            },
        )
    for roster in ROSTERS:
        t.put("ROSTERS_TABLE", roster)
    yield t


@pytest.fixture
def topic(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An SNS topic as NOTIFY_TOPIC_ARN with an SQS queue subscribed; call it for the notices sent."""
    import json

    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    arn = sns.create_topic(Name="aicc-notify")["TopicArn"]
    url = sqs.create_queue(QueueName="aicc-notify-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
    monkeypatch.setenv("NOTIFY_TOPIC_ARN", arn)
    received: list[dict[str, Any]] = []

    def sent() -> list[dict[str, Any]]:
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for m in batch:
                body = json.loads(m["Body"])
                attributes = {k: v["Value"] for k, v in body.get("MessageAttributes", {}).items()}
                received.append({"subject": body["Subject"], "message": body["Message"], **attributes})
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return received

    yield sent
