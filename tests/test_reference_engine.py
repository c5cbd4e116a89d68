"""Reference movements end to end on synthetic motion (known answers): a signature from one rep, counting and
scoring with it through the engine's phases, the events it speaks, and the reference_invalid cases."""
from __future__ import annotations

import numpy as np
import pytest

import synth
from posetracker.engine import Phase, RepRecord, create_engine
from posetracker.errors import ERRORS, PoseTrackerError
from posetracker.events import validate_event
from posetracker.options import Mode, Options
from posetracker.reference import ReferenceStore, build_signature, create_reference, segment_of_rep
from posetracker.reference.engine import ReferenceEngine
from posetracker.reference.store import DB_NAME

SCORE_KEYS = {"overallScore", "nccScore", "dtwScore", "timingScore", "grade"}


def signature_of(exercise: str, view: str, seed: int = 1, start: float = 1.4, end: float = 3.6):
    seq = synth.perform(exercise, reps=1, view=view, seed=seed)
    return build_signature([p for p, _ in seq], [t for _, t in seq], start, end)


class _Ref:
    def __init__(self, signature, name="test"):
        self.id, self.name, self.signature = "r", name, signature


def run(signature, seq, **options):
    engine = ReferenceEngine(Options(**{"mode": Mode.UPLOAD, **options}), _Ref(signature))
    events = []
    for i, (pose, t) in enumerate(seq):
        events += engine.update(pose, t, i)
    events += engine.finish()
    return engine.snapshot(), events


@pytest.mark.parametrize("exercise,view", [("squat", "side"), ("push_up", "side"), ("jumping_jack", "front"),
                                           ("bicep_curl", "front"), ("lunge", "side"), ("lateral_raise", "front")])
def test_a_reference_counts_its_movement_by_another_performance(exercise, view):
    sig = signature_of(exercise, view)
    for reps, seed in ((5, 7), (3, 11)):
        state, _ = run(sig, synth.perform(exercise, reps=reps, view=view, seed=seed))
        assert state.count == reps


@pytest.mark.parametrize("exercise,view,others", [
    ("squat", "side", [("bicep_curl", "front"), ("push_up", "side"), ("jumping_jack", "front")]),
    ("bicep_curl", "front", [("squat", "side"), ("lateral_raise", "front"), ("shoulder_press", "front")]),
    ("lateral_raise", "front", [("bicep_curl", "front"), ("squat", "front"), ("jumping_jack", "front")]),
    ("push_up", "side", [("squat", "side"), ("lunge", "side"), ("bicep_curl", "front")]),
])
def test_a_reference_does_not_count_other_movements(exercise, view, others):
    """Failure class: any movement rising along the reference's direction would count; the shape, the parts that
    must move and the parts that must stay still keep other exercises out."""
    sig = signature_of(exercise, view)
    for other, other_view in others:
        state, _ = run(sig, synth.perform(other, reps=5, view=other_view, seed=7))
        assert state.count <= 1, (other, state.count)


def test_a_one_sided_reference_counts_both_sides():
    """An alternating curl: a reference of the left arm counts the right arm's reps too (mirror)."""
    sig = signature_of("bicep_curl", "front")
    assert sig.moving_parts == ("left_arm",)
    state, _ = run(sig, synth.perform("bicep_curl", reps=6, view="front", seed=3))
    assert state.count == 6


def test_each_counted_rep_carries_its_reference_score_and_the_events_follow_the_schema():
    sig = signature_of("squat", "side")
    state, events = run(sig, synth.perform("squat", reps=4, view="side", seed=5))
    assert [problem for e in events for problem in validate_event(e)] == []
    counters = [e for e in events if e["type"] == "counter" and not e.get("final")]
    assert [e["current_count"] for e in counters] == [1, 2, 3, 4]
    for e in counters:
        score = e["reference_score"]
        assert set(score) == SCORE_KEYS and score["grade"] in "ABCD"
        assert all(0 <= score[k] <= 100 for k in SCORE_KEYS - {"grade"})
        assert score["overallScore"] >= 70  # the same movement, another performance
    assert all(r.reference_score and r.counted for r in state.reps)


def test_a_slower_performance_scores_lower_on_timing():
    sig = signature_of("squat", "side")
    _, normal = run(sig, synth.perform("squat", reps=2, view="side", seed=5))
    _, slow = run(sig, synth.perform("squat", reps=2, view="side", seed=5, period_s=5.0))

    def timing(events):
        return [e["reference_score"]["timingScore"] for e in events if e["type"] == "counter" and not e.get("final")]
    assert len(timing(slow)) == 2 and max(timing(slow)) < min(timing(normal)) - 20


