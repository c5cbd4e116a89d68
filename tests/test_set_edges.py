"""Failure classes at the edges of a set, each reproduced synthetically first: walking into and out of the
picture, walking toward and away from the camera, and the end of the set (standing up after setting the bar
down)."""
from __future__ import annotations

import pytest

from engine_helpers import drive, of_type
import synth
from synth_scenes import (HINGE_DOWN, PULL, PULL_POSITION, SET_DOWN_BEND, SET_WEIGHTS_DOWN, SQUAT_BOTTOM, STAND_UP,
                          keyframes, lifts, moves, scaled, then, walking)

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


def set_between_approaches(exercise: str, view: str, reps: int, seed: int = 3):
    """Walking up to the camera from twice the distance (the figure grows from 0.45 to full size in 2.5 s,
    drifting a little sideways), a set, then walking back away."""
    return set_between_walks(exercise, view, reps, dict(x=(0.45, 0.5), scale=(0.45, 1.0)),
                             dict(x=(0.5, 0.55), scale=(1.0, 0.45)), seed=seed)


@pytest.mark.parametrize("exercise,view", STANDING)
def test_walking_toward_the_camera_and_away_again_adds_no_rep(exercise, view):
    state, _, _ = drive(set_between_approaches(exercise, view, 6), exercise=exercise)
    assert state.count == 6, [(r.start_s, r.end_s, r.counted, r.reason) for r in state.reps]


def test_rising_from_a_held_front_squat_is_not_coming_nearer():
    """Seen from the front, a squat held at the bottom foreshortens the thighs, the arms and the trunk for
    seconds, and rising lengthens them all at once, as coming nearer would; the shoulders' and hips' widths
    stay, so the reps count."""
    keys = [(0.0, 0.0), (1.5, 0.0)]
    for _ in range(4):
        t = keys[-1][0]
        keys += [(t + 1.0, 1.0), (t + 3.5, 1.0), (t + 4.5, 0.0), (t + 5.5, 0.0)]
    state, _, _ = drive(keyframes("squat", keys, view="front", seed=8), exercise="squat")
    assert state.count == 4, [(r.start_s, r.end_s, r.counted, r.reason) for r in state.reps]


# -- the end of a set --------------------------------------------------------------------------------------
def test_standing_up_after_setting_the_bar_down_is_not_a_rep_and_says_why():
    """Five pulls from the floor (hips and knees drive each), then the bar is set down and the lifter stands up
    without it: the trunk bends and rises as in a rep, a little less, with the legs nearly straight."""
    poses = lifts([(PULL, 1.0)] * 5 + [(STAND_UP, 1.0)], seed=4)
    state, events, _ = drive(poses, exercise="deadlift")
    assert state.count == 5, [(r.start_s, r.counted, r.reason) for r in state.reps]
    assert [r.reason for r in state.reps if not r.counted] == ["set_end"]
    assert not state.reps[-1].counted and all(r.counted for r in state.reps[:-1])
    assert [e["reason"] for e in of_type(events, "rep_rejected")] == ["set_end"]
    assert of_type(events, "counter")[-1]["current_count"] == 5


@pytest.mark.parametrize("last", [(PULL, 0.8), (PULL, 1.0)])
def test_a_normal_last_pull_counts_even_when_shallower(last):
    state, _, _ = drive(lifts([(PULL, 1.0)] * 5 + [last], seed=5), exercise="deadlift")
    assert state.count == 6, [(r.start_s, r.counted, r.reason) for r in state.reps]


def test_too_few_reps_to_know_the_set_s_pattern_count_as_they_are():
    state, _, _ = drive(lifts([(PULL, 1.0)] * 3 + [(STAND_UP, 1.0)], seed=6), exercise="deadlift")
    assert state.count == 4


@pytest.mark.parametrize("exercise,view", [("squat", "side"), ("squat", "front"), ("push_up", "side"),
                                           ("bicep_curl", "front"), ("jumping_jack", "front"), ("lunge", "side"),
                                           ("tricep_dip", "side"), ("sit_up", "side"), ("shoulder_press", "front")])
def test_a_set_whose_last_rep_is_shallow_keeps_it(exercise, view):
    """Fatigue: the last rep of a set is often the shallowest; it is still a rep of the set's own pattern."""
    m = synth.MOTIONS[exercise]
    segs = synth.schedule(7, m.period_s, alternate=m.alternate)
    segs[-3] = (*segs[-3][:2], 0.85, segs[-3][3])
    state, _, _ = drive(synth.render(exercise, segs, synth.Camera(view=view), seed=7), exercise=exercise)
    assert state.count == 7, [(r.start_s, r.counted, r.reason) for r in state.reps]


# A set's end whose legs still move (a real set-down bends the knees some), but out of step with the pull's
# order or far beyond anything a rep did: still not a rep. Two exercises: a hinge and a squat.
PULL_PATH = [HINGE_DOWN, PULL_POSITION]


def test_a_set_down_that_bends_the_knees_with_the_trunk_is_not_a_rep():
    """Each pull: the trunk goes over first, the knees bend most once the chest is back up. The set-down bends
    hips and knees nearly as much, but together with the trunk: the order of a bend, not of a pull."""
    poses = moves([PULL_PATH] * 5 + [[SET_DOWN_BEND]], period_s=3.0, seed=11)
    state, events, _ = drive(poses, exercise="deadlift")
    assert state.count == 5, [(r.start_s, r.counted, r.reason) for r in state.reps]
    assert [r.reason for r in state.reps if not r.counted] == ["set_end"]
    assert of_type(events, "counter")[-1]["current_count"] == 5


@pytest.mark.parametrize("depth", [0.8, 0.9, 1.0])
def test_a_last_pull_in_the_set_s_own_order_counts_even_when_shallower(depth):
    last = [scaled(k, depth) for k in PULL_PATH]
    state, _, _ = drive(moves([PULL_PATH] * 5 + [last], period_s=3.0, seed=12), exercise="deadlift")
    assert state.count == 6, [(r.start_s, r.counted, r.reason) for r in state.reps]


def test_setting_the_weights_down_after_a_squat_set_is_not_a_rep():
    """Six squats, then the lifter bends over to set the dumbbells down and stands up: the hips go down (less
    than in any squat, more than the counter's depth), the knees bend far less and the trunk pitches far more."""
    poses = moves([[SQUAT_BOTTOM]] * 6 + [[SET_WEIGHTS_DOWN]], seed=13)
    state, events, _ = drive(poses, exercise="squat")
    assert state.count == 6, [(r.start_s, r.counted, r.reason) for r in state.reps]
    assert [r.reason for r in state.reps if not r.counted] == ["set_end"]
    assert [e["reason"] for e in of_type(events, "rep_rejected")] == ["set_end"]


@pytest.mark.parametrize("depth", [0.75, 0.9])
def test_a_shallow_last_squat_counts(depth):
    poses = moves([[SQUAT_BOTTOM]] * 6 + [[scaled(SQUAT_BOTTOM, depth)]], seed=14)
    state, _, _ = drive(poses, exercise="squat")
    assert state.count == 7, [(r.start_s, r.counted, r.reason) for r in state.reps]
