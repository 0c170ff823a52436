"""What a trained model was built by: a hash of the training code's source and the installed
versions of the libraries it trains with, part of each model cache key, so that a change to the
code or an upgrade is another cache file and a stale model is never loaded (a manual version bump
is easy to forget)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import metadata, util


class SourceMissingError(LookupError):
    """A training module without a source file: its code cannot be part of the key."""


def source_digest(modules: Iterable[str]) -> str:
    """SHA-256 (hex) over the source files of the named modules (dotted names), in order."""
    digest = hashlib.sha256()
    for name in modules:
        spec = util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            raise SourceMissingError(f"no source file for {name} (a model cache key needs it)")
        with open(spec.origin, "rb") as f:
            digest.update(name.encode() + b"\0" + f.read() + b"\0")
    return digest.hexdigest()


def package_versions(distributions: Iterable[str]) -> dict[str, str]:
    """The installed version of each distribution ("absent" when not installed)."""
    out: dict[str, str] = {}
    for name in distributions:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out
