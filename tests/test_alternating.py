"""Alternating exercises count each side's movement, however fast: failure class "fast alternating movements
counted at about half their rate" (high knees at about three lifts a second were merged pairwise)."""
from __future__ import annotations

import pytest

from engine_helpers import drive
import synth
from posetracker.counting import Rep
from posetracker.engine import TrackingEngine
from posetracker.options import Mode, Options
from synth_scenes import alternating

RATES = (0.75, 1.5, 2.0, 3.0, 4.0)  # lifts a second per side


@pytest.mark.parametrize("view", ["front", "side"])
@pytest.mark.parametrize("per_side_hz", RATES)
def test_high_knees_count_every_lift_up_to_four_a_second_per_side(per_side_hz, view):
    state, _, _ = drive(alternating("high_knees", per_side_hz, 8, view=view, fps=30, seed=1), exercise="high_knees")
    assert state.count == 16, [r for r in state.reps]


@pytest.mark.parametrize("per_side_hz", RATES[:-1])
def test_mountain_climbers_count_every_drive_up_to_three_a_second_per_side(per_side_hz):
    state, _, _ = drive(alternating("mountain_climber", per_side_hz, 8, view="side", fps=30, seed=2),
                        exercise="mountain_climber")
    assert state.count == 16, [r for r in state.reps]


def test_mountain_climbers_at_four_a_second_per_side_lose_at_most_one_drive():
    # A knee drive then lasts an eighth of a second; filtered, its depth is close to the easy threshold.
    counts = [drive(alternating("mountain_climber", 4.0, 8, view="side", fps=60, seed=seed),
                    exercise="mountain_climber")[0].count for seed in range(4)]
    assert all(15 <= c <= 16 for c in counts) and sum(counts) >= 63, counts


@pytest.mark.parametrize("seed", [3, 4])
def test_fast_high_knees_with_keypoint_mess_still_count_each_side(seed):
    mess = synth.Mess(noise=0.006, jitter_p=0.03, missing_p=0.03)
    state, _, _ = drive(alternating("high_knees", 1.5, 10, view="side", fps=60, mess=mess, seed=seed),
                        exercise="high_knees")
    assert state.count == 20


def test_both_arms_curling_together_are_one_rep_each_time():
    state, _, _ = drive(synth.perform("hammer_curl", reps=5, view="front", seed=5), exercise="bicep_curl")
    assert state.count == 5


def engine_for(exercise: str) -> TrackingEngine:
    engine = TrackingEngine(Options(exercise=exercise, mode=Mode.UPLOAD))
    engine.update(None, 0.0)
    return engine


def test_two_sides_are_one_rep_only_when_they_peak_together_and_overlap():
    engine = engine_for("bicep_curl")
    out: list[dict] = []
    left = Rep(1.0, 3.0, 2.0, 0.5, rise_s=1.4)
    engine._finish_rep(left, 3.0, out, "left")
    engine._finish_rep(Rep(1.1, 3.1, 2.1, 0.5, rise_s=1.5), 3.1, out, "right")   # together: the same curl
    assert engine.snapshot().count == 1
    engine = engine_for("high_knees")
    engine._finish_rep(Rep(1.0, 1.2, 1.1, 0.9, rise_s=1.05), 1.2, out, "left")
    engine._finish_rep(Rep(1.15, 1.4, 1.3, 0.9, rise_s=1.2), 1.4, out, "right")  # peaks 0.2 s apart, no overlap
    assert engine.snapshot().count == 2


def test_each_side_of_an_alternating_exercise_has_its_own_signal_in_the_snapshot():
    engine = TrackingEngine(Options(exercise="high_knees", mode=Mode.UPLOAD))
    for frame_id, (pose, t) in enumerate(alternating("high_knees", 1.0, 2, fps=30, seed=6)):
        engine.update(pose, t, frame_id)
        state = engine.snapshot()
        if t > 1.2:
            assert set(state.side_signals) == {"left", "right"}
            assert state.signal == max(state.side_signals.values())
    single = TrackingEngine(Options(exercise="squat", mode=Mode.UPLOAD))
    for frame_id, (pose, t) in enumerate(synth.perform("squat", reps=1, view="side")):
        single.update(pose, t, frame_id)
    assert single.snapshot().side_signals == {}


def test_the_upload_chart_draws_each_side_and_names_the_side_of_each_rep():
    import numpy as np

    from posetracker.analysis import replay
    from posetracker.charts import signal_figure
    from posetracker.tools.posecache import PoseTrack

    poses = alternating("high_knees", 1.5, 4, view="front", fps=30, seed=7)
    track = PoseTrack(np.array([t for _, t in poses]), [p for p, _ in poses], 640, 480, 30.0)
    result = replay(track, Options(exercise="high_knees", mode=Mode.UPLOAD), "synthetic")
    assert result.reps == 8
    fig = signal_figure(result)
    lines = {tr.name: tr for tr in fig.data}
    assert {"left side", "right side"} <= set(lines) and lines["signal"].visible == "legendonly"
    left = [y for y in lines["left side"].y if y is not None]
    right = [y for y in lines["right side"].y if y is not None]
    assert max(left) > 0.6 and max(right) > 0.6 and left != right
    hover = lines["reps"].text
    assert sum("(left side)" in h for h in hover) == 4 and sum("(right side)" in h for h in hover) == 4
