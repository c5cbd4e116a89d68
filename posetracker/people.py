"""How many people are in view: MediaPipe's BlazePose person detector, run now and then beside the pose model.

Both pose models are single-person: with two people side by side they follow one of them and say nothing, so
a count can silently belong to the wrong person. `PeopleMonitor` runs the BlazePose detector (a multi-person
SSD that ships inside the mediapipe wheel, so it works offline) about once a second and reports, as a
`warning` event with code `multiple_people`, when several people of comparable size stay in view — and again
when the view is back to one person. People far behind the athlete (a gym in the background) are much smaller
and do not count.

    monitor = PeopleMonitor()
    for image, t in frames:
        event = monitor.check(image, t)   # None, or a warning event when the confirmed count changes
"""
from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from posetracker import events as ev
from posetracker.estimators.movenet import crop_square, full_frame_square

INPUT_SIZE = 224
MIN_SCORE = 0.5            # MediaPipe's own detection threshold for this model
NMS_IOU = 0.3              # MediaPipe's weighted non-maximum suppression threshold
COMPARABLE_SIZE = 0.45     # a second person counts when their body is at least this fraction of the largest one
SAME_PERSON = 0.5          # two detections whose hips are closer than this many body radii are one person
CHECK_INTERVAL_S = 1.0     # seconds of video between two checks, live (~13 ms a check)
UPLOAD_CHECK_S = 2.0       # an upload checks every 2 s of video: under 5 % of MoveNet's time at 30 fps
CONFIRM_CHECKS = 2         # consecutive checks that must agree before the warning is raised or cleared


@dataclass(frozen=True)
class Person:
    """One detected person, in normalised image coordinates."""

    score: float
    radius: float                 # radius of the circle holding the whole body (fraction of the longer side)
    centre: tuple[float, float]   # the hip centre in the letterboxed square, as fractions of its side


@lru_cache(maxsize=1)
def detector_model_path() -> Path | None:
    """pose_detection.tflite inside the installed mediapipe package, found without importing mediapipe."""
    spec = importlib.util.find_spec("mediapipe")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "modules" / "pose_detection" / "pose_detection.tflite"
        if path.is_file():
            return path
    return None


class PersonDetector:
    """The BlazePose detector: an RGB image of any size in, the people it finds out (largest first)."""

    def __init__(self, model_path: str | Path | None = None, num_threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        path = model_path or detector_model_path()
        if path is None:
            raise FileNotFoundError("mediapipe's pose_detection.tflite was not found; reinstall mediapipe")
        self._interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        by_shape = {tuple(d["shape"])[-1]: d["index"] for d in self._interpreter.get_output_details()}
        self._boxes, self._scores = by_shape[12], by_shape[1]
        self._anchors = _anchors()
        self._lock = threading.Lock()

    def detect(self, image_rgb: np.ndarray) -> list[Person]:
        h, w = image_rgb.shape[:2]
        # Letterbox: the whole frame, centred in a square of the longer side (as MediaPipe feeds it).
        x0, y0, side = full_frame_square(w, h)
        patch = crop_square(image_rgb, x0, y0, side, INPUT_SIZE)
        batch = (patch.astype(np.float32) * (2.0 / 255.0) - 1.0)[np.newaxis]
        with self._lock:
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            raw = self._interpreter.get_tensor(self._boxes)[0].copy()
            logits = self._interpreter.get_tensor(self._scores)[0, :, 0].astype(np.float64)
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -100.0, 100.0)))
        keep = scores >= MIN_SCORE
        if not np.any(keep):
            return []
        raw, scores, anchors = raw[keep], scores[keep], self._anchors[keep]
        decoded = raw / INPUT_SIZE
        decoded[:, 0::2] += anchors[:, :1]   # x of the box centre and of the 4 keypoints
        decoded[:, 1::2] += anchors[:, 1:]   # y
        people = []
        for row, score in _weighted_nms(decoded, scores):
            # keypoint 0: hip centre; keypoint 1: a point on the circle that holds the whole body
            hx, hy, sx, sy = row[4], row[5], row[6], row[7]
            radius = float(np.hypot(sx - hx, sy - hy))
            people.append(Person(float(score), radius, (float(hx), float(hy))))
        return sorted(people, key=lambda p: p.radius, reverse=True)

    def close(self) -> None:
        self._interpreter = None


@lru_cache(maxsize=1)
def shared_detector() -> PersonDetector:
    """One detector per process (its memory is shared by every session; calls are serialised)."""
    return PersonDetector()


def count_people(people: list[Person]) -> int:
    """People of comparable size to the largest one: the athlete plus anyone beside them, not far behind.

    The detector sometimes finds one bent-over body twice (a sit-up seen from the side): detections whose hips
    lie within half a body radius of a larger one are the same person."""
    distinct: list[Person] = []
    for p in people:  # largest first
        if distinct and p.radius < COMPARABLE_SIZE * distinct[0].radius:
            continue
        if any(np.hypot(p.centre[0] - q.centre[0], p.centre[1] - q.centre[1]) < SAME_PERSON * q.radius
               for q in distinct):
            continue
        distinct.append(p)
    return len(distinct)


