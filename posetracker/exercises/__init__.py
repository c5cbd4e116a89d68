"""The exercise catalogue: `CATALOGUE[id]` is a frozen `ExerciseSpec`; the engine interprets it.

    spec = get_spec("push_up")      # PoseTrackerError("invalid_exercise", ..., {"valid": [...]}) if unknown
    human_name("push_up")           # "Push-up"
"""
from __future__ import annotations

from posetracker.errors import PoseTrackerError
from posetracker.exercises.catalogue import SPECS
from posetracker.exercises.spec import (Depth, ExerciseSpec, FormRule, HoldRule, Hysteresis, Kind, RepPhase,
                                        View)

CATALOGUE: dict[str, ExerciseSpec] = {spec.id: spec for spec in SPECS}

__all__ = ["CATALOGUE", "Depth", "ExerciseSpec", "FormRule", "HoldRule", "Hysteresis", "Kind", "RepPhase", "View",
           "exercise_ids", "get_spec", "human_name"]


def exercise_ids() -> list[str]:
    return list(CATALOGUE)


def get_spec(exercise_id: str) -> ExerciseSpec:
    try:
        return CATALOGUE[exercise_id]
    except KeyError:
        raise PoseTrackerError(
            "invalid_exercise",
            f"Unknown exercise '{exercise_id}'. Choose one of: {', '.join(CATALOGUE)}.",
            {"valid": exercise_ids()},
        ) from None


def human_name(exercise_id: str) -> str:
    return get_spec(exercise_id).name
