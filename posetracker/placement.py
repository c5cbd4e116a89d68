"""Placement guidance: is the person where the camera can track this exercise, and if not, what to do."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posetracker.exercises.spec import ExerciseSpec, View
from posetracker.pose import KEYPOINT_NAMES, KP, Pose

PRESENCE_GATE = 0.3     # mean score of the required keypoints below this: nobody there (MoveNet on a title card)
KEYPOINT_GATE = 0.3
MAX_EXTENT = 0.97       # the body spans (nearly) the whole frame: step back
MIN_EXTENT = 0.3        # the body is tiny: come closer
CENTER_MARGIN = 0.2     # the body's centre must be this far from the left/right edges


@dataclass(frozen=True)
class Placement:
    person_visible: bool
    ready: bool
    direction: str | None
    message: str
    requirements: tuple[str, ...]  # what is still missing, e.g. ("keypoints_visible",)


def _names(kps: list[int]) -> str:
    parts = sorted({KEYPOINT_NAMES[k].split("_")[-1] + "s" for k in kps})
    return ", ".join(parts)


def check_placement(pose: Pose | None, spec: ExerciseSpec, seen: np.ndarray | None = None) -> Placement:
    """`seen` (optional, (17,) bool) marks keypoints seen recently, so one frame's missing wrist is not a
    placement problem."""
    required = [int(k) for k in spec.required]
    if pose is None or float(pose.scores[required].mean()) < PRESENCE_GATE:
        return Placement(False, False, "in-frame", "Step into the frame so the camera can see you.",
                         ("person_visible",))
    visible = pose.visible(KEYPOINT_GATE)
    missing = [k for k in required if not (visible[k] or (seen is not None and seen[k]))]
    if missing:
        return Placement(True, False, "in-frame", f"Make sure your {_names(missing)} are in the frame.",
                         ("keypoints_visible",))
    # Every keypoint can be under the gate this frame while the required ones were seen a moment ago (a dark
    # frame): measure on those rather than on nothing.
    pts = pose.xy[visible] if visible.any() else pose.xy[required]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    extent = float(max(hi - lo))
    if extent > MAX_EXTENT:
        return Placement(True, False, "step-back", "Step back a little.", ("distance",))
    if extent < MIN_EXTENT:
        return Placement(True, False, "come-closer", "Come closer to the camera.", ("distance",))
    centre = float((lo[0] + hi[0]) / 2)
    if centre < CENTER_MARGIN:
        return Placement(True, False, "move-right", "Move to the centre of the picture.", ("centered",))
    if centre > 1 - CENTER_MARGIN:
        return Placement(True, False, "move-left", "Move to the centre of the picture.", ("centered",))
    view = _view_of(pose)
    # The signals work in both views, so a view hint never holds counting back.
    if spec.view is View.PROFILE and view is View.FACE:
        return Placement(True, True, "profile-camera", "Turn sideways to the camera for the best form feedback.",
                         ())
    if spec.view is View.FACE and view is View.PROFILE:
        return Placement(True, True, "face-camera", "Face the camera for the best form feedback.", ())
    return Placement(True, True, None, "You're in position.", ())


def _view_of(pose: Pose) -> View:
    """Face when the shoulders look wide compared with the torso, profile when they nearly overlap."""
    w, h = pose.frame_size or (1, 1)
    p = pose.xy * np.array([w / h, 1.0])
    shoulders = float(np.linalg.norm(p[KP.LEFT_SHOULDER] - p[KP.RIGHT_SHOULDER]))
    mid_s = (p[KP.LEFT_SHOULDER] + p[KP.RIGHT_SHOULDER]) / 2
    mid_h = (p[KP.LEFT_HIP] + p[KP.RIGHT_HIP]) / 2
    torso = float(np.linalg.norm(mid_s - mid_h)) + 1e-6
    ratio = shoulders / torso
    return View.FACE if ratio > 0.55 else View.PROFILE if ratio < 0.3 else View.ANY
