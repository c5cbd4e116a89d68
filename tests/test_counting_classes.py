"""Failure classes seen on footage the counting was never tuned on, each reproduced synthetically first:
a zoom or cut during a hold or a set, and getting onto an apparatus."""
from __future__ import annotations

import pytest

from engine_helpers import drive, of_type
import synth
from posetracker.exercises import CATALOGUE, Kind
from posetracker.signals import BodyScale
from synth_scenes import frame_change

REPS = [e for e, s in CATALOGUE.items() if s.kind is Kind.REPS]


def set_of(exercise: str, reps: int = 8, view: str = "side", seed: int = 2):
    m = synth.MOTIONS[exercise]
    return synth.render(exercise, synth.schedule(reps, m.period_s, alternate=m.alternate), synth.Camera(view=view),
                        seed=seed)


# -- a zoom or a cut ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise", ["plank", "wall_sit"])
@pytest.mark.parametrize("scale", [1.2, 1.5, 0.7, 0.5])
def test_a_hold_survives_a_zoom_during_it(exercise, scale):
    poses = synth.perform(exercise, reps=12, view="side", seed=1)
    state, _, _ = drive(frame_change(poses, 5.0, scale), exercise=exercise)
    assert abs(state.hold_seconds - 13.0) <= 0.5, state.hold_seconds


ZOOMED_SETS = [(e, v, s) for e, v in [("squat", "side"), ("squat", "front"), ("push_up", "side"),
                                       ("tricep_dip", "side"), ("lunge", "side"), ("jumping_jack", "front"),
                                       ("bicep_curl", "front"), ("calf_raise", "side")]
               for s in (0.7, 0.5, 1.2)
               # The calf raise's signal is the body's height in the picture, re-anchored when a zoom is seen; a
               # zoom-in of a fifth is within what the lengths' noise hides, so it is not seen (a known limit).
               if not (e == "calf_raise" and s > 1)]


@pytest.mark.parametrize("exercise,view,scale", ZOOMED_SETS)
def test_a_set_survives_a_zoom_between_reps(exercise, view, scale):
    poses = set_of(exercise, view=view)
    motion = synth.MOTIONS[exercise]
    at = 1.5 + 4 * (motion.period_s + 0.4) - 0.2  # in the pause after the fourth rep
    state, _, _ = drive(frame_change(poses, at, scale), exercise=exercise)
    assert state.count == 8, [(r.start_s, r.reason) for r in state.reps]


def test_a_zoom_mid_rep_gives_that_rep_up_and_says_so():
    poses = set_of("squat", reps=3)
    at = 1.5 + (2.0 + 0.4) + 1.0  # the bottom of the second squat
    state, events, _ = drive(frame_change(poses, at, 0.5), exercise="squat")
    assert state.count == 2
    assert [r.reason for r in state.reps if not r.counted] == ["view_changed"]
    assert "view_changed" in [e["reason"] for e in of_type(events, "rep_rejected")]


@pytest.mark.parametrize("exercise", REPS)
def test_no_movement_of_the_catalogue_looks_like_a_zoom(exercise):
    scale = BodyScale(gate=CATALOGUE[exercise].score_gate)
    # Floor exercises seen end-on fold the orthographic stick figure up (see test_synth): side views only.
    lying = {"push_up", "glute_bridge", "mountain_climber", "leg_raise", "sit_up", "crunch", "tricep_dip"}
    views = ["side"] if exercise in lying else ["side", "front"]
    for view in views:
        scale.reset()
        for pose, t in synth.perform(exercise, reps=4, view=view, seed=7, period_s=1.0):
            if pose is not None:
                scale.update(pose, t)
                assert not (scale.changed and t > 0.5), (exercise, view, t)
                scale.changed = False


# -- getting onto and off an apparatus ---------------------------------------------------------------------
def test_a_dip_counts_only_from_the_arms_locked_out():
    """Standing at the bars with the hands at chest height and hopping up is an excursion of the dip's signal
    from a rest the arms never have in a dip: it is reported (`not_from_rest`), not counted."""
    from posetracker.counting import Rep
    from posetracker.engine import TrackingEngine
    from posetracker.options import Mode, Options

    engine = TrackingEngine(Options(exercise="tricep_dip", mode=Mode.UPLOAD))
    engine.update(None, 0.0)
    out: list[dict] = []
    engine._finish_rep(Rep(0.0, 2.0, 1.0, 0.25, rise_s=0.5, base=-0.55), 2.0, out)   # arms bent: the mount
    engine._finish_rep(Rep(4.0, 6.0, 5.0, 0.40, rise_s=4.5, base=-0.90), 6.0, out)   # from lockout: a dip
    assert engine.snapshot().count == 1
    assert [r.reason for r in engine.snapshot().reps] == ["not_from_rest", None]
    assert [e["reason"] for e in out if e["type"] == "rep_rejected"] == ["not_from_rest"]


def test_synthetic_dips_start_from_lockout_and_all_count():
    for view in ("side", "three_quarter"):
        state, _, _ = drive(synth.perform("tricep_dip", reps=6, view=view, seed=8), exercise="tricep_dip")
        assert state.count == 6 and all(r.counted for r in state.reps), state.reps
