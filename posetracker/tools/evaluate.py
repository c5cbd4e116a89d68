"""Counting accuracy on labelled real clips (`../shared/testdata/labels.json` format).

Per clip: the count (or seconds held) against the accepted range. Totals over the clips whose label is not
`low_confidence`: exact (inside [reps_min, reps_max]), off-by-one, mean absolute error normalised by the true
count (distance to the accepted range / its middle), and for duration exercises whether the hold time is
inside `hold_seconds`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

from posetracker.analysis import AnalysisResult, replay
from posetracker.errors import PoseTrackerError
from posetracker.options import Mode, Options


@dataclass(frozen=True)
class ClipScore:
    file: str
    exercise: str
    expected: list  # [reps_min, reps_max] or [hold_min_s, hold_max_s]
    got: float
    error: float    # distance outside the accepted range (reps or seconds)
    exact: bool     # inside the range (reps), or hold within its range
    obo: bool
    nmae: float | None  # reps only
    is_hold: bool
    low_confidence: bool
    crowd_warnings: int = 0  # times the people check said several people were in view (none expected)


@dataclass(frozen=True)
class EvalReport:
    model: str
    clips: list[ClipScore]
    exact: float        # fraction of counted clips
    obo: float
    mae: float          # normalised
    hold_within: float  # fraction of hold clips
    counted: int
    holds: int

    @property
    def crowd_clips(self) -> list[str]:
        """Clips where the people check warned of several people (every labelled clip has one person)."""
        return [c.file for c in self.clips if c.crowd_warnings]

    def to_dict(self) -> dict:
        return {"model": self.model, "clips": [asdict(c) for c in self.clips],
                "exact": round(self.exact, 4), "obo": round(self.obo, 4), "mae": round(self.mae, 4),
                "hold_within": round(self.hold_within, 4), "counted_clips": self.counted, "hold_clips": self.holds,
                "crowd_clips": self.crowd_clips}

    def table(self) -> str:
        lines = [f"model: {self.model}",
                 f"{'clip':40s} {'exercise':13s} {'expected':>12s} {'got':>7s} {'ok':>5s}"]
        for c in self.clips:
            lo, hi = c.expected
            expected = f"{lo:g}-{hi:g}" + ("s" if c.is_hold else "")
            got = f"{c.got:.1f}s" if c.is_hold else f"{c.got:g}"
            ok = "exact" if c.exact else "obo" if c.obo else "MISS"
            flag = "  (low confidence, not in totals)" if c.low_confidence else ""
            flag += f"  (people check: several people x{c.crowd_warnings})" if c.crowd_warnings else ""
            lines.append(f"{c.file:40s} {c.exercise:13s} {expected:>12s} {got:>7s} {ok:>5s}{flag}")
        lines.append(f"totals over {self.counted} counted clips: exact {self.exact:.0%}  off-by-one {self.obo:.0%}  "
                     f"normalised MAE {self.mae:.3f};  holds within range {self.hold_within:.0%} of {self.holds};  "
                     f"people warnings on {len(self.crowd_clips)} clips")
        return "\n".join(lines)


def load_labels(path: str | Path) -> list[dict]:
    try:
        labels = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise PoseTrackerError("labels_not_found", f"No labels file at {path}.") from None
    except json.JSONDecodeError as exc:
        raise PoseTrackerError("labels_invalid", f"{path} is not valid JSON ({exc}).") from None
    if not isinstance(labels, list) or not all(isinstance(r, dict) and "file" in r for r in labels):
        raise PoseTrackerError("labels_invalid", f"{path} must be a JSON list of records with a 'file'.")
    return labels


def score_clip(label: dict, result: AnalysisResult) -> ClipScore:
    is_hold = result.reps is None
    if is_hold:
        lo, hi = label["hold_seconds"]
        got = float(result.hold_seconds or 0.0)
    else:
        lo, hi = label["reps_min"], label["reps_max"]
        got = result.reps
    error = max(lo - got, got - hi, 0)
    true = (lo + hi) / 2
    return ClipScore(label["file"], label["exercise"], [lo, hi], got, error, error == 0,
                     error <= (0 if is_hold else 1), None if is_hold else error / max(true, 1),
                     is_hold, bool(label.get("low_confidence")))


def evaluate(labels: list[dict], videos: str | Path, model: str, pose_cache: str | Path | None = None,
             progress: Callable[[str], None] | None = None) -> EvalReport:
    from posetracker.tools.posecache import track_video

    clips = []
    for label in labels:
        path = Path(videos) / label["file"]
        if not path.is_file():
            raise PoseTrackerError("video_not_found", f"Labelled clip {label['file']} is not in {videos}.")
        if progress:
            progress(label["file"])
        track = track_video(path, model, pose_cache)
        result = replay(track, Options(exercise=label["exercise"], mode=Mode.UPLOAD), model)
        score = score_clip(label, result)
        crowd = sum(1 for w in track.warnings if w.get("code") == "multiple_people" and w.get("active"))
        clips.append(replace(score, crowd_warnings=crowd))
    return summarise(model, clips)


def summarise(model: str, clips: list[ClipScore]) -> EvalReport:
    counted = [c for c in clips if not c.low_confidence and not c.is_hold]
    holds = [c for c in clips if not c.low_confidence and c.is_hold]
    n = max(len(counted), 1)
    return EvalReport(
        model, clips,
        exact=sum(c.exact for c in counted) / n, obo=sum(c.obo for c in counted) / n,
        mae=sum(c.nmae for c in counted) / n,
        hold_within=sum(c.exact for c in holds) / max(len(holds), 1),
        counted=len(counted), holds=len(holds),
    )
