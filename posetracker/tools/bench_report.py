"""What `posetracker bench` prints and records about the machine: the table of figures, the CPU, the load."""
from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np


def machine_info(config) -> dict:
    import av
    import cv2

    versions = {"python": platform.python_version(), "numpy": np.__version__, "av": av.__version__,
                "opencv": cv2.__version__}
    for dist in ("mediapipe", "ai-edge-litert"):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:  # noqa: BLE001
            versions[dist] = None
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "platform": platform.platform(),
            "versions": versions, "load_before": _loadavg(), "quick": config.quick,
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _median_p95(values: list[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 0.0
    return _r(float(np.median(values)), 2), _r(float(np.percentile(values, 95)), 2)


def _r(x: float, digits: int) -> float:
    return round(float(x), digits)


_ROWS = (("model only, ms/frame (median / p95)", "model_ms_median", "model_ms_p95", "ms"),
         ("live callback 640x480, ms/frame (median / p95)", "live_ms_median", "live_ms_p95", "ms"),
         ("  of which the loop alone (baseline)", "live_loop_ms_median", None, "ms"),
         ("live / model-only (target <= 1.3)", "live_ratio", None, "x"),
         ("upload export off: frames/s, x real time", "upload_fps_export_off", "upload_realtime_export_off", ""),
         ("upload export off / model-only (target <= 1.3)", "upload_ratio_export_off", None, "x"),
         ("upload export on: frames/s, x real time", "upload_fps_export_on", "upload_realtime_export_on", ""),
         ("upload export on / model-only (target <= 2)", "upload_ratio_export_on", None, "x"),
         ("peak RSS, MB (first third / whole clip)", "peak_rss_mb_first_third", "peak_rss_mb", ""),
         ("cold start to first pose, s", "cold_start_s", None, ""))


def format_report(report: dict) -> str:
    m = report["machine"]
    clips = m.get("clips", {})
    up = clips.get("upload", {})
    lines = [f"machine: {m['cpu']}, {m['cores']} cores, load {m['load_before']} -> {m.get('load_after')}"
             f"{' (quick)' if m.get('quick') else ''}",
             f"upload clip: {up.get('name')} {up.get('width')}x{up.get('height')} {up.get('fps')} fps, "
             f"{up.get('seconds')} s; memory clip: {clips.get('memory', {}).get('name')} "
             f"{clips.get('memory', {}).get('seconds')} s; live: {clips.get('live', {}).get('frames')} frames",
             ""]
    columns = list(report["models"]) + (["baseline"] if report.get("baseline") else [])
    width = 48
    lines.append(f"{'':{width}}" + "".join(f"{c:>20}" for c in columns))
    for label, a, b, unit in _ROWS:
        cells = []
        for c in columns:
            d = report["models"].get(c) if c != "baseline" else report["baseline"]
            if d is None or d.get(a) is None:
                cells.append("-")
                continue
            cell = f"{d[a]:g}{unit}" if b is None else f"{d[a]:g} / {d.get(b, '-'):g}" \
                if d.get(b) is not None else f"{d[a]:g}"
            cells.append(cell)
        lines.append(f"{label:{width}}" + "".join(f"{c:>20}" for c in cells))
    for name, d in report["models"].items():
        lines.append(f"{name}: memory {'grows' if d.get('rss_grows_with_length') else 'flat'} in clip length; "
                     f"live {d.get('live_fps')} frames/s; model alone {d.get('upload_model_only_fps')} frames/s")
        long = d.get("long_upload")
        if long:
            lines.append(f"{name}: {long['minutes']:g}-minute {long['width']}x{long['height']} upload, export on: "
                         f"peak RSS {long['peak_rss_mb']:g} MB (first third {long['peak_rss_mb_first_third']:g} MB), "
                         f"{long['frames']} frames in {long['wall_s']:g} s")
    if report.get("baseline", {}).get("description"):
        lines.append(f"baseline: {report['baseline']['description']}")
    lines.append(f"bench took {m.get('bench_s')} s")
    return "\n".join(lines)
