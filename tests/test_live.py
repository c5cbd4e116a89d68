"""The live frame processor on real frames, without streamlit: results, dropped frames, errors, resets, time."""
from __future__ import annotations

import logging
import subprocess
import sys
import threading
from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from posetracker.errors import PoseTrackerError
from posetracker.live import LiveProcessor, rtc_configuration
from posetracker.options import Options
from posetracker.video import iter_frames


@pytest.fixture(scope="module")
def camera_frames(clip) -> list[tuple[np.ndarray, float]]:
    """Two seconds of a real squat clip as a 640x480 camera would send them (letterboxed RGB, pts seconds)."""
    frames = []
    for frame in iter_frames(clip("rjsong_squat2.mp4"), max_side=640):
        if frame.timestamp > 2.0:
            break
        canvas = np.zeros((480, 640, 3), np.uint8)
        canvas[60:420] = cv2.resize(frame.image, (640, 360))
        frames.append((canvas, 1000.0 + frame.timestamp))  # WebRTC pts do not start at zero
    return frames


class FakeEngine:
    def __init__(self, options):
        self.options = options
        self.times: list[float] = []

    def update(self, pose, timestamp, frame_id):
        self.times.append(timestamp)
        return [{"type": "form_score", "score": 91, "avg_score": 91, "grade": "A"}] if frame_id == 2 else []

    def snapshot(self):
        return None

    def finish(self):
        return []


@dataclass
class FakeEstimator:
    name: str = "fake"
    fail_on: int | None = None
    calls: int = 0
    resets: int = 0

    def estimate(self, image, timestamp):
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("the model choked")
        return None

    def reset(self):
        self.resets += 1

    def close(self):
        pass


@pytest.mark.parametrize("model", ["movenet", "blazepose"])
def test_real_frames_through_model_engine_and_overlay(model, movenet_installed, camera_frames):
    processor = LiveProcessor(model, Options(exercise="squat"), mirror=True)
    for image, pts in camera_frames:
        out = processor.process(image, pts)
        assert out.shape == image.shape and out.dtype == np.uint8
    snap = processor.snapshot()
    assert snap.error is None
    assert snap.frames_processed == len(camera_frames)
    assert snap.person_visible and snap.pose is not None
    assert snap.state is not None and snap.state.person_visible
    assert snap.count == 0  # two seconds of standing and the first descent: no rep yet
    assert snap.ms_per_frame > 0 and snap.fps > 0
    assert snap.events and all("type" in e for e in snap.events)
    assert not np.array_equal(out, camera_frames[-1][0][:, ::-1])  # something was drawn on the mirrored frame


def test_mirror_flips_the_output(camera_frames):
    image, pts = camera_frames[0]
    plain = LiveProcessor("x", Options(skeleton=False), mirror=False, estimator=FakeEstimator(),
                          engine_factory=None).process(image, pts)
    mirrored = LiveProcessor("x", Options(skeleton=False), mirror=True, estimator=FakeEstimator(),
                             engine_factory=None).process(image, pts)
    top = slice(100, 300)  # above the status line and clear of the no-person banner
    np.testing.assert_array_equal(mirrored[top], plain[top][:, ::-1])


def test_only_the_newest_queued_frame_is_processed(camera_frames):
    estimator = FakeEstimator()
    processor = LiveProcessor("x", Options(), estimator=estimator, engine_factory=None)
    processor.process_queued(camera_frames[:4])
    assert estimator.calls == 1
    snap = processor.snapshot()
    assert (snap.frames_processed, snap.frames_dropped) == (1, 3)


def test_av_frames_in_one_annotated_av_frame_out(camera_frames):
    from fractions import Fraction

    import av

    processor = LiveProcessor("x", Options(), estimator=FakeEstimator(), engine_factory=None)
    frames = []
    for i, (image, _) in enumerate(camera_frames[:3]):
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = 3000 * i, Fraction(1, 90000)
        frames.append(frame)
    out = processor.process_av_frames(frames)
    assert len(out) == 1 and (out[0].width, out[0].height) == (640, 480)
    assert processor.snapshot().frames_dropped == 2
    assert processor.process_av_frames([]) == []


