"""The bad-input corpus, generated at test time into a folder: from the real clips and from nothing.

    items = build_corpus(tmp_dir, videos_dir)      # {id: CorpusItem}
    items["truncated"].path, items["truncated"].expect   # a file, and the error code it must give (or None)

Every item is small (a few seconds at low resolution) except where size is the point (the 4K clip, the
over-the-limit file, which is sparse). `expect` is the documented error code a user must get, or None for
input that is valid but odd (4K, rotated, VFR, two people, no person, one frame) and must be analysed.
"""
from __future__ import annotations

import shutil
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

SMALL = (320, 180)  # corpus videos made from real clips: the model sees at most 256 px anyway
SEED = 7


@dataclass(frozen=True)
class CorpusItem:
    id: str
    path: Path
    expect: str | None        # error code, or None: valid but odd, must analyse
    name: str                 # the file name a browser would send with it
    exercise: str = "squat"
    plan: str = "developer"
    what: str = ""


# --- writing small videos ---------------------------------------------------------------------------------------

def write_video(path: Path, frames: Iterable[np.ndarray], fps: float = 15.0,
                times: Iterable[float] | None = None, faststart: bool = False) -> Path:
    """An H.264 MP4 of RGB frames at `fps`, or with each frame at the given `times` (seconds; VFR).

    `faststart` puts the index (moov) before the frames, as streaming-friendly exports do.
    """
    import av

    tb = Fraction(1, 90000)
    with av.open(str(path), mode="w", options={"movflags": "faststart"} if faststart else {}) as out:
        stream = None
        times_it = iter(times) if times is not None else None
        for i, image in enumerate(frames):
            if stream is None:
                h, w = image.shape[:2]
                stream = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
                stream.width, stream.height, stream.pix_fmt = w - w % 2, h - h % 2, "yuv420p"
                stream.options = {"preset": "ultrafast", "crf": "28"}
                stream.codec_context.time_base = tb
                stream.time_base = tb
            h, w = stream.height, stream.width
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image[:h, :w]), format="rgb24")
            t = next(times_it) if times_it is not None else i / fps
            frame.pts, frame.time_base = int(round(t * 90000)), tb
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def clip_frames(src: Path, seconds: float, size: tuple[int, int] = SMALL, fps: float = 15.0,
                start_s: float = 0.0) -> list[np.ndarray]:
    """A real clip's upright frames resampled to `fps` and resized to `size` (in memory: keep it short)."""
    import cv2

    from posetracker.video import iter_frames

    out, next_t = [], start_s
    for frame in iter_frames(src, max_side=max(size) * 2):
        if frame.timestamp < next_t:
            continue
        if frame.timestamp >= start_s + seconds:
            break
        next_t += 1.0 / fps
        out.append(cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA))
    return out


def set_rotation(path: Path, degrees: int) -> Path:
    """Write a display matrix into the MP4's track header, as a phone does for a portrait video.

    `degrees` is how far a player turns the stored picture clockwise to show it upright (90 or 270).
    """
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    version = data[at + 4]
    matrix_at = at + 8 + (32 if version == 1 else 20) + 8 + 8  # times, ids, duration; reserved, layer, volume
    one = 0x10000
    matrix = {90: (0, one, 0, -one, 0, 0), 270: (0, -one, 0, one, 0, 0), 180: (-one, 0, 0, 0, -one, 0)}[degrees]
    data[matrix_at:matrix_at + 36] = struct.pack(">9i", *matrix, 0, 0, 0x40000000)
    path.write_bytes(bytes(data))
    return path


def synthetic_scene(seconds: float, size: tuple[int, int] = SMALL, fps: float = 15.0) -> Iterator[np.ndarray]:
    """A room with no one in it: a gradient wall, a floor, and a box sliding across (motion, but no person)."""
    w, h = size
    wall = np.linspace(60, 200, w, dtype=np.float32)[None, :, None] * np.array([0.9, 0.8, 0.7], np.float32)
    base = np.broadcast_to(wall, (h, w, 3)).astype(np.uint8).copy()
    base[int(h * 0.7):] = (90, 70, 50)
    for i in range(int(seconds * fps)):
        image = base.copy()
        x = int((i * 7) % (w - 40))
        image[int(h * 0.5):int(h * 0.7), x:x + 40] = (30, 120, 200)
        yield image


# --- the corpus -------------------------------------------------------------------------------------------------

