"""The session phases every engine shares (posetracker.phases): placement, the countdown, debouncing, the
verdict of each frame. Replayed on a standing synthetic person and on frames without anyone."""
from __future__ import annotations

import pytest

import synth
from posetracker.exercises import get_spec
from posetracker.options import Mode, Options
from posetracker.phases import CueCooldown, PLACEMENT_DEBOUNCE_S, Phase, Phases, Posture

SQUAT = get_spec("squat")


def standing(seconds: float, start_t: float = 0.0):
    return synth.render("squat", [("rest", seconds)], synth.Camera("front"), synth.CLEAN, start_t=start_t)


def run(phases: Phases, frames) -> list[Posture]:
    said = []
    for pose, t in frames:
        if phases.phase is Phase.INITIALIZING:
            phases.start(t)
        out = phases.advance(pose, SQUAT, t)
        if out is not None:
            said.append(out)
    return said


def test_an_upload_is_active_at_once_and_only_reports_placement():
    phases = Phases(Options(mode=Mode.UPLOAD, countdown_s=3))
    said = run(phases, standing(1.0))
    assert phases.phase is Phase.ACTIVE and phases.countdown_left is None
    assert said and all(s.countdown is None for s in said) and said[-1].ready


def test_live_waits_for_placement_then_counts_down_to_go():
    phases = Phases(Options(mode=Mode.LIVE, countdown_s=3))
    said = run(phases, [(None, i / 30) for i in range(15)])
    assert phases.phase is Phase.PLACEMENT and said and not said[0].ready
    said = run(phases, standing(4.0, start_t=0.5))
    steps = [s for s in said if s.countdown is not None]
    assert [s.countdown for s in steps] == [3, 2, 1, 0]
    assert [s.message for s in steps] == ["Get ready: 3", "Get ready: 2", "Get ready: 1", "Go!"]
    assert phases.phase is Phase.ACTIVE


def test_losing_placement_in_the_countdown_goes_back_and_starts_again_from_the_top():
    phases = Phases(Options(mode=Mode.LIVE, countdown_s=3))
    run(phases, standing(0.8))
    assert phases.phase is Phase.COUNTDOWN and phases.countdown_left == 3
    run(phases, [(None, 0.8 + i / 30) for i in range(30)])
    assert phases.phase is Phase.PLACEMENT and phases.countdown_left is None
    said = run(phases, standing(0.8, start_t=1.9))
    assert phases.phase is Phase.COUNTDOWN and [s.countdown for s in said if s.countdown is not None] == [3]


@pytest.mark.parametrize("placement_gate", [True, False])
def test_without_placement_guidance_a_live_session_goes_straight_to_the_countdown(placement_gate):
    phases = Phases(Options(mode=Mode.LIVE, countdown_s=2, placement=placement_gate))
    phases.start(0.0)
    assert phases.phase is (Phase.PLACEMENT if placement_gate else Phase.COUNTDOWN)


def test_one_bad_frame_does_not_change_the_verdict_but_a_lasting_one_does():
    phases = Phases(Options(mode=Mode.UPLOAD))
    frames = standing(1.0)
    run(phases, frames)
    placed = phases.placement
    t = frames[-1][1]
    assert run(phases, [(None, t + 1 / 30)]) == []  # one frame without the person: not adopted
    assert phases.placement is placed and not phases.latest.person_visible  # ...though this frame says so
    gone = [(None, t + (i + 2) / 30) for i in range(int(PLACEMENT_DEBOUNCE_S * 30) + 2)]
    said = run(phases, gone)
    assert len(said) == 1 and not said[0].ready and phases.placement is not placed


def test_finish_and_reset():
    phases = Phases(Options(mode=Mode.UPLOAD))
    run(phases, standing(0.3))
    phases.finish()
    assert phases.phase is Phase.FINISHED
    phases.reset()
    assert phases.phase is Phase.INITIALIZING and phases.placement is None and phases.latest is None


def test_a_cue_is_held_back_for_the_cooldown_and_said_again_after_it():
    cooldown = CueCooldown(seconds=8.0)
    assert cooldown.take(("go_lower", "knees_out"), 1.0) == ("go_lower", "knees_out")
    assert cooldown.take(("go_lower", "back_straight"), 5.0) == ("back_straight",)
    assert cooldown.take(("go_lower",), 8.9) == ()
    assert cooldown.take(("go_lower", "knees_out"), 9.0) == ("go_lower", "knees_out")
