"""Reading an instance with botocore's Stubber: every List*/Describe* call's parameters are checked
against the real Connect service model, and the answers against its output shapes.

The instance is what Terraform would build in prod from this repository: random UUID IDs, prod
ARNs, Lambdas named aicc-prod-<handler> (the provisioned ones through their "live" alias), console
layout metadata in the flows, plus Connect's own default resources. Its normalized view must equal
the repository's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from aicc.settings import Config, config
from aicc_ops.admin import drift as d
from aicc_ops.core.repository import TERRAFORM_DIR
from aicc_ops.engine.flows import build_resources, render

REGION = "ap-northeast-2"
ACCOUNT = "222222222222"
PROD = d.EnvSettings("prod", "aicc-prod", frozenset({"customer_lookup", "business_hours"}))
STAMP = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


class FakeInstance:
    """Connect's answers for a prod instance built from the repository by Terraform."""

    def __init__(self, cfg: Config, settings: d.EnvSettings = PROD) -> None:
        self.cfg = cfg
        self.iid = str(uuid.uuid4())
        self.arn = f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{self.iid}"
        res = build_resources(cfg)
        ids = {kind: {} for kind in d.KINDS}  # kind -> key -> id
        for key in res.catalog:
            ids["flow"][key] = str(uuid.uuid4())
        ids["flow"]["default_queue_transfer"] = str(uuid.uuid4())
        ids["flow"]["default_agent_hold"] = str(uuid.uuid4())
        for kind, keys in (
            ("queue", cfg.queues),
            ("hours", cfg.hours),
            ("routing_profile", cfg.routing_profiles),
            ("quick_connect", cfg.queues),
        ):
            ids[kind] = {k: str(uuid.uuid4()) for k in keys}
        ids["queue"]["basic"] = str(uuid.uuid4())
        self.ids = ids

        def fn(handler: str) -> str:
            arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:aicc-prod-{handler.replace('_', '-')}"
            return f"{arn}:live" if handler in settings.provisioned else arn

        variables = {
            **res.variables(),
            "queues": {k: self.queue_arn(k) for k in cfg.queues},
            "flows": {k: self.flow_arn(k) for k in res.catalog},
            "lambdas": {h: fn(h) for h in res.handlers},
            "hours": {k: f"{self.arn}/operating-hours/{ids['hours'][k]}" for k in cfg.hours},
            "lex_bot_alias_arn": f"arn:aws:lex:{REGION}:{ACCOUNT}:bot-alias/ABCDEFGHIJ/TSTALIASID",
        }
        self.flows: dict[str, dict[str, Any]] = {}
        for key, defn in res.catalog.items():
            content = render(defn, variables).content
            # What the console adds when someone opens and saves the flow: layout only.
            content["Metadata"] = {
                "entryPointPosition": {"x": 40, "y": 40},
                "ActionMetadata": {
                    a["Identifier"]: {"position": {"x": 1.5, "y": 2}} for a in content["Actions"]
                },
                "name": defn.name,
                "status": "published",
            }
            content["Actions"].reverse()  # the console's order is its own
            self.flows[key] = {
                "Name": defn.name,
                "Type": defn.type,
                "Description": defn.description,
                "Content": content,
            }
        for key, name, ftype in (
            ("default_queue_transfer", "Default queue transfer", "QUEUE_TRANSFER"),
            ("default_agent_hold", "Default agent hold", "AGENT_HOLD"),
        ):
            content = {
                "Version": "2019-10-30",
                "StartAction": "x",
                "Actions": [{"Identifier": "x", "Type": "EndFlowExecution"}],
            }
            self.flows[key] = {
                "Name": name,
                "Type": ftype,
                "Description": "Created by Amazon Connect",
                "Content": content,
            }

    def queue_arn(self, key: str) -> str:
        return f"{self.arn}/queue/{self.ids['queue'][key]}"

    def flow_arn(self, key: str) -> str:
        return f"{self.arn}/contact-flow/{self.ids['flow'][key]}"

    # ---- answers, in the order InstanceReader asks ------------------------------------------------
    def listings(self) -> dict[str, list[dict[str, Any]]]:
        cfg, ids = self.cfg, self.ids
        queue_names = {k: q.name for k, q in cfg.queues.items()} | {"basic": "BasicQueue"}
        return {
            "flow": [
                {
                    "Id": ids["flow"][k],
                    "Arn": self.flow_arn(k),
                    "Name": f["Name"],
                    "ContactFlowType": f["Type"],
                    "ContactFlowState": "ACTIVE",
                    "ContactFlowStatus": "PUBLISHED",
                }
                for k, f in self.flows.items()
            ],
            "queue": [
                {
                    "Id": ids["queue"][k],
                    "Arn": self.queue_arn(k),
                    "Name": n,
                    "QueueType": "STANDARD",
                    "LastModifiedTime": STAMP,
                }
                for k, n in queue_names.items()
            ],
            "hours": [
                {
                    "Id": ids["hours"][k],
                    "Arn": f"{self.arn}/operating-hours/{ids['hours'][k]}",
                    "Name": h.name,
                }
                for k, h in cfg.hours.items()
            ],
            "routing_profile": [
                {
                    "Id": ids["routing_profile"][k],
                    "Arn": f"{self.arn}/routing-profile/{ids['routing_profile'][k]}",
                    "Name": r.name,
                }
                for k, r in cfg.routing_profiles.items()
            ],
            "quick_connect": [
                {
                    "Id": ids["quick_connect"][k],
                    "Arn": f"{self.arn}/transfer-destination/{ids['quick_connect'][k]}",
                    "Name": q.name,
                    "QuickConnectType": "QUEUE",
                }
                for k, q in cfg.queues.items()
            ],
        }

    def stub_lists(self, stubber: Stubber, flow_pages: int = 1) -> None:
        listings = self.listings()
        for kind, (operation, key, params) in d._LISTS.items():
            items = listings[kind]
            pages = flow_pages if kind == "flow" else 1
            size = -(-len(items) // pages)
            for n in range(pages):
                expected = {"InstanceId": self.iid, **params}
                answer: dict[str, Any] = {key: items[n * size : (n + 1) * size]}
                if n:
                    expected["NextToken"] = f"page-{n}"
                if n + 1 < pages:
                    answer["NextToken"] = f"page-{n + 1}"
                stubber.add_response(operation, answer, expected)

    def stub_describe(self, stubber: Stubber, kind: str, key: str) -> None:
        cfg, ids, iid = self.cfg, self.ids, self.iid
        rid = ids[kind][key]
        if kind == "flow":
            f = self.flows[key]
            flow = {
                "Arn": self.flow_arn(key),
                "Id": rid,
                "Name": f["Name"],
                "Type": f["Type"],
                "State": "ACTIVE",
                "Status": "PUBLISHED",
                "Description": f["Description"],
                "Content": json.dumps(f["Content"], ensure_ascii=False),
                "Tags": {"ManagedBy": "terraform"},
                "Version": 3,
                "LastModifiedTime": STAMP,
                "LastModifiedRegion": REGION,
            }
            stubber.add_response(
                "describe_contact_flow", {"ContactFlow": flow}, {"InstanceId": iid, "ContactFlowId": rid}
            )
        elif kind == "queue":
            q = cfg.queues[key]
            queue = {
                "Name": q.name,
                "QueueArn": self.queue_arn(key),
                "QueueId": rid,
                "Description": q.description,
                "HoursOfOperationId": ids["hours"][q.hours],
                "MaxContacts": q.max_contacts or 0,
                "Status": "ENABLED",
                "OutboundCallerConfig": {
                    "OutboundCallerIdName": q.outbound_caller_name,
                    "OutboundFlowId": ids["flow"]["outbound_whisper"],
                },
                "LastModifiedTime": STAMP,
            }
            stubber.add_response("describe_queue", {"Queue": queue}, {"InstanceId": iid, "QueueId": rid})
            offered = [
                {"Id": ids["quick_connect"][k], "Name": o.name, "QuickConnectType": "QUEUE"}
                for k, o in cfg.queues.items()
                if k != key
            ]
            stubber.add_response(
                "list_queue_quick_connects",
                {"QuickConnectSummaryList": offered, "LastModifiedTime": STAMP},
                {"InstanceId": iid, "QueueId": rid},
            )
        elif kind == "hours":
            h = cfg.hours[key]
            config_list = [
                {
                    "Day": day,
                    "StartTime": {"Hours": dh.start.hour, "Minutes": dh.start.minute},
                    "EndTime": {"Hours": dh.end.hour, "Minutes": dh.end.minute},
                }
                for day, dh in reversed(list(h.schedule.items()))
            ]
            hours = {
                "HoursOfOperationId": rid,
                "Name": h.name,
                "Description": h.description,
                "TimeZone": "Asia/Seoul",
                "Config": config_list,
            }
            stubber.add_response(
                "describe_hours_of_operation",
                {"HoursOfOperation": hours},
                {"InstanceId": iid, "HoursOfOperationId": rid},
            )
        elif kind == "routing_profile":
            r = cfg.routing_profiles[key]
            profile = {
                "InstanceId": iid,
                "Name": r.name,
                "RoutingProfileId": rid,
                "Description": r.description,
                "MediaConcurrencies": [
                    {
                        "Channel": channel,
                        "Concurrency": concurrency,
                        "CrossChannelBehavior": {"BehaviorType": "ROUTE_CURRENT_CHANNEL_ONLY"},
                    }
                    for channel, concurrency in r.media
                ],
                "DefaultOutboundQueueId": ids["queue"][r.default_outbound_queue],
                "NumberOfAssociatedQueues": len(r.queues),
                "NumberOfAssociatedUsers": 42,
                "AgentAvailabilityTimer": "TIME_SINCE_LAST_ACTIVITY",
                "IsDefault": False,
            }
            stubber.add_response(
                "describe_routing_profile",
                {"RoutingProfile": profile},
                {"InstanceId": iid, "RoutingProfileId": rid},
            )
            configs = [
                {
                    "QueueId": ids["queue"][c.queue],
                    "QueueArn": self.queue_arn(c.queue),
                    "QueueName": cfg.queues[c.queue].name,
                    "Priority": c.priority,
                    "Delay": c.delay,
                    "Channel": channel,
                }
                for channel, _ in r.media
                for c in r.queues
            ]
            stubber.add_response(
                "list_routing_profile_queues",
                {"RoutingProfileQueueConfigSummaryList": configs},
                {"InstanceId": iid, "RoutingProfileId": rid},
            )
        else:
            q = cfg.queues[key]
            qc = {
                "QuickConnectId": rid,
                "Name": q.name,
                "Description": f"Transfer to the {q.name} queue (escalation and agent transfers).",
                "QuickConnectConfig": {
                    "QuickConnectType": "QUEUE",
                    "QueueConfig": {
                        "QueueId": ids["queue"][key],
                        "ContactFlowId": ids["flow"]["default_queue_transfer"],
                    },
                },
            }
            stubber.add_response(
                "describe_quick_connect", {"QuickConnect": qc}, {"InstanceId": iid, "QuickConnectId": rid}
            )

    def resources(self) -> list[tuple[str, str, str]]:
        """(kind, key, name) in listing order."""
        names = {"flow": {k: f["Name"] for k, f in self.flows.items()}}
        names["queue"] = {k: q.name for k, q in self.cfg.queues.items()} | {"basic": "BasicQueue"}
        names["hours"] = {k: h.name for k, h in self.cfg.hours.items()}
        names["routing_profile"] = {k: r.name for k, r in self.cfg.routing_profiles.items()}
        names["quick_connect"] = {k: q.name for k, q in self.cfg.queues.items()}
        return [(kind, k, n) for kind in d.KINDS for k, n in names[kind].items()]


@pytest.fixture
def client() -> Iterator[Any]:
    yield boto3.client(
        "connect", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture(scope="module")
def repo() -> d.View:
    return d.repository_view(config(), settings=PROD)


def test_a_prod_instance_built_from_the_repository_is_in_sync(client: Any, repo: d.View) -> None:
    fake = FakeInstance(config())
    managed = [(kind, key, name) for kind, key, name in fake.resources() if (kind, name) in repo]
    with Stubber(client) as stubber:
        fake.stub_lists(stubber, flow_pages=2)
        for kind, key, _ in managed:
            fake.stub_describe(stubber, kind, key)
        reader = d.InstanceReader(client, fake.iid, lambda_prefix="aicc-prod", env="prod")
        snapshot = reader.read(only=lambda key: key in repo)
        stubber.assert_no_pending_responses()

    assert snapshot.region == REGION
    assert set(snapshot.resources) == set(repo)  # unmanaged ones are listed, not described
    results = d.compare(repo, snapshot.resources, snapshot.listed)
    drifted = [
        (r.kind, r.name, [c.path for c in r.changes]) for r in results if r.state != d.IN_SYNC and r.managed
    ]
    assert drifted == []
    unmanaged = sorted((r.kind, r.name) for r in results if r.state == d.ONLY)
    assert unmanaged == [
        ("flow", "Default agent hold"),
        ("flow", "Default queue transfer"),
        ("queue", "BasicQueue"),
    ]
    # The live alias and Lex bot became references; nothing of the prod instance's IDs is left.
    auth = d.pretty(snapshot.resources["flow", "Customer Authentication"])
    assert "{{lambda:customer_lookup:live}}" in auth and "{{lex:bot}}" in auth
    assert fake.iid not in d.pretty(list(snapshot.resources.values()))


def test_prod_tfvars_give_the_same_view(repo: d.View) -> None:
    assert d.repository_view(config(), settings=d.env_settings("prod", TERRAFORM_DIR)) == repo


def test_without_the_environment_the_live_alias_shows_as_drift(client: Any) -> None:
    fake = FakeInstance(config())
    plain = d.repository_view(config())  # bare --instance-id: no tfvars, unqualified functions
    with Stubber(client) as stubber:
        fake.stub_lists(stubber)
        fake.stub_describe(stubber, "flow", "customer_authentication")
        snapshot = d.InstanceReader(client, fake.iid).read(
            only=lambda key: key == ("flow", "Customer Authentication")
        )
        stubber.assert_no_pending_responses()
    (result,) = [r for r in d.compare(plain, snapshot.resources) if r.name == "Customer Authentication"]
    assert result.state == d.DRIFTED
    assert {c.repository for c in result.changes} == {
        "{{lambda:customer_lookup}}",
        "{{lambda:business_hours}}",
    }
    assert {c.instance for c in result.changes} == {
        "{{lambda:customer_lookup:live}}",
        "{{lambda:business_hours:live}}",
    }


def test_a_full_read_describes_every_resource_and_skips_one_deleted_meanwhile(client: Any) -> None:
    fake = FakeInstance(config())
    keys = fake.resources()
    with Stubber(client) as stubber:
        fake.stub_lists(stubber)
        for kind, key, _ in keys:
            if (kind, key) == ("flow", "default_agent_hold"):
                stubber.add_client_error(
                    "describe_contact_flow",
                    "ResourceNotFoundException",
                    "ContactFlow not found",
                    404,
                    expected_params={"InstanceId": fake.iid, "ContactFlowId": fake.ids["flow"][key]},
                )
            elif (kind, key) == ("queue", "basic"):
                basic = {
                    "Name": "BasicQueue",
                    "QueueId": fake.ids["queue"]["basic"],
                    "Status": "ENABLED",
                    "HoursOfOperationId": "nope",
                }
                stubber.add_response(
                    "describe_queue", {"Queue": basic}, {"InstanceId": fake.iid, "QueueId": basic["QueueId"]}
                )
                stubber.add_response(
                    "list_queue_quick_connects",
                    {"QuickConnectSummaryList": []},
                    {"InstanceId": fake.iid, "QueueId": basic["QueueId"]},
                )
            else:
                fake.stub_describe(stubber, kind, key)
        ticks: list[int] = []
        reader = d.InstanceReader(client, fake.iid, lambda_prefix="aicc-prod")
        snapshot = reader.read(tick=lambda: ticks.append(1))
        stubber.assert_no_pending_responses()
    assert len(ticks) == len(keys)
    assert ("flow", "Default agent hold") not in snapshot.resources
    assert ("flow", "Default agent hold") in snapshot.listed
    # A default resource keeps IDs it cannot resolve (an hours ID that is not listed).
    assert snapshot.resources["queue", "BasicQueue"] == {
        "Name": "BasicQueue",
        "HoursOfOperation": "nope",
        "Status": "ENABLED",
    }
    assert snapshot.resources["flow", "Default queue transfer"]["Type"] == "QUEUE_TRANSFER"


def test_other_errors_are_raised(client: Any) -> None:
    from botocore.exceptions import ClientError

    fake = FakeInstance(config())
    with Stubber(client) as stubber:
        fake.stub_lists(stubber)
        first = next(iter(fake.flows))  # the first resource listed, so the first described
        stubber.add_client_error(
            "describe_contact_flow",
            "AccessDeniedException",
            "no",
            403,
            expected_params={"InstanceId": fake.iid, "ContactFlowId": fake.ids["flow"][first]},
        )
        with pytest.raises(ClientError, match="AccessDeniedException"):
            d.InstanceReader(client, fake.iid).read()
        stubber.assert_no_pending_responses()


def test_drift_in_the_prod_instance_is_found(client: Any, repo: d.View) -> None:
    fake = FakeInstance(config())
    fake.flows["emergency"]["Content"]["Actions"][0]["Parameters"]["X"] = "console edit"
    first = fake.flows["emergency"]["Content"]["Actions"][0]["Identifier"]
    with Stubber(client) as stubber:
        fake.stub_lists(stubber)
        fake.stub_describe(stubber, "flow", "emergency")
        snapshot = d.InstanceReader(client, fake.iid, lambda_prefix="aicc-prod").read(
            only=lambda key: key == ("flow", "Emergency")
        )
        stubber.assert_no_pending_responses()
    results = {(r.kind, r.name): r for r in d.compare(repo, snapshot.resources, snapshot.listed)}
    emergency = results["flow", "Emergency"]
    assert emergency.state == d.DRIFTED
    assert [(c.path, c.instance) for c in emergency.changes] == [
        (f"Content.Actions[{first}].Parameters.X", "console edit")
    ]
    assert any(line.startswith("+") and "console edit" in line for line in emergency.diff)
    # Managed resources that were not read count as missing: a partial read is never "in sync".
    assert results["queue", "MSP General"].state == d.MISSING
