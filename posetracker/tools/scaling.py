"""Batch scaling figures (`posetracker bench --scaling`): clips/min and frames/s of whole-clip batches with
1, 2, ... workers, the parallel efficiency, and what a cluster of such machines would take for a big batch.

No pose cache: every run decodes and runs the model on every frame, as a batch after an engine change would
on clips it has not seen. Each run must give the same records, or the figures are not of the same work.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

from posetracker.inputs import VIDEO_EXTENSIONS
from posetracker.tools.batch import Clip, run_batch

CLUSTER_NODES = 10
CLUSTER_CLIPS = 10_000


def scaling_clips(videos: Path, limit: int | None = None) -> list[Clip]:
    """The labelled clips of `videos` (labels files beside it name each one's exercise), else every video in it
    as a squat (the exercise barely moves the cost: the model and the decoder dominate)."""
    exercises: dict[str, str] = {}
    for labels in sorted(Path(videos).parent.glob("*.json")):
        try:
            rows = json.loads(labels.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(rows, list):
            exercises.update({r["file"]: r["exercise"] for r in rows
                              if isinstance(r, dict) and "file" in r and "exercise" in r})
    exercises = {name: e for name, e in exercises.items() if _in_catalogue(e)}  # e.g. not jumps.json's
    paths = sorted(p for p in Path(videos).iterdir() if p.suffix.lower().lstrip(".") in VIDEO_EXTENSIONS)
    if exercises:
        paths = [p for p in paths if p.name in exercises]
    clips = [Clip(p.name, str(p.resolve()), exercises.get(p.name, "squat"), p.stat().st_size) for p in paths]
    return clips[:limit] if limit else clips


def _in_catalogue(exercise: str) -> bool:
    from posetracker.errors import PoseTrackerError
    from posetracker.exercises import get_spec

    try:
        get_spec(exercise)
    except PoseTrackerError:
        return False
    return True


def measure_scaling(clips: list[Clip], model: str = "movenet", workers: tuple[int, ...] = (1, 2),
                    ray_address: str | None = None, log: Callable[[str], None] = lambda s: None) -> dict:
    runs, first = [], None
    for n in workers:
        log(f"batch of {len(clips)} clips, {model}, {n} worker(s){' on Ray' if ray_address else ''}")
        start = time.perf_counter()
        records = run_batch(clips, model, workers=n, ray_address=ray_address)
        seconds = time.perf_counter() - start
        frames = sum(r["frames"] for r in records)
        runs.append({"workers": n, "seconds": round(seconds, 2), "clips_per_min": round(60 * len(clips) / seconds, 2),
                     "frames_per_s": round(frames / seconds, 1), "failed": sum(bool(r["error"]) for r in records),
                     "same_results": first is None or records == first})
        first = first or records
    base = runs[0]["frames_per_s"] / runs[0]["workers"]
    for run in runs:
        run["efficiency"] = round(run["frames_per_s"] / (run["workers"] * base), 3)
    frames = sum(r["frames"] for r in first)
    video_s = sum(r["duration_s"] for r in first)
    return {"model": model, "clips": len(clips), "frames": frames, "video_seconds": round(video_s, 1),
            "ray": bool(ray_address), "runs": runs,
            "cluster": project_cluster(max(runs, key=lambda r: r["frames_per_s"]), frames / len(clips),
                                       video_s / len(clips))}


def project_cluster(run: dict, frames_per_clip: float, video_s_per_clip: float, nodes: int = CLUSTER_NODES,
                    clips: int = CLUSTER_CLIPS) -> dict:
    """On paper: `nodes` machines like this one, each running `run`'s workers (the best measured), on `clips`
    clips like these.

    Clips are independent tasks, so nodes add throughput the way cores do; the per-clip scheduling cost of a
    cluster (milliseconds) is small beside a clip's seconds of work, so the node count is taken as linear and
    the within-node efficiency measured here is kept."""
    node_fps = run["frames_per_s"]
    seconds = clips * frames_per_clip / (nodes * node_fps)
    return {"nodes": nodes, "clips": clips, "workers_per_node": run["workers"], "frames_per_clip":
            round(frames_per_clip, 1), "video_seconds_per_clip": round(video_s_per_clip, 1),
            "cluster_frames_per_s": round(nodes * node_fps, 1), "hours": round(seconds / 3600, 2),
            "clips_per_min": round(60 * clips / seconds, 1)}


def format_scaling(report: dict) -> str:
    lines = [f"batch scaling: {report['clips']} clips ({report['frames']} frames, {report['video_seconds']:.0f} s "
             f"of video), {report['model']}, whole clips per task{', on Ray' if report['ray'] else ''}",
             f"{'workers':>7s} {'seconds':>8s} {'clips/min':>10s} {'frames/s':>9s} {'efficiency':>10s}  same results"]
    for r in report["runs"]:
        lines.append(f"{r['workers']:7d} {r['seconds']:8.1f} {r['clips_per_min']:10.1f} {r['frames_per_s']:9.1f} "
                     f"{r['efficiency']:10.0%}  {'yes' if r['same_results'] else 'NO'}"
                     + (f"  ({r['failed']} clips failed)" if r["failed"] else ""))
    c = report["cluster"]
    lines.append(f"on paper: {c['nodes']} nodes like this one ({c['workers_per_node']} workers each) on {c['clips']:,} "
                 f"clips of {c['video_seconds_per_clip']:.0f} s ({c['frames_per_clip']:.0f} frames) each: "
                 f"{c['cluster_frames_per_s']:.0f} frames/s, {c['clips_per_min']:.0f} clips/min, {c['hours']:.1f} h")
    return "\n".join(lines)
