"""Drawing on frames: small annotators, configured once, each `annotate(image, data) -> image`.

    skeleton, hud, status = SkeletonAnnotator(), HudAnnotator(), StatusAnnotator()
    image = skeleton.annotate(image, pose)           # Pose or None
    image = hud.annotate(image, engine_state)        # the engine's snapshot (or None before tracking starts)
    image = status.annotate(image, Status("MoveNet Lightning", fps=29.5, ms=7.1))

Annotators draw in place on an RGB uint8 image, or on an `I420` picture (a video frame's own Y, U and V planes),
and return it, so calls chain. Drawing on the planes spares a live or exported frame two full-frame colour
conversions (to RGB and back to the encoder's yuv420p); the chroma planes get each shape at half resolution,
which is what the conversion to yuv420p would have made of it. They only read their data: the live page and
the exported video share them, and neither the engine nor the estimators know they exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from posetracker.drawing import (  # noqa: F401 - I420, Picture and the colours are this module's public names too
    ACCENT, CENTRE, DARK, GRADE_COLORS, LEFT, RIGHT, WHITE, Color, I420, Picture, _FONT, _disc, _line, _panel,
    _scale, _shade_disc, _side_color, _text, _text_width, ascii_text)
from posetracker.pose import KP, SKELETON_EDGES, Pose


# Colours worked out once (enum lookups per frame cost more than the drawing itself).
_POINT_COLORS: tuple[Color, ...] = tuple(_side_color(KP(i)) for i in range(len(KP)))
_EDGE_COLORS: tuple[tuple[int, int, Color], ...] = tuple(
    (int(a), int(b), _POINT_COLORS[a] if _POINT_COLORS[a] == _POINT_COLORS[b] else CENTRE) for a, b in SKELETON_EDGES)


class SkeletonAnnotator:
    """Keypoints scored at or above `threshold` and the edges between two such keypoints.

    With `mirror=True` the pose is drawn for a mirrored image (selfie view): pass the mirrored frame and the
    pose as the model found it; the annotator flips the points to match, and each side keeps its colour (the
    person's left arm, on the left of a mirror, is drawn in the left colour).
    """

    def __init__(self, threshold: float = 0.3, mirror: bool = False, thickness: int | None = None,
                 radius: int | None = None) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.threshold = threshold
        self.mirror = mirror
        self.thickness = thickness
        self.radius = radius

    def annotate(self, image, pose: Pose | None) -> Picture:
        if pose is None:
            return image
        h, w = image.shape[:2]
        s = _scale(image)
        thickness = self.thickness or max(2, round(3 * s))
        radius = self.radius or max(3, round(4 * s))
        xy = pose.xy
        shown = pose.visible(self.threshold).tolist()
        if self.mirror:  # the frame was flipped: flip the x of each point (the sides keep their colours)
            xy = np.column_stack([1.0 - xy[:, 0], xy[:, 1]])
        px = [tuple(p) for p in np.round(xy * [w, h]).astype(np.int32).tolist()]
        for a, b, color in _EDGE_COLORS:
            if shown[a] and shown[b]:
                _line(image, px[a], px[b], color, thickness)
        for i, color in enumerate(_POINT_COLORS):
            if shown[i]:
                _disc(image, px[i], radius + 1, DARK, chroma=False)
                _disc(image, px[i], radius, color)
        return image


class HudAnnotator:
    """The coach's view: counter, last grade, posture message or countdown, progression bar.

    `state` is the tracking engine's snapshot (`EngineState`); it is read by attribute name only, so the
    annotator works with any object that has those fields, and with None before tracking has started.
    """

    def __init__(self, show_grade: bool = True, show_progression: bool = True, show_messages: bool = True,
                 no_person_message: str = "No person in view - step into the frame") -> None:
        self.show_grade = show_grade
        self.show_progression = show_progression
        self.show_messages = show_messages
        self.no_person_message = no_person_message

    def annotate(self, image, state: Any) -> Picture:
        if state is None:
            return image
        s = _scale(image)
        if hasattr(state, "count"):
            self._counter(image, state, s)
        if self.show_progression and getattr(state, "progression", None) is not None:
            self._progression(image, float(state.progression), s)
        if self.show_messages:
            countdown = getattr(state, "countdown_left", None)
            if countdown:
                self._countdown(image, countdown, s)
            elif not getattr(state, "person_visible", True):
                self._banner(image, self.no_person_message, s)
            elif getattr(state, "posture_message", None):
                self._banner(image, state.posture_message, s)
        if getattr(state, "jumps", None) is not None:
            from posetracker.jump_annotate import JumpAnnotator  # it draws with this module's primitives

            JumpAnnotator().annotate(image, state)
        return image

    def _counter(self, image, state: Any, s: float) -> None:
        if getattr(state, "is_duration", False):
            value, unit = f"{int(getattr(state, 'hold_seconds', 0) or 0)}", "s held"
        else:
            value = f"{int(getattr(state, 'count', 0) or 0)}"
            unit = "jumps" if getattr(state, "jumps", None) is not None else "reps"
        grade = getattr(state, "last_grade", None) if self.show_grade else None
        score = getattr(state, "last_score", None)
        grade_label = f"Last rep {grade}" + (f"  {round(score)}" if score is not None else "") if grade else ""
        big, small, label_size = 1.6 * s, 0.55 * s, 0.6 * s
        thick, label_thick = max(2, round(3 * s)), max(1, round(2 * s))
        pad = round(10 * s)
        value_w = _text_width(value, big, thick)
        width = pad * 2 + max(value_w + pad // 2 + _text_width(unit, small), _text_width(grade_label, label_size,
                                                                                      label_thick), round(90 * s))
        height = round(62 * s) + (round(30 * s) if grade else 0)
        _panel(image, pad, pad, pad + width, pad + height)
        baseline = pad + round(50 * s)
        _text(image, value, (2 * pad, baseline), big, WHITE, thick)
        _text(image, unit, (2 * pad + value_w + pad // 2, baseline), small, (200, 200, 200))
        if grade:
            color = GRADE_COLORS.get(str(grade), WHITE)
            _text(image, grade_label, (2 * pad, baseline + round(28 * s)), label_size, color, label_thick)

    def _progression(self, image, value: float, s: float) -> None:
        h, w = image.shape[:2]
        bar_w, margin = round(14 * s), round(12 * s)
        top, bottom = round(h * 0.2), round(h * 0.8)
        x0 = w - margin - bar_w
        _panel(image, x0, top, x0 + bar_w, bottom, DARK, 0.55)
        filled = round((bottom - top) * min(max(value, 0.0), 100.0) / 100.0)
        if filled > 0:
            _panel(image, x0, bottom - filled, x0 + bar_w, bottom, ACCENT, 0.85)

    def _banner(self, image, message: str, s: float) -> None:
        h, w = image.shape[:2]
        size, pad = 0.65 * s, round(10 * s)
        text_w = _text_width(message, size, max(1, round(2 * s)))
        while text_w > w - 4 * pad and size > 0.35:
            size *= 0.9
            text_w = _text_width(message, size, max(1, round(2 * s)))
        y1 = h - round(40 * s)
        y0 = y1 - round(36 * s)
        x0 = max(pad, (w - text_w) // 2 - pad)
        _panel(image, x0, y0, min(w - pad, x0 + text_w + 2 * pad), y1, DARK, 0.7)
        _text(image, message, (x0 + pad, y1 - round(12 * s)), size, WHITE, max(1, round(2 * s)))

    def _countdown(self, image, seconds_left: float, s: float) -> None:
        h, w = image.shape[:2]
        number = str(int(np.ceil(seconds_left)))
        size, thick = 4.0 * s, max(4, round(8 * s))
        (tw, th), _ = cv2.getTextSize(number, _FONT, size, thick)
        centre = (w // 2, h // 2)
        _shade_disc(image, centre, round(max(tw, th) * 0.9), DARK, 0.55)
        _text(image, number, (centre[0] - tw // 2, centre[1] + th // 2), size, WHITE, thick)
        self._banner(image, "Get ready", s)


@dataclass(frozen=True)
class Status:
    """What the status line reports: the model, the processed frame rate and the time per frame."""

    model: str
    fps: float | None = None
    ms: float | None = None
    warning: str | None = None  # drawn above the line, e.g. "2 people in view"


class StatusAnnotator:
    """A small line along the bottom: model, fps, ms per frame."""

    def __init__(self, size: float = 0.45) -> None:
        self.size = size

    def annotate(self, image, status: Status | None) -> Picture:
        if status is None:
            return image
        parts = [status.model]
        if status.fps is not None:
            parts.append(f"{status.fps:.0f} fps")
        if status.ms is not None:
            parts.append(f"{status.ms:.0f} ms")
        h, w = image.shape[:2]
        s = _scale(image)
        size = self.size * s
        text = "  |  ".join(parts)
        height = round(22 * s)
        _panel(image, 0, h - height, w, h, DARK, 0.55)
        _text(image, text, (round(8 * s), h - round(7 * s)), size, (220, 220, 220))
        if status.warning:
            _panel(image, 0, h - 2 * height, w, h - height, (200, 120, 0), 0.75)
            _text(image, status.warning, (round(8 * s), h - height - round(7 * s)), size, (255, 255, 255))
        return image


class WatermarkAnnotator:
    """A small label on a darkened box in the bottom-right corner (the Free plan's exports)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def annotate(self, image) -> Picture:
        h, w = image.shape[:2]
        size = max(0.4, min(h, w) / 900)
        thick = max(1, round(size * 1.5))
        text = ascii_text(self.text)
        (tw, th), base = cv2.getTextSize(text, _FONT, size, thick)
        margin = max(6, round(12 * size))
        org = (w - tw - margin, h - margin - base)
        _panel(image, org[0] - margin // 2, org[1] - th - margin // 2, w - margin // 2, h - margin // 2,
               (0, 0, 0), 0.45)
        _text(image, text, org, size, WHITE, thick)
        return image
