"""Reading videos as upright RGB frames with timestamps from their pts, and writing H.264 MP4s."""
from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from posetracker.annotate import I420
from posetracker.errors import PoseTrackerError


_UNDECODABLE = ("This video has no frame we can decode. It may be damaged, empty or use a codec we do not "
                "support; try exporting it again as MP4 (H.264).")


@dataclass(frozen=True)
class VideoInfo:
    width: int  # as displayed, after rotation
    height: int
    fps: float  # average frame rate
    duration_s: float
    frame_count: int  # from the container, or estimated from duration * fps
    rotation: int  # degrees the stored picture is turned to display it upright (0, 90, 180, 270)

    @classmethod
    def from_path(cls, path: str | Path) -> "VideoInfo":
        import av

        with _open(path) as container:
            stream = container.streams.video[0]
            rotation = None
            try:
                for frame in container.decode(stream):
                    rotation = _rotation_of(frame)
                    break
            except (av.error.FFmpegError, ValueError) as exc:
                raise PoseTrackerError("media_decode_error", _UNDECODABLE) from exc
            if rotation is None:
                raise PoseTrackerError("media_decode_error", _UNDECODABLE)
            fps = float(stream.average_rate or stream.guessed_rate or 0) or 30.0
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            else:
                duration = 0.0
            count = stream.frames or int(round(duration * fps))
            w, h = stream.codec_context.width, stream.codec_context.height
            if rotation in (90, 270):
                w, h = h, w
            return cls(w, h, fps, duration, count, rotation)


@dataclass(frozen=True)
class Frame:
    index: int
    timestamp: float  # seconds from the stream start, from pts
    image: np.ndarray  # RGB uint8 (H, W, 3), upright; downscaled to `max_side` when asked
    # The same frame upright at its original resolution, when asked (export): its own yuv420p planes (an
    # `annotate.I420`, drawn on and encoded without any colour conversion) when it is plain I420, else RGB.
    full: np.ndarray | I420 | None = None
    people: int | None = None  # people in view, on the frames where the people check ran (see `iter_frames`)


def _open(path: str | Path):
    import av

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except FileNotFoundError as exc:  # av.error.FileNotFoundError is also an OSError
        raise PoseTrackerError("video_load_error", f"No such file: {Path(path).name}.") from exc
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise PoseTrackerError("video_load_error", "This file is not a video we can read. Try MP4 or MOV.",
                               {"reason": "unreadable"}) from exc
    if not container.streams.video:
        container.close()
        raise PoseTrackerError("video_load_error",
                               "This file is not a video we can read (no video stream). Try MP4 or MOV.",
                               {"reason": "no_video_stream"})
    return container


def _rotation_of(frame) -> int:
    # PyAV reports the display matrix as a counter-clockwise angle; we want the clockwise turn to apply.
    return int(round(-(getattr(frame, "rotation", 0) or 0))) % 360


def _upright(image: np.ndarray, rotation: int) -> np.ndarray:
    if rotation == 90:
        return np.ascontiguousarray(np.rot90(image, k=-1))
    if rotation == 180:
        return np.ascontiguousarray(image[::-1, ::-1])
    if rotation == 270:
        return np.ascontiguousarray(np.rot90(image, k=1))
    return image


# Up to 1080p one decoding thread keeps ahead of the model, and FFmpeg's frame threads only fight the model's
# threads for two cores. Measured, MoveNet upload without export, frames/s over three runs: 720p 185/169/184
# with automatic threads, 199/194/180 with one; 1080p 165/159/154 and 166/171/153. Bigger frames (4K) keep
# FFmpeg's automatic threading.
SINGLE_THREAD_DECODE_PIXELS = 1920 * 1088


def iter_frames(path: str | Path, max_side: int | None = None, full: bool = False,
                people=None) -> Iterator[Frame]:
    """Upright RGB frames with pts-based timestamps; frames bigger than `max_side` are downscaled.

    With `full=True` each frame also carries its original-resolution picture (`Frame.full`), so one decode
    feeds both the model (downscaled, exactly as `posecache` sees it) and the export (never downscaled, and
    for the usual yuv420p video kept as its planes: the overlay is drawn on them and they go to the encoder
    as they are, sparing two full-frame colour conversions).
    Decoding errors after the first frame end the stream early (a truncated file still gives what it has).
    `people` (a `posetracker.people.PeopleMonitor`) counts the people in view on the frames where a check is
    due, in this (decoding) thread; the count travels with the frame as `Frame.people`.
    """
    import av
    from av.video.reformatter import VideoReformatter

    from posetracker.tracker import ModelPicture, model_size

    # `frame.reformat` makes a new swscale context for every frame (~4 ms at 720p); a reformatter kept for
    # the stream reuses its context and gives the same pixels. One per output size, so neither is rebuilt.
    model_picture, to_full = ModelPicture(max_side), VideoReformatter()
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if stream.codec_context.width * stream.codec_context.height <= SINGLE_THREAD_DECODE_PIXELS:
            stream.codec_context.thread_count = 1
        start = None
        index = 0
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    t = index / float(stream.average_rate or 30)
                else:
                    t = float(frame.pts * stream.time_base)
                start = t if start is None else start
                rotation = _rotation_of(frame)
                small_size = model_size(frame.width, frame.height, max_side)
                # The model's picture: always the tracker's (swscale's), so an upload with export and `eval` see
                # the same pixels (why it must stay swscale's: see `tracker.ModelPicture`).
                image = _upright(model_picture.of_frame(frame), rotation)
                original = None
                if full and plain_i420(frame):
                    original = I420(frame.to_ndarray()).turned(rotation)
                elif full and small_size is None:  # the model's picture is already the full-size one
                    original = image
                elif full:
                    original = _upright(to_full.reformat(frame, format="rgb24").to_ndarray(), rotation)
                t -= start
                count = people.count(image) if people is not None and people.due(t) else None
                yield Frame(index, t, image, original, count)
                index += 1
        except av.error.FFmpegError as exc:
            if index == 0:
                raise PoseTrackerError("media_decode_error", "This video could not be decoded. It may be damaged "
                                       "or use a codec we do not support; try exporting it again as MP4 (H.264).") from exc


