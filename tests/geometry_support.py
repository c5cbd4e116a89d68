"""Pictures whose sides can be told apart, an estimator that finds them, and clips in any pixel format.

A marked picture has a green patch (standing for the person's left wrist) and a magenta one (the right wrist)
at different heights and sides, so no mirror, turn or swap maps it onto itself. `MarkerEstimator` finds the
patches in whatever picture reaches it, exactly as a model would see them, and reports the left wrist on the
green one and the right wrist on the magenta one. Where each side's colour is then drawn shows whether the
pose landed where the person is, on the right side.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from posetracker.annotate import LEFT, RIGHT
from posetracker.pose import KP, Pose

GREEN, MAGENTA, GREY = (30, 220, 30), (220, 30, 220), (90, 90, 90)
# Where the patches sit, as fractions of the upright picture (left patch higher, so a 180-degree turn cannot
# pass for a mirror either).
GREEN_AT, MAGENTA_AT = (0.3, 0.42), (0.7, 0.58)


def marked_picture(width: int, height: int, green_at=GREEN_AT) -> np.ndarray:
    image = np.full((height, width, 3), GREY, np.uint8)
    r = max(3, min(width, height) // 14)
    for (fx, fy), color in ((green_at, GREEN), (MAGENTA_AT, MAGENTA)):
        x, y = round(fx * width), round(fy * height)
        image[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1] = color
    return image


def find(image: np.ndarray, color) -> tuple[float, float] | None:
    """The centre of the pixels close to `color`, normalised to the picture; None when there are none."""
    near = np.abs(image.astype(np.int16) - np.array(color, np.int16)).max(axis=2) < 70
    ys, xs = np.nonzero(near)
    if len(xs) == 0:
        return None
    h, w = image.shape[:2]
    return (xs.mean() + 0.5) / w, (ys.mean() + 0.5) / h


class MarkerEstimator:
    """An estimator that "sees" the patches: the left wrist on the green one, the right wrist on the magenta."""

    name = "markers"

    def __init__(self, **_) -> None:
        self.seen: list[tuple[tuple[int, int], tuple | None, tuple | None]] = []  # (h, w), green, magenta

    def estimate(self, image_rgb: np.ndarray, timestamp: float) -> Pose | None:
        green, magenta = find(image_rgb, GREEN), find(image_rgb, MAGENTA)
        self.seen.append((image_rgb.shape[:2], green, magenta))
        if green is None or magenta is None:
            return None
        xy, scores = np.zeros((17, 2), np.float32), np.zeros(17, np.float32)
        xy[KP.LEFT_WRIST], xy[KP.RIGHT_WRIST] = green, magenta
        scores[[KP.LEFT_WRIST, KP.RIGHT_WRIST]] = 0.9
        return Pose(xy, scores, timestamp)

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def side_drawn(image: np.ndarray, at: tuple[float, float]) -> str:
    """Which side's colour is drawn at a normalised point: "left" (bluish), "right" (orange) or "none".

    The skeleton's colours keep their hue under the HUD's translucent panels: the left colour is much bluer
    than it is red, the right colour the reverse; the patches themselves and the grey are neither."""
    h, w = image.shape[:2]
    # Rounded as the skeleton annotator rounds a keypoint: at the smallest sizes a disc's colour (drawn at half
    # resolution) is only a few pixels across, so the pixel beside its centre may keep the picture's colour.
    x, y = min(w - 1, int(np.round(at[0] * w))), min(h - 1, int(np.round(at[1] * h)))
    r, g, b = (int(v) for v in image[y, x])
    assert LEFT[2] - LEFT[0] > 150 and RIGHT[0] - RIGHT[2] > 150  # what the test relies on
    if b - r > 40 and g > r:
        return "left"
    if r - b > 40 and g > b:
        return "right"
    return "none"


# How each pixel format is stored: (container, codec, stored pixel format, colour range); 4:2:0 in H.264 needs
# even sides, so those clips lose their odd row or column, as a phone's encoder would.
STORAGE = {
    "yuv420p": ("matroska", "rawvideo", "yuv420p", None),
    "yuv420p-full": ("matroska", "rawvideo", "yuv420p", 2),
    "yuvj420p": ("mp4", "libx264", "yuvj420p", None),
    "nv12": ("matroska", "rawvideo", "nv12", None),
    "yuv422p": ("matroska", "rawvideo", "yuv422p", None),
    "yuv444p": ("matroska", "ffv1", "yuv444p", None),
    "yuv420p10le": ("matroska", "ffv1", "yuv420p10le", None),
    # RGB in H.264 (x264's RGB mode, decoded as planar gbrp). Not raw RGB in MOV: QuickTime pads its rows, and
    # an odd width then reads back sheared (a file-writing artefact of this test, not the decoder's).
    "rgb24": ("mp4", "libx264rgb", "rgb24", None),
    "h264": ("mp4", "libx264", "yuv420p", None),
    "h264-422": ("mp4", "libx264", "yuv422p", None),
    "h264-10bit": ("mp4", "libx264", "yuv420p10le", None),
}


def av_frame(image_rgb: np.ndarray, pix_fmt: str, color_range: int | None = None):
    import av

    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image_rgb), format="rgb24")
    if pix_fmt != "rgb24":
        frame = frame.reformat(format=pix_fmt, dst_color_range=color_range)
    return frame


def write_stored(path: Path, upright: list[np.ndarray], kind: str, rotation: int = 0, fps: int = 10) -> Path:
    """A clip of `upright` pictures stored turned by `rotation` degrees clockwise, with the display matrix that
    turns it back (as a phone writes a video filmed sideways)."""
    import av

    container, codec, pix_fmt, color_range = STORAGE[kind]
    stored = [np.ascontiguousarray(np.rot90(f, k=-rotation // 90)) for f in upright]
    h, w = stored[0].shape[:2]
    if codec == "libx264":
        h, w = h - h % 2, w - w % 2
    with av.open(str(path), mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, pix_fmt
        if codec.startswith("libx264"):
            stream.options = {"preset": "ultrafast", "crf": "18"}
        if color_range:
            stream.codec_context.color_range = color_range
        if rotation:
            stream.set_display_rotation(rotation)  # counter-clockwise, FFmpeg's convention: turns it back
        for i, image in enumerate(stored):
            frame = av_frame(image[:h, :w], pix_fmt, color_range)
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