class PeopleMonitor:
    """Checks now and then how many people are in view; says so when several stay, and when they are gone."""

    def __init__(self, detector: PersonDetector | None = None, interval_s: float = CHECK_INTERVAL_S,
                 confirm: int = CONFIRM_CHECKS) -> None:
        self._detector = detector
        self._interval = interval_s
        self._confirm = confirm
        self._next_t: float | None = None
        self._streak: list[int] = []
        self.people = 1               # the confirmed count reported last (1 = nothing to say)
        self.crowd_seconds = 0.0      # total time with several people in view, confirmed
        self.first_crowd_at: float | None = None
        self.max_people = 0
        self._last_t: float | None = None
        self.unavailable: str | None = None

    def check(self, image_rgb: np.ndarray, t: float) -> dict | None:
        """Run the detector if a check is due at time `t`; a `warning` event when the confirmed count changes."""
        return self.observe(self.count(image_rgb) if self.due(t) else None, t)

    def due(self, t: float) -> bool:
        """Whether a check is due at time `t` (and, when it is, the next one is scheduled)."""
        if self._next_t is not None and t < self._next_t:
            return False
        self._next_t = t + self._interval
        return True

    def observe(self, n: int | None, t: float) -> dict | None:
        """Take the people count of a check at time `t` (None: no check at this frame); a `warning` event when
        the confirmed count changes. Call it for every frame, so the time with several people adds up.

        The count may come from another thread (the upload pipeline counts in its decoder, off the critical
        path): `due` and `count` there, `observe` here."""
        if self._last_t is not None and self.people > 1 and t > self._last_t:
            self.crowd_seconds += t - self._last_t
        self._last_t = t if self._last_t is None else max(self._last_t, t)
        if n is None:
            return None
        self._streak = (self._streak + [n])[-self._confirm:]
        if len(self._streak) < self._confirm:
            return None
        several = all(k >= 2 for k in self._streak)
        alone = all(k <= 1 for k in self._streak)
        if several and self.people <= 1:
            self.people = min(self._streak)
            self.max_people = max(self.max_people, self.people)
            since = t - self._interval * (self._confirm - 1)  # the first of the agreeing checks
            if self.first_crowd_at is None:
                self.first_crowd_at = max(0.0, since)
            self.crowd_seconds += max(0.0, t - since)
            return multiple_people_event(self.people, active=True)
        if alone and self.people > 1:
            self.people = 1
            return multiple_people_event(1, active=False)
        return None

    def summary(self) -> str | None:
        """A sentence for the results when several people were in view at some point, else None."""
        if self.first_crowd_at is None:
            return None
        return (f"{self.max_people} people were in view for about {self.crowd_seconds:.0f} s (first at "
                f"{_clock(self.first_crowd_at)}). The pose model follows one person only, so the count may mix "
                "them up: for a count you can trust, film one person at a time.")

    def count(self, image_rgb: np.ndarray) -> int | None:
        """People of comparable size in the picture; None when the detector cannot run (it never raises)."""
        if self.unavailable:
            return None
        try:
            detector = self._detector or shared_detector()
            return count_people(detector.detect(image_rgb))
        except Exception as exc:  # noqa: BLE001 - the warning is a courtesy; tracking goes on without it
            self.unavailable = f"{type(exc).__name__}: {exc}"
            return None


def crowd_message(people: int) -> str:
    """What to tell someone tracking live with `people` people in view."""
    return (f"{people} people in view: only one can be tracked. Ask the others to step out of the frame, or the "
            "count may follow the wrong person.")


def multiple_people_event(people: int, active: bool) -> dict:
    message = crowd_message(people) if active else "One person in view again: tracking as usual."
    return ev.warning("multiple_people", message, active=active, people=people)


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


@lru_cache(maxsize=1)
def _anchors() -> np.ndarray:
    """(2254, 2) anchor centres of the BlazePose detector's SSD (MediaPipe's SsdAnchorsCalculator options:
    5 layers with strides 8, 16, 32, 32, 32, two fixed-size anchors per layer and location, layers of the same
    stride sharing one grid)."""
    centres = []
    for stride, per_cell in ((8, 2), (16, 2), (32, 6)):
        cells = INPUT_SIZE // stride
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 2)
        centres.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


def _weighted_nms(decoded: np.ndarray, scores: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """MediaPipe's weighted NMS: overlapping detections (IoU > NMS_IOU) merge into their score-weighted mean."""
    boxes = np.stack([decoded[:, 0] - decoded[:, 2] / 2, decoded[:, 1] - decoded[:, 3] / 2,
                      decoded[:, 0] + decoded[:, 2] / 2, decoded[:, 1] + decoded[:, 3] / 2], axis=1)
    order = list(np.argsort(-scores))
    out = []
    while order:
        top = order[0]
        rest = np.array(order)
        iou = _iou(boxes[top], boxes[rest])
        group = rest[iou > NMS_IOU]
        group = group if len(group) else np.array([top])
        weights = scores[group][:, None]
        out.append(((decoded[group] * weights).sum(axis=0) / weights.sum(), float(scores[top])))
        taken = set(group.tolist()) | {top}
        order = [i for i in order if i not in taken]
    return out


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)