def plain_i420(frame) -> bool:
    """8-bit 4:2:0 in limited range with even sides: what phones and cameras write, and what OpenCV converts."""
    return (frame.format.name == "yuv420p" and frame.width % 2 == 0 and frame.height % 2 == 0
            and int(getattr(frame, "color_range", 0) or 0) != 2)  # 2 = JPEG (full) range


def i420_frame(picture):
    """An av.VideoFrame (yuv420p) holding an `annotate.I420` picture's planes, copied straight into the frame's
    buffers (a fifth of `VideoFrame.from_ndarray`'s time)."""
    import av

    frame = av.VideoFrame(picture.width, picture.height, "yuv420p")
    for plane, src in zip(frame.planes, (picture.y, picture.u, picture.v)):
        np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, :plane.width] = src
    return frame


def fit(image, width: int, height: int) -> np.ndarray:
    """An RGB picture (or an `I420`'s) scaled to fit inside width x height, keeping its shape, centred on black:
    what the export does with a frame whose size differs from the first frame's (a stream that changed
    resolution, as browser recordings do when WebRTC adapts)."""
    import cv2

    if isinstance(image, I420):
        image = cv2.cvtColor(image.data, cv2.COLOR_YUV2RGB_I420)
    h, w = image.shape[:2]
    f = min(width / w, height / h)
    sw, sh = max(1, min(width, round(w * f))), max(1, min(height, round(h * f)))
    out = np.zeros((height, width, 3), np.uint8)
    y0, x0 = (height - sh) // 2, (width - sw) // 2
    out[y0:y0 + sh, x0:x0 + sw] = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
    return out


def _preset_for() -> str:
    """x264 speed for a frame size: on two cores the export must cost less CPU than the model it runs beside.

    Profiled on 720p30 with MoveNet: "veryfast" (8 ms of CPU a frame) made the encoder the slowest stage and
    inference waited on it; "superfast" (5 ms) still left the export-on pipeline at 2.2-2.4x model-only time;
    "ultrafast" (3 ms) brings it near 1.9x. Its quality is set by `EXPORT_CRF`.
    """
    return "ultrafast"


# Constant quality of the export. Measured on a 720p clip (PSNR-Y against the frames fed in, Mbit/s, ms of CPU
# a frame, 2 threads): ultrafast crf 23: 49.2 dB, 1.74, 4.4 ms; crf 26: 47.1 dB, 1.27, 3.8 ms; crf 28: 45.7 dB,
# 1.03, 3.3 ms; veryfast crf 23 (x264's default speed): 45.5 dB, 0.41, 8.1 ms. crf 28 at ultrafast keeps
# veryfast-23's quality for 40 % of its CPU.
EXPORT_CRF = 28


class VideoWriter:
    """H.264 MP4 writer (yuv420p, plays in browsers and common players); use as a context manager."""

    def __init__(self, path: str | Path, width: int, height: int, fps: float, crf: int = EXPORT_CRF,
                 preset: str | None = None) -> None:
        import av

        self._container = av.open(str(path), mode="w", format="mp4")  # whatever the name ends with
        rate = Fraction(fps).limit_denominator(1001)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width = width - width % 2
        self._stream.height = height - height % 2
        self._stream.pix_fmt = "yuv420p"
        # x264's automatic thread count is 1.5 per core: on two cores, 2 threads cost 15 % less CPU.
        self._stream.options = {"crf": str(crf), "preset": preset or _preset_for(),
                                "threads": str(max(1, min(os.cpu_count() or 2, 16))), "movflags": "+faststart"}
        self._stream.codec_context.time_base = Fraction(1, 90000)
        self._stream.time_base = Fraction(1, 90000)
        self.frames_written = 0
        self._last_pts = -1

    def write(self, image, timestamp: float) -> None:
        """Append a picture: RGB uint8 (H, W, 3), or an `annotate.I420` (its planes are encoded as they are)."""
        h, w = self._stream.height, self._stream.width
        ih, iw = image.shape[:2]
        if (ih - ih % 2, iw - iw % 2) != (h, w):
            image = fit(image, w, h)  # the source changed size mid-stream; the encoder's size is fixed
        if not isinstance(image, I420):
            image = I420.from_rgb(image[:h, :w])
        frame = i420_frame(image)
        # pts must rise strictly; two VFR timestamps can round to the same tick.
        frame.pts = self._last_pts = max(int(round(timestamp * 90000)), self._last_pts + 1)
        frame.time_base = Fraction(1, 90000)
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def close(self) -> None:
        if self._container is not None:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
            self._container = None

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
