"""The one upload pipeline, shared by the Upload page and `posetracker analyze`:

    result = analyze_video("clip.mp4", options, "movenet", export_path="out.mp4", progress=print)

decode (rotation metadata, pts timing, any size; the model's picture made by the tracker's `ModelPicture`, as
`posecache` makes it, so `eval` and `analyze` count the same) -> `Tracker.step` -> `Analysis` recorder ->
annotate and encode the export at the original resolution and frame rate (audio dropped).

Three stages overlap on bounded queues (PyAV and the model runtimes release the GIL): a decoder thread, the
calling thread (inference and engine), and an encoder thread (drawing and H.264). Nothing buffers the whole
video. `cancel` (a `threading.Event`) stops all three cleanly and removes every partial file.
"""
from __future__ import annotations

import queue
from collections import Counter
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from posetracker import events as ev
from posetracker.errors import PoseTrackerError
from posetracker.options import Options
from posetracker.upload_progress import Progress, Reporter

QUEUE_FRAMES = 6      # frames in flight between two stages: bounds memory (a 4K RGB frame is 25 MB)
BATCH_FRAMES = 300    # keypoints per `keypoints_batch` event
_POLL_S = 0.1
NO_PERSON = ("Nothing was counted: no person was found in this video. Film the whole body in good light, "
             "facing or side-on to the camera.")
_END = object()


class AnalysisCancelled(PoseTrackerError):
    def __init__(self) -> None:
        super().__init__("analysis_cancelled", "The analysis was cancelled; nothing was kept. Start it again "
                         "when you are ready.")


@dataclass
class UploadResult:
    """An analysed video: the engine's `AnalysisResult` plus what the pipeline added around it."""

    analysis: Any                       # posetracker.analysis.AnalysisResult
    events: list[dict]                  # the whole event stream, pipeline messages included, in order
    info: Any                           # posetracker.video.VideoInfo of the source
    model: str
    model_notice: str | None = None     # why another model than the requested one ran
    export_path: Path | None = None
    keypoints_csv: Path | None = None
    wall_s: float = 0.0
    frames: int = 0
    options: Options | None = None
    files: dict[str, Path] = field(default_factory=dict)  # downloads by kind: video, events, keypoints, reps
    notices: list[str] = field(default_factory=list)      # things the user should know, e.g. a cut-short file

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    def to_dict(self) -> dict:
        """The `posetracker analyze --json` object (issue 3's contract)."""
        return self.analysis.to_dict()

    def __getattr__(self, name: str):  # reps, hold_seconds, reps_detail, ... come from the analysis
        if name == "analysis":
            raise AttributeError(name)
        return getattr(self.analysis, name)


