"""The AWS endpoint in a process of its own: it serves boto3, says at once when its port is taken,
and never outlives the process that started it, however that one ends."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from aicc_ops.local.aws_process import moto_process


def client(service: str, endpoint: str) -> Any:
    """A boto3 client of the local AWS endpoint, with moto's fake credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="ap-northeast-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended: only its exit status waits for its parent.
    with contextlib.suppress(OSError):
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    return True


@pytest.fixture
def taken() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_it_serves_boto3_from_another_process() -> None:
    with moto_process() as aws:
        assert aws.pid != os.getpid() and alive(aws.pid)
        sns = client("sns", aws.url)
        arn = sns.create_topic(Name="probe")["TopicArn"]
        assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [arn]
    assert not alive(aws.pid)  # stopped with the context


def test_a_port_in_use_is_an_os_error_with_the_reason(taken: int) -> None:
    with pytest.raises(OSError, match="Address already in use"), moto_process(taken):
        pass


def test_it_ends_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from aicc_ops.local.aws_process import moto_process\n"
            "with moto_process() as aws:\n    print(aws.pid, flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.send_signal(signal.SIGKILL)  # no clean-up runs in the parent
        parent.wait(30)
        give_up = time.monotonic() + 30  # a guard, not a timing: it goes as soon as it reads EOF
        while alive(child) and time.monotonic() < give_up:
            time.sleep(0.05)
        assert not alive(child)
    finally:
        parent.kill()
        parent.wait()


