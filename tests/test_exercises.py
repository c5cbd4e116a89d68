"""The catalogue is data: every PoseTracker id, a valid spec each, errors that list the valid ids."""
from __future__ import annotations

import dataclasses

import pytest

from posetracker.errors import PoseTrackerError
from posetracker.exercises import CATALOGUE, ExerciseSpec, Kind, exercise_ids, get_spec, human_name
from posetracker.options import Difficulty

REPS = ("squat push_up lunge side_lunge deadlift bicep_curl hammer_curl tricep_dip shoulder_press lateral_raise "
        "glute_bridge calf_raise mountain_climber high_knees jumping_jack leg_raise low_impact_jack sit_up crunch")
DURATION = "plank wall_sit balance_leg balance_leg_left balance_leg_right"


def test_the_catalogue_has_every_exercise_with_its_kind():
    assert {e for e in exercise_ids() if CATALOGUE[e].kind is Kind.REPS} == set(REPS.split())
    assert {e for e in exercise_ids() if CATALOGUE[e].kind is Kind.DURATION} == set(DURATION.split())


def test_human_names():
    assert human_name("push_up") == "Push-up" and human_name("sit_up") == "Sit-up"
    assert len({human_name(e) for e in exercise_ids()}) == len(exercise_ids())


def test_unknown_id_lists_the_valid_ones():
    with pytest.raises(PoseTrackerError) as err:
        get_spec("burpee")
    assert err.value.code == "invalid_exercise" and err.value.details["valid"] == exercise_ids()
    assert "squat" in err.value.message


@pytest.mark.parametrize("exercise", exercise_ids())
def test_specs_are_frozen_and_consistent(exercise):
    spec = get_spec(exercise)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "x"  # type: ignore[misc]
    assert spec.required and spec.min_rep_s < spec.max_rep_s
    if spec.kind is Kind.REPS:
        d = [spec.depth.at(x) for x in Difficulty]
        assert d == sorted(d) and d[0] > 0 and d[-1] <= spec.target  # harder means deeper, full depth counts
        assert spec.hysteresis.enter_frac * d[0] >= 0 and 0 < spec.hysteresis.exit_frac < 1


def test_a_spec_with_an_unknown_signal_is_refused():
    with pytest.raises(ValueError, match="unknown signal"):
        ExerciseSpec("x", "X", Kind.REPS, get_spec("squat").view, get_spec("squat").required, "no_such_signal")
