"""A recorded clip as the live camera: streamlit-webrtc's player source, played in real time, with pause and loop.

    control = ClipControl(duration_s=13.8)
    player = ClipPlayer(path, control)       # what `webrtc_streamer(player_factory=...)` wants: .video, .audio
    control.toggle_pause(); control.loop = True
    control.status()                           # ClipStatus(position_s, ended, paused, loops) for the page

The frames go through the same `LiveProcessor` callback as a camera's. They are decoded by
`posetracker.video.iter_frames` (upright, downscaled to a camera's size) off the event loop, and paced by their
own timestamps, so the engine sees the clip's timing whatever the machine's speed; when the machine cannot keep
up for a moment, frames are dropped as a camera's would be; a longer stall holds the clip rather than skip it. While paused or after the
end nothing is sent: the viewer keeps the last frame and no time passes for the engine (a plank's seconds held
do not grow while paused). Looping continues the timestamps, so a loop is one long stream, not a new one.
"""
from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

CAMERA_SIZE = 640  # the longer side of a camera frame: the live pipeline's cost is sized for it
TIME_BASE = Fraction(1, 90_000)  # the RTP video clock
_IDLE_S = 0.05  # how often a paused or finished track looks at its control
# Like a camera, a clip keeps to the clock: a frame later than LATE_S is dropped (a busy machine sees fewer
# frames, not a slower clip), though one still goes out at least every KEEP_SENDING_S so the picture moves.
# A stall beyond STALL_S (the first frames while the model warms up, a machine starved of CPU) is waited out
# instead: skipping seconds of the clip would skip its reps. Measured on a loaded 2-core machine, the first
# frames took 10 s to come through; with dropping alone the clip then raced through its first 11 s unseen.
LATE_S = 0.1
KEEP_SENDING_S = 0.25
STALL_S = 1.0


@dataclass(frozen=True)
class ClipStatus:
    position_s: float
    duration_s: float | None
    paused: bool
    ended: bool
    loops: int


class ClipControl:
    """Shared between the page (pause, loop) and the track on the WebRTC thread. Thread-safe."""

    def __init__(self, duration_s: float | None = None, loop: bool = False) -> None:
        self._lock = threading.Lock()
        self.duration_s = duration_s
        self._loop = loop
        self._paused = False
        self._ended = False
        self._position = 0.0
        self._loops = 0

    @property
    def loop(self) -> bool:
        with self._lock:
            return self._loop

    @loop.setter
    def loop(self, value: bool) -> None:
        with self._lock:
            self._loop = bool(value)

    @property
    def paused(self) -> bool:
        with self._lock:
            return self._paused

    def toggle_pause(self) -> None:
        with self._lock:
            self._paused = not self._paused

    def restart(self) -> None:
        """A new START: play from the beginning."""
        with self._lock:
            self._paused = self._ended = False
            self._position = 0.0
            self._loops = 0

    def status(self) -> ClipStatus:
        with self._lock:
            return ClipStatus(self._position, self.duration_s, self._paused, self._ended, self._loops)

    # --- the track's side --------------------------------------------------------------------------------

    def _played(self, position_s: float) -> None:
        with self._lock:
            self._position = position_s

    def _looped(self) -> None:
        with self._lock:
            self._loops += 1

    def _end(self) -> None:
        with self._lock:
            self._ended = True


