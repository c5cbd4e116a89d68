"""Jumps on synthetic people: heights recovered at 24-60 fps, steps and drifts discarded with their reason, and the
jump engine's events, phases and summary."""
from __future__ import annotations

import pytest

from jump_factory import JumpPlan, clip, step, walk
from posetracker.engine import create_engine
from posetracker.events import validate_event
from posetracker.jump_detector import JumpDetector, flight_height_cm, measure
from posetracker.jumps import JumpEngine, JumpState
from posetracker.options import Mode, Options

HEIGHTS = (0.10, 0.25, 0.45, 0.60)
TOLERANCE_CM = {24: 5.0, 30: 4.0, 60: 2.0}  # the targets at 30 and 60 fps
TOE_RISES = (0.045, 0.05, 0.055)  # people differ in how high the ankle is at toe-off: none of them is "ours"


def run(frames, user_height_cm=None) -> tuple[JumpDetector, list[dict]]:
    detector = JumpDetector(user_height_cm=user_height_cm)
    events = []
    for pose, t in frames:
        events += detector.update(measure(pose), t)
    return detector, events


def reasons(events) -> list[str]:
    return [e["reason"] for e in events if e["type"] == "jump_discarded"]


@pytest.mark.parametrize("fps", [24, 30, 60])
@pytest.mark.parametrize("style", ["countermovement", "squat", "tuck", "pogo"])
@pytest.mark.parametrize("user_height_cm", [None, 175.0])
def test_heights_are_recovered(fps, style, user_height_cm):
    """Air time alone (air_time_jump) and the calibrated hip rise (jump_analysis), every height, every frame rate."""
    for seed, toe in enumerate(TOE_RISES):
        heights = [h for h in HEIGHTS if style != "pogo" or h <= 0.3]  # a pogo's hops are low and quick
        plans = [JumpPlan(h, style, toe) for h in heights]
        frames, truth = clip(plans, fps, seed=seed + fps)
        detector, events = run(frames, user_height_cm)
        assert len(detector.jumps) == len(plans), (toe, reasons(events))
        for jump, height, takeoff, landing in zip(detector.jumps, truth.heights_m, truth.takeoffs, truth.landings):
            assert jump.height_cm == pytest.approx(100 * height, abs=TOLERANCE_CM[fps]), (toe, jump)
            assert jump.takeoff_s == pytest.approx(takeoff, abs=0.5 / fps + 0.015)  # sub-frame, not whole frames
            assert jump.landing_s == pytest.approx(landing, abs=0.5 / fps + 0.015)
            if user_height_cm is None:
                assert jump.side_used == "air_time"
                assert jump.height_cm == pytest.approx(flight_height_cm(jump.air_time_s))
            else:
                assert jump.side_used == "hips"


def test_sub_frame_timing_beats_whole_frames():
    """At 30 fps whole frames would be 33 ms off; interpolation is a few ms off on a clean signal."""
    frames, truth = clip([JumpPlan(0.45), JumpPlan(0.3)], 30, noise=0.0)
    detector, _ = run(frames)
    for jump, takeoff, landing in zip(detector.jumps, truth.takeoffs, truth.landings):
        assert abs(jump.takeoff_s - takeoff) < 0.006 and abs(jump.landing_s - landing) < 0.006


@pytest.mark.parametrize("fps", [24, 30, 60])
def test_a_step_is_discarded_as_stepping(fps):
    detector, events = run(step(fps))
    assert detector.jumps == [] and reasons(events) == ["stepping", "stepping"]


@pytest.mark.parametrize("fps", [30, 60])
def test_walking_toward_the_camera_counts_nothing_and_says_why(fps):
    detector, events = run(walk(fps, toward=1.5))
    assert detector.jumps == []
    assert "moving_toward_camera" in reasons(events)
    assert not [e for e in events if e["type"] == "jump_started"]


@pytest.mark.parametrize("fps", [30, 60])
def test_walking_off_sideways_or_away_counts_nothing(fps):
    for frames in (walk(fps, sideways=2.0), walk(fps, toward=-1.5)):
        detector, events = run(frames)
        assert detector.jumps == [] and not [e for e in events if e["type"] == "jump_started"]


def test_a_hop_toward_the_camera_is_discarded_and_recalibrates():
    frames, _ = clip([JumpPlan(0.3), JumpPlan(0.3, drift_z=0.8), JumpPlan(0.3)], 30)
    detector, events = run(frames)
    assert reasons(events) == ["moving_toward_camera"]
    assert len(detector.jumps) == 2  # the one after it counts again, at the new distance
    assert [e["type"] for e in events].count("jump_calibration") == 2


