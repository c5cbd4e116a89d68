"""Signals on their own: angles, body-normalised distances, the remembered body scale, and how sides combine."""
from __future__ import annotations

import numpy as np
import pytest

import synth
from posetracker.pose import KP, NUM_KEYPOINTS, Pose
from posetracker.signals import SIGNALS, Body, BodyScale, Sample, combine


def pose_of(points: dict[int, tuple[float, float]], score: float = 0.9, t: float = 0.0) -> Pose:
    xy = np.full((NUM_KEYPOINTS, 2), 0.5)
    for k, p in points.items():
        xy[k] = p
    return Pose(xy, np.full(NUM_KEYPOINTS, score), t, frame_size=(100, 100))


def leg(knee_x: float) -> dict[int, tuple[float, float]]:
    """Both legs: hip above the knee, ankle below it, the knee pushed sideways by `knee_x`."""
    out = {}
    for hip, knee, ankle in ((KP.LEFT_HIP, KP.LEFT_KNEE, KP.LEFT_ANKLE), (KP.RIGHT_HIP, KP.RIGHT_KNEE, KP.RIGHT_ANKLE)):
        out |= {hip: (0.5, 0.4), knee: (0.5 + knee_x, 0.6), ankle: (0.5, 0.8)}
    return out


def test_knee_angle_is_180_straight_and_90_at_a_right_angle():
    straight = SIGNALS["knee_angle"](Body(pose_of(leg(0.0)), {}, 0.3))
    bent = SIGNALS["knee_angle"](Body(pose_of(leg(0.2)), {}, 0.3))
    assert straight["left"].value == pytest.approx(180.0, abs=0.1)  # (acos is clamped just short of 180)
    assert bent["right"].value == pytest.approx(90.0, abs=0.1)


def test_a_signal_carries_the_lowest_score_of_the_keypoints_it_used():
    pose = pose_of(leg(0.1))
    pose.scores[KP.LEFT_KNEE] = 0.2
    samples = SIGNALS["knee_angle"](Body(pose, {}, 0.3))
    assert samples["left"].confidence == pytest.approx(0.2) and samples["right"].confidence == pytest.approx(0.9)


def test_a_body_normalised_signal_is_the_same_near_and_far():
    """The same squat depth, filmed with the figure at two sizes, gives the same hip drop."""
    def hip_drop(height_frac: float) -> float:
        cam = synth.Camera("side", height_frac=height_frac)
        standing = synth._pose("squat", 0.0, 0.0, cam, synth.CLEAN, np.random.default_rng(0), 0.0)
        deep = synth._pose("squat", 0.8, 0.8, cam, synth.CLEAN, np.random.default_rng(0), 0.1)
        scale = BodyScale()
        scale.update(standing, 0.0)
        refs = scale.update(deep, 0.1)
        return combine(SIGNALS["hip_drop"](Body(deep, refs, 0.3)), "mean", 0.3).value

    assert hip_drop(0.8) == pytest.approx(hip_drop(0.4), abs=1e-6) and hip_drop(0.8) > 0.2


def test_the_body_scale_remembers_a_limb_seen_long_and_forgets_it_slowly():
    scale = BodyScale(tau_s=20.0)
    long = scale.update(pose_of(leg(0.0)), 0.0)["shin"]
    foreshortened = pose_of({**leg(0.0), KP.LEFT_ANKLE: (0.5, 0.65), KP.RIGHT_ANKLE: (0.5, 0.65)})
    remembered = scale.update(foreshortened, 1.0)["shin"]  # the shin seen end-on looks short: not believed
    assert long == pytest.approx(0.2) and remembered == pytest.approx(long * np.exp(-1 / 20), rel=1e-6)
    assert scale.update(pose_of(leg(0.0)), 2.0)["shin"] == pytest.approx(long)


def test_the_body_scale_ignores_segments_under_the_score_gate():
    assert "thigh" not in BodyScale(gate=0.5).update(pose_of(leg(0.0), score=0.4), 0.0)


def test_combine_mean_weights_by_score_max_takes_the_higher_and_the_gate_drops():
    samples = {"left": Sample(1.0, 0.9), "right": Sample(3.0, 0.3)}
    assert combine(samples, "mean", 0.2).value == pytest.approx((0.9 * 1 + 0.3 * 3) / 1.2)
    assert combine(samples, "max", 0.2).value == 3.0
    assert combine(samples, "alternate", 0.2).value == 3.0
    assert combine(samples, "mean", 0.5).value == 1.0          # the right side is under the gate
    assert combine(samples, "right", 0.2).value == 3.0         # one side only
    assert combine(samples, "mean", 0.2, only="left").value == 1.0
    assert combine(samples, "mean", 0.95) is None             # nothing good enough: no value, not a guess