def _make_track_class():
    from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

    class ClipTrack(MediaStreamTrack):
        """A video track reading `path` in real time. Never raises but MediaStreamError once stopped."""

        kind = "video"

        def __init__(self, path: Path, control: ClipControl, max_side: int = CAMERA_SIZE) -> None:
            super().__init__()
            self._path, self._control, self._max_side = Path(path), control, max_side
            self._frames = None
            self._offset = 0.0     # stream time at the start of the current pass through the clip
            self._last_t = 0.0     # stream time of the last frame decoded
            self._anchor = None    # monotonic time at which stream time 0 would have been shown
            self._step = 1 / 30.0
            self._sent_at = 0.0    # monotonic time the last frame went out
            # Its own thread: the event loop's shared pool also runs the WebRTC encoders, and on a busy machine
            # a decode queued behind them waited up to a second.
            self._decoder = ThreadPoolExecutor(1, thread_name_prefix="clip-decode")
            self._pending = None   # the next frame's decode, started ahead
            self._pass_frames = 0

        def _next_frame(self):
            from posetracker.errors import PoseTrackerError
            from posetracker.video import iter_frames

            try:
                if self._frames is None:
                    self._frames = iter_frames(self._path, max_side=self._max_side)
                return next(self._frames, None)
            except (PoseTrackerError, OSError):  # the file went away (a new clip replaced it): the clip ends
                return None

        def stop(self) -> None:
            super().stop()
            try:
                self._decoder.submit(self._close)  # in the decoding thread, after any decode under way
            except RuntimeError:  # stopped before
                return
            self._decoder.shutdown(wait=False)

        def _close(self) -> None:
            if self._frames is not None:
                self._frames.close()
                self._frames = None

        async def recv(self):
            import av

            loop = asyncio.get_running_loop()
            while True:
                if self.readyState != "live":
                    raise MediaStreamError
                control = self._control
                if control.paused or control.status().ended:
                    self._anchor = None  # resume from here, not at the wall-clock time the clip would be at
                    await asyncio.sleep(_IDLE_S)
                    continue
                if self._pending is None:
                    self._pending = loop.run_in_executor(self._decoder, self._next_frame)
                frame = await asyncio.shield(self._pending)  # a cancelled recv must not lose the frame
                if self.readyState != "live":
                    raise MediaStreamError
                # Decode the next frame while this one is paced, processed and encoded.
                self._pending = loop.run_in_executor(self._decoder, self._next_frame) if frame else None
                if frame is None:
                    self._frames = None
                    if control.loop and self._pass_frames:  # a pass with no frame at all would spin
                        self._pass_frames = 0
                        self._offset = self._last_t + self._step
                        control._looped()
                        continue
                    control._end()
                    continue
                self._pass_frames += 1
                t = self._offset + frame.timestamp
                if t > self._last_t:
                    self._step = min(max(t - self._last_t, 1 / 120), 0.5)
                self._last_t = t
                control._played(frame.timestamp)
                now = time.monotonic()
                if self._anchor is None or now - (self._anchor + t) > STALL_S:
                    self._anchor = now - t
                delay = self._anchor + t - now
                if -delay > LATE_S and now - self._sent_at < KEEP_SENDING_S:
                    continue
                if delay > 0:
                    await asyncio.sleep(delay)
                self._sent_at = time.monotonic()
                out = av.VideoFrame.from_ndarray(frame.image, format="rgb24")
                out.pts, out.time_base = int(round(t / TIME_BASE)), TIME_BASE
                return out

    return ClipTrack


_TRACK_CLASS = None


def clip_track(path: Path, control: ClipControl, max_side: int = CAMERA_SIZE):
    """A new aiortc video track playing `path` (aiortc is imported on first use only)."""
    global _TRACK_CLASS
    if _TRACK_CLASS is None:
        _TRACK_CLASS = _make_track_class()
    return _TRACK_CLASS(path, control, max_side)


class ClipPlayer:
    """What streamlit-webrtc's `player_factory` returns: a `.video` track (and no audio). The worker stops the
    track when the session ends."""

    def __init__(self, path: Path, control: ClipControl, max_side: int = CAMERA_SIZE) -> None:
        control.restart()
        self.video = clip_track(path, control, max_side)
        self.audio = None


def as_clip(upload):
    """An upload (already through the upload checks and the plan's limits) that can be played as the camera: a
    video, not a photo. Returns it, or deletes the stored photo and raises `video_load_error`."""
    from posetracker.errors import PoseTrackerError
    from posetracker.inputs import MediaKind

    if upload.kind is not MediaKind.VIDEO:
        upload.path.unlink(missing_ok=True)
        raise PoseTrackerError("video_load_error", f"{upload.name} is a photo. Live with a video plays a video "
                               "(MP4, MOV, WebM, AVI or MKV); photos are analysed on the Upload page.")
    return upload

