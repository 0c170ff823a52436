"""`aicc-ops connect export|diff` with CliRunner: against the local stack server (the Connect
emulator over HTTP, through boto3 unchanged), and offline against export directories."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from helpers import StackCliRunner

from aicc.settings import config
from aicc_ops.admin import drift as d
from aicc_ops.cli.connect import connect
from aicc_ops.local.runtime import ServerInfo


def run(*args: str) -> Result:
    return StackCliRunner().invoke(connect, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ServerInfo]]:
    from aicc_ops.local.server import serve

    state = tmp_path_factory.mktemp("local")
    with serve(state) as info:
        yield state, info


def connect_client(info: ServerInfo) -> Any:
    return info.client("connect")


# ---- against the local stack -----------------------------------------------------------------------
def test_right_after_start_the_local_stack_is_in_sync(local: tuple[Path, ServerInfo]) -> None:
    state, _ = local
    result = run("diff", "--local", "--state-dir", str(state), "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["in_sync"] is True
    states = {(r["kind"], r["name"]): r["state"] for r in report["resources"]}
    assert {s for (k, n), s in states.items() if (k, n) in d.repository_view(config())} == {d.IN_SYNC}
    assert states["flow", "Default queue transfer"] == d.ONLY  # Connect's own: listed, not drift


def test_export_writes_one_file_per_resource_with_references(
    local: tuple[Path, ServerInfo], tmp_path: Path
) -> None:
    state, info = local
    out = tmp_path / "export"
    result = run("export", "--local", "--state-dir", str(state), "--dir", str(out), "--output", "json")
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["instance_id"] == info.instance_id
    assert manifest["region"] == info.region
    assert manifest["counts"]["queues"] == {"total": 4, "managed": 4}
    assert manifest["counts"]["flows"]["total"] == manifest["counts"]["flows"]["managed"] + 1
    on_disk = json.loads((out / d.MANIFEST).read_text(encoding="utf-8"))
    assert on_disk["resources"] == manifest["resources"]

    queue = json.loads((out / "queues" / "MSP General.json").read_text(encoding="utf-8"))
    assert queue["HoursOfOperation"] == "{{hours:Business Hours}}"
    assert queue["MaxContacts"] == 8
    flow = (out / "flows" / "Customer Authentication.json").read_text(encoding="utf-8")
    assert "{{lambda:customer_lookup}}" in flow and "{{flow:MSP Customer}}" in flow
    assert "arn:aws" not in flow and "LastModified" not in flow
    # The saved export compares like the live instance, offline.
    offline = run("diff", "--from-export", str(out))
    assert offline.exit_code == 0, offline.output
    assert f"export {out}" in offline.output


def test_console_changes_show_as_exactly_those_drifts(local: tuple[Path, ServerInfo]) -> None:
    state, info = local
    client = connect_client(info)
    iid = info.instance_id
    flow = client.describe_contact_flow(InstanceId=iid, ContactFlowId="msp_general_queue")["ContactFlow"]
    original = flow["Content"]
    changed = json.loads(original)
    hold = next(a for a in changed["Actions"] if a["Identifier"] == "hold")
    hold["Parameters"]["Messages"][0]["Text"] = "잠시만 기다려 주십시오. 곧 연결됩니다."
    # The console also rewrites the layout metadata when it saves: that part is not drift.
    changed["Metadata"] = {
        "entryPointPosition": {"x": 40, "y": 40},
        "ActionMetadata": {"hold": {"position": {"x": 1, "y": 2}}},
    }
    try:
        client.update_queue_max_contacts(InstanceId=iid, QueueId="msp_general", MaxContacts=3)
        client.update_contact_flow_content(
            InstanceId=iid, ContactFlowId="msp_general_queue", Content=json.dumps(changed)
        )
        client.update_contact_flow_content(
            InstanceId=iid, ContactFlowId="emergency", Content=_with_layout(client, iid, "emergency")
        )
        client.update_routing_profile_queues(
            InstanceId=iid,
            RoutingProfileId="manager",
            QueueConfigs=[
                {
                    "QueueReference": {"QueueId": "msp_emergency", "Channel": "VOICE"},
                    "Priority": 1,
                    "Delay": 60,
                }
            ],
        )

        result = run("diff", "--local", "--state-dir", str(state), "--output", "json")
        assert result.exit_code == 1, result.output
        report = json.loads(result.stdout)
        assert report["in_sync"] is False
        drifted = {(r["kind"], r["name"]): r for r in report["resources"] if r["state"] == d.DRIFTED}
        assert set(drifted) == {
            ("queue", "MSP General"),
            ("flow", "MSP General Queue"),
            ("routing_profile", "Manager"),
        }
        assert drifted["queue", "MSP General"]["changes"] == [
            {"path": "MaxContacts", "repository": 8, "instance": 3}
        ]
        assert drifted["flow", "MSP General Queue"]["changes"] == [
            {
                "path": "Content.Actions[hold].Parameters.Messages[0].Text",
                "repository": "MSP 기술지원 엔지니어에게 연결 중입니다. 잠시만 기다려주세요.",
                "instance": "잠시만 기다려 주십시오. 곧 연결됩니다.",
            }
        ]
        assert drifted["routing_profile", "Manager"]["changes"] == [
            {"path": "Queues[{{queue:MSP Emergency}} VOICE].Delay", "repository": 300, "instance": 60}
        ]
        assert report["summary"][d.DRIFTED] == 3 and report["summary"][d.MISSING] == 0

        table = run("diff", "--local", "--state-dir", str(state))
        assert table.exit_code == 1
        assert "queue MSP General: drifted (MaxContacts)" in table.output
        assert '-  "MaxContacts": 8,' in table.output and '+  "MaxContacts": 3,' in table.output
        assert "+++ instance/flows/MSP General Queue.json" in table.output
        assert "\x1b[" not in table.output  # no colors outside a terminal
        assert "drift found: " in table.output
    finally:
        client.update_queue_max_contacts(InstanceId=iid, QueueId="msp_general", MaxContacts=8)
        client.update_contact_flow_content(
            InstanceId=iid, ContactFlowId="msp_general_queue", Content=original
        )
        client.update_routing_profile_queues(
            InstanceId=iid,
            RoutingProfileId="manager",
            QueueConfigs=[
                {
                    "QueueReference": {"QueueId": "msp_emergency", "Channel": "VOICE"},
                    "Priority": 1,
                    "Delay": 300,
                }
            ],
        )


def _with_layout(client: Any, iid: str, flow_id: str) -> str:
    content = json.loads(
        client.describe_contact_flow(InstanceId=iid, ContactFlowId=flow_id)["ContactFlow"]["Content"]
    )
    content["Metadata"] = {"entryPointPosition": {"x": 12, "y": 34}, "Annotations": []}
    content["Actions"].reverse()
    return json.dumps(content, ensure_ascii=False)


def test_without_a_running_local_stack_the_error_says_how_to_start_it(tmp_path: Path) -> None:
    result = run("diff", "--local", "--state-dir", str(tmp_path))
    assert result.exit_code == 1
    assert "aicc-ops local up" in result.output


# ---- offline, from an export directory -------------------------------------------------------------
@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    """An export of an instance that matches the repository (as `connect export` writes it)."""
    repo = d.repository_view(config())
    resources = {**repo, ("queue", "BasicQueue"): {"Name": "BasicQueue", "Status": "ENABLED"}}
    snapshot = d.Snapshot(resources, "iid-1", "ap-northeast-2", None, "2026-11-25T09:00:00Z", set(resources))
    d.write_export(snapshot, tmp_path / "export", managed=repo)
    return tmp_path / "export"


def test_an_export_that_matches_is_in_sync(export_dir: Path) -> None:
    result = run("diff", "--from-export", str(export_dir), "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["in_sync"] is True
    assert report["summary"] == {
        d.IN_SYNC: len(d.repository_view(config())),
        d.DRIFTED: 0,
        d.MISSING: 0,
        d.ONLY: 1,
    }
    (basic,) = [r for r in report["resources"] if not r["managed"]]
    assert (basic["name"], basic["state"]) == ("BasicQueue", d.ONLY)


def test_an_edited_or_deleted_resource_in_an_export_is_drift(export_dir: Path) -> None:
    path = export_dir / "queues" / "After Hours.json"
    queue = json.loads(path.read_text(encoding="utf-8"))
    queue["HoursOfOperation"] = "{{hours:Business Hours}}"
    path.write_text(json.dumps(queue), encoding="utf-8")
    manifest = json.loads((export_dir / d.MANIFEST).read_text(encoding="utf-8"))
    manifest["resources"] = [r for r in manifest["resources"] if r["name"] != "Always Open"]
    (export_dir / d.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")

    result = run("diff", "--from-export", str(export_dir), "-U", "0")
    assert result.exit_code == 1
    assert "queue After Hours: drifted (HoursOfOperation)" in result.output
    assert '-  "HoursOfOperation": "{{hours:Always Open}}",' in result.output
    assert '+  "HoursOfOperation": "{{hours:Business Hours}}",' in result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert "missing in instance" in lines["Always"]
    assert "Unmanaged (only in the instance; not drift):\n  queues: BasicQueue" in result.output


def test_an_export_with_provisioned_lambdas_compares_with_its_environment(export_dir: Path) -> None:
    """diff --env prod --from-export: the repository view binds prod's live aliases."""
    result = run("diff", "--from-export", str(export_dir), "--env", "prod", "--output", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["env"] == "prod"
    changed = {c["repository"] for r in report["resources"] for c in r["changes"]}
    assert changed == {"{{lambda:customer_lookup:live}}", "{{lambda:business_hours:live}}"}


def test_a_directory_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    result = run("diff", "--from-export", str(tmp_path))
    assert result.exit_code == 1
    assert "is not an export of `aicc-ops connect export`" in result.output
    (tmp_path / "mine.txt").write_text("x", encoding="utf-8")
    result = run("export", "--instance-id", "iid-1", "--region", "ap-northeast-2", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "holds no manifest.json" in result.output


def test_an_export_directory_that_cannot_be_created_is_refused_before_any_call(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    target = tmp_path / "notes.txt" / "export"
    # No Connect call is stubbed or reachable: the check comes first (catch_exceptions=False).
    result = run("export", "--instance-id", "iid-1", "--region", "ap-northeast-2", "--dir", str(target))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot write the export to {target}: {tmp_path / 'notes.txt'}: Not a directory; "
        "give another --dir\n"
    )
