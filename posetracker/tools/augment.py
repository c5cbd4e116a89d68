"""Pose-level variations of a recorded clip: what a user's camera or connection may do to the same movement.

`posetracker eval --augment half_fps` counts every labelled clip again after changing its recorded poses, so
the counting can be judged on frame rates, dropped frames, mirror images, zooms and noisy keypoints that the
labelled clips do not show. Each variation is deterministic: seeded by the clip's name, its own name and a
seed, so a table can be reproduced and a failure replayed.

    track = augment_track(track_video(path, "movenet", cache), ["mirror", "drop"], key="squat.mp4")
"""
from __future__ import annotations

import zlib
from dataclasses import replace
from typing import Callable, Iterable

import numpy as np

from posetracker.errors import PoseTrackerError
from posetracker.pose import Pose
from posetracker.tools.posecache import PoseTrack

# A small phone clip's frame (the size of the smallest real clips users sent): keypoint noise is measured in
# its pixels, whatever the size of the clip being varied.
SMALL_FRAME = (202, 360)
JITTER_PX = 2.0          # one standard deviation, per keypoint per frame
DROP_FRACTION = (0.10, 0.20)
DROP_BURST_S = (0.1, 0.5)  # a stalled connection loses a run of frames, not single ones
CUT_FROM = (0.3, 0.7)    # where in the clip the zoom or cut happens (fraction of its frames)


def _half_fps(track: PoseTrack, rng: np.random.Generator) -> PoseTrack:
    """Every other frame: the same clip filmed at half the frame rate (the timestamps stay the real ones)."""
    return _keep(track, np.arange(len(track.poses)) % 2 == 0, fps=track.fps / 2)


def _drop(track: PoseTrack, rng: np.random.Generator) -> PoseTrack:
    """A live session that loses 10-20 % of its frames in bursts of 0.1-0.5 s (the frames never arrive)."""
    n = len(track.poses)
    keep = np.ones(n, bool)
    target = rng.uniform(*DROP_FRACTION) * n
    fps = track.fps or 30.0
    while (~keep).sum() < target and keep.any():
        start = int(rng.integers(0, n))
        length = max(1, int(round(rng.uniform(*DROP_BURST_S) * fps)))
        keep[start:start + length] = False
    keep[0] = True  # a session starts with a frame
    return _keep(track, keep)


def _mirror(track: PoseTrack, rng: np.random.Generator) -> PoseTrack:
    """A selfie camera's mirror image: x flipped and left and right swapped."""
    return replace(track, poses=[None if p is None else p.mirrored() for p in track.poses])


def _zoom(factor: float) -> Callable[[PoseTrack, np.random.Generator], PoseTrack]:
    def zoom(track: PoseTrack, rng: np.random.Generator) -> PoseTrack:
        """From a random frame on, every keypoint scaled by `factor` about the person's centre at that frame:
        the camera zooms (or the video cuts to a closer or wider shot) mid-set and stays there."""
        n = len(track.poses)
        start = int(rng.uniform(*CUT_FROM) * n)
        present = [i for i in range(start, n) if track.poses[i] is not None]
        if not present:
            return track
        start = present[0]
        first = track.poses[start]
        seen = first.scores >= 0.3
        centre = (first.xy[seen] if seen.any() else first.xy).mean(axis=0)
        poses = list(track.poses)
        for i in range(start, n):
            p = poses[i]
            if p is not None:
                poses[i] = replace(p, xy=centre + (p.xy - centre) * factor)
        return replace(track, poses=poses)

    zoom.__doc__ = zoom.__doc__.replace("`factor`", f"{factor:g}")
    return zoom


def _jitter(track: PoseTrack, rng: np.random.Generator) -> PoseTrack:
    """Keypoints that shake by about two pixels of a 202x360 frame, independently every frame: a small or
    heavily compressed clip, where the model cannot place a joint any closer."""
    poses = []
    for p in track.poses:
        if p is None:
            poses.append(None)
            continue
        w, h = p.frame_size or (track.width, track.height) or SMALL_FRAME
        scale = max(SMALL_FRAME) / max(w, h, 1)  # the small frame's pixels, in this frame's shape
        sigma = JITTER_PX / (np.array([w, h], np.float64) * scale)
        poses.append(replace(p, xy=p.xy + rng.normal(0.0, 1.0, p.xy.shape) * sigma))
    return replace(track, poses=poses)


AUGMENTATIONS: dict[str, Callable[[PoseTrack, np.random.Generator], PoseTrack]] = {
    "half_fps": _half_fps,
    "drop": _drop,
    "mirror": _mirror,
    "zoom_in": _zoom(1.3),
    "zoom_out": _zoom(0.75),
    "jitter": _jitter,
}


def parse_augmentations(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """`"mirror,drop"` -> ("mirror", "drop"); an unknown name raises an error listing the valid ones."""
    if not text:
        return ()
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in AUGMENTATIONS]
    if unknown:
        raise PoseTrackerError("invalid_augmentation", f"Unknown augmentation {', '.join(unknown)}: choose from "
                               f"{', '.join(AUGMENTATIONS)} (several joined by commas).")
    return tuple(names)


def augment_track(track: PoseTrack, names: Iterable[str], key: str = "", seed: int = 0) -> PoseTrack:
    """`track` changed by each named augmentation in turn. `key` (the clip's name) and `seed` pick the random
    choices: the same key, names and seed give the same track on every machine."""
    for name in parse_augmentations(list(names)):
        rng = np.random.default_rng([zlib.crc32(f"{key}|{name}".encode()), seed])
        track = AUGMENTATIONS[name](track, rng)
    return track


def _keep(track: PoseTrack, keep: np.ndarray, fps: float | None = None) -> PoseTrack:
    poses: list[Pose | None] = [p for p, k in zip(track.poses, keep) if k]
    return replace(track, timestamps=track.timestamps[keep], poses=poses,
                   fps=track.fps if fps is None else fps)
