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

from posetracker.pose import KP, SKELETON_EDGES, Pose

Color = tuple[int, int, int]  # RGB

WHITE: Color = (255, 255, 255)
DARK: Color = (20, 24, 33)
ACCENT: Color = (255, 75, 75)    # the theme's primary colour
LEFT: Color = (64, 196, 255)     # the person's left side
RIGHT: Color = (255, 170, 60)    # the person's right side
CENTRE: Color = (235, 235, 235)
GRADE_COLORS: dict[str, Color] = {"A": (46, 204, 113), "B": (140, 210, 70), "C": (241, 196, 15),
                                  "D": (230, 126, 34), "F": (231, 76, 60)}

_FONT = cv2.FONT_HERSHEY_SIMPLEX
_LEFT_SIDE = {KP.LEFT_EYE, KP.LEFT_EAR, KP.LEFT_SHOULDER, KP.LEFT_ELBOW, KP.LEFT_WRIST, KP.LEFT_HIP,
              KP.LEFT_KNEE, KP.LEFT_ANKLE}
_RIGHT_SIDE = {KP.RIGHT_EYE, KP.RIGHT_EAR, KP.RIGHT_SHOULDER, KP.RIGHT_ELBOW, KP.RIGHT_WRIST, KP.RIGHT_HIP,
               KP.RIGHT_KNEE, KP.RIGHT_ANKLE}
# OpenCV's Hershey fonts are ASCII only; the engine's messages may use typographic characters.
_ASCII = str.maketrans({"…": "...", "–": "-", "—": "-", "·": "|", "’": "'", "‘": "'", "“": '"', "”": '"',
                        "°": " deg"})


def ascii_text(text: str) -> str:
    return text.translate(_ASCII).encode("ascii", "ignore").decode("ascii")


