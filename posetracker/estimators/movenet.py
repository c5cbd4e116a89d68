"""MoveNet SinglePose Lightning (int8) through ai-edge-litert, with MoveNet's reference cropping algorithm."""
from __future__ import annotations

import threading
from functools import lru_cache

import cv2
import numpy as np

from posetracker.pose import KP, Pose
from posetracker.registry import get_entry, verify

INPUT_SIZE = 192
# MoveNet always returns 17 points, even on an empty title card: a person is "there" only when enough of
# the body is found with confidence. Calibrated on the testdata clips (empty frames score below 0.2).
PERSON_MIN_SCORE = 0.25
PERSON_MIN_KEYPOINTS = 6
KEYPOINT_CROP_SCORE = 0.2  # a keypoint this confident steers the next frame's crop
TORSO = (KP.LEFT_SHOULDER, KP.RIGHT_SHOULDER, KP.LEFT_HIP, KP.RIGHT_HIP)


class _SharedInterpreter:
    """One interpreter per process; `invoke` is not re-entrant, so calls are serialised by a lock."""

    def __init__(self, model_path: str, num_threads: int) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self._interpreter = Interpreter(model_path=model_path, num_threads=num_threads)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._lock = threading.Lock()

    def run(self, batch: np.ndarray) -> np.ndarray:
        with self._lock:
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output)[0, 0].copy()  # (17, 3): y, x, score


@lru_cache(maxsize=1)
def shared_interpreter(num_threads: int = 2) -> _SharedInterpreter:
    return _SharedInterpreter(str(verify(get_entry("movenet"))), num_threads)


class MoveNetEstimator:
    name = "movenet"

    def __init__(self, num_threads: int = 2, use_crop: bool = True) -> None:
        self._model = shared_interpreter(num_threads)
        self._use_crop = use_crop
        self._crop: tuple[float, float, float] | None = None  # (x0, y0, side) in pixels; square, may overhang

    def reset(self) -> None:
        self._crop = None

    def close(self) -> None:
        self._crop = None

    def __enter__(self) -> "MoveNetEstimator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def estimate(self, image_rgb: np.ndarray, timestamp: float) -> Pose | None:
        h, w = image_rgb.shape[:2]
        x0, y0, side = self._crop or full_frame_square(w, h)
        patch = crop_square(image_rgb, x0, y0, side, INPUT_SIZE)
        out = self._model.run(patch[np.newaxis].astype(np.uint8, copy=False))
        xs = (x0 + out[:, 1] * side) / w
        ys = (y0 + out[:, 0] * side) / h
        scores = out[:, 2]
        if np.count_nonzero(scores >= PERSON_MIN_SCORE) < PERSON_MIN_KEYPOINTS:
            self._crop = None
            return None
        pose = Pose(np.stack([xs, ys], axis=1), scores, timestamp, frame_size=(w, h))
        if self._use_crop:
            self._crop = _crop_around(pose, w, h)
        return pose


def crop_square(image: np.ndarray, x0: float, y0: float, side: float, size: int) -> np.ndarray:
    """The square (x0, y0, side) of `image` as size x size, black where it overhangs the frame (one affine
    warp; a big shrink is area-averaged first). Also feeds the person detector (`posetracker.people`)."""
    scale = size / side
    if scale < 0.5:
        # warpAffine only samples; shrink by area first so a far-away person does not alias away.
        pre = 2.0 * scale
        h, w = image.shape[:2]
        image = cv2.resize(image, (max(1, round(w * pre)), max(1, round(h * pre))), interpolation=cv2.INTER_AREA)
        linear = scale / pre
    else:
        linear = scale
    matrix = np.array([[linear, 0.0, -x0 * scale], [0.0, linear, -y0 * scale]], dtype=np.float32)
    return cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT)


def full_frame_square(w: int, h: int) -> tuple[float, float, float]:
    """(x0, y0, side) of the square of the longer side centred on a w x h frame: the whole frame, letterboxed."""
    side = float(max(w, h))
    return (w - side) / 2.0, (h - side) / 2.0, side


def _crop_around(pose: Pose, w: int, h: int) -> tuple[float, float, float] | None:
    """MoveNet's reference crop: a square around the hips covering torso and body with margins.

    Falls back to the whole frame (None) when the torso is not confidently found.
    """
    scores = pose.scores
    if not (scores[KP.LEFT_HIP] > KEYPOINT_CROP_SCORE or scores[KP.RIGHT_HIP] > KEYPOINT_CROP_SCORE) or not (
        scores[KP.LEFT_SHOULDER] > KEYPOINT_CROP_SCORE or scores[KP.RIGHT_SHOULDER] > KEYPOINT_CROP_SCORE
    ):
        return None
    px = pose.xy * np.array([w, h], dtype=np.float32)
    cx, cy = (px[KP.LEFT_HIP] + px[KP.RIGHT_HIP]) / 2.0
    torso = px[list(TORSO)]
    confident = px[scores > KEYPOINT_CROP_SCORE]
    torso_range = np.max(np.abs(torso - [cx, cy]))
    body_range = np.max(np.abs(confident - [cx, cy]))
    half = max(torso_range * 1.9, body_range * 1.2)
    # Never larger than needed to cover the frame from this centre.
    half = min(half, max(cx, w - cx, cy, h - cy))
    if half * 2 >= max(w, h):
        return None
    half = max(half, INPUT_SIZE / 4)
    return float(cx - half), float(cy - half), float(2 * half)
