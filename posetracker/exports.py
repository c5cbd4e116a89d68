"""Raw-data exports of an analysis: events as JSONL, keypoints as CSV (one row per frame and keypoint), reps as CSV.

Writers stream (a long video is never held in memory) and are context managers, like the video sink.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterable, Mapping

from posetracker.pose import KEYPOINT_NAMES, Pose

if TYPE_CHECKING:
    from posetracker.engine import RepRecord

KEYPOINTS_COLUMNS = ("frame", "time_s", "keypoint", "x", "y", "z", "score", "x_px", "y_px")
REPS_COLUMNS = ("rep", "start_s", "end_s", "duration_s", "score", "grade", "counted", "reason")


class _Sink:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = open(self.path, "w", newline="", encoding="utf-8")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class EventsJsonlWriter(_Sink):
    """One JSON object per line, in the order the events happened."""

    def write(self, event: Mapping) -> None:
        self._file.write(json.dumps(event, separators=(",", ":"), ensure_ascii=False) + "\n")

    def write_all(self, events: Iterable[Mapping]) -> None:
        for event in events:
            self.write(event)


class KeypointsCsvWriter(_Sink):
    """One row per frame and keypoint; frames without a person have no rows.

    x and y are normalised to the upright frame (as in `keypoints` events); `x_px`/`y_px` are pixels of the
    original video (`frame_size`), so the rows line up with the exported video.
    """

    def __init__(self, path: str | Path, frame_size: tuple[int, int]) -> None:
        super().__init__(path)
        self._w, self._h = frame_size
        self._csv = csv.writer(self._file)
        self._csv.writerow(KEYPOINTS_COLUMNS)
        self.rows = 0

    def add(self, frame_id: int, timestamp: float, pose: Pose | None) -> None:
        if pose is None:
            return
        z = pose.z if pose.z is not None else [0.0] * len(KEYPOINT_NAMES)
        for i, name in enumerate(KEYPOINT_NAMES):
            x, y = float(pose.xy[i, 0]), float(pose.xy[i, 1])
            self._csv.writerow((frame_id, f"{timestamp:.3f}", name, f"{x:.5f}", f"{y:.5f}", f"{float(z[i]):.5f}",
                                f"{float(pose.scores[i]):.4f}", f"{x * self._w:.1f}", f"{y * self._h:.1f}"))
        self.rows += len(KEYPOINT_NAMES)


def write_events_jsonl(events: Iterable[Mapping], path: str | Path) -> Path:
    with EventsJsonlWriter(path) as writer:
        writer.write_all(events)
    return Path(path)


def read_events_jsonl(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def write_reps_csv(reps: Iterable[RepRecord], path: str | Path) -> Path:
    """Per-rep results: numbered from 1, with why a rep was not counted when it was not."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(REPS_COLUMNS)
        for n, rep in enumerate(reps, start=1):
            out.writerow((n, _cell(rep.start_s), _cell(rep.end_s), _cell(round(rep.end_s - rep.start_s, 3)),
                          _cell(rep.score), rep.grade or "", "yes" if rep.counted else "no", rep.reason or ""))
    return Path(path)


def _cell(value) -> str:
    if value is None:
        return ""
    return f"{value:.3f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
