"""Catalogue exercises with no real clip yet, covered synthetically from the front and the side: the one-leg
balances (including the wrong leg) and the low-impact jack."""
from __future__ import annotations

import pytest

from engine_helpers import drive, of_type
import synth
from posetracker.exercises import get_spec
from posetracker.pose import Pose

VIEWS = ["front", "side", "three_quarter"]
ONE_SIDED = ["balance_leg_left", "balance_leg_right"]
OTHER = {"balance_leg_left": "balance_leg_right", "balance_leg_right": "balance_leg_left"}


def cues(events: list[dict]) -> list[str]:
    return [c for e in of_type(events, "recommendations") for c in e["data"]]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("exercise", ONE_SIDED + ["balance_leg"])
def test_a_balance_on_the_chosen_leg_is_held_from_any_view(exercise, view):
    performed = "balance_leg_left" if exercise == "balance_leg" else exercise
    state, events, _ = drive(synth.perform(performed, reps=6, view=view, seed=3), exercise=exercise)
    assert abs(state.hold_seconds - 6.0) <= 0.5
    assert of_type(events, "counter")[-1]["current_count"] == int(state.hold_seconds)
    wrong = get_spec(exercise).hold.wrong_side_cue
    assert wrong is None or wrong not in cues(events)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("exercise", ONE_SIDED)
def test_balancing_on_the_wrong_leg_is_not_held_and_says_which_leg(exercise, view):
    state, events, _ = drive(synth.perform(OTHER[exercise], reps=6, view=view, seed=4), exercise=exercise)
    assert state.hold_seconds == 0.0
    assert [e["current_count"] for e in of_type(events, "counter")] in ([], [0])
    cue = get_spec(exercise).hold.wrong_side_cue
    assert cue in cues(events)
    side = "left" if exercise.endswith("left") else "right"
    assert f"stand on your {side} leg" in cue


def test_the_either_leg_balance_holds_on_the_right_leg_too():
    state, events, _ = drive(synth.perform("balance_leg_right", reps=6, view="side", seed=5), exercise="balance_leg")
    assert abs(state.hold_seconds - 6.0) <= 0.5


@pytest.mark.parametrize("exercise", ONE_SIDED)
def test_standing_on_both_feet_is_no_balance_and_no_wrong_leg(exercise):
    poses = synth.render(exercise, [("rest", 5.0)], synth.Camera(view="front"), seed=6)
    state, events, _ = drive(poses, exercise=exercise)
    assert state.hold_seconds == 0.0 and get_spec(exercise).hold.wrong_side_cue not in cues(events)


def test_switching_from_the_wrong_leg_to_the_right_one_holds_only_the_right_one():
    wrong = synth.perform("balance_leg_right", reps=4, view="front", seed=7)   # 1 s down, 4 s up, 1 s down
    right = synth.perform("balance_leg_left", reps=5, view="front", seed=8)
    start = wrong[-1][1] + 1 / 30
    poses = wrong + [(p if p is None else Pose(p.xy, p.scores, t + start, frame_size=p.frame_size), t + start)
                     for p, t in right]
    state, events, _ = drive(poses, exercise="balance_leg_left")
    assert abs(state.hold_seconds - 5.0) <= 0.5
    assert get_spec("balance_leg_left").hold.wrong_side_cue in cues(events)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("per_second", [0.6, 1.0, 1.5, 2.0])
def test_low_impact_jacks_count_from_any_view_at_any_pace(view, per_second):
    poses = synth.perform("low_impact_jack", reps=8, view=view, seed=9, period_s=1.0 / per_second)
    state, _, _ = drive(poses, exercise="low_impact_jack")
    assert state.count == 8, [(r.start_s, r.reason) for r in state.reps]


@pytest.mark.parametrize("view", ["front", "side"])
def test_low_impact_half_jacks_and_standing_still_do_not_count(view):
    segs = synth.schedule(4, 1.2, depth=0.35) + [("rest", 2.0)]
    state, _, _ = drive(synth.render("low_impact_jack", segs, synth.Camera(view=view), seed=10),
                        exercise="low_impact_jack")
    assert state.count == 0 and {r.reason for r in state.reps} <= {"too_shallow"}
