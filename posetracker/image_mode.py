"""Image mode: one inference on a still picture, the skeleton overlay, raw outputs, and a placement verdict.

    result = analyze_image("photo.jpg", options, "movenet")
    result.overlay        # RGB image with the skeleton (`image_overlay`), original resolution
    result.placement      # the `posture` event: is this a good camera placement for the chosen exercise?

No counter: one picture has no repetitions.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from posetracker import events as ev
from posetracker.errors import PoseTrackerError
from posetracker.options import Mode, Options
from posetracker.pose import Pose

MAX_PIXELS = 50_000_000  # larger images are refused before decoding (decompression bombs)


@dataclass(frozen=True)
class ImageResult:
    pose: Pose | None
    overlay: np.ndarray           # RGB uint8, upright, original resolution
    placement: dict               # `posture` event for the chosen exercise
    events: list[dict]            # initialization, posture, keypoints/angles when enabled, export_ready
    model: str
    model_notice: str | None = None
    width: int = 0
    height: int = 0
    exercise: str = ""

    @property
    def keypoints(self) -> list[dict] | None:
        return None if self.pose is None else self.pose.to_keypoints()

    def to_json(self) -> dict:
        return {"exercise": self.exercise,
                "model": self.model, "person": self.pose is not None, "width": self.width, "height": self.height,
                "placement": {k: self.placement[k] for k in ("message", "direction", "ready", "requirements")},
                "keypoints": self.keypoints}


def load_image(path: str | Path) -> np.ndarray:
    """An upright RGB uint8 image (EXIF orientation applied); `image_load_error` when it cannot be read."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(path) as img:
            img = ImageOps.exif_transpose(img)
            return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise PoseTrackerError("image_load_error", "This image could not be read. It may be damaged or too "
                               "large; try saving it again as JPG or PNG.") from exc


def analyze_image(path: str | Path, options: Options, model: str = "movenet", *,
                  overlay_path: str | Path | None = None) -> ImageResult:
    import cv2

    from posetracker.annotate import SkeletonAnnotator
    from posetracker.estimators import resolve_model
    from posetracker.exercises import get_spec
    from posetracker.tracker import Tracker

    spec = get_spec(options.exercise)  # invalid_exercise before any work
    image = load_image(path)
    h, w = image.shape[:2]
    name, notice = resolve_model(model)
    # One frame through the tracker in live mode gives the placement verdict and the raw outputs, nothing else.
    # The model sees the picture as it sees video frames (the tracker's resize); the overlay keeps full size.
    with Tracker(replace(options, mode=Mode.LIVE, countdown_s=0, placement=True), name) as tracker:
        step = tracker.step(image, 0.0, people=None)
    pose = step.pose
    events = [ev.initialization(f"Image analysed with {name}: {spec.name}.", True)]
    events += [e for e in step.events if e["type"] in ("posture", "keypoints", "angles")]
    placement = next((e for e in events if e["type"] == "posture"), None) or ev.posture(
        "Step into the frame so the camera can see you.", "in-frame", False, ["person_visible"])
    overlay = image.copy()
    if options.skeleton:
        overlay = SkeletonAnnotator().annotate(overlay, pose)
    if overlay_path is not None:
        cv2.imwrite(str(overlay_path), cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))
        events.append(ev.export_ready(str(overlay_path), "image", Path(overlay_path).stat().st_size))
    return ImageResult(pose, overlay, placement, events, name, notice, w, h, options.exercise)
