"""The event protocol: every constructor follows the schema, and the validator catches what does not."""
from __future__ import annotations

import json

import numpy as np
import pytest

from posetracker import events as ev
from posetracker.errors import PoseTrackerError
from posetracker.pose import Pose

POSE = Pose(np.full((17, 2), 0.5), np.full(17, 0.9), 1.25)
EXAMPLES = [
    ev.initialization("Loading the model", False),
    ev.posture("Step back a little.", "step-back", False, ["distance"]),
    ev.posture("Get ready: 3", None, True, [], countdown=3),
    ev.counter(4),
    ev.counter(5, final=True, form_score=ev.score_fields(88.0, 91.5, "B")),
    ev.form_score(88.04, 91.456, "B"),
    ev.progression(42.0),
    ev.recommendations(["Go lower", "Keep your back straight"]),
    ev.keypoints(POSE, 7),
    ev.angles(1.25, 7, [{"id": "knee_angle", "side": "left", "degrees": 91.5, "score": 0.9}]),
    ev.rep_rejected("min_grade", "D"),
    ev.error("invalid_exercise", "Unknown exercise 'x'.", {"valid": ["squat"]}),
    ev.warning("multiple_people", "2 people in view.", active=True, people=2),
    ev.exercise_summary("squat", 10, None, 42.0, 87.5, {"A": 3, "B": 7}, 1),
    ev.keypoints_batch([{"timestampMs": 0, "frameId": 0, "keypoints": POSE.to_keypoints()}]),
    ev.export_ready("/tmp/out.mp4", "video", 1234),
    ev.jump_calibration(0.41234, 431.96, True),
    ev.jump_started(),
    ev.jump_height(False, 52.3, "hips", 0.2),
    ev.jump_discarded("stepping", "That was a step, not a jump."),
    ev.jump_result(1, 44.12, 0.6),
    ev.jump_summary([{"jumpNumber": 1, "airTimeMs": 600, "jumpHeightCm": 44.1}]),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=[e["type"] for e in EXAMPLES])
def test_constructors_follow_the_schema(event):
    assert ev.validate_event(event) == []
    assert json.loads(json.dumps(event, allow_nan=False)) == event


def test_every_schema_type_has_an_example():
    assert {e["type"] for e in EXAMPLES} == set(ev.EVENT_TYPES)


@pytest.mark.parametrize("bad,problem", [
    ({"type": "nope"}, "unknown event type"),
    ([], "must be a dict"),
    ({"type": "counter"}, "missing field 'current_count'"),
    ({"type": "counter", "current_count": True}, "got bool"),
    ({"type": "counter", "current_count": 1, "extra": 1}, "unexpected field"),
    ({"type": "posture", "message": "", "direction": "upward", "ready": True, "requirements": []}, "direction"),
    ({"type": "form_score", "score": 50, "avg_score": 50, "grade": "E"}, "grade"),
    ({"type": "progression", "value": 140}, "0..100"),
    ({"type": "recommendations", "data": [1]}, "list of strings"),
    ({"type": "counter", "current_count": 1, "form_score": {"score": 1}}, "counter.form_score"),
    ({"type": "jump_discarded", "reason": "bored", "userMessage": ""}, "jump_discarded.reason"),
    ({**ev.jump_summary([]), "jumps": [{"jumpNumber": 1}]}, "jump_summary.jumps"),
])
def test_validator_reports_problems(bad, problem):
    assert any(problem in p for p in ev.validate_event(bad))


def test_grades_follow_the_scale():
    assert [ev.grade_of(s) for s in (100, 90, 89.9, 80, 70, 60, 59.9, 0)] == ["A", "A", "B", "B", "C", "D", "F", "F"]


def test_progression_is_clamped_and_engine_stamps_are_allowed():
    assert ev.progression(130)["value"] == 100.0 and ev.progression(-5)["value"] == 0.0
    assert ev.validate_event({**ev.counter(1), "timestampMs": 10, "frameId": None}) == []


def test_error_event_matches_the_error_type():
    err = PoseTrackerError("invalid_exercise", "Unknown.", {"valid": ["squat"]})
    assert err.to_event() == ev.error("invalid_exercise", "Unknown.", {"valid": ["squat"]})