def test_too_long_in_the_air_times_out_and_lost_feet_are_tracking_lost():
    frames, _ = clip([JumpPlan(0.3)], 30)
    stand = frames[:40]  # calibrated and standing
    pose0, t0 = stand[-1]
    up = [(type(pose0)(pose0.xy - [0, 0.1], pose0.scores, t0 + i / 30, frame_size=pose0.frame_size), t0 + i / 30)
          for i in range(1, 60)]  # lifted onto a box: "in the air" for 2 s
    _, events = run(stand + up)
    assert reasons(events) == ["timeout"]
    gone = [(None, t) for _, t in up[3:20]]
    _, events = run(stand + up[:3] + gone)
    assert reasons(events) == ["tracking_lost"]


def test_height_events_while_in_the_air_and_at_the_landing():
    frames, _ = clip([JumpPlan(0.4)], 30)
    _, events = run(frames, 175.0)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "jump_calibration" and kinds[1] == "jump_started"
    heights = [e for e in events if e["type"] == "jump_height"]
    assert all(e["measuring"] and not e["final"] for e in heights[:-1]) and heights[-1]["final"]
    assert heights[-1]["landed"] and heights[-1]["sideUsed"] == "hips" and heights[-1]["deltaPixels"] > 0
    assert [e["airTimeMs"] for e in heights] == sorted(e["airTimeMs"] for e in heights)
    assert kinds[-1] == "jump_result"
    assert all(validate_event(e) == [] for e in events)


# -- the engine ------------------------------------------------------------------------------------------------

def engine_run(options: Options, frames) -> tuple[JumpEngine, list[dict]]:
    engine = create_engine(options)
    events = []
    for i, (pose, t) in enumerate(frames):
        events += engine.update(pose, t, i)
    return engine, events


@pytest.mark.parametrize("exercise", ["air_time_jump", "jump_analysis"])
def test_create_engine_gives_the_jump_engine_with_valid_events_and_a_summary(exercise):
    frames, truth = clip([JumpPlan(0.2), JumpPlan(0.5)], 30)
    engine, events = engine_run(Options(exercise=exercise, mode=Mode.UPLOAD, user_height_cm=175.0), frames)
    assert isinstance(engine, JumpEngine)
    events += engine.finish()
    assert all(validate_event(e) == [] for e in events), [validate_event(e) for e in events if validate_event(e)]
    assert [e["current_count"] for e in events if e["type"] == "counter"] == [1, 2, 2]
    summary = next(e for e in events if e["type"] == "jump_summary")
    assert summary["totalJumps"] == 2 and summary["maxJumpHeight"] == pytest.approx(50, abs=4)
    assert summary["minJumpHeight"] == pytest.approx(20, abs=4)
    assert [j["jumpNumber"] for j in summary["jumps"]] == [1, 2]
    state = engine.snapshot()
    assert isinstance(state, JumpState) and state.count == 2 and state.best_jump.number == 2
    assert state.last_jump.number == 2 and state.jump_phase == "ready"


def test_jump_analysis_without_a_height_says_so_and_measures_by_air_time():
    frames, _ = clip([JumpPlan(0.3)], 30)
    _, events = engine_run(Options(exercise="jump_analysis", mode=Mode.UPLOAD), frames)
    errors = [e for e in events if e["type"] == "error"]
    assert [e["code"] for e in errors] == ["jump_analysis_missing_height"]
    assert next(e for e in events if e["type"] == "jump_calibration")["cmPerPixel"] is None
    assert len([e for e in events if e["type"] == "jump_result"]) == 1


def test_live_waits_for_placement_and_countdown_then_calibrates():
    frames, truth = clip([JumpPlan(0.3), JumpPlan(0.3)], 30, stand_s=4.0)
    engine, events = engine_run(Options(exercise="air_time_jump", mode=Mode.LIVE, countdown_s=3), frames)
    go = next(e for e in events if e["type"] == "posture" and e.get("countdown") == 0)
    calibrated = next(e for e in events if e["type"] == "jump_calibration")
    assert go["timestampMs"] <= calibrated["timestampMs"]
    assert len([e for e in events if e["type"] == "jump_result"]) == 2


def test_reset_ends_the_set_with_its_summary():
    frames, _ = clip([JumpPlan(0.3)], 30)
    engine, _ = engine_run(Options(exercise="air_time_jump", mode=Mode.UPLOAD), frames)
    engine.reset()
    assert engine.snapshot().count == 0
    events = engine.update(frames[0][0], 100.0, 0)
    summary = [e for e in events if e["type"] == "jump_summary"]
    assert len(summary) == 1 and summary[0]["totalJumps"] == 1


def test_bad_heights_and_tilts_are_refused():
    from posetracker.errors import ERRORS, PoseTrackerError

    for options in (Options(exercise="jump_analysis", user_height_cm=20.0),
                    Options(exercise="jump_analysis", device_pitch_deg=80.0)):
        with pytest.raises(PoseTrackerError) as err:
            create_engine(options)
        assert err.value.code in ERRORS
