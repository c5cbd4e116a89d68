"""Every excursion the counter sees but does not count says why: too shallow, too short, too long, person lost.
The reasons reach the reps table, the `rep_rejected` events and the chart's hover text."""
from __future__ import annotations

from engine_helpers import drive, of_type
import synth
from posetracker.charts import REASONS, signal_figure
from posetracker.counting import RepCounter, RepTrack
from posetracker.events import validate_event
from posetracker.exercises import get_spec
from posetracker.options import Mode, Options

FPS = 30.0


def ramp(a: float, b: float, seconds: float) -> list[float]:
    n = int(seconds * FPS)
    return [a + (b - a) * i / n for i in range(n)]


def feed(counter, values, start_t: float = 0.0):
    out = []
    for i, v in enumerate(values):
        rep = counter.update(v, start_t + i / FPS)
        out += [rep] if rep is not None else []
    return out


def test_a_thirty_second_excursion_is_given_up_as_too_long_not_counted():
    spec = get_spec("squat")
    counter = RepCounter(spec, spec.depth.medium)
    values = [0.0] * 60 + ramp(0.0, 0.45, 1.0) + [0.45] * int(30 * FPS) + ramp(0.45, 0.0, 1.0) + [0.0] * 60
    reps = feed(counter, values)
    assert [r.dropped for r in reps] == ["too_long"], reps
    assert reps[0].duration_s > spec.max_rep_s and reps[0].excursion >= spec.depth.medium
    assert counter.finish() is None  # coming back from the new position is not a rep either


def test_a_rep_just_under_the_longest_still_counts():
    spec = get_spec("squat")
    counter = RepCounter(spec, spec.depth.medium)
    hold = spec.max_rep_s - 3.0
    values = [0.0] * 60 + ramp(0.0, 0.45, 1.0) + [0.45] * int(hold * FPS) + ramp(0.45, 0.0, 1.0) + [0.0] * 60
    reps = feed(counter, values)
    assert len(reps) == 1 and reps[0].dropped is None and reps[0].excursion >= spec.depth.medium


def test_a_squat_held_at_the_bottom_for_thirty_seconds_is_not_a_rep():
    poses = synth.render("squat", [("rest", 1.5), ("rep", 2.0, 1.0, "both"), ("rest", 1.0), ("hold", 30.0),
                                   ("rest", 2.0)], synth.Camera("side"), seed=3)
    state, events, _ = drive(poses, exercise="squat")
    assert state.count == 1
    assert [r.reason for r in state.reps if not r.counted] == ["too_long"]
    assert [e["reason"] for e in of_type(events, "rep_rejected")] == ["too_long"]


def test_a_person_lost_mid_rep_is_reported_and_not_counted():
    spec = get_spec("squat")
    track = RepTrack(spec, spec.depth.medium, gap_s=1.0)
    values = [0.0] * 45 + ramp(0.0, 0.45, 0.8)
    reps = []
    for i, v in enumerate(values):
        reps += track.update(v, i / FPS)
    t = len(values) / FPS + 2.0  # back after two seconds, standing
    for i in range(60):
        reps += track.update(0.0, t + i / FPS)
    assert [r.dropped for r in reps] == ["person_lost"]


def test_person_lost_mid_rep_in_the_engine():
    segs = [("rest", 1.5), ("rep", 2.0, 1.0, "both"), ("rest", 0.5), ("hold", 0.6), ("absent", 2.0), ("rest", 1.0),
            ("rep", 2.0, 1.0, "both"), ("rest", 1.5)]
    state, events, _ = drive(synth.render("squat", segs, synth.Camera("side"), seed=4), exercise="squat")
    assert state.count == 2
    assert [r.reason for r in state.reps if not r.counted] == ["person_lost"]
    assert "person_lost" in [e["reason"] for e in of_type(events, "rep_rejected")]


def test_shallow_and_short_reps_say_why_in_events_and_every_event_is_valid():
    segs = synth.schedule(2, 2.0, 0.45) + [("rep", 0.25, 1.0, "both"), ("rest", 1.0)]
    state, events, _ = drive(synth.render("squat", segs, synth.Camera("side"), synth.CLEAN), exercise="squat")
    reasons = [r.reason for r in state.reps if not r.counted]
    assert state.count == 0 and set(reasons) == {"too_shallow", "too_fast"}, reasons
    rejected = of_type(events, "rep_rejected")
    assert [e["reason"] for e in rejected] == reasons
    assert all(e["grade"] is None and validate_event(e) == [] for e in rejected)


def test_the_chart_names_each_reason():
    from posetracker.analysis import replay
    from posetracker.tools.posecache import PoseTrack
    import numpy as np

    segs = [("rest", 1.5), ("rep", 2.0, 1.0, "both"), ("rest", 0.5), ("hold", 14.0), ("rest", 1.0),
            ("rep", 2.0, 0.45, "both"), ("rest", 1.5)]
    poses = synth.render("squat", segs, synth.Camera("side"), seed=5)
    track = PoseTrack(np.array([t for _, t in poses]), [p for p, _ in poses], 640, 480, FPS)
    result = replay(track, Options(exercise="squat", mode=Mode.UPLOAD), "synthetic")
    assert result.reps == 1
    hover = [t for tr in signal_figure(result).data if tr.name == "reps" for t in tr.text]
    assert any(REASONS["too_long"] in h for h in hover) and any(REASONS["too_shallow"] in h for h in hover), hover
    assert set(REASONS) >= {"too_shallow", "too_fast", "too_long", "person_lost", "min_grade"}