def test_access_logging_into_a_bucket_whose_policy_has_a_star_principal() -> None:
    """Every bucket of terraform/ has a TLS-only Deny with `"Principal": "*"`; the access-log bucket
    grants the logging service beside it. Logging into it is allowed (moto 5.2.5 answered 500)."""
    from aicc_ops.local.stack import moto_endpoint

    with moto_endpoint() as endpoint:
        s3 = client("s3", endpoint)
        for name in ("logs", "data"):
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
        deny = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        grant = {
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::logs/*",
        }
        logging_on = {"LoggingEnabled": {"TargetBucket": "logs", "TargetPrefix": "data/"}}
        s3.put_bucket_policy(Bucket="logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
        with pytest.raises(ClientError, match="InvalidTargetBucketForLogging"):  # no grant yet: refused
            s3.put_bucket_logging(Bucket="data", BucketLoggingStatus=logging_on)
        s3.put_bucket_policy(
            Bucket="logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny, grant]})
        )
        s3.put_bucket_logging(Bucket="data", BucketLoggingStatus=logging_on)
        assert s3.get_bucket_logging(Bucket="data")["LoggingEnabled"]["TargetBucket"] == "logs"


def test_opensearch_serverless_access_policies() -> None:
    """The knowledge module's data access policy and security policies go through their lifecycle."""
    from aicc_ops.local.stack import moto_endpoint

    with moto_endpoint() as endpoint:
        aoss = client("opensearchserverless", endpoint)
        rules = [
            {
                "Rules": [{"ResourceType": "index", "Resource": ["index/kb/*"], "Permission": ["aoss:*"]}],
                "Principal": ["arn:aws:iam::123456789012:role/kb"],
            }
        ]
        made = aoss.create_access_policy(name="kb-data", type="data", policy=json.dumps(rules))[
            "accessPolicyDetail"
        ]
        with pytest.raises(ClientError, match="ConflictException"):
            aoss.create_access_policy(name="kb-data", type="data", policy=json.dumps(rules))
        got = aoss.get_access_policy(name="kb-data", type="data")["accessPolicyDetail"]
        assert got["policy"] == rules
        aoss.update_access_policy(
            name="kb-data", type="data", policyVersion=made["policyVersion"], description="d"
        )
        aoss.delete_access_policy(name="kb-data", type="data")
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            aoss.get_access_policy(name="kb-data", type="data")
        encryption = {
            "Rules": [{"ResourceType": "collection", "Resource": ["collection/kb-docs"]}],
            "AWSOwnedKey": True,
        }
        aoss.create_security_policy(name="kb-data", type="encryption", policy=json.dumps(encryption))
        aoss.delete_security_policy(name="kb-data", type="encryption")
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            aoss.get_security_policy(name="kb-data", type="encryption")


def test_cloudformation_stand_ins_answer_ref_and_getatt() -> None:
    """The Lex bot and alias (no local Lex build) are placeholders whose outputs read as Lex's."""
    from aicc_ops.local.stack import moto_endpoint

    template = {
        "Resources": {
            "Bot": {"Type": "AWS::Lex::Bot", "Properties": {"Name": "bot"}},
            "BotAlias": {
                "Type": "AWS::Lex::BotAlias",
                "Properties": {"BotId": {"Ref": "Bot"}, "BotAliasName": "live"},
            },
        },
        "Outputs": {
            "BotArn": {"Value": {"Fn::GetAtt": ["Bot", "Arn"]}},
            "BotAliasArn": {"Value": {"Fn::GetAtt": ["BotAlias", "Arn"]}},
        },
    }
    with moto_endpoint() as endpoint:
        cfn = client("cloudformation", endpoint)
        cfn.create_stack(StackName="bot", TemplateBody=json.dumps(template))
        (stack,) = cfn.describe_stacks(StackName="bot")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        bot = outputs["BotArn"].rpartition("/")[2]
        assert outputs["BotArn"] == f"arn:aws:lex:ap-northeast-2:123456789012:bot/{bot}"
        assert outputs["BotAliasArn"].startswith(f"arn:aws:lex:ap-northeast-2:123456789012:bot-alias/{bot}/")
        cfn.delete_stack(StackName="bot")


def test_bedrock_knowledge_base_and_data_source() -> None:
    """As the knowledge module creates them: the knowledge base ACTIVE with ISO dates, its S3 data
    source created, read, deleted."""
    from aicc_ops.local.stack import moto_endpoint

    with moto_endpoint() as endpoint:
        agent = client("bedrock-agent", endpoint)
        kb = agent.create_knowledge_base(
            name="kb",
            roleArn="arn:aws:iam::123456789012:role/kb",
            knowledgeBaseConfiguration={"type": "VECTOR"},
            storageConfiguration={"type": "OPENSEARCH_SERVERLESS"},
        )["knowledgeBase"]
        assert kb["status"] == "ACTIVE" and kb["createdAt"].year >= 2024  # parsed: an ISO string
        s3 = {"type": "S3", "s3Configuration": {"bucketArn": "arn:aws:s3:::docs"}}
        made = agent.create_data_source(
            knowledgeBaseId=kb["knowledgeBaseId"], name="docs", dataSourceConfiguration=s3
        )
        ident = made["dataSource"]["dataSourceId"]
        got = agent.get_data_source(knowledgeBaseId=kb["knowledgeBaseId"], dataSourceId=ident)["dataSource"]
        assert (got["name"], got["status"], got["dataSourceConfiguration"]) == ("docs", "AVAILABLE", s3)
        listed = agent.list_data_sources(knowledgeBaseId=kb["knowledgeBaseId"])["dataSourceSummaries"]
        assert [s["dataSourceId"] for s in listed] == [ident]
        agent.delete_data_source(knowledgeBaseId=kb["knowledgeBaseId"], dataSourceId=ident)
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            agent.get_data_source(knowledgeBaseId=kb["knowledgeBaseId"], dataSourceId=ident)


def test_a_kinesis_stream_keeps_the_tags_it_was_created_with() -> None:
    from aicc_ops.local.stack import moto_endpoint

    with moto_endpoint() as endpoint:
        kinesis = client("kinesis", endpoint)
        kinesis.create_stream(StreamName="events", ShardCount=1, Tags={"Project": "aicc-ops"})
        tags = kinesis.list_tags_for_stream(StreamName="events")["Tags"]
        assert tags == [{"Key": "Project", "Value": "aicc-ops"}]