@pytest.mark.parametrize("mirror", [False, True])
def test_camera_planes_are_drawn_on_as_they_are_and_match_the_rgb_overlay(movenet_installed, camera_frames,
                                                                          mirror):
    """A yuv420p camera frame gets its overlay on its own planes: the model sees exactly what it saw in RGB, and
    the picture sent back is the RGB overlay's (mirrored if asked), bar the chroma of anti-aliased edges."""
    from fractions import Fraction

    import av

    on_planes = LiveProcessor("movenet", Options(exercise="squat"), mirror=mirror)
    in_rgb = LiveProcessor("movenet", Options(exercise="squat"), mirror=mirror)
    for i, (image, pts) in enumerate(camera_frames[:12]):
        frame = av.VideoFrame.from_ndarray(cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420), format="yuv420p")
        frame.pts, frame.time_base = round(pts * 90000), Fraction(1, 90000)
        (out,) = on_planes.process_av_frames([frame])
        reference = in_rgb.process(cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2RGB_I420), pts)
    assert out.format.name == "yuv420p" and (out.width, out.height) == (640, 480)
    a, b = out.to_ndarray().astype(int), cv2.cvtColor(reference, cv2.COLOR_RGB2YUV_I420).astype(int)
    rows = 480 - 40  # the status line's fps and ms differ between two processors
    assert on_planes.snapshot().pose is not None
    np.testing.assert_allclose(on_planes.snapshot().pose.xy, in_rgb.snapshot().pose.xy)
    luma = np.abs(a[:rows] - b[:rows])  # the RGB round trip itself clips a few out-of-gamut pixels
    assert luma.mean() < 0.1 and (luma > 3).mean() < 0.001
    chroma = np.abs(a[480:480 + rows // 4] - b[480:480 + rows // 4])
    assert chroma.mean() < 1.5
    drawn = np.abs(a[:rows] - cv2.cvtColor(cv2.flip(image, 1) if mirror else image,
                                           cv2.COLOR_RGB2YUV_I420).astype(int)[:rows])
    assert (drawn > 10).mean() > 0.01, "the overlay is there"


def test_an_exception_is_caught_reported_once_and_tracking_goes_on(camera_frames, caplog):
    estimator = FakeEstimator(fail_on=2)
    processor = LiveProcessor("x", Options(), estimator=estimator, engine_factory=None)
    with caplog.at_level(logging.ERROR, logger="posetracker.live"):
        outputs = [processor.process(image, pts) for image, pts in camera_frames[:5]]
    assert outputs[1] is camera_frames[1][0]  # the failed frame goes out untouched
    snap = processor.snapshot()
    assert snap.error_code == "live_frame_error" and "RuntimeError" not in snap.error and "choked" not in snap.error
    assert snap.frames_processed == 4
    assert len(caplog.records) == 1 and "the model choked" in caplog.text  # the log keeps the traceback
    assert caplog.records[0].exc_info is not None


def test_engine_time_starts_at_zero_and_never_goes_back_across_a_new_stream():
    engines: list[FakeEngine] = []
    estimator = FakeEstimator()
    processor = LiveProcessor("x", Options(), estimator=estimator,
                              engine_factory=lambda o: engines.append(FakeEngine(o)) or engines[-1])
    image = np.zeros((48, 64, 3), np.uint8)
    for pts in (500.0, 500.1, 500.2, 3.0, 3.1, 90.0):  # STOP/START restarts pts; then a long jump
        processor.process(image, pts)
    times = engines[0].times
    assert times[0] == 0.0 and times[2] == pytest.approx(0.2)
    assert all(b > a for a, b in zip(times, times[1:]))
    assert times[-1] - times[-2] < 0.1  # never a gap the engine could count as time held
    assert estimator.resets == 2


def test_reset_starts_a_new_set_and_new_options_do_too():
    engines: list[FakeEngine] = []
    processor = LiveProcessor("x", Options(exercise="squat"), estimator=FakeEstimator(),
                              engine_factory=lambda o: engines.append(FakeEngine(o)) or engines[-1])
    image = np.zeros((48, 64, 3), np.uint8)
    for i in range(4):
        processor.process(image, i / 30)
    assert processor.snapshot().recent_grades == ("A",)
    processor.reset()
    snap = processor.snapshot()
    assert (snap.frames_processed, snap.events, snap.recent_grades) == (0, (), ())
    assert len(engines) == 2
    processor.configure(Options(exercise="squat"), mirror=False)
    assert len(engines) == 2 and processor.snapshot().mirror is False
    processor.configure(Options(exercise="push_up"))
    assert len(engines) == 3 and engines[-1].options.exercise == "push_up"


def test_the_page_can_poll_while_the_camera_thread_processes(camera_frames):
    processor = LiveProcessor("x", Options(), estimator=FakeEstimator(), engine_factory=None)
    seen: list[int] = []
    done = threading.Event()

    def camera():
        for _ in range(3):
            for image, pts in camera_frames:
                processor.process(image, pts)
        done.set()

    thread = threading.Thread(target=camera)
    thread.start()
    while not done.is_set():
        seen.append(processor.snapshot().frames_processed)
        processor.snapshot().seconds_since_frame()
    thread.join()
    assert seen == sorted(seen)
    assert processor.snapshot().frames_processed == 3 * len(camera_frames)


def test_ice_servers_from_configuration():
    assert rtc_configuration(environ={}) == {"iceServers": []}
    stun = '[{"urls": ["stun:stun.example.org:3478"]}]'
    assert rtc_configuration(environ={"POSETRACKER_ICE_SERVERS": stun}) == {
        "iceServers": [{"urls": ["stun:stun.example.org:3478"]}]}
    turn = {"ice_servers": [{"urls": "turn:turn.example.org", "username": "u", "credential": "c"}]}
    assert rtc_configuration(environ={}, secrets=turn)["iceServers"][0]["username"] == "u"
    for bad in ("not json", '{"urls": "stun:x"}', '[{"url": "stun:x"}]'):
        with pytest.raises(PoseTrackerError) as err:
            rtc_configuration(environ={"POSETRACKER_ICE_SERVERS": bad})
        assert err.value.code == "invalid_configuration"


def test_the_core_never_imports_streamlit():
    code = ("import sys, posetracker.live, posetracker.annotate, posetracker.engine; "
            "sys.exit('streamlit' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0
