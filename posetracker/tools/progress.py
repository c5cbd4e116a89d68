"""A one-line progress bar for batch runs: clips done, frames/s and time left.

Time left is estimated from the bytes of the clips still to do, not their number: a batch mixes 5-second
and 5-minute clips, and a clip's size follows its length far better than its position in the list does.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


class ProgressBar:
    def __init__(self, clips: list, stream: TextIO = sys.stderr, width: int = 24,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = len(clips)
        self.total_bytes = sum(c.size for c in clips)
        self.stream, self.width, self.clock = stream, width, clock
        self.done = self.failed = self.frames = self.bytes_done = 0
        self.start = clock()

    def __call__(self, record: dict, clip) -> None:
        self.done += 1
        self.failed += bool(record.get("error"))
        self.frames += record.get("frames") or 0
        self.bytes_done += clip.size
        self.stream.write("\r" + self.line() + "   ")
        self.stream.flush()

    def line(self) -> str:
        elapsed = max(self.clock() - self.start, 1e-9)
        filled = round(self.width * self.done / max(self.total, 1))
        parts = [f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} clips"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        parts.append(f"{self.frames / elapsed:.0f} frames/s")
        if self.done < self.total and self.bytes_done:
            left = elapsed * (self.total_bytes - self.bytes_done) / self.bytes_done
            parts.append(f"~{_clock(left)} left")
        elif self.done == self.total:
            parts.append(f"done in {_clock(elapsed)}")
        return "  ".join(parts)

    def close(self) -> None:
        if self.done:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