def test_live_waits_for_placement_and_the_countdown():
    sig = signature_of("squat", "side")
    seq = [(None, i / 30) for i in range(30)] + [(p, t + 1.0) for p, t in synth.perform("squat", 3, "side", seed=2)]
    engine = ReferenceEngine(Options(mode=Mode.LIVE, countdown_s=3), _Ref(sig))
    events, phases = [], []
    for i, (pose, t) in enumerate(seq):
        events += engine.update(pose, t, i)
        phases.append(engine.snapshot().phase)
    assert phases[0] is Phase.PLACEMENT and Phase.COUNTDOWN in phases and phases[-1] is Phase.ACTIVE
    countdown = [e["countdown"] for e in events if e["type"] == "posture" and "countdown" in e]
    assert countdown[:1] == [3] and countdown[-1] == 0
    go = next(i for i, e in enumerate(events) if e.get("countdown") == 0)
    assert not any(e["type"] == "counter" for e in events[:go])  # nothing counted before "Go!"
    assert engine.snapshot().count >= 1
    engine.reset()
    assert engine.snapshot().count == 0 and engine.snapshot().phase is Phase.INITIALIZING


@pytest.mark.parametrize("segment,seq,reason", [
    ((1.0, 1.2), None, "too_short"),
    ((1.4, 3.6), [(None, i / 30) for i in range(150)], "no_person"),
    ((0.1, 1.3), None, "no_movement"),    # the lead-in: standing still
    ((40.0, 45.0), None, "outside_clip"),
])
def test_bad_segments_are_reference_invalid_saying_what_is_wrong(segment, seq, reason):
    seq = seq or synth.perform("squat", reps=1, view="side", seed=1)
    with pytest.raises(PoseTrackerError) as exc:
        build_signature([p for p, _ in seq], [t for _, t in seq], *segment)
    assert exc.value.code == "reference_invalid" and exc.value.details["reason"] == reason
    assert "reference_invalid" in ERRORS


def test_plans_other_than_business_are_refused_in_the_library(tmp_path):
    seq = synth.perform("squat", reps=1, view="side", seed=1)
    store = ReferenceStore(tmp_path / DB_NAME)
    for plan in ("free", "developer"):
        with pytest.raises(PoseTrackerError) as exc:
            create_reference([p for p, _ in seq], [t for _, t in seq], 1.4, 3.6, "x", plan=plan, owner="o",
                             store=store)
        assert exc.value.code == "developer_feature_not_allowed"
        assert exc.value.details["blocked"] == ["custom_exercises"]
    assert not store.list()
    ref = create_reference([p for p, _ in seq], [t for _, t in seq], 1.4, 3.6, "Squat", plan="business",
                           owner="plan:business", store=store)
    assert store.get(ref.id).name == "Squat"


def test_create_engine_gives_the_reference_engine_and_refuses_unknown_ids(tmp_path, monkeypatch):
    monkeypatch.setenv("POSETRACKER_DATA_DIR", str(tmp_path))
    seq = synth.perform("squat", reps=1, view="side", seed=1)
    ref = create_reference([p for p, _ in seq], [t for _, t in seq], 1.4, 3.6, "Squat", plan="business",
                           owner="plan:business")
    engine = create_engine(Options(reference=ref.id, mode=Mode.UPLOAD))
    assert isinstance(engine, ReferenceEngine) and engine.name == "Squat"
    with pytest.raises(PoseTrackerError) as exc:
        create_engine(Options(reference="00000000-0000-4000-8000-000000000000"))
    assert exc.value.code == "reference_not_found"


def test_segment_of_rep_runs_on_to_the_return():
    reps = [RepRecord(1.0, 2.0, None, None, True, None), RepRecord(2.2, 3.0, None, None, True, None),
            RepRecord(5.0, 6.0, None, None, True, None)]
    assert segment_of_rep(reps, 0, 10.0) == (1.0, 2.2)
    assert segment_of_rep(reps, 1, 10.0) == (2.2, 3.4)
    assert segment_of_rep(reps, 2, 6.3) == (5.0, 6.3)


def test_signature_survives_json():
    from posetracker.reference.signature import Signature

    sig = signature_of("jumping_jack", "front")
    again = Signature.from_json(sig.to_json())
    assert np.array_equal(again.active, sig.active) and again.moving_parts == sig.moving_parts
    bad = {**sig.to_json(), "version": 99}
    with pytest.raises(PoseTrackerError) as exc:
        Signature.from_json(bad)
    assert exc.value.code == "reference_invalid"
