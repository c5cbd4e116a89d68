"""A clip as the live camera: real-time pacing, pause, loop and end, read back from the track's frames."""
from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from media_factory import two_tone, write_clip
from posetracker.clip_source import ClipControl, ClipPlayer


def on_own_loop(coroutine):
    """`asyncio.run` on a thread of its own: the main thread may hold another library's loop (Playwright's sync
    API keeps one there for the whole session), where asyncio.run refuses to start."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

FPS = 20


@pytest.fixture
def clip_file(tmp_path):
    # 10 frames at 20 fps (0.5 s), 1280x720: bigger than a camera, so the track must downscale it.
    frames = [two_tone(1280, 720) for _ in range(10)]
    return write_clip(tmp_path / "clip.mp4", frames, fps=FPS)


async def _take(track, n: int, timeout: float = 5.0) -> list:
    return [await asyncio.wait_for(track.recv(), timeout) for _ in range(n)]


def test_plays_in_real_time_at_a_camera_size(clip_file):
    async def run():
        control = ClipControl(duration_s=0.5)
        track = ClipPlayer(clip_file, control).video
        started = time.monotonic()
        frames = await _take(track, 10)
        return frames, time.monotonic() - started, control.status()

    frames, elapsed, status = on_own_loop(run())
    times = [float(f.pts * f.time_base) for f in frames]
    assert times == pytest.approx([i / FPS for i in range(10)], abs=1e-3)
    assert elapsed >= 9 / FPS - 0.05, "frames were sent faster than the clip plays"
    assert (frames[0].width, frames[0].height) == (640, 360)
    assert status.position_s == pytest.approx(9 / FPS, abs=1e-3) and not status.ended


def test_end_without_loop_sends_nothing_more_and_says_so(clip_file):
    async def run():
        control = ClipControl()
        track = ClipPlayer(clip_file, control).video
        await _take(track, 10)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(track.recv(), 0.6)
        status = control.status()
        track.stop()
        with pytest.raises(MediaStreamError):
            await asyncio.wait_for(track.recv(), 1.0)
        return status

    assert on_own_loop(run()).ended


def test_loop_continues_the_timestamps(clip_file):
    async def run():
        control = ClipControl(loop=True)
        frames = await _take(ClipPlayer(clip_file, control).video, 15)
        return frames, control.status()

    frames, status = on_own_loop(run())
    times = [float(f.pts * f.time_base) for f in frames]
    assert np.all(np.diff(times) > 0), "a loop must not go back in time (the engine would see a new stream)"
    assert times[10] == pytest.approx(10 / FPS, abs=1e-3)
    assert status.loops == 1 and not status.ended


def test_pause_holds_the_stream_and_resumes_where_it_was(clip_file):
    async def run():
        control = ClipControl()
        track = ClipPlayer(clip_file, control).video
        first = await _take(track, 3)
        control.toggle_pause()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(track.recv(), 0.4)
        # The timed-out recv was cancelled mid-wait; the next one resumes with the following frame.
        control.toggle_pause()
        rest = await _take(track, 2)
        return first + rest

    times = [float(f.pts * f.time_base) for f in on_own_loop(run())]
    assert times == pytest.approx([0, 0.05, 0.10, 0.15, 0.20], abs=1e-3)


def test_a_new_start_plays_from_the_beginning(clip_file):
    async def run():
        control = ClipControl()
        await _take(ClipPlayer(clip_file, control).video, 10)
        await asyncio.sleep(0.2)
        again = await _take(ClipPlayer(clip_file, control).video, 1)
        return again, control.status()

    again, status = on_own_loop(run())
    assert float(again[0].pts * again[0].time_base) == 0.0 and not status.ended


def test_a_slow_consumer_gets_fewer_frames_not_a_slower_clip(clip_file):
    async def run():
        control = ClipControl()
        track = ClipPlayer(clip_file, control).video
        started, frames = time.monotonic(), []
        while not control.status().ended:
            try:
                frames.append(await asyncio.wait_for(track.recv(), 0.5))
            except asyncio.TimeoutError:
                break
            await asyncio.sleep(0.15)  # a busy machine: the pipeline takes 150 ms a frame
        return frames, time.monotonic() - started

    frames, elapsed = on_own_loop(run())
    times = [float(f.pts * f.time_base) for f in frames]
    assert len(frames) < 10 and times[0] == 0.0 and np.all(np.diff(times) > 0)
    assert elapsed < 1.3, f"the clip took {elapsed:.2f} s to play 0.5 s"


def test_a_clip_gets_the_upload_checks_and_limits_and_must_be_a_video(clip_file, tmp_path):
    from dataclasses import replace

    from posetracker.clip_source import as_clip
    from posetracker.errors import PoseTrackerError
    from posetracker.inputs import store_upload
    from posetracker.plans import get_plan

    free = get_plan("free")
    data = clip_file.read_bytes()
    clip = as_clip(store_upload(data, "my clip.mp4", free, tmp_path))
    assert clip.duration_s == pytest.approx(0.5, abs=0.05) and clip.path.parent == tmp_path

    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    for folder in ("p", "l", "n"):
        (tmp_path / folder).mkdir()
    with pytest.raises(PoseTrackerError) as photo:
        as_clip(store_upload(_png_bytes(), "holiday.mp4", free, tmp_path / "p"))
    assert photo.value.code == "video_load_error" and "photos are analysed on the Upload page" in photo.value.message
    assert not list((tmp_path / "p").iterdir()), "a refused photo was left on the server"
    with pytest.raises(PoseTrackerError) as too_long:
        store_upload(data, "long.mp4", replace(free, max_upload_seconds=0.2), tmp_path / "l")
    assert too_long.value.code == "video_too_long"
    with pytest.raises(PoseTrackerError) as not_media:
        store_upload(png[8:], "x.mp4", free, tmp_path / "n")
    assert not_media.value.code == "video_load_error"


def _png_bytes() -> bytes:
    import cv2

    ok, encoded = cv2.imencode(".png", two_tone(32, 32))
    return encoded.tobytes()


def test_a_long_stall_holds_the_clip_instead_of_skipping_it(clip_file):
    async def run():
        track = ClipPlayer(clip_file, ClipControl()).video
        first = await _take(track, 2)
        await asyncio.sleep(1.5)  # the pipeline stalled (a model warming up, a starved machine)
        return first + await _take(track, 2)

    times = [float(f.pts * f.time_base) for f in on_own_loop(run())]
    assert times == pytest.approx([0, 0.05, 0.10, 0.15], abs=1e-3)
