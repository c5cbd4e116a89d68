"""A live stream replayed from a recorded pose sequence: the live processor without a camera or a model."""
from __future__ import annotations

import numpy as np

from posetracker.live import LiveProcessor
from posetracker.options import Options

PICTURE = np.zeros((48, 64, 3), np.uint8)  # the replayed poses need no pixels
PTS0 = 5000.0  # WebRTC pts do not start at zero; engine time does


class Replay:
    """An estimator that returns a recorded pose sequence, one pose per frame."""

    name = "replay"

    def __init__(self, seq) -> None:
        self.poses = [p for p, _ in seq]
        self.i = 0

    def estimate(self, image, timestamp):
        pose = self.poses[min(self.i, len(self.poses) - 1)]
        self.i += 1
        return pose

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass


def live(seq, engine_factory=None) -> LiveProcessor:
    return LiveProcessor("movenet", Options(exercise="squat"), estimator=Replay(seq), engine_factory=engine_factory)


def play(processor: LiveProcessor, seq, until: float | None = None) -> list:
    """Feed the frames of `seq` (from where the processor is) whose time is at most `until`; returns the rest."""
    rest = list(seq)
    while rest and (until is None or rest[0][1] <= until):
        _, t = rest.pop(0)
        processor.process(PICTURE, PTS0 + t)
    return rest
