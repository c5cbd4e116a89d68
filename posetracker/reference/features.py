"""What a reference compares: one pose as a vector of body-normalised features, with a confidence each.

Joint angles (in half-turns, so 180 degrees is 1.0) say how the limbs bend whatever the camera's distance;
keypoint heights relative to the hips (in body units: about a torso length) say where the limbs go; left-right
spreads say how far apart the hands and feet are. Heights and spreads use gravity's axis and a mirror-free
distance, so a reference filmed facing left still matches a person facing right. `MIRROR` swaps left and right, so a
one-sided reference (a left-arm curl, a right-leg lunge) also matches the other side.
"""
from __future__ import annotations

import math

import numpy as np

from posetracker.pose import KP, Pose

GATE = 0.25  # a keypoint scored below this does not feed a feature

L, R = "left", "right"
_K = {side: {j: KP[f"{side.upper()}_{j.upper()}"] for j in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")}
      for side in (L, R)}

# (name, kind, keypoints): kind is "angle" (a, b, c: the angle at b), "height" (the keypoint's height above the
# mid-hip) or "spread" (horizontal distance between the two keypoints).
FEATURES: tuple[tuple[str, str, tuple[KP, ...]], ...] = tuple(
    [(f"{s}_{name}_angle", "angle", tuple(_K[s][j] for j in joints))
     for name, joints in (("elbow", ("shoulder", "elbow", "wrist")), ("shoulder", ("hip", "shoulder", "elbow")),
                          ("hip", ("shoulder", "hip", "knee")), ("knee", ("hip", "knee", "ankle")))
     for s in (L, R)]
    + [(f"{s}_{j}_height", "height", (_K[s][j],)) for j in ("shoulder", "elbow", "wrist", "knee", "ankle")
       for s in (L, R)]
    + [("nose_height", "height", (KP.NOSE,))]
    # Only hands and feet: knee and elbow spreads change with the camera's angle more than with the movement.
    + [(f"{j}_spread", "spread", (_K[L][j], _K[R][j])) for j in ("wrist", "ankle")]
)
NAMES = tuple(f[0] for f in FEATURES)
KIND = tuple(f[1] for f in FEATURES)
COUNT = len(FEATURES)
# What one unit of each kind is worth when kinds are compared: a quarter-turn of a joint is like a torso length.
UNIT = np.array([{"angle": 0.5, "height": 1.0, "spread": 1.0}[k] for k in KIND])
# Index of each feature's mirror image (left and right swapped).
MIRROR = np.array([NAMES.index(n.replace("left_", "@").replace("right_", "left_").replace("@", "right_"))
                   for n in NAMES])
# Keypoints each feature reads: placement asks for those of the features a reference moves.
KEYPOINTS = tuple(tuple(int(k) for k in f[2]) + (() if f[1] != "height" else (int(KP.LEFT_HIP), int(KP.RIGHT_HIP)))
                  for f in FEATURES)
# Body part of each feature, for "which parts move" (a jumping jack moves arms and legs, a curl one arm).
PART = tuple("trunk" if n == "nose_height" or "shoulder_height" in n else
             ("arms" if "spread" in n else ("left_arm" if n.startswith(L) else "right_arm"))
             if any(j in n for j in ("elbow", "wrist", "shoulder")) else
             ("legs" if "spread" in n else ("left_leg" if n.startswith(L) else "right_leg"))
             for n in NAMES)


def pose_features(pose: Pose, unit: float | None) -> tuple[np.ndarray, np.ndarray]:
    """(values, ok): the features of one pose (NaN where unseen) and which of them were seen well.

    `unit` is the body's size (about a torso length, see `signature.body_unit`): heights and spreads are in
    units of it; None leaves them unseen."""
    p = _iso(pose)
    s = pose.scores
    values = np.full(COUNT, np.nan)
    hips = (p[KP.LEFT_HIP] + p[KP.RIGHT_HIP]) / 2
    hips_ok = min(s[KP.LEFT_HIP], s[KP.RIGHT_HIP]) >= GATE
    for i, (_, kind, kps) in enumerate(FEATURES):
        if min(s[k] for k in kps) < GATE:
            continue
        if kind == "angle":
            values[i] = _angle(p[kps[0]], p[kps[1]], p[kps[2]]) / math.pi
        elif unit is None or unit <= 1e-6:
            continue
        elif kind == "height" and hips_ok:
            values[i] = (hips[1] - p[kps[0]][1]) / unit
        elif kind == "spread":
            values[i] = abs(p[kps[0]][0] - p[kps[1]][0]) / unit
    return values, np.isfinite(values)


def _iso(pose: Pose) -> np.ndarray:
    w, h = pose.frame_size or (1, 1)
    return pose.xy.astype(np.float64) * np.array([w / h, 1.0])


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    v1, v2 = a - b, c - b
    cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
    return math.acos(max(-1.0, min(1.0, cos)))
