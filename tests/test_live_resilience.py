"""The live frame processor under stress, as streamlit-webrtc drives it: a camera faster than the model, a model
that throws, STOP and START. Real poses (MoveNet on a real squat clip, computed once) are replayed by a stand-in
estimator, so the counts are the real engine's and each test runs in a second or two.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from fractions import Fraction

import numpy as np
import pytest

from posetracker.live import LiveProcessor
from posetracker.options import Options

CLIP = "rjsong_squat2.mp4"
FPS = 15
SECONDS = 14.0  # about six squats
SIZE = (64, 48)  # the stand-in estimator ignores the picture: small frames keep drawing cheap


@pytest.fixture(scope="module")
def real_poses(clip, movenet_installed) -> list:
    """MoveNet poses of the clip at 15 frames/s (index i is at i/15 s)."""
    from posetracker.estimators import create_estimator
    from posetracker.video import iter_frames

    poses, next_t = [], 0.0
    with create_estimator("movenet") as estimator:
        for frame in iter_frames(clip(CLIP), max_side=256):
            if frame.timestamp >= SECONDS:
                break
            if frame.timestamp + 1e-6 < next_t:
                continue
            next_t += 1.0 / FPS
            poses.append(estimator.estimate(frame.image, frame.timestamp))
    assert sum(p is not None for p in poses) > 0.9 * len(poses)
    return poses


class ReplayEstimator:
    """Returns the recorded pose whose index is written in the frame's first pixels; can be slow or throw."""

    name = "movenet"

    def __init__(self, poses, delay_s: float = 0.0, fail_every: int = 0, error=RuntimeError):
        self.poses, self.delay_s, self.fail_every, self.error = poses, delay_s, fail_every, error
        self.calls = self.resets = 0

    def estimate(self, image, timestamp):
        self.calls += 1
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail_every and self.calls % self.fail_every == 0:
            raise self.error("the model choked on this frame")
        index = int(image[0, 0, 0]) + 256 * int(image[0, 1, 0])
        pose = self.poses[index % len(self.poses)]
        return None if pose is None else type(pose)(pose.xy, pose.scores, timestamp, pose.z, pose.frame_size)

    def reset(self):
        self.resets += 1

    def close(self):
        pass


def frame_image(index: int) -> np.ndarray:
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    image[0, 0, 0], image[0, 1, 0] = index % 256, index // 256
    return image


def processor_for(estimator, **options) -> LiveProcessor:
    return LiveProcessor("movenet", Options(exercise="squat", countdown_s=0, **options), mirror=True,
                         estimator=estimator)


def play(processor: LiveProcessor, n: int, pts0: float = 1000.0, first: int = 0) -> None:
    for i in range(first, first + n):
        processor.process(frame_image(i), pts0 + i / FPS)


@pytest.fixture(scope="module")
def clean_count(real_poses) -> int:
    """The count of the whole clip with no trouble at all: what the troubled runs are compared with."""
    processor = processor_for(ReplayEstimator(real_poses))
    play(processor, len(real_poses))
    count = processor.snapshot().count
    assert count >= 3, "the replayed squats should count"
    return count


