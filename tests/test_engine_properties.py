"""Property tests of the tracking engine: whatever poses, gaps and timestamps arrive, it keeps its promises.

For every catalogue exercise and both modes, any sequence of poses (plausible motion, noise, NaNs, keypoints far
outside the frame, zero scores), gaps (None) and timestamps (equal, decreasing, jumping) gives:
schema-valid, JSON-serialisable events (no NaN); a counter that never decreases; no exception.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from posetracker.engine import TrackingEngine, create_engine
from posetracker.events import validate_event
from posetracker.exercises import exercise_ids
from posetracker.options import GRADES, Difficulty, Mode, Options
from posetracker.pose import NUM_KEYPOINTS, Pose

# A person standing facing the camera (x, y normalised): nose, eyes, ears, shoulders, elbows, wrists, hips,
# knees, ankles. Motion moves between this and a second, drawn pose, so reps can happen as well as junk.
STANDING = np.array([
    [0.50, 0.15], [0.48, 0.13], [0.52, 0.13], [0.46, 0.14], [0.54, 0.14],
    [0.42, 0.25], [0.58, 0.25], [0.40, 0.38], [0.60, 0.38], [0.40, 0.50], [0.60, 0.50],
    [0.45, 0.52], [0.55, 0.52], [0.45, 0.70], [0.55, 0.70], [0.45, 0.88], [0.55, 0.88],
], dtype=np.float32)

STEPS = {  # seconds between two frames: regular, equal, backwards, a gap, a jump back to the start
    "frame": 1 / 30, "same": 0.0, "slow": 0.2, "back": -0.05, "gap": 2.5, "rewind": -1e3,
}
# No shrinking: a failing stream is printed as drawn. Shrinking 100-frame streams through the engine took over
# five minutes, more than the whole suite's budget allows; the seed in the report reproduces the case.
PROPERTY = dict(deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
odd_number = st.sampled_from([math.nan, math.inf, -math.inf, -3.0, 4.0, 1e9, -0.0])


@st.composite
def options(draw, exercise: str, mode: Mode) -> Options:
    return Options(
        exercise=exercise, mode=mode, difficulty=draw(st.sampled_from(list(Difficulty))),
        min_grade=draw(st.sampled_from((None, *GRADES))), countdown_s=draw(st.integers(0, 3)),
        placement=draw(st.booleans()), form_score=draw(st.booleans()), progression=draw(st.booleans()),
        recommendations=draw(st.booleans()), keypoints=draw(st.booleans()), angles=draw(st.booleans()))


@st.composite
def streams(draw) -> list[tuple[Pose | None, float]]:
    """A stream of (pose or None, timestamp)."""
    other = STANDING + np.asarray(draw(st.lists(st.floats(-0.3, 0.3), min_size=34, max_size=34)),
                                  np.float32).reshape(NUM_KEYPOINTS, 2)
    period = draw(st.floats(0.6, 4.0))
    t = draw(st.sampled_from([0.0, 1e6, -5.0]))
    out = []
    for _ in range(draw(st.integers(1, 120))):
        kind = draw(st.sampled_from(["motion"] * 6 + ["none", "noise", "odd"]))
        t += STEPS[draw(st.sampled_from(["frame"] * 8 + list(STEPS)))]
        if kind == "none":
            out.append((None, t))
            continue
        w = 0.5 - 0.5 * math.cos(2 * math.pi * t / period)
        xy = STANDING * (1 - w) + other * w
        scores = np.full(NUM_KEYPOINTS, draw(st.sampled_from([0.9, 0.5, 0.2, 0.0])), np.float32)
        if kind == "noise":
            xy = xy + np.asarray(draw(st.lists(st.floats(-0.5, 0.5), min_size=34, max_size=34)),
                                 np.float32).reshape(NUM_KEYPOINTS, 2)
        elif kind == "odd":
            for _ in range(draw(st.integers(1, 6))):
                k = draw(st.integers(0, NUM_KEYPOINTS - 1))
                xy[k, draw(st.integers(0, 1))] = draw(odd_number)
                if draw(st.booleans()):
                    scores[k] = draw(st.sampled_from([math.nan, 0.0, 1.0, -1.0, 2.0]))
        out.append((Pose(xy, scores, t, frame_size=(640, 480)), t))
    return out


def check(engine: TrackingEngine, stream) -> None:
    last_count, last_snapshot = 0, 0
    for frame_id, (pose, t) in enumerate(stream):
        events = engine.update(pose, t, frame_id)
        for event in [*events]:
            assert validate_event(event) == [], (event, validate_event(event))
            json.dumps(event, allow_nan=False)  # NaN is not JSON: integrators would choke on it
            if event["type"] == "counter":
                assert event["current_count"] >= last_count, "the counter went down"
                last_count = event["current_count"]
        snap = engine.snapshot()
        count = int(snap.hold_seconds) if snap.is_duration else snap.count
        assert count >= last_snapshot, "the count in the snapshot went down"
        last_snapshot = count
    final = engine.finish()  # may first close a rep still on its way back, then the final counter
    assert final and final[-1]["type"] == "counter" and final[-1].get("final") is True
    assert sum(1 for e in final if e.get("final")) == 1
    for event in final:
        assert validate_event(event) == [], (event, validate_event(event))
        json.dumps(event, allow_nan=False)
        if event["type"] == "counter":
            assert event["current_count"] >= last_count, "the counter went down at the end"
            last_count = event["current_count"]
    assert engine.update(None, 0.0, None) == []  # FINISHED stays finished


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("exercise", exercise_ids())
@settings(max_examples=10, **PROPERTY)
@given(data=st.data())
def test_any_stream_gives_valid_events_and_a_counter_that_never_decreases(exercise, mode, data):
    engine = create_engine(data.draw(options(exercise, mode)))
    check(engine, data.draw(streams()))


@settings(max_examples=40, **PROPERTY)
@given(exercise=st.sampled_from(exercise_ids()), mode=st.sampled_from(list(Mode)), data=st.data())
def test_reset_mid_stream_starts_a_fresh_set_and_keeps_the_promises(exercise, mode, data):
    engine = create_engine(data.draw(options(exercise, mode)))
    stream = data.draw(streams())
    cut = data.draw(st.integers(0, len(stream)))
    for frame_id, (pose, t) in enumerate(stream[:cut]):
        engine.update(pose, t, frame_id)
    engine.reset()
    assert engine.snapshot().count == 0 and engine.snapshot().hold_seconds == 0
    check(engine, stream[cut:])
