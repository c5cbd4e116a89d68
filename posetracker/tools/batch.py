"""Many clips at once: one task is one whole clip (counting depends on frame order), in parallel on local
cores or a Ray cluster, with results that do not depend on how the work was spread.

    clips = clips_from("videos/", exercise="squat")          # a folder, or a manifest (.json / .txt)
    records = run_batch(clips, "movenet", workers=2, results=Path("results.jsonl"))
    print(format_batch(records))

Each record is one JSON object per clip (`RECORD_FIELDS`); a clip that fails gets a record with `error` set
and the batch goes on. With `results`, records are appended as they finish, so a re-run skips the clips
already done (failed clips are tried again) and, at the end, the file is rewritten in clip order next to a CSV
of the same rows: a parallel run writes exactly the files a sequential run writes.
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from posetracker.errors import PoseTrackerError
from posetracker.inputs import VIDEO_EXTENSIONS

RECORD_FIELDS = ("file", "exercise", "model", "reps", "hold_seconds", "frames", "duration_s", "crowd_warnings",
                 "error")


@dataclass(frozen=True)
class Clip:
    name: str      # how the results name it: a label's `file`, or the path relative to the folder or manifest
    path: str      # what a worker opens; on a cluster every node must see the clips at this path
    exercise: str
    size: int = 0  # bytes, to estimate the time left
    augment: tuple[str, ...] = ()  # eval's pose-level variations (tools/augment.py), applied after the cache
    augment_seed: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return self.name, self.exercise


# --- what to run ----------------------------------------------------------------------------------------------

def clips_from(source: str | Path, exercise: str | None = None) -> list[Clip]:
    """The clips of a folder (every video in it, sorted by name; `exercise` applies to all), or of a manifest:
    a labels-style JSON list of {"file", "exercise"} records, or a text file with one `PATH [EXERCISE]` a line.
    Relative paths are relative to the manifest's folder; `exercise` fills in where an entry names none."""
    from posetracker.exercises import get_spec

    source = Path(source)
    if source.is_dir():
        entries = [(p.name, None) for p in sorted(source.iterdir())
                   if p.is_file() and p.suffix.lower().lstrip(".") in VIDEO_EXTENSIONS]
        base = source
        if not entries:
            raise PoseTrackerError("no_clips", f"No videos ({', '.join(VIDEO_EXTENSIONS)}) in {source}.")
    elif source.is_file():
        entries, base = _manifest_entries(source), source.parent
    else:
        raise PoseTrackerError("no_clips", f"{source} is neither a folder of videos nor a manifest file.")
    clips = []
    for name, named_exercise in entries:
        chosen = named_exercise or exercise
        if not chosen:
            raise PoseTrackerError("exercise_missing", f"{name} in {source} names no exercise: pass "
                                   "--exercise ID (it applies to every clip that names none).")
        get_spec(chosen)  # invalid_exercise, listing the valid ids, before any work
        path = (base / name).resolve()
        clips.append(Clip(name, str(path), chosen, path.stat().st_size if path.is_file() else 0))
    return clips


def _manifest_entries(path: Path) -> list[tuple[str, str | None]]:
    text = path.read_text()
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PoseTrackerError("manifest_invalid", f"{path} is not valid JSON ({exc}).") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) and "file" in r for r in rows):
            raise PoseTrackerError("manifest_invalid", f"{path} must be a JSON list of records with a 'file'.")
        return [(str(r["file"]), r.get("exercise")) for r in rows]
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, rest = line.partition(" ")
            entries.append((name, rest.strip() or None))
    if not entries:
        raise PoseTrackerError("manifest_invalid", f"{path} lists no clips (one `PATH [EXERCISE]` a line).")
    return entries


# --- one clip -------------------------------------------------------------------------------------------------

def worker_estimator(model: str):
    """The estimator a batch worker keeps for all its clips: the model loads once, and inference runs on one
    thread, because the parallelism is one clip per core."""
    import cv2

    from posetracker.estimators import create_estimator

    cv2.setNumThreads(1)
    return create_estimator(model, **({"num_threads": 1} if model == "movenet" else {}))


def analyse_clip(clip: Clip, model: str, pose_cache: str | None = None, estimator=None) -> dict:
    """One clip's record. Never raises for a bad clip: the error goes into the record."""
    from posetracker.analysis import replay
    from posetracker.options import Mode, Options
    from posetracker.tools.posecache import track_video

    record = {"file": clip.name, "exercise": clip.exercise, "model": model, "reps": None, "hold_seconds": None,
              "frames": 0, "duration_s": 0.0, "crowd_warnings": 0, "error": None}
    try:
        if not Path(clip.path).is_file():
            raise PoseTrackerError("video_not_found", f"{clip.name} is not at {clip.path}.")
        track = track_video(clip.path, model, pose_cache, estimator=estimator)
        if clip.augment:
            from posetracker.tools.augment import augment_track

            track = augment_track(track, clip.augment, key=clip.name, seed=clip.augment_seed)
        result = replay(track, Options(exercise=clip.exercise, mode=Mode.UPLOAD), model)
    except PoseTrackerError as exc:
        return {**record, "error": {"code": exc.code, "message": exc.message}}
    except Exception as exc:  # noqa: BLE001 - one unreadable clip must not stop a batch of thousands
        return failed(clip, model, "clip_failed", f"{type(exc).__name__}: {exc}")
    crowd = sum(1 for w in track.warnings if w.get("code") == "multiple_people" and w.get("active"))
    return {**record, "reps": result.reps, "hold_seconds": result.hold_seconds, "frames": result.frames,
            "duration_s": result.duration_s, "crowd_warnings": crowd}