def test_a_camera_faster_than_the_model_drops_frames_latest_wins_with_bounded_latency(real_poses):
    """A 100 frames/s camera and a 40 ms model, wired as streamlit-webrtc's queued callback does: every call
    gets the frames that queued since the last one and must answer with the newest."""
    import av

    processor = processor_for(ReplayEstimator(real_poses, delay_s=0.04))
    camera: queue.Queue = queue.Queue()
    stop = threading.Event()

    def produce():
        i = 0
        while not stop.is_set():
            frame = av.VideoFrame.from_ndarray(frame_image(i), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 100)
            camera.put((frame, time.monotonic(), i))
            i += 1
            time.sleep(0.01)

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    latencies, newest_seen, processed_ids, received = [], -1, [], 0
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        batch = [camera.get()]
        while True:
            try:
                batch.append(camera.get_nowait())
            except queue.Empty:
                break
        received += len(batch)
        out = processor.process_av_frames([f for f, _, _ in batch])
        assert len(out) == 1 and out[0].width == SIZE[0]
        latencies.append(time.monotonic() - batch[-1][1])
        processed_ids.append(batch[-1][2])
        newest_seen = batch[-1][2]
    stop.set()
    producer.join()

    snap = processor.snapshot()
    assert snap.error is None
    assert snap.frames_processed == len(processed_ids) and snap.frames_dropped == received - len(processed_ids)
    assert snap.frames_dropped > snap.frames_processed, "a 100 frames/s camera and a 40 ms model must drop"
    assert processed_ids == sorted(processed_ids) and processed_ids[-1] == newest_seen
    # Latency is bounded by one processing time (plus scheduling), not growing with a backlog.
    assert max(latencies) < 0.25, f"latency grew: {max(latencies):.3f} s"
    assert np.mean(latencies[len(latencies) // 2:]) < 0.1


def test_an_exception_in_processing_is_caught_reported_once_and_counting_goes_on(real_poses, clean_count, caplog):
    estimator = ReplayEstimator(real_poses, fail_every=10)
    processor = processor_for(estimator)
    with caplog.at_level(logging.ERROR, logger="posetracker.live"):
        play(processor, len(real_poses))  # `process` must never raise
    snap = processor.snapshot()
    failures = len(real_poses) // 10
    assert snap.frames_processed == len(real_poses) - failures
    assert snap.error_code == "live_frame_error" and "choked" not in snap.error, "plain words, not exception text"
    assert len([r for r in caplog.records if r.name == "posetracker.live"]) == 1, "reported once, not per frame"
    assert caplog.records[0].exc_info is not None, "the server log keeps the traceback"
    assert abs(snap.count - clean_count) <= 1, "one frame in ten lost must not change the count"


def test_an_unconvertible_webrtc_frame_never_raises_into_the_worker(real_poses):
    class BrokenFrame:
        time = 1.0

        def to_ndarray(self, **kwargs):
            raise ValueError("unsupported pixel format")

    processor = processor_for(ReplayEstimator(real_poses))
    broken = BrokenFrame()
    assert processor.process_av_frames([broken]) == [broken]  # handed back untouched, the stream goes on
    assert processor.snapshot().error
    play(processor, 3)
    assert processor.snapshot().frames_processed == 3


def test_stop_keeps_the_count_and_start_continues_the_set(real_poses, clean_count):
    estimator = ReplayEstimator(real_poses)
    processor = processor_for(estimator)
    half = len(real_poses) // 2
    play(processor, half, pts0=1000.0)
    before = processor.snapshot()
    assert before.count >= 1

    time.sleep(0.2)  # STOP: no frames for a while; the page keeps polling
    after_stop = processor.snapshot()
    assert (after_stop.count, after_stop.frames_processed) == (before.count, before.frames_processed)
    assert after_stop.state is not None and after_stop.state.reps == before.state.reps

    # START again: a new WebRTC stream, whose pts start somewhere else entirely; the set continues.
    play(processor, len(real_poses) - half, pts0=5.0, first=half)
    resumed = processor.snapshot()
    assert estimator.resets >= 1, "the estimator forgets its tracking state on a new stream"
    assert resumed.count >= before.count
    assert abs(resumed.count - clean_count) <= 1
    times = [e["timestampMs"] for e in resumed.events if "timestampMs" in e]
    assert times == sorted(times), "engine time never runs backwards across STOP/START"


def test_start_after_reset_begins_a_new_set(real_poses, clean_count):
    processor = processor_for(ReplayEstimator(real_poses))
    play(processor, len(real_poses))
    assert processor.snapshot().count == clean_count
    processor.reset()  # the page's Reset button, between STOP and START
    fresh = processor.snapshot()
    assert (fresh.count, fresh.frames_processed, fresh.events, fresh.error) == (0, 0, (), None)
    play(processor, len(real_poses), pts0=50.0)
    assert processor.snapshot().count == clean_count


def test_sessions_do_not_share_counts_across_threads(real_poses, clean_count):
    """Three camera threads at once, one processor each: each count is its own."""
    processors = [processor_for(ReplayEstimator(real_poses)) for _ in range(3)]
    lengths = [len(real_poses), len(real_poses) // 2, 0]
    threads = [threading.Thread(target=play, args=(p, n)) for p, n in zip(processors, lengths)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = [p.snapshot().count for p in processors]
    assert counts[0] == clean_count and counts[2] == 0 and 1 <= counts[1] < clean_count, counts


def test_the_shared_model_gives_each_concurrent_session_the_same_poses_as_alone(clip, movenet_installed):
    """Sessions share one MoveNet interpreter (loaded once per process); four threads using it at once must get
    exactly what each would get alone, and no session makes a model copy of its own."""
    from posetracker.estimators import create_estimator
    from posetracker.estimators.movenet import shared_interpreter
    from posetracker.video import iter_frames

    streams = {}
    for name in ("rjsong_squat2.mp4", "mrpose_jacks.mp4", "vengaza_squats.mp4", "ketan_curl.mp4"):
        frames = []
        for frame in iter_frames(clip(name), max_side=256):
            if len(frames) == 40:
                break
            frames.append(frame)
        streams[name] = frames

    def run(frames):
        with create_estimator("movenet") as estimator:
            return [estimator.estimate(f.image, f.timestamp) for f in frames]

    alone = {name: run(frames) for name, frames in streams.items()}
    together: dict = {}
    threads = [threading.Thread(target=lambda n=n, f=f: together.__setitem__(n, run(f))) for n, f in streams.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name in streams:
        for a, b in zip(alone[name], together[name], strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a.xy, b.xy)
                np.testing.assert_array_equal(a.scores, b.scores)
    assert shared_interpreter.cache_info().currsize == 1
