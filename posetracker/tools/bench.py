"""`posetracker bench`: what each stage costs against the model's own cost, on real clips, in one run.

    report = run_bench(BenchConfig(videos=Path("../shared/testdata/videos")))
    print(format_report(report))          # or json.dumps(report)

Figures on a shared machine are noisy, so every target is a ratio of two timings taken in the same run, on the
same frames: "model-only" is `estimator.estimate()` on frames already decoded at the size the pipeline feeds
the model (the model plus its own input preparation, nothing of ours around it). The live callback and the
model-only call are interleaved frame by frame so that load spikes hit both alike.

The baseline is the way popular open-source trainers do it: OpenCV capture, MediaPipe Pose on every
full-resolution frame, per-frame Python angle maths and `mp_drawing` overlay, `cv2.VideoWriter` for export. Its
live figure is that loop body inside a streamlit-webrtc callback, written as that library's examples write one
(`frame.to_ndarray(format="bgr24")`, the loop, `VideoFrame.from_ndarray(..., format="bgr24")`), so both live
figures go from a camera frame to a frame for the encoder; the loop body alone is reported beside it.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from posetracker.tools.bench_baseline import BASELINE_DESCRIPTION, _BaselineTrainer, baseline_upload
from posetracker.tools.bench_children import measure_cold_start, measure_upload_rss
from posetracker.tools.bench_report import (  # noqa: F401 - format_report and _cpu_model are read from here
    _cpu_model, _loadavg, _median_p95, _r, format_report, machine_info)

MODELS = ("movenet", "blazepose")
LIVE_SIZE = (640, 480)     # what the Live page asks the camera for
WARMUP_FRAMES = 3          # first inferences allocate and detect; left out of the per-frame figures
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi")
MODEL_KEYS = ("model_ms_median", "model_ms_p95", "live_ms_median", "live_ms_p95", "live_ratio",
              "upload_fps_export_off", "upload_realtime_export_off", "upload_ratio_export_off",
              "upload_fps_export_on", "upload_realtime_export_on", "upload_ratio_export_on",
              "peak_rss_mb", "cold_start_s")
BASELINE_KEYS = ("live_ms_median", "live_ms_p95", "live_loop_ms_median", "upload_fps_export_off", "upload_realtime_export_off",
                 "upload_fps_export_on", "upload_realtime_export_on")


@dataclass(frozen=True)
class BenchConfig:
    videos: Path
    models: tuple[str, ...] = MODELS
    live_frames: int = 300          # 640x480 frames through the live callback
    upload_seconds: float = 20.0    # the 720p clip is cut to this (stream copy) for the upload runs
    memory_seconds: float | None = None  # None: the longest clip whole
    exercise: str = "squat"
    baseline: bool = True
    quick: bool = False
    long_minutes: float = 0.0       # > 0: also the peak memory of an upload this long at 1080p (synthesised)


def quick(config: BenchConfig) -> BenchConfig:
    return replace(config, live_frames=60, upload_seconds=5.0, memory_seconds=15.0, quick=True)


def default_videos_dir() -> Path | None:
    """`../shared/testdata/videos` beside the project (or under $POSETRACKER_SHARED_DIR), when present."""
    project = Path(__file__).resolve().parent.parent
    shared = Path(os.environ.get("POSETRACKER_SHARED_DIR") or project.parent / "shared")
    videos = shared / "testdata" / "videos"
    return videos if videos.is_dir() else None


# --- the run ------------------------------------------------------------------------------------------------

def run_bench(config: BenchConfig, log: Callable[[str], None] = lambda s: None) -> dict:
    """Every figure of the benchmark as one JSON-serialisable object (see `MODEL_KEYS`, `BASELINE_KEYS`)."""
    from posetracker.errors import PoseTrackerError

    from posetracker.estimators import model_installed

    started = time.perf_counter()
    missing = [m for m in config.models if m == "movenet" and not model_installed(m)]
    if missing:  # the pipeline would quietly fall back to BlazePose and the figures would lie
        raise PoseTrackerError("model_not_installed", "MoveNet weights are not installed, so it cannot be measured. "
                               "Run `posetracker models fetch movenet`, or bench only `--model blazepose`.")
    upload_src, memory_src = pick_clips(config.videos)
    if upload_src is None:
        raise PoseTrackerError("no_clips", f"No readable video in {config.videos}. Point --videos at a folder of "
                               "clips (e.g. ../shared/testdata/videos).")
    report: dict = {"machine": machine_info(config), "models": {}, "baseline": {}}
    with tempfile.TemporaryDirectory(prefix="posetracker-bench-") as tmp:
        tmp = Path(tmp)
        upload_clip = cut_clip(upload_src, tmp / "upload.mp4", config.upload_seconds)
        memory_clip = cut_clip(memory_src, tmp / "memory.mp4", config.memory_seconds) if config.memory_seconds \
            else memory_src
        info = _info(upload_clip)
        report["machine"]["clips"] = {
            "upload": {"name": upload_src.name, "width": info.width, "height": info.height,
                       "fps": round(info.fps, 2), "seconds": round(info.duration_s, 2)},
            "memory": {"name": memory_src.name, "seconds": round(_info(memory_clip).duration_s, 2)},
            "live": {"name": upload_src.name, "width": LIVE_SIZE[0], "height": LIVE_SIZE[1],
                     "frames": config.live_frames},
        }
        live = live_frames(upload_clip, config.live_frames)
        for model in config.models:
            log(f"{model}: live callback on {len(live)} frames at {LIVE_SIZE[0]}x{LIVE_SIZE[1]}")
            figures = bench_live(model, live, config.exercise, baseline=config.baseline and model == "blazepose")
            baseline_live = figures.pop("baseline", None)
            log(f"{model}: model only on {upload_src.name} (first {info.duration_s:.0f} s)")
            model_ms = model_only(model, upload_clip)
            uploads = {}
            for export in (False, True):
                log(f"{model}: upload, export {'on' if export else 'off'}")
                uploads[export] = bench_upload(model, upload_clip, config.exercise,
                                               tmp / "export.mp4" if export else None)
            log(f"{model}: model only again (the machine's load drifts; the ratios use both passes)")
            model_ms += model_only(model, upload_clip)
            figures["model_ms_median"], figures["model_ms_p95"] = _median_p95(model_ms)
            model_total = float(np.sum(model_ms)) / 2000.0  # seconds per pass over the clip
            for export, (wall, frames) in uploads.items():
                key = "on" if export else "off"
                figures[f"upload_fps_export_{key}"] = _r(frames / wall, 1)
                figures[f"upload_realtime_export_{key}"] = _r(frames / info.fps / wall, 2)
                figures[f"upload_ratio_export_{key}"] = _r(wall / model_total, 2)
            figures["upload_model_only_fps"] = _r(len(model_ms) / 2 / model_total, 1)
            log(f"{model}: peak memory of the upload of {memory_src.name} (export on), in a subprocess")
            memory = measure_upload_rss(model, memory_clip, config.exercise, tmp)
            figures["peak_rss_mb"] = memory["peak_rss_mb"]
            figures["peak_rss_mb_first_third"] = memory["peak_rss_mb_first_third"]
            figures["rss_grows_with_length"] = memory["grows"]
            log(f"{model}: cold start, in a subprocess")
            figures["cold_start_s"] = measure_cold_start(model, upload_clip)
            if config.long_minutes > 0:
                long_clip = tmp / "long-1080p.mp4"
                if not long_clip.exists():
                    log(f"synthesising a {config.long_minutes:g}-minute 1920x1080 clip from {memory_src.name}")
                    synthesise_long_clip(memory_src, long_clip, config.long_minutes * 60.0)
                log(f"{model}: peak memory of a {config.long_minutes:g}-minute 1080p upload (export on)")
                t0 = time.perf_counter()
                long = measure_upload_rss(model, long_clip, config.exercise, tmp)
                figures["long_upload"] = {"minutes": config.long_minutes, "width": 1920, "height": 1080,
                                          "frames": long["frames"], "peak_rss_mb": long["peak_rss_mb"],
                                          "peak_rss_mb_first_third": long["peak_rss_mb_first_third"],
                                          "wall_s": _r(time.perf_counter() - t0, 1)}
            report["models"][model] = {k: figures[k] for k in MODEL_KEYS} | {
                k: v for k, v in figures.items() if k not in MODEL_KEYS}
            if baseline_live is not None:
                report["baseline"].update(baseline_live)
        if config.baseline:
            log("baseline: MediaPipe Pose on every full-resolution frame with OpenCV drawing")
            for export in (False, True):
                wall, frames = baseline_upload(upload_clip, tmp / "baseline.mp4" if export else None)
                key = "on" if export else "off"
                report["baseline"][f"upload_fps_export_{key}"] = _r(frames / wall, 1)
                report["baseline"][f"upload_realtime_export_{key}"] = _r(frames / info.fps / wall, 2)
            report["baseline"]["description"] = BASELINE_DESCRIPTION
    report["machine"]["load_after"] = _loadavg()
    report["machine"]["bench_s"] = _r(time.perf_counter() - started, 1)
    return report


def pick_clips(videos: Path) -> tuple[Path | None, Path | None]:
    """The upload clip (the longest landscape 720p clip at about 30 fps, other than the longest clip of all,
    which is kept for the memory run) and the memory clip (the longest)."""
    infos = []
    for path in sorted(Path(videos).iterdir()):
        if path.suffix.lower() in VIDEO_SUFFIXES:
            try:
                infos.append((path, _info(path)))
            except Exception:  # noqa: BLE001 - an unreadable file is just not a candidate
                continue
    if not infos:
        return None, None
    longest = max(infos, key=lambda pi: pi[1].duration_s)[0]
    hd30 = [(p, i) for p, i in infos if i.height == 720 and i.width > i.height and i.fps >= 29]
    candidates = [pi for pi in hd30 if pi[0] != longest] or hd30 or infos
    upload = max(candidates, key=lambda pi: pi[1].duration_s)[0]
    return upload, longest


def synthesise_long_clip(src: Path, dst: Path, seconds: float, size: tuple[int, int] = (1920, 1080)) -> Path:
    """A `seconds`-long H.264 clip at `size` and the source's frame rate: `src` looped, scaled and padded."""
    import cv2

    from posetracker.video import VideoWriter, iter_frames

    info = _info(src)
    fps = info.fps or 30.0
    total = round(seconds * fps)
    w, h = size
    written = 0
    with VideoWriter(dst, w, h, fps) as writer:
        while written < total:
            for frame in iter_frames(src):
                img = frame.image
                f = min(w / img.shape[1], h / img.shape[0])
                img = cv2.resize(img, (round(img.shape[1] * f), round(img.shape[0] * f)))
                canvas = np.zeros((h, w, 3), np.uint8)
                y, x = (h - img.shape[0]) // 2, (w - img.shape[1]) // 2
                canvas[y:y + img.shape[0], x:x + img.shape[1]] = img
                writer.write(canvas, written / fps)
                written += 1
                if written >= total:
                    break
    return dst


