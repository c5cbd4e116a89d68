"""Failure class "a small, fast set": a person a couple of hundred pixels tall doing jumping jacks at two to
three a second. Their keypoints are noisier (a pixel is a larger part of a limb) and the wrists blur at speed
(low scores, sometimes lost), and each jack lasts under half a second; timed from leaving rest to half-way
back, a genuine jack then looked shorter than the shortest rep a jumping jack was allowed (`too_fast`)."""
from __future__ import annotations

import numpy as np
import pytest

from engine_helpers import drive
import synth
from posetracker.pose import KP, Pose

SMALL = synth.Camera(view="front", size=(202, 360), height_frac=0.6)
SMALL_NOISY = synth.Mess(noise=0.01, jitter_p=0.04, jitter=0.08, missing_p=0.04)
ARMS = (KP.LEFT_WRIST, KP.RIGHT_WRIST, KP.LEFT_ELBOW, KP.RIGHT_ELBOW)


def blurred_arms(poses, seed: int, blur_score: float = 0.3, lost_p: float = 0.05):
    """A fast-moving wrist or elbow is a blur: a low score (still above the gate), and now and then lost."""
    rng = np.random.default_rng(seed)
    out, prev = [], None
    for pose, t in poses:
        scores = pose.scores.copy()
        if prev is not None:
            speed = np.linalg.norm(pose.xy - prev, axis=1)
            for k in ARMS:
                if speed[k] > 0.02:
                    scores[k] = min(scores[k], blur_score)
                if rng.random() < lost_p:
                    scores[k] = 0.05
        prev = pose.xy
        out.append((Pose(pose.xy, scores, t, frame_size=pose.frame_size), t))
    return out


def small_set(exercise: str, reps: int, period_s: float, fps: float, seed: int, depth: float = 1.0,
              pause_s: float = 0.0):
    segs = synth.schedule(reps, period_s, depth=depth, lead_s=1.0, pause_s=pause_s)
    return blurred_arms(synth.render(exercise, segs, SMALL, SMALL_NOISY, fps=fps, seed=seed), seed)


@pytest.mark.parametrize("fps", [30, 25])
@pytest.mark.parametrize("per_second", [1.5, 2.0, 2.5, 3.0])
def test_small_fast_jumping_jacks_count_every_jack(per_second, fps):
    counts = [drive(small_set("jumping_jack", 18, 1.0 / per_second, fps, seed), exercise="jumping_jack")[0].count
              for seed in range(3)]
    assert counts == [18, 18, 18]


def test_small_fast_half_jacks_do_not_count():
    """Arms only to about shoulder height, three a second: too shallow, however fast."""
    state, _, _ = drive(small_set("jumping_jack", 12, 0.33, 30, seed=5, depth=0.35), exercise="jumping_jack")
    assert state.count == 0
    assert {r.reason for r in state.reps} <= {"too_shallow"}


@pytest.mark.parametrize("seed", range(4))
def test_a_small_person_standing_still_with_blurred_jittery_arms_does_no_jacks(seed):
    state, _, _ = drive(small_set("jumping_jack", 0, 0.4, 30, seed), exercise="jumping_jack")
    assert state.count == 0
