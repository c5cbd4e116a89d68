"""Smoothing is driven by timestamps: it removes jitter, follows real motion, and ignores frame counts."""
from __future__ import annotations

import math

import numpy as np

from posetracker.filters import DecayingMax, OneEuroFilter, OneEuroParams


def run(filter_, values, times):
    return np.array([filter_(v, t) for v, t in zip(values, times)])


def test_one_euro_removes_jitter_at_rest():
    rng = np.random.default_rng(0)
    times = np.arange(300) / 30
    noisy = 1.0 + rng.normal(0, 0.05, times.size)
    out = run(OneEuroFilter(OneEuroParams(min_cutoff=1.0, beta=0.0)), noisy, times)
    assert out[30:].std() < noisy[30:].std() / 3


def test_one_euro_follows_fast_motion_with_little_lag():
    times = np.arange(90) / 30
    signal = np.sin(2 * math.pi * 1.0 * times)
    out = run(OneEuroFilter(OneEuroParams(min_cutoff=1.0, beta=2.0)), signal, times)
    assert out.max() > 0.8 and out.min() < -0.8


def test_one_euro_depends_on_time_not_on_frame_count():
    times = np.arange(0, 3, 1 / 60)
    signal = (times > 1).astype(float)
    full = run(OneEuroFilter(), signal, times)
    half = run(OneEuroFilter(), signal[::2], times[::2])
    assert abs(full[-2] - half[-1]) < 0.02


def test_one_euro_ignores_repeated_or_backward_timestamps():
    f = OneEuroFilter()
    f(1.0, 1.0)
    assert f(5.0, 1.0) == 1.0 and f(5.0, 0.5) == 1.0
    f.reset()
    assert f.value is None


def test_decaying_max_remembers_then_forgets():
    m = DecayingMax(tau_s=10.0)
    m.update(2.0, 0.0)
    assert m.update(1.0, 1.0) > 1.8            # a bent limb does not shrink the reference
    assert m.update(None, 30.0) < 0.2          # a camera cut to a farther person is followed
    assert m.update(3.0, 31.0) == 3.0
