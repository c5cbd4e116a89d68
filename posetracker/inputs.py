"""Checking an upload before any analysis, and the per-session folders uploads and exports live in.

The real type comes from the file's first bytes, never from its name; a user's file name is never used as a
path (it is kept only as a label). Limits come from the plan. Every refusal is a `PoseTrackerError` with a
code a user can act on:

- `upload_too_large`, `video_too_long` — over the plan's limits;
- `video_load_error` — empty, not a video or image we know, or no video stream;
- `media_decode_error` — a video whose frames cannot be decoded;
- `image_load_error` — an image that cannot be read.
"""
from __future__ import annotations

import shutil
import tempfile
import unicodedata
import weakref
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from posetracker.errors import PoseTrackerError
from posetracker.plans import Plan

VIDEO_EXTENSIONS = ("mp4", "mov", "webm", "avi", "mkv")
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png")
_SNIFF_BYTES = 64
_TEMP_PREFIX = "posetracker-"


class MediaKind(str, Enum):
    VIDEO = "video"
    IMAGE = "image"


@dataclass(frozen=True)
class MediaType:
    kind: MediaKind
    extension: str  # ours, from the bytes: what the stored copy is called
    label: str      # for messages ("MP4/MOV", "PNG image")


def sniff(head: bytes) -> MediaType | None:
    """The container or image type from the first bytes of a file, or None when it is none we read."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType(MediaKind.IMAGE, "jpg", "JPEG image")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType(MediaKind.IMAGE, "png", "PNG image")
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska and WebM
        return MediaType(MediaKind.VIDEO, "webm" if b"webm" in head[:_SNIFF_BYTES] else "mkv", "WebM/MKV video")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return MediaType(MediaKind.VIDEO, "avi", "AVI video")
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):  # ISO BMFF: MP4, MOV, M4A
        return MediaType(MediaKind.VIDEO, "mp4", "MP4/MOV video")
    return None


def display_name(name: str | None, limit: int = 80) -> str:
    """A user's file name made safe to show: no folders, no control characters, bounded length."""
    base = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip() or "upload"
    return base if len(base) <= limit else base[: limit - 1] + "…"


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks, stored under a name of our choosing."""

    path: Path
    kind: MediaKind
    media: MediaType
    name: str               # the user's name, for display only
    size_bytes: int
    duration_s: float | None = None  # videos
    notice: str | None = None        # e.g. the name said .mp4 but the bytes are a PNG


def check_size(size_bytes: int, plan: Plan) -> None:
    if size_bytes <= 0:
        raise PoseTrackerError("video_load_error", "This file is empty (0 bytes). Choose a video or an image file.")
    limit = plan.max_upload_mb * 1024 * 1024
    if size_bytes > limit:
        raise PoseTrackerError(
            "upload_too_large",
            f"This file is {size_bytes / 1048576:.0f} MB; the {plan.name} plan accepts up to {plan.max_upload_mb} MB. "
            "Trim or compress the video, or use a plan with a higher limit.",
            {"size_mb": round(size_bytes / 1048576, 1), "max_upload_mb": plan.max_upload_mb, "plan": plan.id})


def check_media(path: Path, plan: Plan, name: str | None = None, size_bytes: int | None = None) -> CheckedUpload:
    """Check a stored file: size, real type from its bytes, and for videos that it decodes and its length."""
    path = Path(path)
    shown = display_name(name or path.name)
    try:
        size = path.stat().st_size if size_bytes is None else size_bytes
        check_size(size, plan)
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError:  # missing, a folder, unreadable: never a traceback
        raise PoseTrackerError("video_load_error", f"{shown} could not be opened: check that the path names a "
                               "video file you can read.") from None
    media = sniff(head)
    if media is None:
        raise PoseTrackerError(
            "video_load_error",
            f"{shown} is not a video or image we can read. Use MP4, MOV, WebM, AVI or MKV video, or a JPG or PNG image.")
    notice = _name_mismatch(shown, media)
    if media.kind is MediaKind.IMAGE:
        return CheckedUpload(path, MediaKind.IMAGE, media, shown, size, None, notice)
    from posetracker.video import VideoInfo

    try:
        info = VideoInfo.from_path(path)  # raises video_load_error / media_decode_error
    except PoseTrackerError as exc:
        # It starts like a video (we sniffed it) yet will not open: most often a file cut short, whose index
        # (an MP4's moov) was at the end. Say that, rather than "not a video".
        if exc.code == "video_load_error" and exc.details.get("reason") == "unreadable":
            raise PoseTrackerError(
                "video_load_error", f"{shown} looks like a video ({media.label}) but cannot be opened: it is "
                "probably incomplete (an upload or copy cut short) or damaged. Copy or export it again.",
                {"reason": "incomplete"}) from None
        if exc.code == "video_load_error" and exc.details.get("reason") == "no_video_stream":
            raise PoseTrackerError("video_load_error", f"{shown} has no video stream (only sound?). Choose a "
                                   "video file: MP4, MOV, WebM, AVI or MKV.", {"reason": "no_video_stream"}) from None
        raise
    if info.duration_s > plan.max_upload_seconds:
        raise PoseTrackerError(
            "video_too_long",
            f"This video lasts {info.duration_s:.0f} s; the {plan.name} plan analyses up to "
            f"{plan.max_upload_seconds} s. Trim it, or use a plan with a higher limit.",
            {"duration_s": round(info.duration_s, 2), "max_upload_seconds": plan.max_upload_seconds, "plan": plan.id})
    return CheckedUpload(path, MediaKind.VIDEO, media, shown, size, info.duration_s, notice)


def _name_mismatch(shown: str, media: MediaType) -> str | None:
    ext = shown.rsplit(".", 1)[-1].lower() if "." in shown else ""
    known = ext in VIDEO_EXTENSIONS + IMAGE_EXTENSIONS
    is_video_name = ext in VIDEO_EXTENSIONS
    if known and is_video_name != (media.kind is MediaKind.VIDEO):
        return f"{shown} is named .{ext} but its content is a {media.label}; it was analysed as one."
    return None


class Workspace:
    """One session's temporary folder: each analysis gets a fresh subfolder that replaces the previous one.

    The folder is removed by `close()`, when the workspace is garbage-collected (the session ended), or at
    interpreter exit, whichever comes first.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=root))
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.path), True)
        self._current: Path | None = None
        self._serial = 0

    def new_analysis(self) -> Path:
        """A fresh, empty folder for the next analysis; the previous analysis's files are deleted."""
        self.discard_current()
        self._serial += 1
        self._current = self.path / f"analysis-{self._serial}"
        self._current.mkdir()
        return self._current

    def discard_current(self) -> None:
        if self._current is not None:
            shutil.rmtree(self._current, ignore_errors=True)
            self._current = None

    @property
    def current(self) -> Path | None:
        return self._current

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def store_upload(data: bytes, name: str | None, plan: Plan, folder: Path) -> CheckedUpload:
    """Check an upload's bytes and store them in `folder` under our own name; nothing is left on refusal."""
    check_size(len(data), plan)
    media = sniff(bytes(data[:_SNIFF_BYTES]))
    if media is None:
        raise PoseTrackerError(
            "video_load_error",
            f"{display_name(name)} is not a video or image we can read. Use MP4, MOV, WebM, AVI or MKV video, "
            "or a JPG or PNG image.")
    path = Path(folder) / f"input.{media.extension}"
    path.write_bytes(data)
    try:
        return check_media(path, plan, name, len(data))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
