"""The one pose type of the project: 17 COCO keypoints, normalised to the frame, with scores and a timestamp."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)


class KP(IntEnum):
    """Index of each COCO keypoint in `Pose.xy`."""

    NOSE = 0
    LEFT_EYE = 1
    RIGHT_EYE = 2
    LEFT_EAR = 3
    RIGHT_EAR = 4
    LEFT_SHOULDER = 5
    RIGHT_SHOULDER = 6
    LEFT_ELBOW = 7
    RIGHT_ELBOW = 8
    LEFT_WRIST = 9
    RIGHT_WRIST = 10
    LEFT_HIP = 11
    RIGHT_HIP = 12
    LEFT_KNEE = 13
    RIGHT_KNEE = 14
    LEFT_ANKLE = 15
    RIGHT_ANKLE = 16


SKELETON_EDGES: tuple[tuple[KP, KP], ...] = (
    (KP.NOSE, KP.LEFT_EYE), (KP.NOSE, KP.RIGHT_EYE),
    (KP.LEFT_EYE, KP.LEFT_EAR), (KP.RIGHT_EYE, KP.RIGHT_EAR),
    (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER),
    (KP.LEFT_SHOULDER, KP.LEFT_ELBOW), (KP.LEFT_ELBOW, KP.LEFT_WRIST),
    (KP.RIGHT_SHOULDER, KP.RIGHT_ELBOW), (KP.RIGHT_ELBOW, KP.RIGHT_WRIST),
    (KP.LEFT_SHOULDER, KP.LEFT_HIP), (KP.RIGHT_SHOULDER, KP.RIGHT_HIP),
    (KP.LEFT_HIP, KP.RIGHT_HIP),
    (KP.LEFT_HIP, KP.LEFT_KNEE), (KP.LEFT_KNEE, KP.LEFT_ANKLE),
    (KP.RIGHT_HIP, KP.RIGHT_KNEE), (KP.RIGHT_KNEE, KP.RIGHT_ANKLE),
)

NUM_KEYPOINTS = len(KEYPOINT_NAMES)


@dataclass(frozen=True, eq=False)
class Pose:
    """One person's 17 keypoints in one frame.

    `xy` is (17, 2) float32, x and y normalised to [0, 1] of the (upright) frame; `scores` is (17,)
    in [0, 1]; `z` is optional relative depth (BlazePose), (17,) or None; `timestamp` in seconds.
    """

    xy: np.ndarray
    scores: np.ndarray
    timestamp: float
    z: np.ndarray | None = None
    frame_size: tuple[int, int] | None = field(default=None)  # (width, height) the pose was found in

    def __post_init__(self) -> None:
        xy = np.asarray(self.xy, dtype=np.float32).reshape(NUM_KEYPOINTS, 2)
        scores = np.asarray(self.scores, dtype=np.float32).reshape(NUM_KEYPOINTS)
        finite = np.isfinite(xy).all(axis=1)
        if not finite.all() or not np.isfinite(scores).all() or scores.min() < 0 or scores.max() > 1:
            # A NaN or infinite keypoint is an unseen one: it would otherwise reach every signal and the
            # events (NaN is not JSON). Scores are probabilities.
            xy = np.where(finite[:, None], xy, 0.0).astype(np.float32)
            scores = np.where(finite, np.clip(np.nan_to_num(scores, nan=0.0), 0.0, 1.0), 0.0).astype(np.float32)
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "scores", scores)
        if self.z is not None:
            z = np.asarray(self.z, dtype=np.float32).reshape(NUM_KEYPOINTS)
            object.__setattr__(self, "z", np.where(np.isfinite(z), z, 0.0).astype(np.float32))

    def __getitem__(self, kp: KP | int | str) -> tuple[float, float, float]:
        """(x, y, score) of one keypoint, by `KP`, index or COCO name."""
        i = KEYPOINT_NAMES.index(kp) if isinstance(kp, str) else int(kp)
        return float(self.xy[i, 0]), float(self.xy[i, 1]), float(self.scores[i])

    def visible(self, threshold: float = 0.3) -> np.ndarray:
        """Boolean mask of keypoints scored at or above `threshold` and inside the frame."""
        inside = np.all((self.xy >= 0.0) & (self.xy <= 1.0), axis=1)
        return (self.scores >= threshold) & inside

    def mirrored(self) -> "Pose":
        """The same pose seen in a mirror: x flipped and left/right keypoints swapped."""
        swap = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
        xy = self.xy[swap].copy()
        xy[:, 0] = 1.0 - xy[:, 0]
        z = None if self.z is None else self.z[swap]
        return Pose(xy, self.scores[swap], self.timestamp, z, self.frame_size)

    def to_keypoints(self) -> list[dict]:
        """PoseTracker's `keypoints` list: [{name, x, y, z, score}]."""
        z = self.z if self.z is not None else np.zeros(NUM_KEYPOINTS, dtype=np.float32)
        return [
            {"name": name, "x": round(float(self.xy[i, 0]), 5), "y": round(float(self.xy[i, 1]), 5),
             "z": round(float(z[i]), 5), "score": round(float(self.scores[i]), 4)}
            for i, name in enumerate(KEYPOINT_NAMES)
        ]

    @classmethod
    def from_keypoints(cls, keypoints: list[dict], timestamp: float) -> "Pose":
        by_name = {k["name"]: k for k in keypoints}
        rows = [by_name[n] for n in KEYPOINT_NAMES]
        return cls(
            xy=[[r["x"], r["y"]] for r in rows],
            scores=[r["score"] for r in rows],
            timestamp=timestamp,
            z=[r.get("z", 0.0) for r in rows],
        )
