"""Failure classes at the edges of a set, each reproduced synthetically first: walking into and out of the
picture, and the end of the set (standing up after setting the bar down)."""
from __future__ import annotations

import pytest

from engine_helpers import drive
import synth
from synth_scenes import then, walking

STANDING = [("squat", "side"), ("squat", "front"), ("deadlift", "side"), ("lunge", "side"),
            ("bicep_curl", "front"), ("hammer_curl", "front"), ("shoulder_press", "front"),
            ("lateral_raise", "front"), ("jumping_jack", "front"), ("calf_raise", "side"), ("high_knees", "front"),
            ("side_lunge", "front")]


def set_between_walks(exercise: str, view: str, reps: int, enter: dict, leave: dict, seed: int = 3):
    m = synth.MOTIONS[exercise]
    segs = synth.schedule(reps, m.period_s, alternate=m.alternate, lead_s=1.0)
    poses = walking(exercise, 2.5, view=view, seed=seed, **enter)
    poses = then(poses, synth.render, exercise, segs, synth.Camera(view=view), synth.Mess(), seed=seed)
    return then(poses, walking, exercise, 2.5, view=view, seed=seed + 1, **leave)


@pytest.mark.parametrize("exercise,view", STANDING)
def test_walking_in_from_the_side_and_out_again_adds_no_rep(exercise, view):
    poses = set_between_walks(exercise, view, 6, dict(x=(-0.3, 0.5)), dict(x=(0.5, 1.3)))
    state, _, _ = drive(poses, exercise=exercise)
    assert state.count == 6, [(r.start_s, r.end_s, r.counted, r.reason) for r in state.reps]