def cut_clip(src: Path, dst: Path, seconds: float | None) -> Path:
    """The first `seconds` of `src` as a stream copy (no re-encode), or `src` itself when it is shorter."""
    import av

    if seconds is None or _info(src).duration_s <= seconds + 0.5:
        return src
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = inp.streams.video[0]
        copy = out.add_stream_from_template(stream)
        start = None
        for packet in inp.demux(stream):
            if packet.dts is None:
                continue
            start = packet.dts if start is None else start
            if (packet.dts - start) * stream.time_base >= seconds:
                break
            packet.stream = copy
            out.mux(packet)
    return dst


def live_frames(path: Path, n: int) -> list:
    """`n` frames of the clip as a 640x480 camera would send them: av.VideoFrames in yuv420p with pts."""
    import av
    import cv2

    from posetracker.video import iter_frames

    frames = []
    w, h = LIVE_SIZE
    for frame in iter_frames(path):
        img = frame.image
        ih, iw = img.shape[:2]
        if iw * h > ih * w:  # wider than 4:3: keep the centre
            cw = ih * w // h
            img = img[:, (iw - cw) // 2:(iw - cw) // 2 + cw]
        else:
            ch = iw * h // w
            img = img[(ih - ch) // 2:(ih - ch) // 2 + ch]
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24").reformat(format="yuv420p")
        vf.pts = round(frame.timestamp * 90000)
        vf.time_base = Fraction(1, 90000)
        frames.append(vf)
        if len(frames) >= n:
            break
    return frames


def bench_live(model: str, frames: list, exercise: str, baseline: bool = False) -> dict:
    """The live callback (`LiveProcessor.process_av_frames`, as the Live page calls it) against model-only on
    the same 640x480 frames, interleaved; with `baseline`, the trainer-style loop on them too."""
    import av

    from posetracker.estimators import create_estimator
    from posetracker.live import LiveProcessor
    from posetracker.options import Mode, Options

    processor = LiveProcessor(model, Options(exercise=exercise, mode=Mode.LIVE))
    trainer = _BaselineTrainer() if baseline else None
    model_ms, live_ms, base_ms, loop_ms = [], [], [], []
    try:
        with create_estimator(model) as estimator:
            for vf in frames:
                rgb = vf.to_ndarray(format="rgb24")
                t0 = time.perf_counter()
                estimator.estimate(rgb, float(vf.time))
                t1 = time.perf_counter()
                processor.process_av_frames([vf])
                t2 = time.perf_counter()
                model_ms.append((t1 - t0) * 1000)
                live_ms.append((t2 - t1) * 1000)
                if trainer is not None:
                    # The trainer's loop body as a streamlit-webrtc callback runs it (that library's own
                    # pattern): the frame to a BGR array, the loop, and back to a frame for the encoder.
                    t3 = time.perf_counter()
                    bgr = vf.to_ndarray(format="bgr24")
                    t4 = time.perf_counter()
                    out_bgr = trainer.step(bgr)
                    t5 = time.perf_counter()
                    av.VideoFrame.from_ndarray(out_bgr, format="bgr24")
                    t6 = time.perf_counter()
                    base_ms.append((t6 - t3) * 1000)
                    loop_ms.append((t5 - t4) * 1000)
    finally:
        processor.close()
        if trainer is not None:
            trainer.close()
    if processor.snapshot().error:
        raise RuntimeError(f"the live callback failed: {processor.snapshot().error}")
    m_med, _ = _median_p95(model_ms[WARMUP_FRAMES:])
    l_med, l_p95 = _median_p95(live_ms[WARMUP_FRAMES:])
    out = {"live_ms_median": l_med, "live_ms_p95": l_p95, "live_ratio": _r(l_med / m_med, 2),
           "live_model_ms_median": m_med, "live_fps": _r(1000.0 / l_med, 1)}
    if trainer is not None:
        b_med, b_p95 = _median_p95(base_ms[WARMUP_FRAMES:])
        loop_med, _ = _median_p95(loop_ms[WARMUP_FRAMES:])
        out["baseline"] = {"live_ms_median": b_med, "live_ms_p95": b_p95, "live_fps": _r(1000.0 / b_med, 1),
                           "live_loop_ms_median": loop_med}
    return out


def model_only(model: str, path: Path) -> list[float]:
    """ms of `estimate()` per frame, on every frame of the clip decoded as the upload pipeline feeds it."""
    from posetracker.estimators import create_estimator
    from posetracker.tools.posecache import MODEL_MAX_SIDE
    from posetracker.video import iter_frames

    times = []
    with create_estimator(model) as estimator:
        for frame in iter_frames(path, max_side=MODEL_MAX_SIDE):
            t0 = time.perf_counter()
            estimator.estimate(frame.image, frame.timestamp)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def bench_upload(model: str, path: Path, exercise: str, export: Path | None) -> tuple[float, int]:
    """Wall seconds and frames of the real upload pipeline (`analyze_video`) on the clip."""
    from posetracker.options import Mode, Options
    from posetracker.pipeline import analyze_video

    t0 = time.perf_counter()
    result = analyze_video(path, Options(exercise=exercise, mode=Mode.UPLOAD), model, export_path=export)
    wall = time.perf_counter() - t0
    if export is not None:
        export.unlink(missing_ok=True)
    return wall, result.frames


def _info(path: Path):
    from posetracker.video import VideoInfo

    return VideoInfo.from_path(path)
