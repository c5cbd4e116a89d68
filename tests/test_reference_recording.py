"""Record a reference on a live stream: the processor's bounded pose history, two taps, a checked take, a stored
reference that counts its movement; and each way a take is refused (`reference_invalid` with its reason)."""
from __future__ import annotations

import pytest

import synth
from live_replay import PTS0, live, play
from posetracker.engine import create_engine
from posetracker.errors import PoseTrackerError
from posetracker.live import POSE_HISTORY_S, LiveProcessor
from posetracker.options import Mode, Options
from posetracker.reference import ReferenceStore, owner_of
from posetracker.reference.recording import RepRecorder, Take, save_take
from posetracker.reference.store import DB_NAME


def record(seq, start: float, end: float, recorder: RepRecorder | None = None) -> Take:
    processor, recorder = live(seq), recorder or RepRecorder()
    rest = play(processor, seq, start)
    assert recorder.tap(processor) is None and recorder.recording
    play(processor, rest, end)
    return recorder.tap(processor)


def refusal(call) -> PoseTrackerError:
    with pytest.raises(PoseTrackerError) as exc:
        call()
    assert exc.value.code == "reference_invalid"
    return exc.value


@pytest.fixture
def store(tmp_path):
    return ReferenceStore(tmp_path / DB_NAME)


def count_with(ref_id: str, seq, monkeypatch, store) -> int:
    monkeypatch.setenv("POSETRACKER_DATA_DIR", str(store.path.parent))
    engine = create_engine(Options(reference=ref_id, mode=Mode.UPLOAD))
    for i, (pose, t) in enumerate(seq):
        engine.update(pose, t, i)
    engine.finish()
    return engine.snapshot().count


def test_the_pose_history_is_bounded_timed_and_kept_across_a_new_set():
    seq = synth.perform("squat", reps=20, view="side", seed=3)  # ~50 s of frames
    processor = live(seq)
    rest = play(processor, seq, 10.0)
    times, poses = processor.recent_poses()
    assert len(times) == len(poses) and times[0] == 0.0 and times[-1] == processor.snapshot().stream_time
    processor.reset()  # a new set: the clock and the history go on
    assert processor.snapshot().stream_time == times[-1] and processor.recent_poses()[0] == times
    play(processor, rest)
    times, poses = processor.recent_poses()
    assert times[-1] - times[0] <= POSE_HISTORY_S and times[-1] - times[0] > POSE_HISTORY_S - 0.1
    assert list(times) == sorted(times) and times[-1] == pytest.approx(seq[-1][1])
    assert all(p is not None for p in poses)
    assert len(times) <= POSE_HISTORY_S * 30 + 1


def test_two_taps_around_one_rep_make_a_reference_that_counts_the_movement(store, monkeypatch):
    seq = synth.perform("squat", reps=1, view="side", seed=1)
    take = record(seq, 1.4, 3.6)
    assert take.duration_s == pytest.approx(2.2, abs=0.05) and take.frames >= 60
    assert take.source == {"live": "camera", "start_s": round(take.start_s, 3), "end_s": round(take.end_s, 3),
                           "model": "movenet"}
    assert {"left_leg", "right_leg"} <= set(take.signature().moving_parts)

    with pytest.raises(PoseTrackerError) as exc:  # a take refused for want of a name is kept for another try
        save_take(take, "  ", plan="business", owner=owner_of("business"), store=store)
    assert exc.value.details["reason"] == "no_name" and store.list() == []
    ref = save_take(take, "Live squat", plan="business", owner=owner_of("business"), store=store)
    assert [r.id for r in store.list()] == [ref.id] and store.get(ref.id).source["live"] == "camera"
    for reps, seed in ((5, 7), (3, 11)):
        assert count_with(ref.id, synth.perform("squat", reps=reps, view="side", seed=seed), monkeypatch,
                          store) == reps
    assert count_with(ref.id, synth.perform("bicep_curl", reps=5, view="front", seed=7), monkeypatch, store) <= 1


def test_taps_closer_than_a_repetition_are_too_short_and_the_recorder_starts_over():
    seq = synth.perform("squat", reps=1, view="side", seed=1)
    recorder = RepRecorder()
    exc = refusal(lambda: record(seq, 1.5, 1.7, recorder))
    assert exc.details["reason"] == "too_short" and "two taps" in exc.message
    assert not recorder.recording


@pytest.mark.parametrize("seq,start,end,reason,words", [
    ([(None, i / 30) for i in range(150)], 1.4, 3.6, "no_person", "No person was in view"),
    (synth.perform("squat", reps=1, view="side", seed=1), 0.1, 1.3, "no_movement", "Nothing moved"),
])
def test_a_take_with_no_person_or_no_movement_is_refused_saying_so(seq, start, end, reason, words):
    exc = refusal(lambda: record(seq, start, end))
    assert exc.details["reason"] == reason and exc.message.startswith(words) and "between the two taps" in exc.message


def test_a_tap_before_any_frame_a_changed_stream_and_a_start_out_of_the_history_are_refused():
    seq = synth.perform("squat", reps=20, view="side", seed=3)
    recorder = RepRecorder()
    processor = live(seq)
    assert refusal(lambda: recorder.tap(processor)).details["reason"] == "no_frames"
    rest = play(processor, seq, 1.0)
    recorder.tap(processor)
    other = live(seq)  # another model chosen: a new processor, a new clock
    play(other, seq, 3.0)
    assert refusal(lambda: recorder.tap(other)).details["reason"] == "stream_changed"
    recorder.tap(processor)
    play(processor, rest, 1.0 + POSE_HISTORY_S + 2)
    assert refusal(lambda: recorder.tap(processor)).details["reason"] == "too_long"


def test_only_the_business_plan_saves_a_take(store):
    take = record(synth.perform("squat", reps=1, view="side", seed=1), 1.4, 3.6)
    with pytest.raises(PoseTrackerError) as exc:
        save_take(take, "Mine", plan="developer", owner=owner_of("developer"), store=store)
    assert exc.value.code == "developer_feature_not_allowed" and store.list() == []


def test_a_real_clip_through_the_live_processor_records_a_rep_that_counts_the_clip(movenet_installed, clip,
                                                                                    labels, store, monkeypatch):
    """MoveNet on a real clip's frames as a camera sends them; taps around its second squat (about 4.5-7.5 s)."""
    from posetracker.video import iter_frames

    name = "vengaza_squats.mp4"
    processor, recorder = LiveProcessor("movenet", Options(exercise="squat"), engine_factory=None), RepRecorder()
    taps = [3.0, 8.0]
    for frame in iter_frames(clip(name), max_side=640):
        processor.process(frame.image, PTS0 + frame.timestamp)
        if taps and frame.timestamp >= taps[0]:
            taps.pop(0)
            take = recorder.tap(processor, clip=name)
    assert take.source["clip"] == name and 4.9 <= take.duration_s <= 5.1
    ref = save_take(take, "Second squat", plan="business", owner=owner_of("business"), store=store)
    assert {"left_leg", "right_leg"} <= set(ref.signature.moving_parts)
    times, poses = processor.recent_poses()  # the whole clip: it is shorter than the history
    label = next(item for item in labels if item["file"] == name)
    counted = count_with(ref.id, list(zip(poses, times)), monkeypatch, store)
    assert label["reps_min"] - 1 <= counted <= label["reps_max"] + 1
