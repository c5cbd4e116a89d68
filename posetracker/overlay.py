"""The one overlay builder: what the live view and the exported video draw over a frame, in the same order.

    overlay = Overlay(options, mirror=True)            # live; Overlay(options, watermark=text) for an export
    picture = overlay.draw(picture, step.pose, step.state)

Skeleton (when the options ask for it), then the HUD (counter, guidance, grade and progression as the options
allow), then the plan's watermark. The live view adds its status line (model, fps) itself: it is about the
machine, not the exercise, and an export must not carry it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from posetracker.annotate import HudAnnotator, SkeletonAnnotator, WatermarkAnnotator
from posetracker.options import Options
from posetracker.pose import Pose


@dataclass(frozen=True)
class PersonOnly:
    """HUD data when no engine is attached (pose only): whether a person is in view, and no counter."""

    person_visible: bool


class Overlay:
    def __init__(self, options: Options, *, mirror: bool = False, keypoint_threshold: float = 0.3,
                 watermark: str | None = None) -> None:
        self.mirror = mirror
        self.threshold = keypoint_threshold
        self._skeleton = SkeletonAnnotator(threshold=keypoint_threshold, mirror=mirror) if options.skeleton else None
        self._hud = HudAnnotator(show_grade=options.form_score, show_progression=options.progression)
        self._mark = WatermarkAnnotator(watermark) if watermark else None

    def draw(self, picture, pose: Pose | None, state: Any):
        """Draw on `picture` (RGB array or `annotate.I420`, in place) and return it."""
        if self._skeleton is not None:
            picture = self._skeleton.annotate(picture, pose)
        picture = self._hud.annotate(picture, state if state is not None else PersonOnly(pose is not None))
        if self._mark is not None:
            picture = self._mark.annotate(picture)
        return picture
