"""The plan gate end to end in the library: a gated output asked for on Free is refused with the right error
AND never comes out of the real engine; the same request on Developer produces it."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from posetracker.tracker import Tracker
from posetracker.estimators import resolve_model
from posetracker.events import validate_event
from posetracker.options import Mode
from posetracker.pose import KP, Pose
from posetracker.settings import Settings, enforce, from_query_params

FPS = 30
# Setting asked for -> what it must (not) produce. `min_grade` would reveal grades through rep_rejected.
GATED = {
    "keypoints": dict(keypoints=True), "angles": dict(angles=True), "form_score": dict(form_score=True),
    "progression": dict(progression=True), "recommendations": dict(recommendations=True),
    "min_grade": dict(min_grade="A"),
}
GRADED = ("form_score", "rep_rejected")  # event types that carry a grade


def squat_pose(depth: float, t: float) -> Pose:
    """A side-on squatter, `depth` 0 standing .. 1 at the bottom (hips back and down, torso leaning)."""
    hip = np.array([0.5 - 0.10 * depth, 0.54 + 0.18 * depth])
    knee = np.array([0.5 + 0.08 * depth, 0.72 + 0.01 * depth])
    shoulder = hip + np.array([0.10 * depth, -0.24 + 0.03 * depth])
    elbow = shoulder + np.array([0.06, 0.10])
    xy = np.zeros((17, 2))
    xy[KP.NOSE:KP.RIGHT_EAR + 1] = shoulder + np.array([0.02, -0.08])
    for left, right, point in ((KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, shoulder), (KP.LEFT_ELBOW, KP.RIGHT_ELBOW, elbow),
                               (KP.LEFT_WRIST, KP.RIGHT_WRIST, elbow + np.array([0.08, 0.0])),
                               (KP.LEFT_HIP, KP.RIGHT_HIP, hip), (KP.LEFT_KNEE, KP.RIGHT_KNEE, knee),
                               (KP.LEFT_ANKLE, KP.RIGHT_ANKLE, np.array([0.5, 0.9]))):
        xy[left], xy[right] = point + [0.01, 0.0], point - [0.01, 0.0]  # profile: the two sides nearly overlap
    return Pose(xy, np.full(17, 0.9), t)


def squat_set(depths=(1.0, 0.75, 1.0, 0.6), rep_s=2.0, rest_s=1.0):
    """(pose, t) of a set: standing still, then one rep per depth; the shallow ones earn a lower grade and a cue."""
    frames = [0.0] * int(rest_s * FPS)
    for depth in depths:
        n = int(rep_s * FPS)
        frames += [depth * math.sin(math.pi * i / n) ** 2 for i in range(n)] + [0.0] * (FPS // 2)
    return [(squat_pose(d, i / FPS), i / FPS) for i, d in enumerate(frames)]


def run_engine(settings: Settings, mode: Mode = Mode.UPLOAD) -> list[dict]:
    tracker = Tracker(settings.to_options(mode), estimator=object())  # the engine behind the output gate
    events = []
    for pose, t in squat_set():
        events += tracker.step_pose(pose, t).events
    return events + tracker.finish()


def produced(events: list[dict], feature: str) -> bool:
    """Whether the events carry `feature`'s output."""
    if feature in ("keypoints", "angles", "progression", "recommendations"):
        return any(e["type"] == feature for e in events)
    if feature == "form_score":
        return any(e["type"] == "form_score" or "form_score" in e for e in events)
    return any(e["type"] == "rep_rejected" and e["reason"] == "min_grade" for e in events)


@pytest.fixture(scope="module")
def free_events():
    return run_engine(Settings())


@pytest.mark.parametrize("feature", sorted(GATED))
def test_a_gated_feature_asked_for_on_free_is_refused_and_absent_from_the_output(feature):
    asked = replace(Settings(), **GATED[feature])
    allowed, error = enforce(asked)
    assert error["type"] == "error" and error["code"] == "developer_feature_not_allowed"
    assert error["details"] == {"blocked": [feature], "plan": "free"} and validate_event(error) == []
    # Even handing the engine the request itself (a forged state that skipped `enforce`) yields nothing gated.
    for settings in (allowed, asked):
        events = run_engine(settings)
        assert not produced(events, feature), feature
        assert not any(e["type"] in GRADED or "form_score" in e for e in events)


@pytest.mark.parametrize("feature", sorted(GATED))
def test_the_same_feature_on_developer_is_produced(feature):
    asked = replace(Settings.defaults_for("developer", form_score=False, progression=False,
                                          recommendations=False), **GATED[feature])
    assert enforce(asked) == (asked, None)
    events = run_engine(asked)
    assert produced(events, feature), feature
    assert all(validate_event(e) == [] for e in events)


def test_free_gets_the_same_count_and_only_its_own_events(free_events):
    developer = run_engine(Settings.defaults_for("developer", keypoints=True, angles=True))
    final = [e["current_count"] for e in free_events if e.get("final")]
    assert final == [e["current_count"] for e in developer if e.get("final")] == [4]
    assert set(Counter(e["type"] for e in free_events)) == {"initialization", "posture", "counter"}
    assert {"keypoints", "angles", "form_score", "progression", "recommendations"} <= {e["type"] for e in developer}


def test_a_url_asking_for_everything_on_free_runs_with_none_of_it():
    settings, errors = from_query_params({"keypoints": "true", "angles": "true", "formScore": "true",
                                          "progression": "true", "recommendations": "true", "minGrade": "B",
                                          "blazepose": "true"}, ["squat"])
    assert [e["code"] for e in errors] == ["developer_feature_not_allowed"]
    assert errors[0]["details"]["blocked"] == ["angles", "blazepose", "form_score", "keypoints", "min_grade",
                                               "progression", "recommendations"]
    events = run_engine(settings)
    assert not any(produced(events, feature) for feature in GATED)


def test_free_keeps_placement_and_countdown_live():
    events = run_engine(Settings(countdown_s=2), Mode.LIVE)
    countdown = [e["countdown"] for e in events if e["type"] == "posture" and "countdown" in e]
    assert countdown[:1] == [2] and 0 in countdown
    assert any(e["type"] == "counter" for e in events)


def test_blazepose_is_refused_on_free_but_runs_when_movenet_is_missing(tmp_path, monkeypatch):
    allowed, error = enforce(Settings(model="blazepose"))
    assert allowed.model == "movenet" and error["details"]["blocked"] == ["blazepose"]
    monkeypatch.setenv("POSETRACKER_MODELS_DIR", str(tmp_path))  # a fresh offline machine: no MoveNet weights
    model, note = resolve_model(allowed.model)
    assert model == "blazepose" and "bundled BlazePose" in note and "posetracker models fetch movenet" in note


def test_the_engine_state_pages_read_carries_nothing_gated_on_free():
    tracker = Tracker(Settings().to_options(Mode.UPLOAD), estimator=object())
    steps = [tracker.step_pose(pose, t) for pose, t in squat_set()]
    assert all(step.state.last_grade is None for step in steps)
    state = tracker.state()
    assert state.count == 4
    assert state.recommendations == () and state.progression is None
    assert (state.last_grade, state.last_score, state.avg_score) == (None, None, None)
    assert all(rep.grade is None and rep.score is None for rep in state.reps)
