"""The live resource map of `flows lint --env ENV / --instance-id ID`: an instance read with the
Connect List APIs (engine.resource_map.connect_map), found the way every operator command finds it.

The instance and its Region come from OpsContext: --instance-id, else $AICC_INSTANCE_ID, else the
`instance_id` Terraform output of --env (--region, else --env's `region` output, else the
profile's). Its Connect client paces every call under Connect's quota and retries a throttle
with botocore's adaptive mode (admin/context.py, core/ratelimit.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine.resource_map import LiveMap, ResourceMapError, connect_map
from .context import OpsContext, Target, TargetError


def live_map(
    *,
    env: str | None = None,
    instance_id: str | None = None,
    region: str | None = None,
    client: Any | None = None,
    profile: str | None = None,
    local: bool = False,
    state_dir: Path | None = None,
    ops: OpsContext | None = None,
) -> LiveMap:
    """The live instance of --env / --instance-id (or `ops`'s target, or `client` with
    `instance_id`). Raises ResourceMapError saying what to give or fix."""
    if client is not None:
        if not instance_id:
            raise ResourceMapError("a live resource map with a client needs the instance ID")
        return connect_map(client, instance_id)
    if ops is None:
        ops = OpsContext(Target(profile, region, instance_id, env, local, state_dir))
    try:
        iid, connect = ops.instance_id, ops.client("connect")
    except TargetError as exc:
        raise ResourceMapError(str(exc)) from None
    found = connect_map(connect, iid)
    if ops.target.env:
        found.label = f"{ops.target.env}'s instance {found.home.instance} in {found.home.region} (live)"
    return found
