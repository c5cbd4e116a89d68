"""How far an upload's analysis is: the `Progress` a page's bar reads, and the reporter the pipeline calls
once a frame (throttled callbacks, and PoseTracker's `initialization` message at every 10 %)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from posetracker import events as ev


@dataclass(frozen=True)
class Progress:
    """Where an analysis is: for a progress bar with percent, frames per second and time left."""

    frames_done: int
    frames_total: int
    percent: float       # 0..100
    fps: float           # frames analysed per second of wall time
    eta_s: float | None  # seconds left, None until measurable
    message: str         # the latest `initialization` message

    def describe(self) -> str:
        """"42% · 410 of 990 frames · 31.5 frames/s · about 0:18 left"."""
        left = "" if self.eta_s is None else f" · about {_clock(self.eta_s)} left"
        return (f"{self.percent:.0f}% · {self.frames_done} of {self.frames_total} frames · "
                f"{self.fps:.1f} frames/s{left}")


class Reporter:
    """Throttled progress callbacks and PoseTracker-style `initialization` messages every 10 %."""

    def __init__(self, callback: Callable[[Progress], None] | None, emit: Callable[[dict], None]) -> None:
        self._callback = callback
        self._emit = emit
        self._total = 1
        self._t0 = time.monotonic()
        self._last_call = 0.0
        self._last_decile = -1
        self._message = ""

    def message(self, text: str, ready: bool = False) -> None:
        self._message = text
        self._emit(ev.initialization(text, ready))

    def start(self, total: int) -> None:
        self._total = total
        self._t0 = time.monotonic()
        self.frame(0)

    def frame(self, done: int) -> None:
        percent = min(99.0, 100.0 * done / self._total)
        decile = int(percent // 10)
        if decile > self._last_decile:
            self._last_decile = decile
            self.message(f"Your video is processing… ({decile * 10}%)")
        now = time.monotonic()
        if self._callback is not None and (now - self._last_call >= 0.2 or done == 0):
            self._last_call = now
            self._callback(self._progress(done, percent, now))

    def done(self, frames: int) -> None:
        self.message("Analysis completed", ready=True)
        if self._callback is not None:
            self._callback(self._progress(frames, 100.0, time.monotonic(), eta=0.0))

    def _progress(self, done: int, percent: float, now: float, eta: float | None = None) -> Progress:
        elapsed = now - self._t0
        fps = done / elapsed if elapsed > 0 and done else 0.0
        if eta is None and fps > 0:
            eta = max(0.0, (self._total - done) / fps)
        return Progress(done, max(self._total, done), percent, fps, eta, self._message)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"