def analyze_video(path: str | Path, options: Options, model: str = "movenet", *,
                  export_path: str | Path | None = None, watermark: bool | str | None = False,
                  keypoints_csv: str | Path | None = None,
                  progress: Callable[[Progress], None] | None = None,
                  cancel: threading.Event | None = None,
                  on_event: Callable[[dict], None] | None = None) -> UploadResult:
    """Analyse a whole video; optionally write the annotated export and the keypoints CSV.

    Raises `PoseTrackerError` (`video_load_error`, `media_decode_error`, ...) for unreadable input and
    `AnalysisCancelled` when `cancel` is set; in both cases no partial output is left behind.
    """
    from posetracker.analysis import Analysis
    from posetracker.estimators import resolve_model
    from posetracker.exports import KeypointsCsvWriter
    from posetracker.people import UPLOAD_CHECK_S
    from posetracker.tracker import MODEL_MAX_SIDE, Tracker
    from posetracker.video import VideoInfo, iter_frames

    started = time.monotonic()
    cancel = cancel or threading.Event()
    log: list[dict] = []

    def emit(event: dict) -> None:
        log.append(event)
        if on_event is not None:
            on_event(event)

    report = Reporter(progress, emit)
    report.message("loading video")
    info = VideoInfo.from_path(path)
    name, model_notice = resolve_model(model)
    export_path = check_output(export_path)
    keypoints_csv = check_output(keypoints_csv)
    partials = [p for p in (_partial(export_path), _partial(keypoints_csv)) if p is not None]
    stop = threading.Event()  # any stage failed, or cancelled
    failures: list[BaseException] = []
    tracker = Tracker(options, name, people_interval_s=UPLOAD_CHECK_S)
    people = tracker.people  # its `due`/`count` run in the decoder thread, `observe` in the tracker's step
    frames_q: queue.Queue = queue.Queue(QUEUE_FRAMES)
    export_q: queue.Queue | None = queue.Queue(QUEUE_FRAMES) if export_path else None
    threads = [threading.Thread(target=_decode, name="posetracker-decode", daemon=True,
                                args=(iter_frames, path, MODEL_MAX_SIDE, export_path is not None, people, frames_q,
                                      stop, failures))]
    if export_path:
        threads.append(threading.Thread(target=_encode, name="posetracker-encode", daemon=True,
                                        args=(_partial(export_path), info, options, _watermark_text(watermark),
                                              export_q, stop, failures)))
    kp_writer = KeypointsCsvWriter(_partial(keypoints_csv), (info.width, info.height)) if keypoints_csv else None
    batch: list[dict] = []
    ok = False
    try:
        analysis = Analysis(options, model=name)
        with tracker:
            for t in threads:
                t.start()
            report.start(max(info.frame_count, 1))
            frames = 0
            while True:
                if cancel.is_set():
                    raise AnalysisCancelled()
                frame = _get(frames_q, stop, cancel)
                if frame is _END:
                    break
                step = tracker.step(frame.image, frame.timestamp, people=frame.people)
                if step.warning is not None:
                    emit(step.warning)
                pose, snapshot = step.pose, step.state
                analysis.add(step.frame_id, step.timestamp, pose, step.events, snapshot)
                for event in step.events:
                    if event["type"] == "keypoints":  # an upload sends keypoints in batches, as PoseTracker does
                        batch.append({k: event[k] for k in ("timestampMs", "frameId", "keypoints")})
                    else:
                        emit(event)
                if len(batch) >= BATCH_FRAMES:
                    emit(ev.keypoints_batch(batch))
                    batch = []
                if kp_writer is not None:
                    kp_writer.add(frame.index, frame.timestamp, pose)
                if export_q is not None:
                    _put(export_q, (frame.full, frame.timestamp, pose, snapshot), stop)
                frames += 1
                report.frame(frames)
            if failures:
                raise failures[0]
            if cancel.is_set():
                raise AnalysisCancelled()
        if batch:
            emit(ev.keypoints_batch(batch))
        final = tracker.finish()
        for event in final:
            emit(event)
        result = analysis.finish(final, tracker.state())
        emit(summary_event(result))
        if export_q is not None:
            _put(export_q, _END, stop)
        for t in threads:
            t.join()
        if failures:
            raise failures[0]
        if cancel.is_set():
            raise AnalysisCancelled()
        if frames == 0:
            raise PoseTrackerError("media_decode_error", "This video has no frame we can decode. It may be "
                                   "damaged or empty; try exporting it again as MP4 (H.264).")
        if kp_writer is not None:
            kp_writer.close()
            _partial(keypoints_csv).replace(keypoints_csv)
            emit(ev.export_ready(str(keypoints_csv), "csv", keypoints_csv.stat().st_size))
        if export_path is not None:
            _partial(export_path).replace(export_path)
            emit(ev.export_ready(str(export_path), "video", export_path.stat().st_size))
        notices = [model_notice] if model_notice else []
        if not any(point.person_visible for point in result.trace):
            notices.append(NO_PERSON)
        elif crowd := people.summary():
            notices.append(crowd)
        if info.frame_count and frames < info.frame_count - max(2, 0.02 * info.frame_count):
            notices.append(f"This video ended early: {frames} of the {info.frame_count} frames its header announces "
                           f"could be decoded, so the results cover its first {result.duration_s:.1f} s. The file "
                           "may be cut short; export it again to analyse all of it.")
        report.done(frames)
        ok = True
        return UploadResult(result, log, info, name, model_notice, export_path, keypoints_csv,
                            time.monotonic() - started, frames, options, notices=notices)
    finally:
        if not ok:
            stop.set()
        for t in threads:
            if t.is_alive():
                t.join()
        if kp_writer is not None:
            kp_writer.close()
        for p in partials:  # finished outputs were renamed into place; whatever is left is partial
            p.unlink(missing_ok=True)


def check_output(path: str | Path | None) -> Path | None:
    """An output path we can write, checked before any work (a typo must not cost a whole analysis)."""
    if not path:
        return None
    path = Path(path)
    if path.is_dir() or not path.parent.is_dir():
        raise PoseTrackerError("export_error", f"Cannot write {path}: "
                               + ("it is a folder." if path.is_dir() else "its folder does not exist.")
                               + " Give a file path in an existing folder.")
    return path


