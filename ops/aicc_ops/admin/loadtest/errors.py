"""The load tests' operator errors: each message says what to fix."""

from __future__ import annotations


class LoadTestError(Exception):
    """A load run cannot start or be judged."""


class ApprovalRequiredError(LoadTestError):
    """A run that would load a real Amazon Connect instance, without the operator's word that AWS
    approved it."""


class SloFileError(LoadTestError):
    """The SLO file is unreadable or a field is wrong; the message names the file and the field."""