class I420:
    """A yuv420p picture as PyAV and OpenCV lay it out: one (h * 3 / 2, w) uint8 array, the Y plane, then U, then
    V at half size. Annotators draw on it in place; even sides only."""

    def __init__(self, data: np.ndarray) -> None:
        rows, w = data.shape[:2]
        h = rows * 2 // 3
        if data.ndim != 2 or rows != h * 3 // 2 or h % 2 or w % 2 or not data.flags.c_contiguous:
            raise ValueError(f"not a contiguous I420 picture with even sides: {data.shape}")
        self.data, self.height, self.width = data, h, w
        self.y = data[:h]
        # U and V are cut from the flat buffer, not by rows: each is h*w/4 bytes, which is a whole number of
        # rows only when h/2 is even (a 480x270 camera or a 640x362 video would otherwise fail to reshape).
        flat, size = data.reshape(-1), h * w // 4
        self.u = flat[h * w:h * w + size].reshape(h // 2, w // 2)
        self.v = flat[h * w + size:].reshape(h // 2, w // 2)

    @classmethod
    def from_rgb(cls, image_rgb: np.ndarray) -> "I420":
        """An even-sided RGB image by OpenCV's BT.601 conversion (swscale's result at a third of the cost)."""
        return cls(cv2.cvtColor(np.ascontiguousarray(image_rgb), cv2.COLOR_RGB2YUV_I420))

    @property
    def shape(self) -> tuple[int, int]:
        return self.height, self.width

    def planes(self):
        """(plane, its colour component index, its scale shift): Y at full size, U and V at half."""
        return (self.y, 0, 0), (self.u, 1, 1), (self.v, 2, 1)

    def mirrored(self) -> "I420":
        """A copy mirrored left to right, plane by plane (half the bytes of flipping the RGB picture)."""
        return self._per_plane(lambda src, dst: cv2.flip(src, 1, dst=dst), self.height, self.width)

    def turned(self, rotation: int) -> "I420":
        """A copy turned clockwise by 90, 180 or 270 degrees, plane by plane; itself for any other angle."""
        code = _ROTATE.get(rotation)
        if code is None:
            return self
        h, w = (self.height, self.width) if rotation == 180 else (self.width, self.height)
        return self._per_plane(lambda src, dst: cv2.rotate(src, code, dst=dst), h, w)

    def _per_plane(self, op, height: int, width: int) -> "I420":
        out = I420(np.empty((height * 3 // 2, width), np.uint8))
        for (src, _, _), (dst, _, _) in zip(self.planes(), out.planes()):
            op(src, dst)
        return out


_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


Picture = np.ndarray | I420  # what annotators draw on


def _yuv(color: Color) -> tuple[int, int, int]:
    """An RGB colour as OpenCV's RGB->I420 conversion writes it (the same conversion the frames go through)."""
    found = _YUV.get(color)
    if found is None:
        block = cv2.cvtColor(np.full((2, 2, 3), color, np.uint8), cv2.COLOR_RGB2YUV_I420)
        found = _YUV[color] = (int(block[0, 0]), int(block[2, 0]), int(block[2, 1]))
    return found


_YUV: dict[Color, tuple[int, int, int]] = {}


def _scale(image) -> float:
    """Sizes are designed for 480 px tall frames and scale with the frame."""
    return max(0.5, min(image.shape[0], image.shape[1] * 0.75) / 480.0)


def _side_color(kp: KP) -> Color:
    return LEFT if kp in _LEFT_SIDE else RIGHT if kp in _RIGHT_SIDE else CENTRE


def _parts(image, color: Color) -> list:
    """What to draw `color` on, as (array, value, shift): an RGB image whole; an I420 picture plane by plane,
    with shift 1 for the half-size colour planes (OpenCV's `shift` then reads full-size coordinates as half
    pixels, and `>> shift` turns a size or a box into the plane's)."""
    if isinstance(image, I420):
        yuv = _yuv(color)
        return [(plane, yuv[c], shift) for plane, c, shift in image.planes()]
    return [(image, color, 0)]


# Shapes are anti-aliased in brightness; the half-size colour planes take plain edges (half the cost, and the
# eye does not resolve colour edges at that size: it is why video keeps colour at half resolution).
_EDGES = (cv2.LINE_AA, cv2.LINE_8)


def _line(image, p0: tuple[int, int], p1: tuple[int, int], color: Color, thickness: int) -> None:
    for plane, value, shift in _parts(image, color):
        cv2.line(plane, p0, p1, value, (thickness + shift) >> shift, _EDGES[shift], shift)


def _disc(image, centre: tuple[int, int], radius: int, color: Color, chroma: bool = True) -> None:
    """A filled circle; with `chroma=False` only its brightness is drawn on planes (a dark outline needs no
    colour)."""
    for plane, value, shift in _parts(image, color)[:None if chroma else 1]:
        if shift:  # at a quarter pixel's precision: see `_half_plane`
            cv2.circle(plane, _half_plane(centre), 2 * radius, value, -1, _EDGES[shift], 2)
        else:
            cv2.circle(plane, centre, radius, value, -1, _EDGES[shift])


def _half_plane(point: tuple[int, int]) -> tuple[int, int]:
    """A full-size pixel's centre on a half-size colour plane, in quarter pixels (OpenCV's `shift` 2).

    Half-size pixel j covers full-size pixels 2j and 2j+1, so its centre is full-size 2j + 0.5: full-size x is
    (x - 0.5) / 2 there, not x / 2. At x / 2 a small disc's colour sat a quarter of a colour pixel off and, with
    OpenCV's rounding, left a corner of its brightness without colour: a 3 px keypoint on a 444x202 frame kept
    the patch's colour beside its centre."""
    return 2 * point[0] - 1, 2 * point[1] - 1


def _panel(image, x0: int, y0: int, x1: int, y1: int, color: Color = DARK, alpha: float = 0.6) -> None:
    """A translucent rectangle, clipped to the image."""
    h, w = image.shape[:2]
    x0, x1, y0, y1 = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    for plane, value, shift in _parts(image, color):
        roi = plane[y0 >> shift:(y1 + shift) >> shift, x0 >> shift:(x1 + shift) >> shift]
        # OpenCV's saturating blend in C: a tenth of numpy's float round trip on a wide banner.
        cv2.addWeighted(roi, 1.0 - alpha, _solid(roi.shape[0], roi.shape[1], value), alpha, 0.0, dst=roi)


def _shade_disc(image, centre: tuple[int, int], radius: int, color: Color, alpha: float) -> None:
    """A translucent disc (the countdown's backdrop), blended inside its bounding box only."""
    h, w = image.shape[:2]
    x0, y0 = max(0, centre[0] - radius - 1) & ~1, max(0, centre[1] - radius - 1) & ~1  # even: planes line up
    x1, y1 = min(w, centre[0] + radius + 2), min(h, centre[1] + radius + 2)
    if x1 <= x0 or y1 <= y0:
        return
    for plane, value, shift in _parts(image, color):
        roi = plane[y0 >> shift:(y1 + shift) >> shift, x0 >> shift:(x1 + shift) >> shift]
        shaded = roi.copy()
        cv2.circle(shaded, (centre[0] - x0, centre[1] - y0), radius, value, -1, cv2.LINE_AA, shift)
        cv2.addWeighted(shaded, alpha, roi, 1.0 - alpha, 0, dst=roi)


def _solid(h: int, w: int, color) -> np.ndarray:
    """An h x w image of one colour, or of one plane value (a view of a cached block, grown when needed)."""
    block = _SOLIDS.get(color)
    if block is None or block.shape[0] < h or block.shape[1] < w:
        old = (0, 0) if block is None else block.shape[:2]
        shape = (max(h, old[0]), max(w, old[1])) + ((3,) if isinstance(color, tuple) else ())
        block = np.empty(shape, np.uint8)
        block[:] = color
        _SOLIDS[color] = block
    return block[:h, :w]


_SOLIDS: dict = {}


class _Sprite:
    """A text rendered once as an anti-aliased coverage mask, then blended wherever it is drawn."""

    def __init__(self, text: str, size: float, thickness: int) -> None:
        (tw, th), base = cv2.getTextSize(text, _FONT, size, thickness)
        m = thickness + 2  # LINE_AA and thickness spill a little beyond the text box
        self.dx, self.dy = m, th + m  # where the text's origin (bottom-left) lies in the mask
        canvas = np.zeros((th + base + 2 * m, tw + 2 * m), np.uint8)
        cv2.putText(canvas, text, (self.dx, self.dy), _FONT, size, 255, thickness, cv2.LINE_AA)
        rows, cols = np.nonzero(canvas)
        if len(rows) == 0:
            self.alpha = None
            return
        self.y0, self.x0 = int(rows.min()), int(cols.min())
        cut = canvas[self.y0:rows.max() + 1, self.x0:cols.max() + 1]
        self.alpha = cut.astype(np.float32) / 255.0
        self.rest = 1.0 - self.alpha
        self._half: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def _half_masks(self, odd_y: int, odd_x: int) -> tuple[np.ndarray, np.ndarray]:
        """The mask at the chroma planes' half size, for a sprite whose top-left lies on odd rows/columns."""
        found = self._half.get((odd_y, odd_x))
        if found is None:
            ah, aw = self.alpha.shape
            full = np.zeros((ah + odd_y + 1 & ~1, aw + odd_x + 1 & ~1), np.float32)
            full[odd_y:odd_y + ah, odd_x:odd_x + aw] = self.alpha
            half = cv2.resize(full, (full.shape[1] // 2, full.shape[0] // 2), interpolation=cv2.INTER_AREA)
            found = self._half[(odd_y, odd_x)] = (half, 1.0 - half)
        return found

    def draw(self, image, org: tuple[int, int], color: Color) -> None:
        if self.alpha is None:
            return
        top, left = org[1] - self.dy + self.y0, org[0] - self.dx + self.x0
        for plane, value, shift in _parts(image, color):
            alpha, rest = self._half_masks(top & 1, left & 1) if shift else (self.alpha, self.rest)
            _blend(plane, alpha, rest, top >> shift, left >> shift, value)


def _blend(image: np.ndarray, alpha: np.ndarray, rest: np.ndarray, top: int, left: int, color) -> None:
    """Blend `color` into `image` through the coverage mask `alpha` placed at (top, left), clipped."""
    h, w = image.shape[:2]
    ah, aw = alpha.shape[:2]
    y0, x0, y1, x1 = max(0, top), max(0, left), min(h, top + ah), min(w, left + aw)
    if y1 <= y0 or x1 <= x0:
        return
    cut = (slice(y0 - top, y1 - top), slice(x0 - left, x1 - left))
    roi = image[y0:y1, x0:x1]
    cv2.blendLinear(_solid(y1 - y0, x1 - x0, color), roi, alpha[cut], rest[cut], dst=roi)


_SPRITES: dict[tuple[str, float, int], _Sprite] = {}
_SPRITE_LIMIT = 512  # distinct texts kept (counts, messages, fps readings): a few MB at most


def _text(image, text: str, org: tuple[int, int], size: float, color: Color = WHITE,
          thickness: int = 1) -> None:
    """Like cv2.putText with LINE_AA, but each distinct text is rasterised once: a long banner costs a few
    hundredths of a millisecond per frame instead of half a millisecond."""
    key = (ascii_text(text), round(size, 3), thickness)
    sprite = _SPRITES.get(key)
    if sprite is None:
        if len(_SPRITES) >= _SPRITE_LIMIT:
            _SPRITES.clear()
        sprite = _SPRITES[key] = _Sprite(*key)
    sprite.draw(image, org, color)


def _text_width(text: str, size: float, thickness: int = 1) -> int:
    return cv2.getTextSize(ascii_text(text), _FONT, size, thickness)[0][0]


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