def build_corpus(folder: Path, videos: Path) -> dict[str, CorpusItem]:
    import cv2

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    items: list[CorpusItem] = []

    def add(item_id: str, filename: str, expect: str | None, what: str, name: str | None = None, **kw) -> Path:
        path = folder / filename
        items.append(CorpusItem(item_id, path, expect, name or filename, what=what, **kw))
        return path

    squat = videos / "rjsong_squat2.mp4"
    squat_frames = clip_frames(squat, 8.0)  # front view, the whole body, ~4 squats

    add("zero_byte", "empty.mp4", "video_load_error", "a zero-byte file").write_bytes(b"")
    add("random_bytes", "random.mp4", "video_load_error", "64 KiB of random bytes named .mp4").write_bytes(
        rng.bytes(64 * 1024))
    whole = squat.read_bytes()
    add("truncated", "truncated.mp4", "video_load_error", "a real clip cut to its first third").write_bytes(
        whole[: len(whole) // 3])
    cut = write_video(folder / "faststart.mp4", squat_frames, faststart=True).read_bytes()
    add("truncated_faststart", "cut-short.mp4", None, "a clip with its index first, cut to its first third: "
        "what it has is analysed, with a notice").write_bytes(cut[: len(cut) // 3])
    _audio_only(add("audio_only", "audio.mp4", "video_load_error", "an MP4 with only an audio track"))
    ok, png = cv2.imencode(".png", cv2.cvtColor(squat_frames[0], cv2.COLOR_RGB2BGR))
    add("png_as_mp4", "picture.mp4", "video_load_error", "a PNG picture renamed .mp4").write_bytes(png.tobytes())
    write_video(add("one_frame", "one-frame.mp4", None, "a video of a single frame"), squat_frames[:1])
    write_video(add("no_person", "empty-room.mp4", None, "a synthetic room with nobody in it"),
                synthetic_scene(3.0))
    # Each clip's middle half, side by side: two people in one 16:9 picture, as a phone would film them.
    left, right = squat_frames[:90], clip_frames(videos / "mrpose_squat.mp4", 6.0)
    write_video(add("two_people", "two-people.mp4", None, "two squatting people side by side (two clips' "
                    "middle halves, hstacked)"),
                (np.hstack([a[:, 80:240], b[:, 140:300]]) for a, b in zip(left, right)))
    shutil.copyfile(videos / "suyog_curl.mp4",
                    add("4k", "4k.mp4", None, "a real 3840x2160 clip", exercise="bicep_curl"))
    plain = write_video(add("upright", "upright.mp4", None, "the rotated clip's content, stored upright"),
                        squat_frames)
    # Stored turned 90 degrees counter-clockwise, as a phone's sensor stores a portrait video; the display matrix
    # tells a player to turn it 90 degrees clockwise, back upright (FFmpeg reads it as -90: counter-clockwise).
    stored = [np.ascontiguousarray(np.rot90(f, k=1)) for f in squat_frames]
    set_rotation(write_video(add("rotated", "rotated.mp4", None, "stored sideways with a 90-degree display matrix "
                                 "(a phone's portrait video)"), stored), 90)
    keep = [i for i in range(len(squat_frames)) if i % 3 != 1]  # about 10 frames/s, unevenly spaced
    jitter = rng.uniform(-0.02, 0.02, len(keep))
    times = [max(0.0, i / 15.0 + j) if n else 0.0 for n, (i, j) in enumerate(zip(keep, jitter))]
    write_video(add("vfr", "vfr.mp4", None, "variable frame rate: frames dropped and jittered, timed by pts"),
                (squat_frames[i] for i in keep), times=sorted(times))
    write_video(add("too_long", "too-long.mp4", "video_too_long", "62 s: over the Free plan's 60 s", plan="free"),
                (np.zeros((48, 64, 3), np.uint8) for _ in range(124)), fps=2.0)
    big = add("too_large", "too-large.mp4", "upload_too_large", "101 MB (sparse) over the Free plan's 100 MB",
              plan="free")
    shutil.copyfile(plain, big)
    with open(big, "r+b") as f:
        f.truncate(101 * 1024 * 1024)
    shutil.copyfile(plain, add("traversal_name", "named-traversal.mp4", None, "a valid clip sent as ../../x.mp4",
                               name="../../x.mp4"))
    add("control_chars", "control-chars.mp4", "video_load_error", "random bytes with ESC, CR, LF in the name",
        name="bad\x1b[31m\r\nname\x00.mp4").write_bytes(rng.bytes(4096))
    return {item.id: item for item in items}


def _audio_only(path: Path, seconds: float = 1.0, rate: int = 16000) -> Path:
    import av

    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("aac", rate=rate)
        stream.layout = "mono"
        samples = (np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 440 / rate) * 0.3).astype(np.float32)
        for start in range(0, len(samples), 1024):
            chunk = samples[start:start + 1024]
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
            frame.sample_rate, frame.pts = rate, start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


# URL parameters out of range or of the wrong type: each must become an error event, never an exception.
BAD_URL_PARAMS: dict[str, str] = {
    "countdown": "99", "minGrade": "Z", "difficulty": "insane", "skeleton": "maybe", "keypoints": "2",
    "blazepose": "yes please", "exercise": "../../etc/passwd", "plan": "platinum", "mirror": "\x00",
}
