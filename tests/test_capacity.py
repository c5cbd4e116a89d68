"""Live admission: who gets a place, who is told the server is busy, and when a place is given back."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from posetracker import capacity as cap
from posetracker.capacity import LiveAdmission, default_capacity, model_weight
from posetracker.errors import ERRORS, PoseTrackerError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Snap:
    updated_at: float | None
    fps: float | None


class FakeProcessor:
    """What admission reads of a LiveProcessor: when its last frame was processed, and its rate."""

    def __init__(self, clock: Clock, fps: float = 28.0) -> None:
        self.clock, self.fps, self.streaming = clock, fps, True
        self.last = None

    def tick(self) -> None:
        if self.streaming:
            self.last = self.clock.now

    def snapshot(self) -> Snap:
        return Snap(self.last, self.fps if self.last is not None else None)


def advance(clock: Clock, seconds: float, *processors: FakeProcessor) -> None:
    for _ in range(int(seconds * 2)):
        clock.now += 0.5
        for p in processors:
            p.tick()


def test_sessions_are_admitted_up_to_the_capacity_then_refused_in_plain_words():
    clock = Clock()
    gate = LiveAdmission(2, clock=clock)
    a, b = FakeProcessor(clock), FakeProcessor(clock)
    assert gate.admit("a", "movenet", a) is None
    assert gate.admit("b", "movenet", b) is None
    refusal = gate.admit("c", "movenet", FakeProcessor(clock))
    assert refusal is not None and refusal.code == "server_busy" and refusal.code in ERRORS
    assert refusal.running == 2 and refusal.capacity == 2
    assert "Try again" in refusal.message and "Upload" in refusal.message
    assert refusal.message.startswith("The server is busy: 2 live sessions already use all")
    lone = LiveAdmission(1, clock=clock)
    assert lone.admit("x", "movenet", a) is None
    assert lone.admit("y", "movenet").message.startswith("The server is busy: 1 live session already uses all")
    assert refusal.to_event()["details"] == {"running": 2, "capacity": 2}
    # A session that holds a place keeps it on every rerun, whatever the others do.
    assert gate.admit("a", "movenet", a) is None and gate.running() == 2


def test_a_place_is_given_back_when_the_frames_stop_or_the_session_is_gone():
    clock = Clock()
    gate = LiveAdmission(1, clock=clock)
    first = FakeProcessor(clock)
    assert gate.admit("a", "movenet", first) is None
    advance(clock, cap.CONNECT_GRACE_S + 5, first)
    assert gate.admit("b", "movenet", FakeProcessor(clock)) is not None  # still streaming: still full
    first.streaming = False  # STOP, or the tab closed
    advance(clock, cap.IDLE_RELEASE_S + 1, first)
    assert not gate.holds("a")
    assert gate.admit("b", "movenet", FakeProcessor(clock)) is None

    # A processor that is gone (the session ended) frees its place once the connect grace is over.
    gate2 = LiveAdmission(1, clock=clock)
    assert gate2.admit("x", "movenet", FakeProcessor(clock)) is None  # nothing else refers to it
    assert gate2.admit("y", "movenet") is not None                      # inside the grace: still held
    clock.now += cap.CONNECT_GRACE_S + 0.1
    assert gate2.admit("y", "movenet") is None


def test_a_session_that_never_streams_keeps_its_place_only_for_the_connect_grace():
    clock = Clock()
    gate = LiveAdmission(1, clock=clock)
    silent = FakeProcessor(clock)
    silent.streaming = False
    assert gate.admit("a", "movenet", silent) is None
    advance(clock, cap.CONNECT_GRACE_S - 1, silent)
    assert gate.holds("a")
    advance(clock, 2, silent)
    assert not gate.holds("a")


def test_blazepose_weighs_more_than_movenet():
    clock = Clock()
    assert model_weight("blazepose") >= model_weight("movenet") == 1.0
    gate = LiveAdmission(cap.MEASURED_SESSIONS["movenet"], clock=clock)
    assert gate.admit("b", "blazepose", FakeProcessor(clock)) is None
    assert gate.load() == pytest.approx(model_weight("blazepose"))
    room = gate.capacity - gate.load()
    assert (gate.admit("m", "movenet", FakeProcessor(clock)) is None) == (room >= 1.0)


def test_a_starved_session_closes_the_door_even_below_the_count():
    clock = Clock()
    gate = LiveAdmission(10, watch_rate=True, clock=clock)
    slow = FakeProcessor(clock, fps=cap.STARVED_FPS - 1)
    assert gate.admit("a", "movenet", slow) is None
    assert gate.admit("b", "movenet", FakeProcessor(clock)) is None  # too early to judge its rate
    advance(clock, cap.STARVED_AFTER_S + 1, slow)
    assert gate.admit("c", "movenet", FakeProcessor(clock)) is not None
    slow.fps = cap.TARGET_FPS
    assert gate.admit("c", "movenet", FakeProcessor(clock)) is None
    # A capacity set for this server alone decides.
    slow.fps = 1.0
    assert LiveAdmission(10, clock=clock).watch_rate is False
    assert LiveAdmission(clock=clock).watch_rate is ("POSETRACKER_LIVE_CAPACITY" not in __import__("os").environ)


def test_capacity_from_the_environment_or_the_measured_figure_per_core():
    assert default_capacity({cap.CAPACITY_ENV: "3"}) == 3.0
    assert default_capacity({cap.CAPACITY_ENV: "0"}) == 0.0  # live off: every visitor is sent to Upload
    assert default_capacity({}, cores=cap.MEASURED_CORES * 2) == 2 * cap.MEASURED_SESSIONS["movenet"]
    for bad in ("many", "-1", "nan"):
        with pytest.raises(PoseTrackerError) as info:
            default_capacity({cap.CAPACITY_ENV: bad})
        assert info.value.code in ERRORS and cap.CAPACITY_ENV in info.value.message
    gate = LiveAdmission(0)
    refusal = gate.admit("a", "movenet")
    assert refusal is not None and refusal.message == cap.NO_LIVE_MESSAGE and "0 live" not in refusal.message


def test_a_connected_session_keeps_its_place_while_its_frames_stall():
    # An overloaded server processes a frame every few seconds; the session is still there.
    clock = Clock()
    gate = LiveAdmission(1, clock=clock)
    stalled = FakeProcessor(clock)
    stalled.streaming = False
    connected = [True]
    assert gate.admit("a", "movenet", stalled, lambda: connected[0]) is None
    advance(clock, cap.CONNECT_GRACE_S + cap.IDLE_RELEASE_S + 30, stalled)
    assert gate.admit("b", "movenet", FakeProcessor(clock)) is not None
    connected[0] = False  # STOP: the stream says so on the next rerun
    assert gate.admit("b", "movenet", FakeProcessor(clock)) is None

    def gone() -> bool:
        raise ReferenceError("the session's context is gone")

    gate2 = LiveAdmission(1, clock=clock)
    assert gate2.admit("a", "movenet", None, gone) is None
    clock.now += cap.CONNECT_GRACE_S + 1
    assert not gate2.holds("a")


def test_the_frame_number_survives_the_codec_and_the_mirror():
    # The capacity benchmark times each frame by the number it carries in the picture's edge strips.
    from fractions import Fraction

    import av
    import numpy as np

    from posetracker.tools.live_clients import read_code, stamp

    rng = np.random.default_rng(7)
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = 640, 480, "yuv420p"
    codec.time_base, codec.bit_rate = Fraction(1, 30), 300_000  # aiortc's own starting bitrate is about this
    decoder = av.CodecContext.create("vp8", "r")
    seen = []
    for n in range(0, 256, 17):
        planes = rng.integers(0, 255, (720, 640), dtype=np.uint8)  # noise: the hardest picture for the encoder
        stamp(planes[:480], n)
        frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        frame.pts = n
        for packet in codec.encode(frame):
            for out in decoder.decode(packet):
                y = out.to_ndarray()[:480]
                seen.append(read_code(np.ascontiguousarray(y[:, ::-1])))  # as the mirrored overlay returns it
    assert seen and all(code is not None for code in seen[1:]), seen
    assert set(seen[1:]) <= set(range(0, 256, 17))


def test_bench_capacity_refuses_a_camera_it_cannot_send():
    from posetracker import cli

    assert cli.main(["bench", "--capacity", "--camera", "641x480@30", "--videos", "."]) == 2
    assert cli.main(["bench", "--capacity", "--camera", "big", "--videos", "."]) == 2
