"""Live faults as a real session meets them, through the WebRTC intake (`process_av_frames`): the camera's size
changing mid-set, frames stopping for seconds and resuming, a failure then START again, the tab going away.
Real poses replayed (see test_live_resilience), so the counts are the real engine's."""
from __future__ import annotations

import gc
import weakref
from fractions import Fraction

import av
import numpy as np

from posetracker.live import LiveProcessor
from posetracker.options import Options
from test_live_resilience import FPS, ReplayEstimator, clean_count, real_poses  # noqa: F401 - fixtures


class InOrder(ReplayEstimator):
    """Replays the recorded poses in order, whatever the picture (its size changes under it)."""

    def estimate(self, image, timestamp):
        self.calls += 1
        if self.fail_every and self.calls % self.fail_every == 0:
            raise self.error("the model choked on this frame")
        pose = self.poses[(self.calls - 1) % len(self.poses)]
        return None if pose is None else type(pose)(pose.xy, pose.scores, timestamp, pose.z, pose.frame_size)


def camera_frame(size, pts: float):
    w, h = size
    frame = av.VideoFrame.from_ndarray(np.full((h, w, 3), 100, np.uint8), format="rgb24").reformat(format="yuv420p")
    frame.pts, frame.time_base = round(pts * 90000), Fraction(1, 90000)
    return frame


def processor_for(estimator) -> LiveProcessor:
    return LiveProcessor("movenet", Options(exercise="squat", countdown_s=0), mirror=True, estimator=estimator)


def feed(processor, sizes, pts0: float = 100.0):
    """One frame per entry of `sizes`, at FPS; returns the sizes that came back."""
    out = []
    for i, size in enumerate(sizes):
        [frame] = processor.process_av_frames([camera_frame(size, pts0 + i / FPS)])
        out.append((frame.width, frame.height))
    return out


def test_webrtc_adapting_the_size_mid_set_changes_nothing_but_the_size(real_poses, clean_count):
    n = len(real_poses)
    ladder = [(640, 480), (480, 360), (320, 240), (480, 360), (640, 480), (640, 360), (480, 270), (640, 360)]
    sizes = [ladder[i * len(ladder) // n] for i in range(n)]
    processor = processor_for(InOrder(real_poses))
    assert feed(processor, sizes) == sizes, "every frame comes back at its own size"
    snap = processor.snapshot()
    assert snap.error is None and snap.frames_processed == n
    assert snap.count == clean_count, "no reset, no lost rep when the size changes"


def test_frames_stopping_for_5_s_then_resuming_keep_the_count_and_placement_comes_back(real_poses, clean_count):
    n, half = len(real_poses), len(real_poses) // 2
    estimator = InOrder(real_poses)
    processor = processor_for(estimator)
    feed(processor, [(640, 480)] * half, pts0=100.0)
    before = processor.snapshot()
    assert before.count >= 1 and before.person_visible
    # The network stalls: no frame for 5 s, then the same stream resumes (its pts jumped by 5 s).
    feed(processor, [(640, 480)] * (n - half), pts0=100.0 + half / FPS + 5.0)
    after = processor.snapshot()
    assert after.error is None and after.person_visible
    assert after.count >= before.count and abs(after.count - clean_count) <= 1
    times = [e["timestampMs"] for e in after.events if "timestampMs" in e]
    assert times == sorted(times)
    assert times[-1] < n / FPS * 1000 + 200, "the 5 s without frames never reach the engine as time (a hold would)"


def test_start_again_after_a_failure_works_and_the_message_goes(real_poses, clean_count):
    processor = processor_for(InOrder(real_poses, fail_every=7))
    feed(processor, [(640, 480)] * 20, pts0=100.0)
    failed = processor.snapshot()
    assert failed.error_code == "live_frame_error" and "choked" not in failed.error
    # STOP, then START: a new stream (its pts start elsewhere), this time without failures.
    processor._tracker.estimator.fail_every = 0
    feed(processor, [(640, 480)] * 30, pts0=3.0)
    resumed = processor.snapshot()
    assert resumed.error is None and resumed.frames_processed == failed.frames_processed + 30


def test_a_tab_closed_mid_set_releases_its_model_stream():
    closed = []

    class Closing(InOrder):
        def close(self):
            closed.append(True)

    processor = processor_for(Closing([None]))
    feed(processor, [(320, 240)] * 5)
    alive = weakref.ref(processor)
    del processor  # the browser session ends without STOP: nothing calls close()
    gc.collect()
    assert alive() is None and closed, "the session's estimator was released with it"
