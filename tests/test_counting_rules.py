"""One test per counting rule, on the counters alone or the engine fed signal-shaped pose sequences: removing any
rule (the end-of-clip rep, the too-fast rejection, the settle time after the person reappears, the hidden-legs
hold, the too-shallow rejection, the pause across a gap, one rep for two sides) fails a test here."""
from __future__ import annotations

import math

import pytest

from engine_helpers import drive
import synth
from posetracker.counting import HoldTimer, RepCounter, RepTrack
from posetracker.engine import GAP_S, SETTLE_S
from posetracker.exercises import get_spec

SQUAT = get_spec("squat")
DEPTH = SQUAT.depth.at("medium")
FPS = 30


def ramp(values: list[float], start_t: float = 0.0) -> list[tuple[float, float]]:
    return [(v, start_t + i / FPS) for i, v in enumerate(values)]


def excursion(peak: float, rise_s: float, fall_s: float, fall_to: float = 0.0) -> list[float]:
    """Rest, a smooth rise to `peak`, a smooth fall to `fall_to` (as a fraction of the way back)."""
    up = [peak * (1 - math.cos(math.pi * i / (rise_s * FPS))) / 2 for i in range(int(rise_s * FPS) + 1)]
    down = [peak - (peak - fall_to) * (1 - math.cos(math.pi * i / (fall_s * FPS))) / 2
            for i in range(1, int(fall_s * FPS) + 1)]
    return [0.0] * FPS + up + down


def run(counter: RepCounter, values: list[float]) -> list:
    return [rep for v, t in ramp(values) if (rep := counter.update(v, t)) is not None]


def test_a_full_excursion_is_one_rep():
    reps = run(RepCounter(SQUAT, DEPTH), excursion(2 * DEPTH, 1.0, 1.0) + [0.0] * FPS)
    assert len(reps) == 1 and reps[0].excursion == pytest.approx(2 * DEPTH, abs=1e-6)


def test_end_of_clip_a_rep_well_on_its_way_back_counts():
    counter = RepCounter(SQUAT, DEPTH)
    back = 1 - SQUAT.hysteresis.finish_return - 0.1  # the fall stops this far short of the bottom
    assert run(counter, excursion(2 * DEPTH, 1.0, 0.3, fall_to=back * 2 * DEPTH)) == []
    rep = counter.finish()
    assert rep is not None and rep.excursion == pytest.approx(2 * DEPTH, abs=1e-6)


def test_end_of_clip_a_rep_barely_turning_back_does_not_count():
    counter = RepCounter(SQUAT, DEPTH)
    run(counter, excursion(2 * DEPTH, 1.0, 0.2, fall_to=0.95 * 2 * DEPTH))
    assert counter.finish() is None


def test_a_gap_pauses_the_counter_so_no_rep_completes_across_it():
    track = RepTrack(SQUAT, DEPTH, GAP_S)
    rise = excursion(2 * DEPTH, 1.0, 0.01)[: FPS + FPS]  # rest then up to the bottom of the squat
    reps = []
    for v, t in ramp(rise):
        reps += track.update(v, t)
    last_t = len(rise) / FPS
    for v, t in ramp([0.0] * FPS, start_t=last_t + GAP_S + 0.5):  # back standing after the gap
        reps += track.update(v, t)
    # The excursion is given up and says why (it is reported, never counted).
    assert [r.dropped for r in reps] == ["person_lost"] and track.counter.finish() is None


def squats(period_s: float, reps: int = 3, depth: float = 1.0):
    return synth.render("squat", synth.schedule(reps, period_s, depth), synth.Camera("side"), synth.CLEAN)


def test_reps_faster_than_the_minimum_are_rejected_as_too_fast():
    state, _, _ = drive(squats(2.0), exercise="squat")
    assert state.count == 3
    fast = SQUAT.min_rep_s * 0.6
    state, _, _ = drive(squats(fast), exercise="squat")
    assert state.count == 0
    assert [r.reason for r in state.reps] and all(r.reason == "too_fast" for r in state.reps)


def test_shallow_reps_are_rejected_as_too_shallow():
    state, _, _ = drive(squats(2.0, depth=0.45), exercise="squat")
    assert state.count == 0 and len(state.reps) == 3 and all(r.reason == "too_shallow" for r in state.reps)


def test_nothing_is_counted_while_the_tracker_settles_after_the_person_reappears():
    """The first frames after the person comes back are a tracker re-locking: a squat-deep glitch in them must
    not move the counting signal, nor leave a rep."""
    stand = synth.render("squat", [("rest", 2.0)], synth.Camera("side"), synth.CLEAN)
    back_at = stand[-1][1] + GAP_S + 0.5
    glitch = synth.render("squat", [("hold", SETTLE_S * 0.8)], synth.Camera("side"), synth.CLEAN, start_t=back_at)
    after = synth.render("squat", [("rest", 2.0)], synth.Camera("side"), synth.CLEAN,
                         start_t=glitch[-1][1] + 1 / FPS)
    stream = stand + [(None, stand[-1][1] + GAP_S / 2)] + glitch + after
    state, _, _ = drive(stream, exercise="squat")
    assert state.count == 0 and state.reps == ()
    seen = []  # the same stream on a fresh engine, frame by frame: the signal holds still while settling
    _, _, fresh = drive(stand + [(None, stand[-1][1] + GAP_S / 2)], finish=False, exercise="squat")
    before = fresh.snapshot().signal
    for i, (pose, t) in enumerate(glitch):
        fresh.update(pose, t, i)
        seen.append(fresh.snapshot().signal)
    assert before is not None and all(s == before for s in seen)


def _feed(timer: HoldTimer, in_position: bool | None, visible: bool, t: float, seconds: float) -> float:
    """`seconds` of frames at FPS with the same reading; returns the time after them."""
    for _ in range(round(seconds * FPS)):
        timer.update(in_position, t, visible=visible)
        t += 1 / FPS
    return t


def test_a_plank_goes_on_while_only_the_legs_are_hidden():
    rule = get_spec("plank").hold
    timer = HoldTimer(rule, GAP_S)
    t = _feed(timer, True, True, 0.0, 3.0)
    held = timer.seconds
    _feed(timer, None, True, t, 2.0)  # the legs point at the camera: undecidable, the person still in view
    assert held > 2.0 and timer.seconds == pytest.approx(held + 2.0, abs=0.1)


def test_a_plank_stops_when_the_person_is_gone_or_leaves_the_position():
    rule = get_spec("plank").hold
    for unseen, visible in ((None, False), (False, True)):
        timer = HoldTimer(rule, GAP_S)
        t = _feed(timer, True, True, 0.0, 3.0)
        held = timer.seconds
        _feed(timer, unseen, visible, t, 2.0)
        assert timer.seconds == pytest.approx(held, abs=0.05) and not timer.holding


def test_both_arms_peaking_together_are_one_rep_of_an_alternating_exercise():
    alternating = next(s for s in ("hammer_curl", "bicep_curl", "lateral_raise") if get_spec(s).sides == "alternate")
    together = synth.render(alternating, synth.schedule(2, 2.0), synth.Camera("front"), synth.CLEAN)
    state, _, _ = drive(together, exercise=alternating)
    assert state.count == 2
