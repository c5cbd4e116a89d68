"""Counting accuracy on labelled real clips (`../shared/testdata/labels.json` format).

Per clip: the count (or seconds held) against the accepted range. Totals over the clips whose label is not
`low_confidence`: exact (inside [reps_min, reps_max]), off-by-one, mean absolute error normalised by the true
count (distance to the accepted range / its middle), and for duration exercises whether the hold time is
inside `hold_seconds`.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from posetracker.analysis import AnalysisResult
from posetracker.errors import PoseTrackerError


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
    failures: list[dict] = field(default_factory=list)  # {file, exercise, code, message}: clips not analysed
    augment: tuple[str, ...] = ()  # the pose-level variations every clip was counted under

    def by_exercise(self) -> dict[str, dict]:
        """The totals again, per exercise (low-confidence labels left out, as in the totals)."""
        names = sorted({c.exercise for c in self.clips} | {f["exercise"] for f in self.failures})
        out = {}
        for name in names:
            part = summarise(self.model, [c for c in self.clips if c.exercise == name])
            out[name] = {"clips": sum(c.exercise == name for c in self.clips),
                         "failed": sum(f["exercise"] == name for f in self.failures),
                         "counted_clips": part.counted, "hold_clips": part.holds,
                         "exact": round(part.exact, 4) if part.counted else None,
                         "obo": round(part.obo, 4) if part.counted else None,
                         "mae": round(part.mae, 4) if part.counted else None,
                         "hold_within": round(part.hold_within, 4) if part.holds else None}
        return out

    @property
    def crowd_clips(self) -> list[str]:
        """Clips where the people check warned of several people (every labelled clip has one person)."""
        return [c.file for c in self.clips if c.crowd_warnings]

    def to_dict(self) -> dict:
        return {"model": self.model, "augment": list(self.augment), "clips": [asdict(c) for c in self.clips],
                "exact": round(self.exact, 4), "obo": round(self.obo, 4), "mae": round(self.mae, 4),
                "hold_within": round(self.hold_within, 4), "counted_clips": self.counted, "hold_clips": self.holds,
                "crowd_clips": self.crowd_clips, "exercises": self.by_exercise(), "failed_clips": self.failures}

    def table(self) -> str:
        lines = [f"model: {self.model}" + (f"  augmented: {', '.join(self.augment)}" if self.augment else ""),
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
        for f in self.failures:
            lines.append(f"{f['file']:40s} {f['exercise']:13s} FAILED {f['code']}: {f['message']} (not in totals)")
        return "\n".join(lines)

    def exercise_table(self) -> str:
        """The per-exercise breakdown printed beside the per-clip table."""
        pct = lambda x: "-" if x is None else f"{x:.0%}"  # noqa: E731
        lines = [f"{'per exercise':20s} {'clips':>5s} {'failed':>6s} {'exact':>6s} {'obo':>5s} {'nMAE':>6s} "
                 f"{'holds ok':>8s}"]
        for name, e in self.by_exercise().items():
            mae = "-" if e["mae"] is None else f"{e['mae']:.3f}"
            lines.append(f"{name:20s} {e['clips']:5d} {e['failed']:6d} {pct(e['exact']):>6s} {pct(e['obo']):>5s} "
                         f"{mae:>6s} {pct(e['hold_within']):>8s}")
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
    # Checked before any clip is analysed, so a wrong file (jumps.json's timings, say) costs nothing.
    for record in labels:
        if "exercise" not in record or not (("reps_min" in record and "reps_max" in record)
                                            or "hold_seconds" in record):
            raise PoseTrackerError("labels_invalid", f"{path}: the record for {record['file']} has no 'exercise' "
                                   "with 'reps_min' and 'reps_max' (or 'hold_seconds'), so there is nothing to "
                                   "compare its count with.")
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


def load_label_sets(sources: list[str | Path]) -> list[dict]:
    """The labels of several files, or of every counting labels file in a folder (other JSON there, e.g.
    jumps.json, is skipped). A clip labelled twice for the same exercise is kept once, as first read."""
    labels, seen = [], set()
    for source in sources:
        source = Path(source)
        files = [source]
        if source.is_dir():
            files = [p for p in sorted(source.glob("*.json")) if _is_label_list(p)]
            if not files:
                raise PoseTrackerError("labels_not_found", f"No labels file (a JSON list of clips) in {source}.")
        for file in files:
            for label in load_labels(file):
                key = (label["file"], label.get("exercise"))
                if key not in seen:
                    seen.add(key)
                    labels.append(label)
    return labels


def _is_label_list(path: Path) -> bool:
    """A counting labels file: every record has an accepted count or hold range (jumps.json has neither)."""
    try:
        return all("reps_min" in r or "hold_seconds" in r for r in load_labels(path))
    except PoseTrackerError:
        return False


def evaluate(labels: list[dict], videos: str | Path, model: str, pose_cache: str | Path | None = None,
             progress: Callable[[str], None] | None = None, *, workers: int = 1, ray_address: str | None = None,
             results: str | Path | None = None, on_clip: Callable | None = None, augment: tuple[str, ...] = (),
             augment_seed: int = 0) -> EvalReport:
    """Scores every labelled clip. `workers` / `ray_address` spread the clips over processes or a Ray cluster
    (the report is the same); `results` writes each clip's record (JSONL + CSV) and lets a re-run resume.
    `augment` names pose-level variations (`posetracker.tools.augment`) applied to every clip's poses."""
    from posetracker.tools.augment import parse_augmentations
    from posetracker.tools.batch import Clip, run_batch

    augment = parse_augmentations(augment)
    if augment and results is not None:
        raise PoseTrackerError("invalid_augmentation", "--out keeps the unvaried clips' results (a re-run resumes from "
                               "them): leave it out when varying the clips with --augment.")

    clips = []
    for label in labels:
        path = Path(videos) / label["file"]
        if not path.is_file():
            raise PoseTrackerError("video_not_found", f"Labelled clip {label['file']} is not in {videos}.")
        clips.append(Clip(label["file"], str(path.resolve()), label["exercise"], path.stat().st_size, augment,
                          augment_seed))

    def report_clip(record: dict, clip) -> None:
        if progress:
            progress(clip.name)
        if on_clip:
            on_clip(record, clip)

    records = {(r["file"], r["exercise"]): r for r in run_batch(
        clips, model, workers=workers, ray_address=ray_address, pose_cache=pose_cache, results=results,
        progress=report_clip)}
    scores, failures = [], []
    for label in labels:
        record = records[(label["file"], label["exercise"])]
        if record["error"]:
            failures.append({"file": label["file"], "exercise": label["exercise"], **record["error"]})
            continue
        got = SimpleNamespace(reps=record["reps"], hold_seconds=record["hold_seconds"])
        scores.append(replace(score_clip(label, got), crowd_warnings=record["crowd_warnings"]))
    return replace(summarise(model, scores, failures), augment=augment)


def summarise(model: str, clips: list[ClipScore], failures: list[dict] = ()) -> EvalReport:
    counted = [c for c in clips if not c.low_confidence and not c.is_hold]
    holds = [c for c in clips if not c.low_confidence and c.is_hold]
    n = max(len(counted), 1)
    return EvalReport(
        model, clips,
        exact=sum(c.exact for c in counted) / n, obo=sum(c.obo for c in counted) / n,
        mae=sum(c.nmae for c in counted) / n,
        hold_within=sum(c.exact for c in holds) / max(len(holds), 1),
        counted=len(counted), holds=len(holds), failures=list(failures),
    )
