"""The engine's state machine and events, driven by synthetic keypoint streams (no model, no video)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from engine_helpers import drive, of_type
import synth
from posetracker.engine import CUE_COOLDOWN_S, Phase, TrackingEngine
from posetracker.errors import PoseTrackerError
from posetracker.events import validate_event
from posetracker.options import Difficulty, Mode, Options
from posetracker.pose import Pose


def squats(reps: int = 3, depth: float = 1.0, seed: int = 0, start_t: float = 0.0, lead_s: float = 1.5):
    return synth.render("squat", synth.schedule(reps, 2.0, depth, lead_s=lead_s), synth.Camera("front"),
                        seed=seed, start_t=start_t)


def shifted(poses, dx: float):
    """The same person moved sideways in the picture (off-centre placement)."""
    return [(None if p is None else Pose(p.xy + [dx, 0.0], p.scores, p.timestamp, frame_size=p.frame_size), t)
            for p, t in poses]


def absent(seconds: float, start_t: float, fps: float = 30.0):
    return [(None, start_t + i / fps) for i in range(int(seconds * fps))]


def test_unknown_exercise_is_an_error_listing_the_valid_ids():
    with pytest.raises(PoseTrackerError) as err:
        TrackingEngine(Options(exercise="burpee"))
    assert err.value.code == "invalid_exercise"
    assert "squat" in err.value.details["valid"] and "plank" in err.value.details["valid"]
    assert err.value.to_event()["type"] == "error"


def test_upload_counts_from_the_first_frame_and_finishes_with_a_final_counter():
    state, events, engine = drive(squats(3), exercise="squat")
    assert events[0]["type"] == "initialization" and events[0]["ready"] is True
    counters = of_type(events, "counter")
    assert [c["current_count"] for c in counters] == [1, 2, 3, 3]
    assert counters[-1]["final"] is True and "final" not in counters[0]
    assert state.phase is Phase.FINISHED and state.count == 3
    assert engine.update(None, 99.0) == [] and engine.finish() == []


def test_every_event_follows_the_schema_and_is_json():
    _, events, _ = drive(squats(3, depth=0.7), exercise="squat", keypoints=True, angles=True)
    assert {"initialization", "posture", "counter", "form_score", "progression", "keypoints", "angles"} <= {
        e["type"] for e in events}
    for e in events:
        assert validate_event(e) == [], e
    json.dumps(events, allow_nan=False)


def test_counter_carries_the_form_score_and_grades_follow_the_scale():
    _, events, _ = drive(squats(2), exercise="squat")
    counter = of_type(events, "counter")[0]
    form = of_type(events, "form_score")[0]
    assert counter["form_score"] == {k: form[k] for k in ("score", "avg_score", "grade")}
    assert form["grade"] == "A" if form["score"] >= 90 else form["grade"] != "A"


def test_live_placement_then_countdown_then_counting():
    t0 = 0.0
    stream = absent(1.0, t0) + shifted(squats(1, seed=1, start_t=1.0, lead_s=0.5), -0.35)  # off to the left
    placed = squats(2, seed=2, start_t=stream[-1][1] + 0.1, lead_s=4.0)                      # countdown runs here
    state, events, engine = drive(stream, finish=False, exercise="squat", mode=Mode.LIVE, countdown_s=3)
    assert state.phase is Phase.PLACEMENT and state.count == 0  # a rep while not placed does not count
    postures = of_type(events, "posture")
    assert {p["direction"] for p in postures} >= {"in-frame", "move-right"}
    assert not any(p["ready"] for p in postures)
    events = []
    for i, (pose, t) in enumerate(placed):
        events += engine.update(pose, t, i)
        if engine.snapshot().phase is Phase.COUNTDOWN:
            assert engine.snapshot().count == 0
    assert [p["countdown"] for p in of_type(events, "posture") if "countdown" in p] == [3, 2, 1, 0]
    assert engine.snapshot().phase is Phase.ACTIVE and engine.snapshot().count == 2


def test_losing_placement_during_the_countdown_goes_back_to_placement():
    engine = TrackingEngine(Options(exercise="squat", mode=Mode.LIVE, countdown_s=3))
    stand = squats(0, lead_s=1.0)
    for i, (pose, t) in enumerate(stand):
        engine.update(pose, t, i)
    assert engine.snapshot().phase is Phase.COUNTDOWN
    engine.update(None, stand[-1][1] + 0.1)
    assert engine.snapshot().phase is Phase.COUNTDOWN  # one frame without the person is not leaving
    for pose, t in absent(1.0, stand[-1][1] + 0.2):
        engine.update(pose, t)
    assert engine.snapshot().phase is Phase.PLACEMENT and engine.snapshot().countdown_left is None
    events = []
    for pose, t in squats(0, lead_s=1.0, start_t=stand[-1][1] + 1.3):
        events += engine.update(pose, t)
    assert engine.snapshot().phase is Phase.COUNTDOWN
    assert of_type(events, "posture")[0]["countdown"] == 3  # the countdown starts again from the top


def test_live_without_placement_or_countdown_counts_at_once():
    state, _, _ = drive(squats(2), finish=False, exercise="squat", mode=Mode.LIVE, placement=False)
    assert state.phase is Phase.ACTIVE and state.count == 2


def test_person_lost_mid_set_pauses_and_keeps_the_count():
    first = squats(3)
    gap = absent(3.0, first[-1][1] + 1 / 30)
    second = squats(2, seed=3, start_t=gap[-1][1] + 1 / 30)
    state, events, _ = drive(first + gap + second, exercise="squat")
    assert state.count == 5
    counts = [c["current_count"] for c in of_type(events, "counter")]
    assert counts == sorted(counts)


def test_no_rep_is_invented_across_a_gap():
    poses = squats(1, lead_s=1.0)
    rep = [i for i, (_, t) in enumerate(poses) if 1.0 + 0.3 <= t <= 1.0 + 1.7]  # around the bottom
    holed = [(None, t) if i in rep else (p, t) for i, (p, t) in enumerate(poses)]
    state, _, _ = drive(holed, exercise="squat")
    assert state.count == 0


def test_a_clip_starting_at_the_bottom_keeps_its_first_rep():
    poses = squats(4, lead_s=1.0)
    start = 1.0 + 0.9  # near the bottom of the first rep
    state, _, _ = drive([(p, t) for p, t in poses if t >= start], exercise="squat")
    assert state.count == 4


def test_switching_to_another_exercise_adds_no_count():
    poses = squats(3)
    jacks = synth.render("jumping_jack", synth.schedule(4, 1.0), synth.Camera("front"), seed=4,
                         start_t=poses[-1][1] + 1 / 30)
    state, _, _ = drive(poses + jacks, exercise="squat")
    assert state.count == 3


def test_min_grade_rejects_and_says_so():
    poses = squats(3, depth=0.6)
    loose, _, _ = drive(poses, exercise="squat")
    assert loose.count == 3 and {r.grade for r in loose.reps} - {"A"}
    strict, events, _ = drive(poses, exercise="squat", min_grade="A")
    rejected = of_type(events, "rep_rejected")
    assert strict.count == 3 - len(rejected) and rejected
    assert all(e["reason"] == "min_grade" and e["grade"] != "A" for e in rejected)
    assert [r.reason for r in strict.reps if not r.counted] == ["min_grade"] * len(rejected)


def test_a_shallow_rep_counts_on_easy_but_not_on_hard():
    poses = squats(3, depth=0.45)
    easy, _, _ = drive(poses, exercise="squat", difficulty=Difficulty.EASY)
    hard, _, _ = drive(poses, exercise="squat", difficulty=Difficulty.HARD)
    assert (easy.count, hard.count) == (3, 0)
    assert hard.thresholds is not None and easy.thresholds[1] < hard.thresholds[1]


def test_recommendations_are_rate_limited():
    _, events, _ = drive(squats(8, depth=0.6), exercise="squat")
    cues = [(e["timestampMs"] / 1000, c) for e in of_type(events, "recommendations") for c in e["data"]]
    assert cues and len(of_type(events, "recommendations")) < 8
    last: dict[str, float] = {}
    for t, cue in cues:
        assert t - last.get(cue, -1e9) >= CUE_COOLDOWN_S
        last[cue] = t


def test_optional_events_follow_the_options():
    _, events, _ = drive(squats(2, depth=0.6), exercise="squat", form_score=False, progression=False,
                         recommendations=False, placement=False)
    kinds = {e["type"] for e in events}
    assert not kinds & {"form_score", "progression", "recommendations", "posture", "keypoints", "angles"}
    assert all("form_score" not in c for c in of_type(events, "counter"))


def test_progression_rises_through_a_rep_and_snapshot_follows_the_signal():
    engine = TrackingEngine(Options(exercise="squat", mode=Mode.UPLOAD))
    values, states = [], []
    for pose, t in squats(1):
        for e in engine.update(pose, t):
            if e["type"] == "progression":
                values.append(e["value"])
        states.append(engine.snapshot())
    assert max(values) == 100.0 and values[0] < 50
    mid = states[len(states) // 2]
    assert mid.person_visible and mid.signal is not None and mid.progression > 50
    assert mid.thresholds[0] < mid.thresholds[1]


def test_timestamps_drive_time_not_frame_counts():
    poses = squats(3)
    every_other = poses[::2]
    a, _, _ = drive(poses, exercise="squat")
    b, _, _ = drive(every_other, exercise="squat")
    assert a.count == b.count == 3


def test_reset_starts_a_new_set():
    engine = TrackingEngine(Options(exercise="squat", mode=Mode.UPLOAD))
    for pose, t in squats(2):
        engine.update(pose, t)
    assert engine.snapshot().count == 2
    engine.reset()
    state = engine.snapshot()
    assert (state.count, state.phase, state.reps, state.avg_score) == (0, Phase.INITIALIZING, (), None)


def test_nobody_in_the_picture_counts_nothing_and_says_so():
    state, events, _ = drive(absent(5.0, 0.0), exercise="push_up")
    assert state.count == 0 and not state.person_visible
    assert of_type(events, "posture")[0]["direction"] == "in-frame"


def test_low_score_skeleton_on_a_title_card_is_nobody():
    rng = np.random.default_rng(0)
    junk = [(Pose(rng.random((17, 2)), rng.random(17) * 0.2, i / 30, frame_size=(640, 480)), i / 30)
            for i in range(150)]
    state, _, _ = drive(junk, exercise="jumping_jack")
    assert state.count == 0 and not state.person_visible


def _upper_body_pose(t: float, shoulder_y: float, hip_y: float, wrist_y: float) -> Pose:
    """A pose whose legs are hidden (scores near zero), e.g. a plank filmed end-on or a close-up."""
    xy = np.full((17, 2), 0.5, np.float32)
    scores = np.full(17, 0.9, np.float32)
    xy[0] = (0.5, shoulder_y + 0.08)
    xy[1:5, 1] = shoulder_y - 0.02
    for side, x in ((0, 0.42), (1, 0.58)):  # left, right
        xy[5 + side] = (x, shoulder_y)
        xy[7 + side] = (x, (shoulder_y + wrist_y) / 2)
        xy[9 + side] = (x, wrist_y)
        xy[11 + side] = (x + (0.03 if side == 0 else -0.03), hip_y)
        xy[13 + side] = (x, min(hip_y + 0.2, 0.99))
        xy[15 + side] = (x, min(hip_y + 0.4, 0.99))
    scores[13:17] = 0.05
    return Pose(xy, scores, t)


@pytest.mark.parametrize("shoulder_y, hip_y, wrist_y, held", [
    (0.55, 0.48, 0.83, True),   # end-on plank: hips level with or above the shoulders, arms holding them up
    (0.40, 0.90, 0.85, False),  # a standing close-up with the legs out of frame is no plank
])
def test_plank_with_hidden_legs_is_judged_on_the_upper_body(shoulder_y, hip_y, wrist_y, held):
    engine = TrackingEngine(Options(exercise="plank", mode=Mode.UPLOAD))
    for i in range(150):  # 5 s at 30 fps
        engine.update(_upper_body_pose(i / 30, shoulder_y, hip_y, wrist_y), i / 30, i)
    seconds = engine.snapshot().hold_seconds
    assert (seconds > 4.0) if held else (seconds == 0.0), seconds