def failed(clip: Clip, model: str, code: str, message: str) -> dict:
    return {"file": clip.name, "exercise": clip.exercise, "model": model, "reps": None, "hold_seconds": None,
            "frames": 0, "duration_s": 0.0, "crowd_warnings": 0, "error": {"code": code, "message": message}}


# --- the results file -----------------------------------------------------------------------------------------

class ResultStore:
    """`results.jsonl` (+ `results.csv`): appended as clips finish, rewritten in clip order at the end."""

    def __init__(self, path: str | Path, model: str) -> None:
        self.path = Path(path)
        self.model = model
        self.done: dict[tuple[str, str], dict] = {}
        self._others: list[dict] = []  # records of other clips or models: kept, never lost
        if self.path.is_file():
            for line in self.path.read_text().splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # the half-written last line of a run that was killed
                if record.get("model") != model:
                    self._others.append(record)
                elif not record.get("error"):
                    self.done[(record["file"], record["exercise"])] = record
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = None

    def append(self, record: dict) -> None:
        if self._file is None:
            self._file = self.path.open("a")
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def finish(self, clips: list[Clip], records: dict[tuple[str, str], dict]) -> None:
        if self._file is not None:
            self._file.close()
        keys = {c.key for c in clips}
        rows = [records[c.key] for c in clips if c.key in records]
        rows += [r for k, r in self.done.items() if k not in keys] + self._others
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text("".join(json.dumps(r) + "\n" for r in rows))
        os.replace(tmp, self.path)
        write_csv(rows, self.path.with_suffix(".csv"))


def write_csv(records: Iterable[dict], path: Path) -> None:
    with Path(path).open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(RECORD_FIELDS[:-1] + ("error_code", "error_message"))
        for r in records:
            error = r.get("error") or {}
            writer.writerow([r.get(k) for k in RECORD_FIELDS[:-1]] + [error.get("code"), error.get("message")])


# --- the run --------------------------------------------------------------------------------------------------

def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_batch(clips: list[Clip], model: str, *, workers: int | None = None, ray_address: str | None = None,
              pose_cache: str | Path | None = None, results: str | Path | None = None,
              progress: Callable[[dict, Clip], None] | None = None) -> list[dict]:
    """Every clip's record, in clip order. `workers`: processes on this machine (default: one per core), or
    Ray actors when `ray_address` is given (default: one per CPU of the cluster)."""
    from posetracker.estimators import check_model_name

    check_model_name(model)
    seen: set[tuple[str, str]] = set()
    clips = [c for c in clips if not (c.key in seen or seen.add(c.key))]
    store = ResultStore(results, model) if results is not None else None
    records = {c.key: store.done[c.key] for c in clips if store and c.key in store.done}
    todo = [c for c in clips if c.key not in records]
    cache = None if pose_cache is None else str(pose_cache)

    def on_record(record: dict, clip: Clip) -> None:
        records[clip.key] = record
        if store:
            store.append(record)
        if progress:
            progress(record, clip)

    try:
        if todo and ray_address:
            from posetracker.tools.ray_runner import run_ray

            run_ray(todo, model, cache, workers, ray_address, on_record)
        elif todo:
            from posetracker.tools.local_runner import run_local

            run_local(todo, model, cache, workers or default_workers(), on_record)
    finally:
        if store:
            store.finish(clips, records)
    return [records[c.key] for c in clips]


# --- the summary ----------------------------------------------------------------------------------------------

def summarise_batch(records: list[dict]) -> dict:
    """Totals over the clips and per exercise: clips, failed, frames, reps (sum) or seconds held (sum)."""
    per: dict[str, dict] = {}
    for r in records:
        e = per.setdefault(r["exercise"], {"clips": 0, "failed": 0, "frames": 0, "reps": 0, "hold_seconds": 0.0})
        e["clips"] += 1
        e["failed"] += bool(r["error"])
        e["frames"] += r["frames"]
        e["reps"] += r["reps"] or 0
        e["hold_seconds"] = round(e["hold_seconds"] + (r["hold_seconds"] or 0.0), 2)
    return {"clips": len(records), "failed": sum(bool(r["error"]) for r in records),
            "frames": sum(r["frames"] for r in records),
            "seconds_of_video": round(sum(r["duration_s"] for r in records), 2),
            "exercises": dict(sorted(per.items()))}


def format_batch(records: list[dict]) -> str:
    lines = [f"{'clip':40s} {'exercise':16s} {'count':>9s} {'frames':>7s}"]
    for r in records:
        if r["error"]:
            got = f"ERROR {r['error']['code']}: {r['error']['message']}"
        elif r["hold_seconds"] is not None:
            got = f"{r['hold_seconds']:8.1f}s {r['frames']:7d}"
        else:
            got = f"{r['reps']:9d} {r['frames']:7d}"
        lines.append(f"{r['file']:40s} {r['exercise']:16s} {got}")
    s = summarise_batch(records)
    lines.append(f"{s['clips']} clips, {s['failed']} failed, {s['frames']} frames, {s['seconds_of_video']:.0f} s "
                 "of video")
    lines.append(f"{'per exercise':40s} {'clips':>6s} {'failed':>6s} {'reps':>6s} {'held':>8s}")
    for name, e in s["exercises"].items():
        lines.append(f"{name:40s} {e['clips']:6d} {e['failed']:6d} {e['reps']:6d} {e['hold_seconds']:7.1f}s")
    return "\n".join(lines)
