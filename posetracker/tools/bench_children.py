"""`posetracker bench`'s measurements that need a fresh Python process: peak memory of an upload, and the time
from a cold start to the first pose. The children run `python -c` on the functions below."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from posetracker.tools.bench_report import _r


def measure_upload_rss(model: str, path: Path, exercise: str, tmp: Path) -> dict:
    """Peak RSS of an upload with export on, in a fresh process: after the first third of the frames and at
    the end. Memory is flat in clip length when the whole-clip peak is no more than a little above the first
    third's."""
    code = ("import sys, json; from posetracker.tools.bench_children import _upload_rss_child; "
            "print(json.dumps(_upload_rss_child(*sys.argv[1:])))")
    out = subprocess.run([sys.executable, "-c", code, model, str(path), exercise, str(tmp / "rss.mp4")],
                         capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    third, whole = figures["peak_rss_mb_first_third"], figures["peak_rss_mb"]
    figures["grows"] = bool(whole > third * 1.10 + 32)
    return figures


def _upload_rss_child(model: str, path: str, exercise: str, export: str) -> dict:
    from posetracker.options import Mode, Options
    from posetracker.pipeline import analyze_video

    third: list[float] = []

    def progress(p) -> None:
        if not third and p.frames_done >= p.frames_total / 3:
            third.append(_peak_rss_mb())

    result = analyze_video(path, Options(exercise=exercise, mode=Mode.UPLOAD), model, export_path=export,
                           progress=progress)
    Path(export).unlink(missing_ok=True)
    # VmHWM is read from approximate per-CPU counters on recent kernels, so a later reading can come out a
    # megabyte below an earlier one; the whole clip's peak includes the first third's by definition.
    whole = max([_peak_rss_mb(), *third])
    return {"peak_rss_mb": _r(whole, 0), "peak_rss_mb_first_third": _r(third[0] if third else whole, 0),
            "frames": result.frames}


def _peak_rss_mb() -> float:
    """The process's peak resident set (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def measure_cold_start(model: str, path: Path) -> float:
    """Seconds from starting a fresh Python process to its first pose on the clip's first frame."""
    code = "import sys; from posetracker.tools.bench_children import _first_pose_child; _first_pose_child(*sys.argv[1:])"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, model, str(path)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.stdout.read()
    if proc.wait() != 0 or not line.startswith("pose"):
        raise RuntimeError(f"the cold-start process failed ({line.strip() or 'no output'})")
    return _r(elapsed, 2)


def _first_pose_child(model: str, path: str) -> None:
    from posetracker.estimators import create_estimator
    from posetracker.tools.posecache import MODEL_MAX_SIDE
    from posetracker.video import iter_frames

    with create_estimator(model) as estimator:
        frame = next(iter(iter_frames(path, max_side=MODEL_MAX_SIDE)))
        pose = estimator.estimate(frame.image, frame.timestamp)
        print("pose" if pose is not None else "pose none", flush=True)
