"""The log checker: every line the handlers' loggers write during the suite, checked for PII.

A logging handler on the handlers' logger (the Powertools Logger of aicc.handlers._prologue, which
its child loggers propagate to) formats each record with that logger's own formatter, so a line
here is the JSON line Lambda writes to stdout and CloudWatch keeps, whatever pytest does with
stdout. After each phase of each test (setup, call, teardown) the lines it produced are searched
for an unmasked phone number, 12-digit account ID or e-mail address (domain.masking.find_pii), and
a phase that produced one fails, naming the line. Lines written outside any test fail the session.
State is per process: under pytest-xdist each worker checks its own tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass

import pytest

from aicc.domain.masking import find_pii


@dataclass(frozen=True)
class Leak:
    line: str
    found: tuple[str, ...]

    def __str__(self) -> str:
        return f"unmasked {', '.join(self.found)} in: {self.line}"


def leaks(lines: Iterable[str]) -> list[Leak]:
    """The lines that carry unmasked PII, with what they carry."""
    return [Leak(line, tuple(found)) for line in lines if (found := find_pii(line))]


class LineCapture(logging.Handler):
    """Every record of the logger it is attached to, formatted by that logger's formatter."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []
        self.checked = 0  # lines before this index have been checked
        self.total = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record the formatter cannot write is not a line anyone sees
            self.handleError(record)

    def unchecked(self) -> list[str]:
        new = self.lines[self.checked :]
        self.checked = len(self.lines)
        self.total += len(new)
        return new


_KEY = pytest.StashKey[LineCapture]()


def _handlers_logger() -> tuple[logging.Logger, logging.Formatter]:
    from aicc.handlers._prologue import logger

    return logging.getLogger(logger.name), logger.registered_formatter


def pytest_configure(config: pytest.Config) -> None:
    target, formatter = _handlers_logger()
    capture = LineCapture(formatter)
    target.addHandler(capture)
    config.stash[_KEY] = capture


def pytest_unconfigure(config: pytest.Config) -> None:
    capture = config.stash.get(_KEY, None)
    if capture is not None:
        _handlers_logger()[0].removeHandler(capture)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    found = leaks(item.config.stash[_KEY].unchecked())
    if found:
        message = "the handlers' logs carry personal data:\n" + "\n".join(map(str, found))
        if report.passed:
            report.outcome = "failed"
            report.longrepr = message
        else:
            report.sections.append(("log PII checker", message))
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    capture = session.config.stash.get(_KEY, None)
    found = leaks(capture.unchecked()) if capture else []
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("log PII checker, outside any test:\n" + "\n".join(map(str, found)), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    capture = config.stash.get(_KEY, None)
    if capture is not None and capture.total:
        terminalreporter.write_line(f"log PII checker: {capture.total} handler log lines checked")


@pytest.fixture
def handler_log(request: pytest.FixtureRequest) -> Callable[[], list[str]]:
    """The handlers' log lines written so far in this test, as CloudWatch gets them."""
    capture = request.config.stash[_KEY]
    start = len(capture.lines)
    return lambda: capture.lines[start:]
