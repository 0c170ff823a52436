"""Admission of live calls (local/admission.py): who runs a flow step when slots are short, and when
a ringing call's turn to be answered comes."""

from __future__ import annotations

import threading

import pytest

from aicc_ops.local import admission
from aicc_ops.local.admission import ANSWERED, RINGING, AnswerRate, FlowSlots


def test_at_most_size_steps_run_at_once_and_the_rest_wait() -> None:
    slots = FlowSlots(2)
    first, second, third = (slots.enter(ANSWERED) for _ in range(3))

    assert first.granted and second.granted and not third.granted
    assert slots.counts() == {"flows_running": 2, "steps_waiting": 1, "answers_waiting": 0}
    slots.release()
    assert third.granted and third.wait()
    assert slots.counts() == {"flows_running": 2, "steps_waiting": 0, "answers_waiting": 0}


def test_a_freed_slot_goes_to_a_call_in_progress_before_a_new_call_then_first_come() -> None:
    slots = FlowSlots(1)
    slots.enter(ANSWERED)  # the slot is taken
    new_call = slots.enter(RINGING)
    step_a = slots.enter(ANSWERED)
    step_b = slots.enter(ANSWERED)

    slots.release()
    assert (step_a.granted, step_b.granted, new_call.granted) == (True, False, False)
    slots.release()
    assert (step_b.granted, new_call.granted) == (True, False)
    slots.release()
    assert new_call.granted


def test_a_caller_who_hangs_up_leaves_the_line_and_keeps_no_slot() -> None:
    slots = FlowSlots(1)
    slots.enter(ANSWERED)
    gone, waiting = slots.enter(RINGING), slots.enter(RINGING)

    slots.withdraw(gone)
    assert gone.wait() is False  # the waiting thread wakes up, without a slot
    slots.release()
    assert waiting.granted and not gone.granted
    assert slots.counts()["answers_waiting"] == 0


def test_closing_wakes_everyone_waiting_without_a_slot() -> None:
    slots = FlowSlots(1)
    slots.enter(ANSWERED)
    waiting = slots.enter(ANSWERED)

    slots.close()
    assert waiting.wait() is False
    assert slots.enter(RINGING).wait() is False  # nobody is admitted any more


def test_no_slots_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        FlowSlots(0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_answers_come_at_the_rate_in_the_order_callers_rang(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(admission.time, "monotonic", clock.monotonic)
    rate = AnswerRate(rate=4, burst=2)
    line = [rate.ring() for _ in range(5)]  # five callers ring at the same moment

    # Two answered at once (the burst), then one every quarter of a second, first come first.
    assert [rate.try_answer(r) for r in line] == [True, True, False, False, False]
    assert rate.ringing == 3
    clock.now += 0.25
    assert [rate.try_answer(r) for r in reversed(line[2:])] == [False, False, True]
    clock.now += 0.25
    assert rate.try_answer(line[3]) and not rate.try_answer(line[4])


def test_after_a_quiet_spell_a_burst_is_answered_at_once_again(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(admission.time, "monotonic", clock.monotonic)
    rate = AnswerRate(rate=4, burst=2)
    line = [rate.ring() for _ in range(3)]
    assert [rate.try_answer(r) for r in line] == [True, True, False]
    clock.now += 0.25
    assert rate.try_answer(line[2])

    clock.now += 10
    assert [rate.try_answer(rate.ring()) for _ in range(3)] == [True, True, False]


def test_a_caller_who_hangs_up_ringing_gives_its_turn_to_the_callers_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    monkeypatch.setattr(admission.time, "monotonic", clock.monotonic)
    rate = AnswerRate(rate=4, burst=1)
    first, gone, behind = rate.ring(), rate.ring(), rate.ring()
    assert rate.try_answer(first)

    rate.withdraw(gone)  # hung up before its turn (at +0.25 s)
    clock.now += 0.25
    assert rate.try_answer(behind)  # its turn, not +0.5 s: nobody waits for a caller who left
    assert not rate.try_answer(gone) and not rate.wait_answer(gone)
    assert rate.ringing == 0


def test_a_ringing_caller_waiting_its_turn_is_woken_by_its_hang_up() -> None:
    rate = AnswerRate(rate=0.001, burst=1)  # the second caller's turn is 1,000 s away
    assert rate.try_answer(rate.ring())
    ringing = rate.ring()
    answered: list[bool] = []
    waiting = threading.Thread(target=lambda: answered.append(rate.wait_answer(ringing)))
    waiting.start()
    rate.withdraw(ringing)
    waiting.join(timeout=30)
    assert answered == [False]


def test_closing_sends_every_ringing_caller_away() -> None:
    rate = AnswerRate(rate=0.001, burst=1)
    assert rate.try_answer(rate.ring())
    line = [rate.ring() for _ in range(3)]
    rate.close()
    assert [rate.wait_answer(r) for r in line] == [False, False, False]
    late = rate.ring()
    assert not rate.wait_answer(late) and rate.ringing == 0


def test_nobody_is_answered_while_the_flows_are_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Callers answered while steps wait for slots would all start their flows the moment the
    flows caught up, and answer their prompts in step after that: they ring on instead."""
    clock = Clock()
    monkeypatch.setattr(admission.time, "monotonic", clock.monotonic)
    slots = FlowSlots(1)
    rate = AnswerRate(rate=4, burst=2, behind=slots.behind)
    line = [rate.ring() for _ in range(4)]
    assert rate.try_answer(line[0])

    running = slots.enter(ANSWERED)
    waiting = slots.enter(ANSWERED)  # a step of a call in progress waits: the flows are behind
    assert running.granted and not waiting.granted and slots.behind()
    for _ in range(8):  # two seconds: eight turns at the rate, none taken
        clock.now += 0.25
        assert not rate.try_answer(line[1])
    assert rate.ringing == 3

    slots.release()  # the waiting step runs: the flows have caught up
    assert not slots.behind()
    # Answered at the rate again, one at a time: no burst was saved up while they were behind.
    assert [rate.try_answer(r) for r in line[1:]] == [True, False, False]
    clock.now += 0.25
    assert rate.try_answer(line[2]) and not rate.try_answer(line[3])


def test_a_ringing_caller_waits_out_the_flows_being_behind() -> None:
    """wait_answer looks again 1/rate later while the flows are behind, and answers once they are not."""
    slots = FlowSlots(1)
    rate = AnswerRate(rate=50, burst=1, behind=slots.behind)
    slots.enter(ANSWERED)
    slots.enter(RINGING)  # an answered call waits for the slot: behind
    ringing = rate.ring()
    answered: list[bool] = []
    waiting = threading.Thread(target=lambda: answered.append(rate.wait_answer(ringing)))
    waiting.start()
    waiting.join(timeout=0.2)
    assert waiting.is_alive() and answered == []  # still ringing
    slots.release()  # the waiting call runs; nothing waits any more
    waiting.join(timeout=30)
    assert answered == [True]


def test_a_rate_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        AnswerRate(0, 1)
