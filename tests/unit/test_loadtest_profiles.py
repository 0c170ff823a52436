"""The load tests' arrival profiles (loadtest/aicc_load/profiles.py: plain arithmetic, no Locust).

The module is loaded from its file: pytest never imports Locust (it patches the standard library
with gevent, and boto3 is already loaded here), nor the locustfiles.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

PROFILES_FILE = Path(__file__).resolve().parents[2] / "loadtest" / "aicc_load" / "profiles.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aicc_load_profiles", PROFILES_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


profiles = _load()


def test_profiles_do_not_import_locust() -> None:
    assert "locust" not in sys.modules


def test_steady_holds_the_peak_until_the_end() -> None:
    for second in (0, 30, 59):
        wanted = profiles.target("steady", second, 100, 10, 60)
        assert (wanted.users, wanted.spawn_rate) == (100, 10)
    assert profiles.target("steady", 60, 100, 10, 60) is None


def test_ramp_climbs_straight_then_holds() -> None:
    users = [profiles.target("ramp", s, 80, 1, 100).users for s in range(100)]
    assert users[0] == 1 and users[79] == 80 and users[-1] == 80
    assert users == sorted(users)  # never down
    assert users[39] == 40  # half way up at 40 % of the run (the climb takes 80 %)
    # the rate keeps up with the slope (80 users over 80 s: 1/s), whatever the spawn rate given
    assert profiles.target("ramp", 10, 800, 1, 100).spawn_rate == 10


def test_surge_bursts_at_nine() -> None:
    duration = 100
    phases = [profiles.target("surge", s, 500, 5, duration) for s in range(duration)]
    before, wave, after = phases[0], phases[20], phases[70]
    assert (before.users, before.spawn_rate, before.phase) == (50, 5, "before 09:00")
    assert (wave.users, wave.phase) == (500, "09:00 wave")
    assert wave.spawn_rate >= 500  # everyone who waited dials in within a second
    assert (after.users, after.spawn_rate) == (300, 5)
    assert profiles.target("surge", duration, 500, 5, duration) is None


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="steady, ramp, surge"):
        profiles.target("spiky", 0, 1, 1, 1)
