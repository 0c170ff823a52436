"""The suite's log checker (tests/plugins/log_pii.py) can fail: it reports what masking would hide."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from plugins.log_pii import leaks

from aicc.handlers._prologue import logger

NUMBER, ACCOUNT, EMAIL = "+821012345678", "123456789012", "kim.minjun@saltware.co.kr"


@pytest.fixture
def unmasked() -> Iterator[io.StringIO]:
    """The handlers' logger written once more with Powertools' own formatter: masking switched off."""
    stream = io.StringIO()
    plain = logging.StreamHandler(stream)
    plain.setFormatter(LambdaPowertoolsFormatter())
    handlers_logger = logging.getLogger(logger.name)
    handlers_logger.addHandler(plain)
    yield stream
    handlers_logger.removeHandler(plain)


def test_the_checker_reports_an_unmasked_line_and_passes_the_masked_one(
    unmasked: io.StringIO, handler_log: Callable[[], list[str]]
) -> None:
    logger.info("callback to %s", NUMBER, extra={"account": ACCOUNT, "reply_to": EMAIL})
    (found,) = leaks(unmasked.getvalue().splitlines())
    assert set(found.found) == {NUMBER, ACCOUNT, EMAIL}
    (line,) = handler_log()  # what CloudWatch gets: masked, so the suite's checker lets it pass
    assert leaks([line]) == [] and "+82-10-****-5678" in line and "********9012" in line


def test_a_test_whose_handler_logs_an_unmasked_number_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The subprocess inherits this process's environment: a local stack run earlier in it quiets
    # the handlers' logs (POWERTOOLS_LOG_LEVEL=ERROR), and then nothing would be logged to check.
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "INFO")
    # and it imports the checker from tests/ as this run does (make test sets no PYTHONPATH)
    tests_dir = str(Path(__file__).resolve().parents[1])
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (tests_dir, os.environ.get("PYTHONPATH")) if p)
    )
    pytester.makeconftest(
        """
        import os
        os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "aicc")
        pytest_plugins = ["plugins.log_pii"]
        """
    )
    pytester.makepyfile(
        """
        from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
        from aicc.handlers._prologue import MaskingFormatter, logger

        def test_masked():
            logger.info("callback to +821012345678")

        def test_masking_switched_off(monkeypatch):
            monkeypatch.setattr(MaskingFormatter, "serialize", LambdaPowertoolsFormatter.serialize)
            logger.info("callback to +821012345678")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    # The summary line carries the failure's message only when the terminal is wide enough (CI's is).
    result.stdout.fnmatch_lines(["*unmasked +821012345678 in: *", "FAILED *::test_masking_switched_off*"])
