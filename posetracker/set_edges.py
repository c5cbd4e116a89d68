"""The edges of a set, where a counter sees excursions that are not repetitions.

- Walking into or out of the picture: a stride moves the hips up and down and the legs back and forth, which a
  hip-height or leg signal takes for a small rep. An exercise is done in place (a walking lunge covers a torso
  length or two per rep, slower than walking), so an excursion during which the whole body travelled across
  the picture at a walking pace is walking, not a rep (`walking`), and while the body travels the counter's
  rest is started again, as after a zoom. (Walking straight toward the camera is not caught: see the README.)
- The end of a set: see `SetShape` (an excursion that ends the set unlike any rep of it).
"""
from __future__ import annotations

from collections import deque

import numpy as np

from posetracker.signals import Body

TRAVEL_SPEED = 1.2   # torso lengths a second across the picture: a slow walk (a walking lunge is well under)
TRAVEL_MIN = 0.5     # ... over at least this distance (keypoint jitter and a weight shift move less)
WALK_WINDOW_S = 1.0  # how far back `walking` looks: a stride or two
_TRUNK = (5, 6, 11, 12)  # shoulders and hips: the body's centre whatever the limbs do


class TravelWatch:
    """Where the body's centre is across the picture, in torso lengths, for the last few seconds."""

    def __init__(self, memory_s: float) -> None:
        self.memory_s = memory_s
        self._track: deque[tuple[float, float, float]] = deque()  # (t, centre x, torso length), picture units

    def reset(self) -> None:
        self._track.clear()

    def add(self, body: Body, t: float) -> None:
        seen = [k for k in _TRUNK if body.s[k] >= body.gate]
        torso = body.ref("torso")
        if len(seen) < 2 or torso is None:
            return
        self._track.append((t, float(np.mean(body.p[seen, 0])), torso))
        while self._track and self._track[0][0] < t - self.memory_s:
            self._track.popleft()

    def walking(self, t: float) -> bool:
        """Is the body travelling now (over the last WALK_WINDOW_S)? Then what the counter measured from its
        rest is not comparable any more, as after a zoom."""
        return self.travelled(t - WALK_WINDOW_S, t)

    def travelled(self, start_s: float, end_s: float) -> bool:
        """Did the body move across the picture at a walking pace while this excursion lasted? Measured
        between the medians of its first and last fifths, so one bad frame is no journey."""
        window = [s for s in self._track if start_s <= s[0] <= end_s]
        if len(window) < 5:
            return False
        seconds = max(window[-1][0] - window[0][0], 1e-6)
        unit = float(np.median([s[2] for s in window]))
        k = max(2, len(window) // 5)
        x0, x1 = (float(np.median([s[1] for s in part])) for part in (window[:k], window[-k:]))
        across = abs(x1 - x0) / unit
        return across >= TRAVEL_MIN and across / seconds >= TRAVEL_SPEED
