"""What spoken coaching says, replayed from successive engine states (no browser)."""
from __future__ import annotations

from dataclasses import dataclass

from posetracker.speech import REPEAT_AFTER_S, SpeechCues


@dataclass
class State:
    count: int = 0
    is_duration: bool = False
    hold_seconds: float = 0.0
    countdown_left: int | None = None
    posture_message: str | None = None
    recommendations: tuple[str, ...] = ()


def said(cues: SpeechCues, states, start: float = 0.0, step: float = 0.5) -> list[str]:
    out = []
    for i, state in enumerate(states):
        out += [u.text for u in cues.update(state, start + i * step)]
    return out


def test_each_count_is_said_once_in_order():
    assert said(SpeechCues(), [State(0), State(1), State(1), State(2), State(3), State(3)]) == ["1", "2", "3"]


def test_a_count_that_jumped_far_is_said_once_as_its_newest_value():
    assert said(SpeechCues(), [State(0), State(1), State(3), State(8)]) == ["1", "2", "3", "8"]


def test_a_new_set_starts_quietly_and_counts_again_from_one():
    cues = SpeechCues()
    assert said(cues, [State(0), State(4), State(5), State(0), State(1)]) == ["4", "5", "1"]
    assert said(cues, [None, State(2), State(3)]) == ["3"]  # after a Reset (no state): the first look is silent


def test_countdown_and_go():
    states = [State(countdown_left=3), State(countdown_left=3), State(countdown_left=2), State(countdown_left=1),
              State(countdown_left=None)]
    assert said(SpeechCues(), states) == ["3", "2", "1", "Go!"]


def test_placement_changes_are_said_and_not_repeated_too_soon():
    cues = SpeechCues()
    step_back, ok = "Step back so your whole body is visible.", "You're in position."
    states = [State(posture_message=step_back), State(posture_message=ok), State(posture_message=step_back)]
    assert said(cues, states, step=1.0) == [step_back, ok]  # the hint came back within REPEAT_AFTER_S
    later = [u.text for u in cues.update(State(posture_message=ok), 3.0 + REPEAT_AFTER_S)]
    assert later == [ok]


def test_cues_are_said_when_new_and_again_only_after_a_while():
    cues = SpeechCues()
    lower = State(count=0, recommendations=("Go lower",))
    assert said(cues, [lower, lower, lower]) == ["Go lower"]
    assert [u.text for u in cues.update(lower, REPEAT_AFTER_S + 0.1)] == ["Go lower"]


def test_a_hold_is_announced_every_five_seconds():
    held = [State(is_duration=True, hold_seconds=s) for s in (0, 2.5, 4.9, 5.0, 7.0, 10.2, 10.4, 15.0)]
    assert said(SpeechCues(), held) == ["5", "10", "15"]


def test_utterances_for_the_browser_carry_increasing_ids_and_their_age():
    cues = SpeechCues()
    said(cues, [State(0), State(1), State(2, posture_message="Turn sideways")], start=10.0)
    recent = [u.to_dict(now=12.0) for u in cues.recent]
    assert [u["id"] for u in recent] == sorted({u["id"] for u in recent})
    assert [(u["text"], u["numeric"], u["age_s"]) for u in recent] == [
        ("1", True, 1.5), ("2", True, 1.0), ("Turn sideways", False, 1.0)]
