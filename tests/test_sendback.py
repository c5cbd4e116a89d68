"""The returned video between the frame callback and the encoder: the newest frame, each frame its own object.

A camera at 30 fps feeds streamlit-webrtc's real async processing track (the one the Live page gets) with a
callback slower than the camera; a consumer slower than the camera stands for an encoder on a busy server.
Through streamlit-webrtc's own relay the consumer falls further and further behind and is handed the same frame
object again and again, its timestamp rewritten under it (consecutive RTP frames then share a timestamp and the
receiver joins them); through `SendbackRelay` it gets the newest frame, each an object of its own.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import time
from fractions import Fraction

import av
import numpy as np
import pytest
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamTrack

from posetracker.sendback import SendbackRelay, copy_frame, is_processed_track

FPS = 30
TB = Fraction(1, 90000)


def run(coroutine):
    """`asyncio.run` on a thread of its own (the main thread may hold another library's loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Camera(MediaStreamTrack):
    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.n = 0
        self.start = None

    async def recv(self):
        if self.start is None:
            self.start = time.monotonic()
        delay = self.start + self.n / FPS - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        frame = av.VideoFrame(64, 48, "yuv420p")
        frame.pts, frame.time_base = self.n * 3000, TB
        self.n += 1
        return frame


class SlowModel:
    """A frame callback slower than the camera, returning new frames as the Live page's does."""

    async def recv_queued(self, frames):
        time.sleep(0.12)
        return [av.VideoFrame(64, 48, "yuv420p")]


async def stream(relay: MediaRelay, seconds: float = 2.5) -> dict:
    from streamlit_webrtc.process import AsyncVideoProcessTrack

    camera = Camera()
    output = AsyncVideoProcessTrack(track=relay.subscribe(camera), processor=SlowModel())
    assert is_processed_track(output) and not is_processed_track(camera)
    encoder = relay.subscribe(output)
    got, rewritten, lag = [], 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        frame = await encoder.recv()
        pts = frame.pts
        await asyncio.sleep(1 / 20)  # encoding, slower than the camera
        rewritten += frame.pts != pts
        got.append((id(frame), pts, frame))
        lag.append((camera.n - 1) * 3000 - pts)
    output.stop()
    camera.stop()
    pts = [p for _, p, _ in got]
    return {"frames": len(got), "repeated_pts": sum(a == b for a, b in zip(pts, pts[1:])),
            "backwards": sum(b < a for a, b in zip(pts, pts[1:])),
            "same_object": sum(a[0] == b[0] for a, b in zip(got, got[1:])), "rewritten": rewritten,
            "final_lag_s": lag[-1] / 90000}


def test_the_encoder_gets_the_newest_frame_each_an_object_of_its_own():
    seen = run(stream(SendbackRelay()))
    assert seen["frames"] >= 20
    assert seen["repeated_pts"] == 0 and seen["backwards"] == 0
    assert seen["same_object"] == 0 and seen["rewritten"] == 0
    assert seen["final_lag_s"] < 0.4  # a frame or two behind the camera, however long it runs


def test_streamlit_webrtcs_own_relay_has_the_faults_this_works_around():
    """If this fails, streamlit-webrtc (or aiortc) fixed them and `SendbackRelay` may no longer be needed."""
    seen = run(stream(MediaRelay()))
    assert seen["repeated_pts"] > 0 or seen["rewritten"] > 0
    assert seen["final_lag_s"] > 0.5  # every camera frame queued for an encoder at 20 fps


@pytest.mark.parametrize("fmt, shape", [("yuv420p", (72, 64)), ("yuv420p", (543, 362)), ("rgb24", (45, 61, 3))])
def test_a_copied_frame_keeps_its_pixels_and_time_whatever_happens_to_the_original(fmt, shape):
    pixels = (np.arange(np.prod(shape)) % 251).astype(np.uint8).reshape(shape)
    frame = av.VideoFrame.from_ndarray(pixels, format=fmt)
    frame.pts, frame.time_base = 3000, TB
    copy = copy_frame(frame)
    frame.pts = 6000
    assert copy is not frame and copy.pts == 3000 and copy.time_base == TB
    assert copy.format.name == fmt and (copy.width, copy.height) == (frame.width, frame.height)
    assert np.array_equal(copy.to_ndarray(), pixels)


def test_the_page_hook_installs_the_relay_streamlit_webrtc_uses(monkeypatch):
    from streamlit.runtime.runtime import Runtime
    from streamlit_webrtc import relay

    from pages._capacity import install_sendback_relay

    holder = type("FakeRuntime", (), {})()
    monkeypatch.setattr(Runtime, "instance", classmethod(lambda cls: holder))
    assert install_sendback_relay()
    first = relay.get_global_relay()
    assert isinstance(first, SendbackRelay)
    install_sendback_relay()
    assert relay.get_global_relay() is first  # one per process, kept
