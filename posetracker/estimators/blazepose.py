"""BlazePose Full (MediaPipe 0.10.21 legacy `solutions.pose`, model bundled in the wheel), mapped to COCO-17."""
from __future__ import annotations

import numpy as np

from posetracker.pose import Pose

# BlazePose's 33 landmarks -> COCO-17, in COCO order.
BLAZEPOSE_TO_COCO: tuple[int, ...] = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)


class BlazePoseEstimator:
    """Video mode: MediaPipe tracks the person between frames, so one instance serves one stream."""

    name = "blazepose"

    def __init__(self, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        from mediapipe.python.solutions import pose as mp_pose

        self._factory = lambda: mp_pose.Pose(
            static_image_mode=False, model_complexity=model_complexity, smooth_landmarks=True,
            enable_segmentation=False, min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )
        self._graph = self._factory()

    def reset(self) -> None:
        self._graph.reset()

    def close(self) -> None:
        if self._graph is not None:
            self._graph.close()
            self._graph = None

    def __enter__(self) -> "BlazePoseEstimator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def estimate(self, image_rgb: np.ndarray, timestamp: float) -> Pose | None:
        h, w = image_rgb.shape[:2]  # the tracker's `ModelPicture` has already brought it down to its size
        result = self._graph.process(np.ascontiguousarray(image_rgb))
        if result.pose_landmarks is None:
            return None
        lms = result.pose_landmarks.landmark
        picked = [lms[i] for i in BLAZEPOSE_TO_COCO]
        xy = np.array([[lm.x, lm.y] for lm in picked], dtype=np.float32)
        z = np.array([lm.z for lm in picked], dtype=np.float32)
        scores = np.array([lm.visibility for lm in picked], dtype=np.float32)
        return Pose(xy, np.clip(scores, 0.0, 1.0), timestamp, z, frame_size=(w, h))
