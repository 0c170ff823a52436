"""The one error of the deploy layer: a message that says what to fix (the CLI prints it, exit 1)."""

from __future__ import annotations


class DeployError(Exception):
    """A deploy cannot go on; the message says what to do about it."""
