"""Drift logic without AWS: references, normalization, the repository's view, comparison, export files."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aicc.settings import config
from aicc_ops.admin import drift as d
from aicc_ops.core.repository import TERRAFORM_DIR

INSTANCE = "arn:aws:connect:ap-northeast-2:222222222222:instance/11111111-2222-3333-4444-555555555555"
HANDLERS = (
    "agent_assignment",
    "business_hours",
    "call_log",
    "callback",
    "customer_lookup",
    "escalation",
    "lex_hook",
)
STAMP = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def refs() -> d.InstanceRefs:
    r = d.InstanceRefs(HANDLERS, "aicc-prod")
    r.add("queue", "q-1", f"{INSTANCE}/queue/q-1", "MSP General")
    r.add("queue", "after", f"{INSTANCE}/queue/after", "After Hours")
    r.add("flow", "after", f"{INSTANCE}/contact-flow/after", "After Hours")
    r.add("flow", "f-2", f"{INSTANCE}/contact-flow/f-2", "MSP General Queue")
    r.add("hours", "h-1", f"{INSTANCE}/operating-hours/h-1", "Business Hours")
    r.add("quick_connect", "qc-1", f"{INSTANCE}/transfer-destination/qc-1", "MSP General")
    return r


# ---- references ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "prefix", "expected"),
    [
        ("aicc-prod-customer-lookup", "aicc-prod", "customer_lookup"),
        ("aicc-dev-customer-lookup", "aicc-prod", None),  # another environment's function is drift
        ("aicc-dev-customer-lookup", None, "customer_lookup"),
        ("aicc-local-call-log", None, "call_log"),
        ("aicc-local-callback", None, "callback"),
        ("someone-elses-function", None, None),
    ],
)
def test_lambda_functions_are_resolved_by_name(name: str, prefix: str | None, expected: str | None) -> None:
    assert d.lambda_handler(name, HANDLERS, prefix) == expected


def test_arns_of_the_instance_its_lambdas_and_lex_become_references() -> None:
    r = refs()
    assert r.of_arn(f"{INSTANCE}/queue/q-1") == "{{queue:MSP General}}"
    assert r.of_arn(f"{INSTANCE}/contact-flow/after") == "{{flow:After Hours}}"
    fn = "arn:aws:lambda:ap-northeast-2:222222222222:function:aicc-prod-customer-lookup"
    assert r.of_arn(fn) == "{{lambda:customer_lookup}}"
    assert r.of_arn(f"{fn}:live") == "{{lambda:customer_lookup:live}}"
    assert (
        r.of_arn("arn:aws:lex:ap-northeast-2:222222222222:bot-alias/ABCDEFGHIJ/TSTALIASID") == "{{lex:bot}}"
    )
    # Another account's Lambda or another instance's queue stays as it is: it shows in the diff.
    assert r.of_arn(fn.replace("222222222222", "999999999999")) is None
    assert r.of_arn(f"{INSTANCE.replace('1111', '9999')}/queue/q-1") is None
    assert r.of_arn("not an arn") is None


def test_ids_resolve_within_their_kind_only() -> None:
    """Local IDs are keys, and a queue and a flow may share one (after_hours)."""
    r = refs()
    assert r.of_id("queue", "after") == "{{queue:After Hours}}"
    assert r.of_id("flow", "after") == "{{flow:After Hours}}"
    assert r.of_id("hours", "after") == "after"
    assert r.of_id("hours", f"{INSTANCE}/operating-hours/h-1") == "{{hours:Business Hours}}"
    assert r.of_id("queue", None) is None


# ---- normalization of Describe* answers --------------------------------------------------------------
def test_a_flow_is_parsed_stripped_of_volatile_fields_and_its_actions_sorted() -> None:
    content = {
        "Version": "2019-10-30",
        "StartAction": "b",
        "Actions": [
            {
                "Identifier": "b",
                "Type": "UpdateContactTargetQueue",
                "Parameters": {"QueueId": f"{INSTANCE}/queue/q-1"},
            },
            {"Identifier": "a", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}},
        ],
    }
    flow = {
        "Arn": f"{INSTANCE}/contact-flow/f-2",
        "Id": "f-2",
        "Name": "MSP General Queue",
        "Type": "CUSTOMER_QUEUE",
        "State": "ACTIVE",
        "Status": "PUBLISHED",
        "Description": "",
        "Content": json.dumps(content),
        "FlowContentSha256": "abc",
        "Version": 7,
        "LastModifiedTime": STAMP,
        "LastModifiedRegion": "ap-northeast-2",
    }
    view = d.flow_view(flow, refs())
    assert set(view) == {"Name", "Type", "State", "Status", "Content"}
    assert [a["Identifier"] for a in view["Content"]["Actions"]] == ["a", "b"]
    assert view["Content"]["Actions"][1]["Parameters"]["QueueId"] == "{{queue:MSP General}}"
    # Empty values inside the flow are the flow's own: kept.
    assert view["Content"]["Actions"][0]["Transitions"] == {}


def test_a_flow_whose_content_is_not_json_keeps_the_text() -> None:
    assert d.flow_view({"Name": "X", "Content": "{broken"}, refs())["Content"] == "{broken"


def test_a_queue_names_its_hours_flow_and_quick_connects() -> None:
    queue = {
        "Name": "MSP General",
        "QueueArn": f"{INSTANCE}/queue/q-1",
        "QueueId": "q-1",
        "Description": "MSP",
        "HoursOfOperationId": "h-1",
        "MaxContacts": 8,
        "Status": "ENABLED",
        "OutboundCallerConfig": {"OutboundFlowId": "f-2"},
        "Tags": {"Project": "aicc-ops"},
        "LastModifiedTime": STAMP,
    }
    offered = [{"Id": "qc-1", "Name": "MSP General"}, {"Id": "qc-x", "Name": "Another"}]
    view = d.queue_view(queue, offered, refs())
    assert view == {
        "Name": "MSP General",
        "Description": "MSP",
        "HoursOfOperation": "{{hours:Business Hours}}",
        "MaxContacts": 8,
        "OutboundCallerConfig": {"OutboundFlow": "{{flow:MSP General Queue}}"},
        "Status": "ENABLED",
        "QuickConnects": ["{{quick_connect:Another}}", "{{quick_connect:MSP General}}"],
        "Tags": {"Project": "aicc-ops"},
    }
    # Connect leaves out what Terraform never set; an empty config is the same as none.
    assert "OutboundCallerConfig" not in d.queue_view({**queue, "OutboundCallerConfig": {}}, [], refs())


def test_hours_are_in_week_order() -> None:
    hours = {
        "Name": "Business Hours",
        "TimeZone": "Asia/Seoul",
        "Config": [
            {
                "Day": "TUESDAY",
                "StartTime": {"Hours": 9, "Minutes": 0},
                "EndTime": {"Hours": 18, "Minutes": 0},
            },
            {"Day": "MONDAY", "StartTime": {"Hours": 13}, "EndTime": {"Hours": 18, "Minutes": 0}},
            {
                "Day": "MONDAY",
                "StartTime": {"Hours": 9, "Minutes": 0},
                "EndTime": {"Hours": 12, "Minutes": 0},
            },
        ],
    }
    view = d.hours_view(hours, refs())
    assert [(c["Day"], c["StartTime"]["Hours"]) for c in view["Config"]] == [
        ("MONDAY", 9),
        ("MONDAY", 13),
        ("TUESDAY", 9),
    ]
    assert view["Config"][1]["StartTime"] == {"Hours": 13, "Minutes": 0}


def test_a_routing_profile_drops_counts_and_sorts_its_queues() -> None:
    profile = {
        "Name": "Manager",
        "RoutingProfileId": "rp-1",
        "InstanceId": "x",
        "DefaultOutboundQueueId": "q-1",
        "MediaConcurrencies": [{"Channel": "VOICE", "Concurrency": 1}],
        "NumberOfAssociatedUsers": 12,
        "NumberOfAssociatedQueues": 2,
        "AssociatedQueueIds": ["q-1", "after"],
    }
    configs = [
        {"QueueId": "q-1", "QueueName": "MSP General", "Channel": "VOICE", "Priority": 2, "Delay": 900},
        {"QueueId": "after", "QueueName": "After Hours", "Channel": "VOICE", "Priority": 4, "Delay": 0},
    ]
    view = d.routing_profile_view(profile, configs, refs())
    assert view == {
        "Name": "Manager",
        "DefaultOutboundQueue": "{{queue:MSP General}}",
        "MediaConcurrencies": [{"Channel": "VOICE", "Concurrency": 1}],
        "Queues": [
            {"Queue": "{{queue:After Hours}}", "Channel": "VOICE", "Priority": 4, "Delay": 0},
            {"Queue": "{{queue:MSP General}}", "Channel": "VOICE", "Priority": 2, "Delay": 900},
        ],
    }


def test_a_quick_connect_names_its_queue_and_flow() -> None:
    qc = {
        "QuickConnectId": "qc-1",
        "Name": "MSP General",
        "QuickConnectConfig": {
            "QuickConnectType": "QUEUE",
            "QueueConfig": {"QueueId": "q-1", "ContactFlowId": "after"},
        },
    }
    assert d.quick_connect_view(qc, refs())["QuickConnectConfig"] == {
        "QuickConnectType": "QUEUE",
        "QueueConfig": {"Queue": "{{queue:MSP General}}", "ContactFlow": "{{flow:After Hours}}"},
    }


# ---- the repository's view -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def repo() -> d.View:
    return d.repository_view(config())


def test_the_repository_view_holds_every_managed_resource(repo: d.View) -> None:
    cfg = config()
    names = {kind: sorted(n for k, n in repo if k == kind) for kind in d.KINDS}
    assert names["queue"] == sorted(q.name for q in cfg.queues.values())
    assert names["quick_connect"] == names["queue"]
    assert names["hours"] == sorted(h.name for h in cfg.hours.values())
    assert names["routing_profile"] == sorted(r.name for r in cfg.routing_profiles.values())
    assert "Customer Authentication" in names["flow"]


def test_the_repository_view_mirrors_terraform(repo: d.View) -> None:
    queue = repo["queue", "MSP General"]
    assert queue == {
        "Name": "MSP General",
        "Description": "MSP 고객 일반 기술 문의 (높음, SLA 30분)",
        "HoursOfOperation": "{{hours:Business Hours}}",
        "MaxContacts": 8,
        # Callbacks show the queue's caller name and run the outbound whisper flow.
        "OutboundCallerConfig": {
            "OutboundCallerIdName": config().queue_by_name("MSP General").outbound_caller_name,
            "OutboundFlow": "{{flow:Outbound Whisper}}",
        },
        "Status": "ENABLED",
        # Every queue offers the other queues' quick connects, not its own.
        "QuickConnects": [
            "{{quick_connect:After Hours}}",
            "{{quick_connect:General Customer}}",
            "{{quick_connect:MSP Emergency}}",
        ],
    }
    manager = repo["routing_profile", "Manager"]
    media = dict(config().routing_profiles["manager"].media)  # routing_profiles.yaml media
    assert manager["MediaConcurrencies"] == [
        {"Channel": c, "Concurrency": n} for c, n in sorted(media.items())
    ]
    for channel in media:  # every queue on every channel the profile takes
        assert {
            "Queue": "{{queue:MSP Emergency}}",
            "Channel": channel,
            "Priority": 1,
            "Delay": 300,
        } in manager["Queues"]
    always = repo["hours", "Always Open"]
    assert always["TimeZone"] == "Asia/Seoul"
    assert always["Config"][0] == {
        "Day": "MONDAY",
        "StartTime": {"Hours": 0, "Minutes": 0},
        "EndTime": {"Hours": 0, "Minutes": 0},
    }
    qc = repo["quick_connect", "After Hours"]["QuickConnectConfig"]
    assert qc["QueueConfig"] == {
        "Queue": "{{queue:After Hours}}",
        "ContactFlow": "{{flow:Default queue transfer}}",
    }


def test_repository_flows_hold_references_not_local_arns(repo: d.View) -> None:
    assert "arn:aws" not in d.pretty([v for k, v in repo.items() if k[0] == "flow"])
    auth = d.pretty(repo["flow", "Customer Authentication"])
    for reference in ("{{lambda:customer_lookup}}", "{{flow:MSP Customer}}", "{{lex:bot}}", "{{queue:"):
        assert reference in auth
    assert repo["flow", "Customer Authentication"]["Status"] == "PUBLISHED"


def test_provisioned_handlers_are_invoked_through_their_live_alias() -> None:
    settings = d.EnvSettings("prod", "aicc-prod", frozenset({"customer_lookup"}))
    auth = d.pretty(d.repository_view(config(), settings=settings)["flow", "Customer Authentication"])
    assert "{{lambda:customer_lookup:live}}" in auth
    assert "{{lambda:customer_lookup}}" not in auth
    assert "{{lambda:call_log}}" in auth


def test_env_settings_read_the_environment_tfvars(tmp_path: Path) -> None:
    prod = d.env_settings("prod", TERRAFORM_DIR)
    assert prod == d.EnvSettings("prod", "aicc-prod", frozenset({"customer_lookup", "business_hours"}))
    assert d.env_settings("dev", TERRAFORM_DIR) == d.EnvSettings("dev", "aicc-dev", frozenset())
    env = tmp_path / "envs" / "qa"
    env.mkdir(parents=True)
    (env / "terraform.tfvars").write_text(
        'name_prefix = "aicc-qa" # the prefix\n'
        "provisioned_concurrency = {\n"
        "  # call_log = 1\n"
        "  escalation = 3 // warm\n"
        "}\n",
        encoding="utf-8",
    )
    assert d.env_settings("qa", tmp_path) == d.EnvSettings("qa", "aicc-qa", frozenset({"escalation"}))
    with pytest.raises(d.DriftError, match="is 'nope' an environment"):
        d.env_settings("nope", tmp_path)


def test_the_queues_dial_out_with_the_environments_number(tmp_path: Path) -> None:
    env = tmp_path / "envs" / "qa"
    env.mkdir(parents=True)
    tfvars = env / "terraform.tfvars"
    tfvars.write_text('phone_number = { existing_id = "n-1" }\n', encoding="utf-8")
    settings = d.env_settings("qa", tmp_path)
    assert settings.phone_number_id == "n-1"
    queue = d.repository_view(config(), settings=settings)["queue", "MSP General"]
    assert queue["OutboundCallerConfig"] == {
        "OutboundCallerIdName": config().queue_by_name("MSP General").outbound_caller_name,
        "OutboundCallerIdNumberId": "n-1",
        "OutboundFlow": "{{flow:Outbound Whisper}}",
    }
    # A claimed number's ID is known once `deploy apply` saved the outputs.
    tfvars.write_text('phone_number = { claim = { country_code = "US" } }\n', encoding="utf-8")
    assert d.env_settings("qa", tmp_path).phone_number_id is None
    (env / "outputs.json").write_text('{"phone_number_id": {"value": "n-2"}}', encoding="utf-8")
    assert d.env_settings("qa", tmp_path).phone_number_id == "n-2"
    # No number: the caller name and the whisper flow, but no number (the queue cannot dial out).
    no_number = d.repository_view(config(), settings=d.EnvSettings("x"))["queue", "MSP General"]
    assert "OutboundCallerIdNumberId" not in no_number["OutboundCallerConfig"]


# ---- comparison ------------------------------------------------------------------------------------
def test_an_identical_instance_is_in_sync(repo: d.View) -> None:
    results = d.compare(repo, dict(repo))
    assert {r.state for r in results} == {d.IN_SYNC}
    assert not d.has_drift(results)


def test_layout_and_tags_are_not_drift(repo: d.View) -> None:
    instance = dict(repo)
    flow = copy.deepcopy(repo["flow", "Emergency"])
    flow["Content"]["Metadata"] = {
        "entryPointPosition": {"x": 40, "y": 40},
        "ActionMetadata": {"a": {"position": {}}},
    }
    flow["Tags"] = {"ManagedBy": "terraform"}
    instance["flow", "Emergency"] = flow
    profile = copy.deepcopy(repo["routing_profile", "Manager"])
    profile["MediaConcurrencies"][0]["CrossChannelBehavior"] = {"BehaviorType": "ROUTE_CURRENT_CHANNEL_ONLY"}
    instance["routing_profile", "Manager"] = profile
    assert not d.has_drift(d.compare(repo, instance))


def test_changes_are_reported_field_by_field_with_a_unified_diff(repo: d.View) -> None:
    instance = copy.deepcopy(repo)
    instance["queue", "MSP General"]["MaxContacts"] = 3
    flow = instance["flow", "MSP General Queue"]
    hold = next(a for a in flow["Content"]["Actions"] if a["Identifier"] == "hold")
    hold["Parameters"]["Messages"][0]["Text"] = "잠시만 기다려 주십시오."
    manager = instance["routing_profile", "Manager"]
    emergency = next(q for q in manager["Queues"] if q["Queue"] == "{{queue:MSP Emergency}}")
    emergency["Delay"] = 60

    results = {(r.kind, r.name): r for r in d.compare(repo, instance)}
    drifted = {k for k, r in results.items() if r.state == d.DRIFTED}
    assert drifted == {
        ("queue", "MSP General"),
        ("flow", "MSP General Queue"),
        ("routing_profile", "Manager"),
    }
    assert d.has_drift(results.values())

    queue = results["queue", "MSP General"]
    assert [c.__dict__ for c in queue.changes] == [{"path": "MaxContacts", "repository": 8, "instance": 3}]
    assert queue.diff[:2] == [
        "--- repository/queues/MSP General.json",
        "+++ instance/queues/MSP General.json",
    ]
    assert '-  "MaxContacts": 8,' in queue.diff and '+  "MaxContacts": 3,' in queue.diff

    (change,) = results["flow", "MSP General Queue"].changes
    assert change.path == "Content.Actions[hold].Parameters.Messages[0].Text"
    assert change.instance == "잠시만 기다려 주십시오."
    (change,) = results["routing_profile", "Manager"].changes
    assert (change.path, change.repository, change.instance) == (
        f"Queues[{{{{queue:MSP Emergency}}}} {emergency['Channel']}].Delay",  # per queue and channel
        300,
        60,
    )


def test_missing_and_unmanaged_resources(repo: d.View) -> None:
    instance = {k: v for k, v in repo.items() if k != ("hours", "Always Open")}
    instance["queue", "BasicQueue"] = {"Name": "BasicQueue"}
    results = {
        (r.kind, r.name): r for r in d.compare(repo, instance, listed=[("flow", "Default agent hold")])
    }
    assert results["hours", "Always Open"].state == d.MISSING
    assert results["queue", "BasicQueue"].state == d.ONLY
    assert results["flow", "Default agent hold"].state == d.ONLY
    assert not results["queue", "BasicQueue"].managed
    assert d.has_drift(results.values())
    # Unmanaged resources alone are not drift.
    only = d.compare(repo, {**repo, ("queue", "BasicQueue"): {"Name": "BasicQueue"}})
    assert not d.has_drift(only)
    assert d.summary(only)[d.ONLY] == 1


def test_list_entries_are_matched_by_key_else_by_position() -> None:
    assert d.changes([1, 2], [1, 3]) == [d.Change("[1]", 2, 3)]
    assert d.changes([1], [1, 2], "L") == [d.Change("L", [1], [1, 2])]
    assert d.changes({"a": 1}, {"b": 1}) == [d.Change("a", 1, None), d.Change("b", None, 1)]
    added = d.changes([{"Identifier": "x", "v": 1}], [{"Identifier": "x", "v": 1}, {"Identifier": "y"}], "A")
    assert added == [d.Change("A[y]", None, {"Identifier": "y"})]


# ---- export files ----------------------------------------------------------------------------------
def snapshot(resources: d.View) -> d.Snapshot:
    return d.Snapshot(resources, "iid-1", "ap-northeast-2", "dev", "2026-11-25T09:00:00Z", set(resources))


def test_an_export_round_trips_and_is_stable(tmp_path: Path, repo: d.View) -> None:
    resources = {**repo, ("queue", "BasicQueue"): {"Name": "BasicQueue", "Status": "ENABLED"}}
    manifest = d.write_export(snapshot(resources), tmp_path / "x", managed=repo)
    out = tmp_path / "x"
    assert manifest["counts"]["queues"] == {"total": 5, "managed": 4}
    assert {
        "kind": "queue",
        "name": "BasicQueue",
        "file": "queues/BasicQueue.json",
        "managed": False,
    } in manifest["resources"]
    text = (out / "flows" / "Customer Authentication.json").read_text(encoding="utf-8")
    assert text == d.pretty(repo["flow", "Customer Authentication"]) + "\n"
    assert "\\u" not in text and "고객" in text  # Korean stays readable
    again = d.read_export(out)
    assert again.resources == resources
    assert (again.instance_id, again.env) == ("iid-1", "dev")
    first = {p: p.read_bytes() for p in out.rglob("*.json") if p.name != d.MANIFEST}
    d.write_export(snapshot(resources), out, managed=repo)
    assert {p: p.read_bytes() for p in out.rglob("*.json") if p.name != d.MANIFEST} == first


def test_a_new_export_removes_resources_that_are_gone(tmp_path: Path, repo: d.View) -> None:
    d.write_export(snapshot({**repo, ("queue", "Old"): {"Name": "Old"}}), tmp_path, managed=repo)
    d.write_export(snapshot(repo), tmp_path, managed=repo)
    assert not (tmp_path / "queues" / "Old.json").exists()


def test_export_refuses_a_directory_that_is_not_an_export(tmp_path: Path, repo: d.View) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(d.DriftError, match=r"holds no manifest\.json"):
        d.write_export(snapshot(repo), tmp_path, managed=repo)


def test_file_names_are_safe_and_unique(tmp_path: Path) -> None:
    assert d.file_stem("A/B: C") == "A_B_ C"
    assert d.file_stem(".hidden") == "_.hidden"
    resources = {("queue", "A/B"): {"Name": "A/B"}, ("queue", "A_B"): {"Name": "A_B"}}
    manifest = d.write_export(snapshot(resources), tmp_path, managed=[])
    assert sorted(e["file"] for e in manifest["resources"]) == ["queues/A_B #2.json", "queues/A_B.json"]
    assert set(d.read_export(tmp_path).resources) == set(resources)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "is not an export of `aicc-ops connect export`, but .*manifest.json is missing"),
        ({"manifest.json": "{"}, "manifest.json: not valid JSON"),
        ({"manifest.json": '{"format": 1}'}, "no resources list"),
        ({"manifest.json": '{"format": 9, "resources": []}'}, "format 9"),
        ({"manifest.json": '{"format": 1, "resources": [{"kind": "robot"}]}'}, r"resources\[0\]: needs kind"),
        (
            {"manifest.json": '{"format": 1, "resources": [{"kind": ["queue"]}]}'},
            r"resources\[0\]: needs kind",
        ),
        (
            {
                "manifest.json": '{"format": 1, "resources": [{"kind": "queue", "name": "Q", "file": "queues/Q.json"}]}'
            },
            "file queues/Q.json is listed, but .*Q.json is missing",
        ),
    ],
)
def test_a_bad_export_directory_says_what_is_wrong(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(d.DriftError, match=message):
        d.read_export(tmp_path)


def test_an_export_directory_that_cannot_be_made_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(d.DriftError) as err:
        d.check_export_dir(tmp_path / "file" / "export")
    assert str(err.value) == (
        f"cannot write the export to {tmp_path / 'file' / 'export'}: {tmp_path / 'file'}: Not a directory; "
        "give another --dir"
    )
    assert d.check_export_dir(tmp_path / "new" / "export") is None
    assert list(tmp_path.iterdir()) == [tmp_path / "file"]  # the check leaves nothing behind


def test_a_write_that_fails_midway_is_a_drift_error(tmp_path: Path, repo: d.View) -> None:
    d.write_export(snapshot(repo), tmp_path, managed=repo)
    for old in (tmp_path / "flows").iterdir():
        old.unlink()
    (tmp_path / "flows").rmdir()
    (tmp_path / "flows").write_text("someone's file", encoding="utf-8")
    with pytest.raises(
        d.DriftError, match=r"^cannot write the export to .*flows: File exists; give another --dir$"
    ):
        d.write_export(snapshot(repo), tmp_path, managed=repo)


def test_an_export_from_an_older_or_hand_edited_manifest_still_compares(tmp_path: Path, repo: d.View) -> None:
    d.write_export(snapshot(repo), tmp_path, managed=repo)
    manifest = json.loads((tmp_path / d.MANIFEST).read_text(encoding="utf-8"))
    manifest["env"] = 7
    (tmp_path / d.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (profile,) = [e for e in manifest["resources"] if e["kind"] == "routing_profile"][:1]
    path = tmp_path / profile["file"]
    body = json.loads(path.read_text(encoding="utf-8"))
    body["MediaConcurrencies"] = [7] * len(body["MediaConcurrencies"])  # not objects: compared as they are
    path.write_text(json.dumps(body), encoding="utf-8")
    again = d.read_export(tmp_path)
    assert again.env is None
    (drifted,) = [r for r in d.compare(repo, again.resources) if r.state == d.DRIFTED]
    assert (drifted.name, drifted.changes[0].path) == (profile["name"], "MediaConcurrencies[0]")


def test_pretty_is_sorted_and_readable() -> None:
    value: dict[str, Any] = {"b": 1, "a": "한국어"}
    assert d.pretty(value) == '{\n  "a": "한국어",\n  "b": 1\n}'
