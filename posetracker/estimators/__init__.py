"""Pose estimators behind one small interface, found by name.

    with create_estimator("movenet") as estimator:
        for frame in frames:
            pose = estimator.estimate(frame.image, frame.timestamp)   # Pose or None (no person)

An estimator holds one stream's tracking state (MoveNet's crop region, BlazePose's tracker), so each live
session or uploaded video gets its own; the model weights behind it are loaded once per process and shared.
"""
from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

from posetracker.errors import PoseTrackerError
from posetracker.pose import Pose


class Estimator(Protocol):
    name: str

    def estimate(self, image_rgb: np.ndarray, timestamp: float) -> Pose | None:
        """The pose of the main person in an RGB uint8 (H, W, 3) image, or None when nobody is there."""

    def reset(self) -> None:
        """Forget tracking state, e.g. at a scene cut or when a new stream starts."""

    def close(self) -> None:
        """Release what this stream holds (the shared model stays loaded)."""


def _movenet(**kwargs) -> Estimator:
    from posetracker.estimators.movenet import MoveNetEstimator

    return MoveNetEstimator(**kwargs)


def _blazepose(**kwargs) -> Estimator:
    from posetracker.estimators.blazepose import BlazePoseEstimator

    return BlazePoseEstimator(**kwargs)


ESTIMATORS: dict[str, Callable[..., Estimator]] = {"movenet": _movenet, "blazepose": _blazepose}
MODEL_TITLES = {"movenet": "MoveNet Lightning", "blazepose": "BlazePose Full"}


def model_names() -> list[str]:
    return list(ESTIMATORS)


def check_model_name(name: str) -> str:
    """`name` when it is a known model; otherwise an `unknown_model` error that lists the valid ones."""
    if name not in ESTIMATORS:
        raise PoseTrackerError(
            "unknown_model", f"Unknown model {name!r}. Choose one of: {', '.join(ESTIMATORS)}.",
            {"valid": list(ESTIMATORS)},
        )
    return name


def create_estimator(name: str, **kwargs) -> Estimator:
    """A new estimator for one stream. Unknown names raise an error that lists the valid ones."""
    return ESTIMATORS[check_model_name(name)](**kwargs)


def model_installed(name: str) -> bool:
    from posetracker.registry import get_entry

    return get_entry(name).installed()


def resolve_model(requested: str | None) -> tuple[str, str | None]:
    """The model to run and, when it differs from the request, a plain sentence saying why.

    MoveNet is the default; when its weights are missing we fall back to the bundled BlazePose rather than
    leave the user with nothing.
    """
    name = check_model_name(requested or "movenet")
    if name == "movenet" and not model_installed("movenet"):
        return "blazepose", (
            "MoveNet weights are not installed, so this session runs on the bundled BlazePose. "
            "Run `posetracker models fetch movenet` to install them."
        )
    return name, None