def analyze_upload(video: str | Path, settings, folder: str | Path, *,
                   progress: Callable[[Progress], None] | None = None,
                   cancel: threading.Event | None = None) -> UploadResult:
    """The Upload page's analysis: `analyze_video` with the session's gated settings, every output in `folder`.

    Writes the annotated video (when export is on, watermarked per plan), the keypoints CSV (when keypoints are
    on), the per-rep CSV and the events JSONL; `result.files` maps each kind to its path.
    """
    from posetracker.exports import write_events_jsonl, write_reps_csv
    from posetracker.options import Mode
    from posetracker.settings import enforce

    settings, _ = enforce(settings)  # the page already gated them; a forged object still cannot get past here
    folder = Path(folder)
    options = settings.to_options(Mode.UPLOAD)
    result = analyze_video(video, options, settings.model,
                           export_path=folder / "annotated.mp4" if settings.export else None,
                           watermark=settings.watermark or False,
                           keypoints_csv=folder / "keypoints.csv" if options.keypoints else None,
                           progress=progress, cancel=cancel)
    if result.export_path:
        result.files["video"] = result.export_path
    if result.keypoints_csv:
        result.files["keypoints"] = result.keypoints_csv
    if result.reps is not None:
        reps = write_reps_csv(result.reps_detail, folder / "reps.csv")
        result.files["reps"] = reps
        result.events.append(ev.export_ready(str(reps), "csv", reps.stat().st_size))
    result.files["events"] = write_events_jsonl(result.events, folder / "events.jsonl")
    return result


def summary_event(result) -> dict:
    """`exercise_summary` of a finished analysis: the count or hold time, rejections, and (when the form score
    is on: the recorded state is gated) the average score and the grades."""
    grades = Counter(r.grade for r in result.reps_detail if r.grade)
    rejected = sum(1 for r in result.reps_detail if not r.counted)
    event = ev.exercise_summary(result.exercise, result.reps, result.hold_seconds, result.duration_s,
                                result.avg_score, dict(grades), rejected)
    if getattr(result, "reference", None):
        from posetracker.reference.results import history

        event["history"] = history(result.reps_detail)
    return event


# --- stages ---------------------------------------------------------------------------------------------------

def _decode(iter_frames, path, max_side, full, people, out: queue.Queue, stop: threading.Event,
            failures: list) -> None:
    try:
        for frame in iter_frames(path, max_side, full=full, people=people):
            if not _put(out, frame, stop):
                return
    except BaseException as exc:  # handed to the calling thread, which raises it
        failures.append(exc)
        stop.set()
    finally:
        _put(out, _END, stop)


def _encode(part: Path, info, options: Options, watermark: str | None, inbox: queue.Queue,
            stop: threading.Event, failures: list) -> None:
    from posetracker.overlay import Overlay
    from posetracker.video import VideoWriter

    overlay = Overlay(options, watermark=watermark)
    try:
        with VideoWriter(part, info.width, info.height, info.fps) as writer:
            while True:
                item = _get(inbox, stop)
                if item is _END:
                    return
                image, timestamp, pose, state = item
                writer.write(overlay.draw(image, pose, state), timestamp)
    except BaseException as exc:
        failures.append(exc)
        stop.set()


def _put(q: queue.Queue, item, stop: threading.Event) -> bool:
    """Put unless the pipeline stops first; never blocks forever on a dead consumer."""
    while True:
        try:
            q.put(item, timeout=_POLL_S)
            return True
        except queue.Full:
            if stop.is_set():
                return False


def _get(q: queue.Queue, stop: threading.Event, cancel: threading.Event | None = None):
    while True:
        try:
            return q.get(timeout=_POLL_S)
        except queue.Empty:
            if stop.is_set() or (cancel is not None and cancel.is_set()):
                return _END


def _partial(path: Path | None) -> Path | None:
    """Outputs are written beside their destination under a temporary name and renamed when complete."""
    return None if path is None else path.with_name(f".{path.stem}.part{path.suffix}")


def _watermark_text(watermark: bool | str | None) -> str | None:
    from posetracker.plans import WATERMARK_TEXT

    return WATERMARK_TEXT if watermark is True else str(watermark) if watermark else None
