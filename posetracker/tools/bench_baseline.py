"""`posetracker bench`'s baseline: the loop of a typical open-source trainer (OpenCV capture, MediaPipe Pose on
every full-resolution frame, per-frame Python angle maths, `mp_drawing`, `cv2.VideoWriter`), timed alike."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np


BASELINE_DESCRIPTION = ("cv2.VideoCapture, MediaPipe Pose (Full) on every full-resolution frame, per-frame Python "
                        "angle and mp_drawing overlay, cv2.VideoWriter (mp4v) for export")


class _BaselineTrainer:
    """The loop body of a typical open-source trainer (MediaPipe's own sample, AI-fitness repos)."""

    def __init__(self) -> None:
        import mediapipe as mp

        self._mp_pose = mp.solutions.pose
        self._draw = mp.solutions.drawing_utils
        self._pose = self._mp_pose.Pose(min_detection_confidence=0.5, min_tracking_confidence=0.5)
        self.counter, self._stage = 0, None

    def step(self, frame_bgr: np.ndarray) -> np.ndarray:
        import cv2

        image = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        image.flags.writeable = False
        results = self._pose.process(image)
        image.flags.writeable = True
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        if results.pose_landmarks:
            lm = results.pose_landmarks.landmark
            hip, knee, ankle = ([lm[i].x, lm[i].y] for i in (23, 25, 27))
            angle = _angle(hip, knee, ankle)
            if angle > 160:
                self._stage = "up"
            if angle < 90 and self._stage == "up":
                self._stage, self.counter = "down", self.counter + 1
            cv2.putText(image, str(int(angle)), (50, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 2,
                        cv2.LINE_AA)
        cv2.rectangle(image, (0, 0), (225, 73), (245, 117, 16), -1)
        cv2.putText(image, "REPS", (15, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        cv2.putText(image, str(self.counter), (10, 60), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 2,
                    cv2.LINE_AA)
        self._draw.draw_landmarks(image, results.pose_landmarks, self._mp_pose.POSE_CONNECTIONS,
                                  self._draw.DrawingSpec(color=(245, 117, 66), thickness=2, circle_radius=2),
                                  self._draw.DrawingSpec(color=(245, 66, 230), thickness=2, circle_radius=2))
        return image

    def close(self) -> None:
        self._pose.close()


def _angle(a, b, c) -> float:
    a, b, c = np.array(a), np.array(b), np.array(c)
    radians = np.arctan2(c[1] - b[1], c[0] - b[0]) - np.arctan2(a[1] - b[1], a[0] - b[0])
    angle = abs(radians * 180.0 / np.pi)
    return 360 - angle if angle > 180.0 else angle


def baseline_upload(path: Path, export: Path | None) -> tuple[float, int]:
    import cv2

    t0 = time.perf_counter()
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    trainer = _BaselineTrainer()
    writer = None
    frames = 0
    try:
        while cap.isOpened():
            ok, frame = cap.read()
            if not ok:
                break
            image = trainer.step(frame)
            if export is not None:
                if writer is None:
                    h, w = image.shape[:2]
                    writer = cv2.VideoWriter(str(export), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
                writer.write(image)
            frames += 1
    finally:
        cap.release()
        trainer.close()
        if writer is not None:
            writer.release()
    wall = time.perf_counter() - t0
    if export is not None:
        export.unlink(missing_ok=True)
    return wall, frames
