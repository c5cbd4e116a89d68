"""Small test videos made at test time with PyAV: rotation metadata, variable frame rate, odd inputs."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

RED, BLUE = (220, 30, 30), (30, 30, 220)


def two_tone(width: int, height: int) -> np.ndarray:
    """Upright test picture: red top half, blue bottom half."""
    image = np.empty((height, width, 3), np.uint8)
    image[: height // 2] = RED
    image[height // 2:] = BLUE
    return image


def write_clip(path: Path, frames: list[np.ndarray], times: list[float] | None = None, fps: int = 25,
               rotation: int = 0) -> Path:
    """An H.264 MP4 of RGB `frames` at `times` (seconds; default every 1/fps), with a display-matrix rotation
    (counter-clockwise degrees, as PyAV reads it back in `VideoFrame.rotation`)."""
    import av

    times = times if times is not None else [i / fps for i in range(len(frames))]
    h, w = frames[0].shape[:2]
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        if rotation:
            stream.set_display_rotation(rotation)
        for image, t in zip(frames, times):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            frame.pts = int(round(t * 1000))
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def write_audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 (M4A) with one AAC stream and no video."""
    import av

    with av.open(str(path), mode="w", format="mp4") as out:
        stream = out.add_stream("aac", rate=44100)
        stream.layout = "mono"
        samples = int(44100 * seconds)
        t = np.arange(samples) / 44100
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[np.newaxis]
        for start in range(0, samples, 1024):
            frame = av.AudioFrame.from_ndarray(tone[:, start:start + 1024], format="fltp", layout="mono")
            frame.sample_rate = 44100
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def read_frames(path: Path) -> list:
    from posetracker.video import iter_frames

    return list(iter_frames(path))
