"""Smoothing filters driven by timestamps, never by frame counts (a dropped frame must not change a result)."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class OneEuroParams:
    """One-Euro filter (Casiez et al. 2012): little lag when the signal moves fast, strong smoothing at rest.

    `min_cutoff` (Hz) sets the smoothing of slow motion (lower = smoother); `beta` how fast the cutoff opens
    with speed; `d_cutoff` (Hz) smooths the speed estimate itself.
    """

    min_cutoff: float = 1.0
    beta: float = 0.5
    d_cutoff: float = 1.0


def _alpha(cutoff: float, dt: float) -> float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Scalar One-Euro filter. `__call__(value, t)` returns the smoothed value."""

    def __init__(self, params: OneEuroParams = OneEuroParams()) -> None:
        self.params = params
        self.reset()

    def reset(self) -> None:
        self._x: float | None = None
        self._dx = 0.0
        self._t: float | None = None

    @property
    def value(self) -> float | None:
        return self._x

    def __call__(self, x: float, t: float) -> float:
        if self._x is None or self._t is None or t <= self._t:
            if self._x is None or self._t is None:
                self._x, self._t = float(x), t
            return self._x
        dt = t - self._t
        p = self.params
        dx = (x - self._x) / dt
        self._dx += _alpha(p.d_cutoff, dt) * (dx - self._dx)
        cutoff = p.min_cutoff + p.beta * abs(self._dx)
        self._x += _alpha(cutoff, dt) * (x - self._x)
        self._t = t
        return self._x


class DecayingMax:
    """The largest value seen, forgetting old maxima with time constant `tau_s`.

    Used for body-size references (e.g. standing leg length): a squat shortens the projected leg, so the
    reference must remember the longest recent value, yet follow a camera cut to a new distance.
    """

    def __init__(self, tau_s: float) -> None:
        self.tau_s = tau_s
        self.reset()

    def reset(self) -> None:
        self._v: float | None = None
        self._t: float | None = None

    @property
    def value(self) -> float | None:
        return self._v

    def update(self, x: float | None, t: float) -> float | None:
        if self._v is not None and self._t is not None and t > self._t:
            self._v *= math.exp(-(t - self._t) / self.tau_s)
        self._t = t if self._t is None else max(self._t, t)
        if x is not None and (self._v is None or x > self._v):
            self._v = float(x)
        return self._v
