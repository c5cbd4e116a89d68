"""The drawing primitives the annotators share: colours, the `I420` picture (a video frame's own planes), and
lines, discs, panels and cached text sprites that draw alike on RGB arrays and on I420 planes.

Shapes go on the luma plane at full resolution and on the chroma planes at half, which is what a conversion to
yuv420p would have made of them; text is rendered once per string into an alpha sprite and blended after.
`posetracker.annotate` builds the annotators from these; nothing here knows about poses or engine states.
"""
from __future__ import annotations

import cv2
import numpy as np

from posetracker.pose import KP

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
