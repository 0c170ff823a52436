"""core/signals.py: SIGTERM and SIGHUP end a command through its clean-up, once; `nohup` is
respected; `held` keeps Ctrl-C, SIGTERM and SIGHUP back for a section, `redeliver` sends the first
again afterwards; `cleaning_up` does both, unless the command is already stopping. Signals go to the main thread: these tests run there, and put every handler back."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from aicc_ops.core.signals import Terminated, cleaning_up, end_on_signals, held, redeliver

pytestmark = pytest.mark.usefixtures("fresh_signals")


def test_a_signal_the_process_was_started_ignoring_stays_ignored() -> None:
    """`nohup aicc-ops ...` (SIGHUP ignored) keeps running when the terminal closes."""
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    end_on_signals(lambda name: None)
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    assert callable(signal.getsignal(signal.SIGTERM))
    with held() as caught:
        os.kill(os.getpid(), signal.SIGHUP)
    assert caught == [] and signal.getsignal(signal.SIGHUP) is signal.SIG_IGN


def test_a_signal_during_a_held_section_ends_the_command_after_it() -> None:
    said: list[str] = []
    end_on_signals(said.append)
    done = []
    with held() as caught:
        os.kill(os.getpid(), signal.SIGTERM)  # e.g. between starting a child and recording it
        done.append("the section")
    assert caught == [signal.SIGTERM] and done == ["the section"] and said == []
    with pytest.raises(Terminated) as ended:
        redeliver(caught)
    assert ended.value.code == 128 + signal.SIGTERM and ended.value.signal_name == "SIGTERM"
    assert said == ["SIGTERM"]


def test_ctrl_c_held_is_a_keyboard_interrupt_once_redelivered() -> None:
    with held() as caught:
        os.kill(os.getpid(), signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        redeliver(caught)
    redeliver([])  # nothing held: nothing happens


def test_outside_the_main_thread_nothing_is_held_or_changed() -> None:
    before = signal.getsignal(signal.SIGTERM)
    seen: list[list[int]] = []

    def section() -> None:
        with held() as caught:
            seen.append(caught)

    worker = threading.Thread(target=section)
    worker.start()
    worker.join()
    assert seen == [[]] and signal.getsignal(signal.SIGTERM) is before


def test_a_signal_during_a_clean_up_acts_once_it_is_done() -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), cleaning_up():
        os.kill(os.getpid(), signal.SIGINT)  # e.g. while the first of two children is stopped
        done.append("both stopped")
    assert done == ["both stopped"]
    with cleaning_up():
        done.append("nothing arrived")  # and nothing is raised


def test_a_clean_up_of_a_command_already_stopping_keeps_what_stops_it() -> None:
    """SIGTERM ended the command, then Ctrl-C during its clean-up: it still exits as terminated
    (143, its notice already printed), not as interrupted."""
    said: list[str] = []
    end_on_signals(said.append)
    cleaned: list[str] = []
    stopped: BaseException | None = None
    try:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            pytest.fail("SIGTERM did not raise Terminated")
        finally:
            with cleaning_up():
                os.kill(os.getpid(), signal.SIGINT)
                cleaned.append("stopped")
    except BaseException as exc:  # a KeyboardInterrupt here must fail the test, not end the run
        stopped = exc
    assert isinstance(stopped, Terminated) and stopped.code == 128 + signal.SIGTERM, stopped
    assert said == ["SIGTERM"] and cleaned == ["stopped"]
