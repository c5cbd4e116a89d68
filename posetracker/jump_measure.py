"""One pose as the jump detector sees it: the feet, the hips, the distance scale and the person's height, in
pixels of the frame (y grows downwards)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posetracker.pose import KP, Pose

NOSE_TO_ANKLE = 0.88      # of stature (anthropometry: eyes at 0.936 H, ankle joints at 0.039 H)
SHOULDER_TO_ANKLE = 0.78  # of stature (shoulders at 0.818 H), when the head is not seen
KEYPOINT_GATE = 0.3
UPRIGHT_KNEE_DEG = 150.0  # legs this straight: standing, taking off or landing, not squatting


@dataclass(frozen=True)
class Measure:
    """What the detector needs of one pose, in pixels (y grows downwards)."""

    feet: tuple[tuple[float, float], ...]  # (x, y) of each ankle seen
    hip_y: float | None
    torso: float | None    # shoulders-to-hips length with straight legs: says whether the distance changed
    stature: float | None  # the person's height in pixels, when standing

    @property
    def support_y(self) -> float:
        return max(y for _, y in self.feet)  # the lower foot: on the ground unless both are off it

    @property
    def feet_x(self) -> float:
        return float(np.mean([x for x, _ in self.feet]))


def measure(pose: Pose | None, gate: float = KEYPOINT_GATE) -> Measure | None:
    if pose is None:
        return None
    w, h = pose.frame_size or (1, 1)
    px = pose.xy * np.array([w, h], np.float64)
    seen = pose.visible(gate)
    feet = tuple((float(px[k, 0]), float(px[k, 1])) for k in (KP.LEFT_ANKLE, KP.RIGHT_ANKLE) if seen[k])
    hips = [float(px[k, 1]) for k in (KP.LEFT_HIP, KP.RIGHT_HIP) if seen[k]]
    torsos = [float(np.linalg.norm(px[s] - px[hp])) for s, hp in ((KP.LEFT_SHOULDER, KP.LEFT_HIP),
                                                                  (KP.RIGHT_SHOULDER, KP.RIGHT_HIP))
              if seen[s] and seen[hp]]
    stature = None
    if feet:
        ankle = max(y for _, y in feet)
        if seen[KP.NOSE]:
            stature = (ankle - float(px[KP.NOSE, 1])) / NOSE_TO_ANKLE
        else:
            shoulders = [float(px[k, 1]) for k in (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER) if seen[k]]
            stature = (ankle - float(np.mean(shoulders))) / SHOULDER_TO_ANKLE if shoulders else None
    if not feet:
        return Measure((), float(np.mean(hips)) if hips else None, None, None)
    # The torso is the distance scale only with straight legs: a model's shoulders and hips slide in a deep squat.
    knees = [_angle(px[hp], px[k], px[a]) for hp, k, a in ((KP.LEFT_HIP, KP.LEFT_KNEE, KP.LEFT_ANKLE),
                                                         (KP.RIGHT_HIP, KP.RIGHT_KNEE, KP.RIGHT_ANKLE))
             if seen[hp] and seen[k] and seen[a]]
    upright = bool(knees) and float(np.mean(knees)) >= UPRIGHT_KNEE_DEG
    return Measure(feet, float(np.mean(hips)) if hips else None,
                   float(np.mean(torsos)) if torsos and upright else None, stature if stature and stature > 0 else None)


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle at b, in degrees."""
    u, v = a - b, c - b
    cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
