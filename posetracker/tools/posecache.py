"""Pose sequences of whole videos, optionally cached on disk, so the engine can be re-run without the model.

Used by `posetracker eval --pose-cache DIR` and the tests: the engine is pure, so replaying a recorded pose
sequence gives exactly the events the live pipeline would have given for the same frames.
"""
from __future__ import annotations

import json
import os
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from posetracker.options import Options
from posetracker.pose import NUM_KEYPOINTS, Pose
from posetracker.registry import sha256_of
from posetracker.tracker import MODEL_MAX_SIDE


@dataclass(frozen=True)
class PoseTrack:
    """One video's poses: `poses[i]` is the pose at `timestamps[i]`, or None where nobody was found."""

    timestamps: np.ndarray
    poses: list[Pose | None]
    width: int
    height: int
    fps: float
    warnings: tuple = ()  # the people check's `warning` events (as the upload pipeline would emit them)

    def save(self, path: Path) -> None:
        n = len(self.poses)
        xy = np.zeros((n, NUM_KEYPOINTS, 2), np.float32)
        scores = np.zeros((n, NUM_KEYPOINTS), np.float32)
        z = np.zeros((n, NUM_KEYPOINTS), np.float32)
        present = np.zeros(n, bool)
        for i, p in enumerate(self.poses):
            if p is not None:
                xy[i], scores[i], present[i] = p.xy, p.scores, True
                z[i] = p.z if p.z is not None else 0.0
        np.savez_compressed(path, timestamps=self.timestamps, xy=xy, scores=scores, z=z, present=present,
                            meta=np.array([self.width, self.height, self.fps], np.float64),
                            warnings=np.array(json.dumps(list(self.warnings))))

    @classmethod
    def load(cls, path: Path) -> "PoseTrack":
        d = np.load(path)
        w, h, fps = d["meta"]
        poses = [Pose(d["xy"][i], d["scores"][i], float(t), d["z"][i], (int(w), int(h))) if d["present"][i] else None
                 for i, t in enumerate(d["timestamps"])]
        return cls(d["timestamps"], poses, int(w), int(h), float(fps), tuple(json.loads(str(d["warnings"]))))


def track_video(path: str | Path, model: str, cache_dir: str | Path | None = None, estimator=None) -> PoseTrack:
    """The poses of every frame of `path`. `estimator` (of `model`) is reused when given, e.g. by a batch
    worker that loads its model once for many clips; it is reset first, so the track is the same either way."""
    from posetracker.people import UPLOAD_CHECK_S
    from posetracker.tracker import Tracker
    from posetracker.video import VideoInfo, iter_frames

    path = Path(path)
    cache_file = None
    if cache_dir is not None:
        cache_file = Path(cache_dir) / f"{sha256_of(path)[:16]}-{model}-v3.npz"
        if cache_file.is_file():
            return PoseTrack.load(cache_file)
    info = VideoInfo.from_path(path)
    timestamps, poses, warnings = [], [], []
    if estimator is not None:
        estimator.reset()
    # Poses only: the engine is replayed later, so this tracker has none. A borrowed estimator stays open.
    tracker = Tracker(Options(), model, estimator=estimator, engine_factory=None, people_interval_s=UPLOAD_CHECK_S)
    with tracker if estimator is None else nullcontext(tracker):
        for frame in iter_frames(path, max_side=MODEL_MAX_SIDE, people=tracker.people):
            step = tracker.step(frame.image, frame.timestamp, people=frame.people)
            timestamps.append(step.timestamp)
            poses.append(step.pose)
            if step.warning is not None:
                warnings.append(step.warning)
    track = PoseTrack(np.array(timestamps, np.float64), poses, info.width, info.height, info.fps,
                      tuple(warnings))
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        # Parallel batch workers share the cache: write aside, then rename, so no reader sees half a file.
        partial = cache_file.with_name(f"{cache_file.stem}.{os.getpid()}.partial.npz")
        track.save(partial)
        os.replace(partial, cache_file)
    return track
