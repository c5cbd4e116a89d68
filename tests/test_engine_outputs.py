"""Raw outputs (angles, keypoints) are read off the pose; they never feed back into counting."""
from __future__ import annotations

from engine_helpers import of_type
import synth
from posetracker.options import Mode, Options
from posetracker.tracker import Tracker


def _near_then_back():
    """Close to the camera (limbs look long) through the countdown, then stepping back to squat."""
    near = synth.render("squat", [("rest", 3.5)], synth.Camera("front", height_frac=0.85), seed=1)
    back = synth.render("squat", synth.schedule(3, 2.0), synth.Camera("front", height_frac=0.6), seed=2,
                        start_t=near[-1][1] + 1 / 30)
    return near + back


def _trace(angles: bool):
    tracker = Tracker(Options(exercise="squat", mode=Mode.LIVE, countdown_s=3, angles=angles), estimator=object())
    signals, events = [], []
    for pose, t in _near_then_back():
        step = tracker.step_pose(pose, t)
        events += step.events
        signals.append(step.state.signal)
    return signals, events, tracker.state()


def test_switching_angles_on_changes_no_counting_signal_and_no_count():
    off_signals, off_events, off = _trace(False)
    on_signals, on_events, on = _trace(True)
    assert of_type(on_events, "angles") and not of_type(off_events, "angles")
    assert any(s is not None for s in off_signals)
    assert on_signals == off_signals, "the angles output changed the body scale counting uses"
    assert on.count == off.count and on.reps == off.reps


def test_poses_seen_before_counting_starts_leave_the_counting_signal_alone():
    """The raw outputs are computed on every pose (the gate drops them later), counting only on the poses it
    counts: how big the person looked during the countdown must not change the signal afterwards."""
    def active_signals(countdown_height: float):
        near = synth.render("squat", [("rest", 2.5)], synth.Camera("front", height_frac=countdown_height), seed=1)
        back = synth.render("squat", synth.schedule(3, 2.0), synth.Camera("front", height_frac=0.6), seed=2,
                            start_t=near[-1][1] + 1 / 30)
        tracker = Tracker(Options(exercise="squat", mode=Mode.LIVE, countdown_s=3), estimator=object())
        steps = [tracker.step_pose(pose, t) for pose, t in near + back]
        return [s.state.signal for s in steps if s.state.phase.value == "active"], tracker.state().count

    near, near_count = active_signals(0.85)
    same, same_count = active_signals(0.6)
    assert len(near) == len(same) > 100 and near == same and near_count == same_count == 3
