"""The live pipeline of one camera session: frame in, annotated frame out, results kept for the page to poll.

    processor = LiveProcessor("movenet", Options(exercise="squat"))
    image = processor.process(image_rgb, timestamp)   # on the camera thread
    snapshot = processor.snapshot()                     # on the page's thread, any time
    times, poses = processor.recent_poses()            # the last POSE_HISTORY_S of poses (record a reference)

The processor owns the session's `Tracker` (estimator, engine, people check, gate) and the annotators. It
never imports streamlit: the page hands it frames from streamlit-webrtc's callback thread and polls
`snapshot()`, an immutable `LiveSnapshot` swapped under a lock. Frames that queued up while one was being
processed are dropped (the latest wins), so latency stays bounded on a slow machine. An exception while
processing a frame is caught, reported once in the snapshot and the log, and the next frame is tried afresh:
nothing ever raises into the WebRTC worker.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Sequence

import cv2
import numpy as np

from posetracker.annotate import I420, Status, StatusAnnotator
from posetracker.errors import PoseTrackerError
from posetracker.estimators import MODEL_TITLES, Estimator, create_estimator
from posetracker.options import Options
from posetracker.overlay import Overlay
from posetracker.people import CHECK_INTERVAL_S as PEOPLE_CHECK_S
from posetracker.pose import Pose
from posetracker.tracker import Tracker
from posetracker.video import i420_frame, plain_i420

logger = logging.getLogger(__name__)

EVENT_LOG_SIZE = 200
RECENT_GRADES = 10
# A pts jump backwards, or forward by more than this, means a new stream (STOP then START): the estimator
# forgets its tracking state and the engine's clock carries on from where it was, never across the gap.
NEW_STREAM_GAP_S = 2.0
STREAM_RESUME_STEP_S = 1 / 30
# Poses kept for "record a reference": longer than any one repetition, and the seconds before its start teach the
# signature the body's size. About 1 KB a pose: under a megabyte a session at 30 frames/s.
POSE_HISTORY_S = 30.0
ERROR_SHOWN_S = 5.0  # a frame failure stays in the snapshot this long after the last one
FRAME_FAILED = PoseTrackerError(
    "live_frame_error", "A camera frame could not be processed, so it was shown without the overlay; tracking "
    "goes on with the next frames and the count is kept. If this message stays, press STOP and then START.")
_EMA = 0.1  # weight of the newest frame in the fps and ms averages


def default_engine_factory(options: Options):
    from posetracker.engine import create_engine

    return create_engine(options)


@dataclass(frozen=True)
class LiveSnapshot:
    """What the page shows. Immutable: the camera thread replaces it whole, the page reads it whole."""

    model: str
    options: Options
    mirror: bool = True
    frames_processed: int = 0
    frames_dropped: int = 0
    fps: float | None = None
    ms_per_frame: float | None = None  # estimate + track + draw, averaged
    person_visible: bool = False
    people: int = 1  # people of comparable size in view, confirmed by the people check (1 = nothing to say)
    pose: Pose | None = None
    state: Any = None  # the engine's EngineState, or None before the first frame
    events: tuple[dict, ...] = ()  # the most recent events, oldest first
    recent_grades: tuple[str, ...] = ()
    error: str | None = None  # what went wrong, in plain words for the page (never exception text)
    error_code: str | None = None  # its code in `posetracker.errors.ERRORS`
    updated_at: float | None = None  # time.monotonic() of the last processed frame
    stream_time: float | None = None  # the engine's time of the last processed frame (its pose's timestamp)

    @property
    def model_title(self) -> str:
        return MODEL_TITLES.get(self.model, self.model)

    @property
    def count(self) -> int:
        return int(getattr(self.state, "count", 0) or 0)

    def seconds_since_frame(self, now: float | None = None) -> float | None:
        if self.updated_at is None:
            return None
        return (time.monotonic() if now is None else now) - self.updated_at


class LiveProcessor:
    """One camera session's pipeline. `process` runs on the camera thread; everything else is thread-safe."""

    def __init__(self, model: str, options: Options, *, mirror: bool = True, keypoint_threshold: float = 0.3,
                 estimator: Estimator | None = None,
                 engine_factory: Callable[[Options], Any] | None = default_engine_factory) -> None:
        estimator = estimator or create_estimator(model)
        # A browser session that just goes away never calls close(); release the stream's graph with it.
        weakref.finalize(self, estimator.close)
        self._tracker = Tracker(options, model, estimator=estimator, engine_factory=engine_factory,
                                people_interval_s=PEOPLE_CHECK_S)
        self._options = options
        self._overlay = Overlay(options, mirror=mirror, keypoint_threshold=keypoint_threshold)
        self._status = StatusAnnotator()
        self._work = threading.Lock()     # held while a frame is processed; reset/configure wait for it
        self._published = threading.Lock()
        self._snapshot = LiveSnapshot(model=model, options=options, mirror=mirror)
        self._events: deque[dict] = deque(maxlen=EVENT_LOG_SIZE)
        self._grades: deque[str] = deque(maxlen=RECENT_GRADES)
        self._history: deque[tuple[float, Pose | None]] = deque()  # (engine time, pose), POSE_HISTORY_S long
        self._reported_errors: set[str] = set()
        self._clock: tuple[float, float] | None = None  # (stream pts origin, engine time at that origin)
        self._last_pts: float | None = None
        self._last_time = 0.0
        self._last_wall: float | None = None
        self._error_at: float | None = None  # time.monotonic() of the last failure

    # --- the camera thread -----------------------------------------------------------------------------

    def process(self, image_rgb: np.ndarray, pts: float, picture: I420 | None = None):
        """Estimate, track and draw one RGB frame whose stream timestamp is `pts` seconds. Never raises.

        The overlay goes on a copy of the frame (mirrored if asked), returned; or, given `picture` (the same
        frame's own yuv420p planes, already mirrored if asked), on those planes, returned."""
        with self._work:
            started = time.perf_counter()
            try:
                return self._process(image_rgb, pts, started, picture)
            except Exception as exc:  # noqa: BLE001 - the camera thread must keep going whatever happens
                self._report(exc)
                return image_rgb if picture is None else picture

    def process_queued(self, images: Sequence[tuple[np.ndarray, float]]) -> np.ndarray | None:
        """Process only the newest of the (image, pts) frames that queued up; the rest count as dropped."""
        if not images:
            return None
        self._count_dropped(len(images) - 1)
        image, pts = images[-1]
        return self.process(image, pts)

    def process_av_frames(self, frames: list) -> list:
        """streamlit-webrtc's `queued_video_frames_callback` body: av.VideoFrames in, the newest annotated out."""
        if not frames:
            return []
        self._count_dropped(len(frames) - 1)
        newest = frames[-1]
        try:
            pts = float(newest.time) if newest.time is not None else self._tracker.frames / 30.0
            planes = _i420_of(newest)
            if planes is None:  # another pixel format: swscale's RGB, drawn on and converted back
                return [_av_frame_of(self.process(newest.to_ndarray(format="rgb24"), pts))]
            rgb = cv2.cvtColor(planes, cv2.COLOR_YUV2RGB_I420)
            picture = I420(planes).mirrored() if self._overlay.mirror else I420(planes)
        except Exception as exc:  # noqa: BLE001 - a frame we cannot read must not stop the stream either
            self._report(exc)
            return [newest]
        # The overlay is drawn on the frame's own planes and they go back to the encoder as they are: the RGB
        # picture is only the model's. (Drawing in RGB cost a conversion back to yuv420p and a full-frame flip.)
        return [i420_frame(self.process(rgb, pts, picture))]

    def _count_dropped(self, n: int) -> None:
        if n > 0:
            with self._published:
                self._snapshot = replace(self._snapshot, frames_dropped=self._snapshot.frames_dropped + n)

    def _process(self, image_rgb: np.ndarray, pts: float, started: float, picture: I420 | None):
        step = self._tracker.step(image_rgb, self._engine_time(pts))
        pose, state = step.pose, step.state
        events = step.events if step.warning is None else [*step.events, step.warning]

        if picture is not None:
            out = picture
        else:  # cv2.flip is ~50x faster than copying numpy's negative-stride view of 3-byte pixels.
            out = cv2.flip(image_rgb, 1) if self._overlay.mirror else image_rgb.copy()
        out = self._overlay.draw(out, pose, state)

        elapsed_ms = (time.perf_counter() - started) * 1000.0
        now = time.monotonic()
        with self._published:
            previous = self._snapshot
            fps = previous.fps
            if self._last_wall is not None and now > self._last_wall:
                rate = 1.0 / (now - self._last_wall)
                fps = rate if fps is None else (1 - _EMA) * fps + _EMA * rate
            ms = elapsed_ms if previous.ms_per_frame is None else (1 - _EMA) * previous.ms_per_frame + _EMA * elapsed_ms
            self._last_wall = now
            self._history.append((step.timestamp, pose))
            while step.timestamp - self._history[0][0] > POSE_HISTORY_S:
                self._history.popleft()
            for event in events:
                self._events.append(event)
                if event.get("type") == "form_score" and event.get("grade"):
                    self._grades.append(str(event["grade"]))
            self._snapshot = replace(
                previous, frames_processed=previous.frames_processed + 1, fps=fps, ms_per_frame=ms,
                person_visible=pose is not None, people=step.people, pose=pose, state=state,
                events=tuple(self._events) if events else previous.events,  # most frames bring none
                **({} if self._error_at is not None and now - self._error_at < ERROR_SHOWN_S
                   else {"error": None, "error_code": None}),
                recent_grades=tuple(self._grades) if events else previous.recent_grades, updated_at=now,
                stream_time=step.timestamp,
            )
        crowd = f"{step.people} people in view: only one is tracked" if step.people > 1 else None
        self._status.annotate(out, Status(previous.model_title, fps, ms, crowd))
        return out

    def _engine_time(self, pts: float) -> float:
        """Engine time from stream pts: starts at 0 and only moves forward, across STOP/START too."""
        if self._clock is None:
            self._clock = (pts, 0.0)
        elif self._last_pts is not None and not (0.0 <= pts - self._last_pts <= NEW_STREAM_GAP_S):
            self._tracker.new_stream()
            self._clock = (pts, self._last_time + STREAM_RESUME_STEP_S)
            self._error_at = None  # START again after a failure: the old message no longer applies
        self._last_pts = pts
        origin, base = self._clock
        self._last_time = base + (pts - origin)
        return self._last_time

    def _report(self, exc: Exception) -> None:
        key = type(exc).__name__
        if key not in self._reported_errors:
            self._reported_errors.add(key)
            # The traceback once per kind of failure: enough to fix it, and a broken camera cannot flood the log.
            logger.error("Live frame processing failed; tracking continues with the next frame.", exc_info=exc)
        shown = exc if isinstance(exc, PoseTrackerError) else FRAME_FAILED  # the user reads a sentence
        self._error_at = time.monotonic()
        with self._published:
            self._snapshot = replace(self._snapshot, error=shown.message, error_code=shown.code)

    # --- the page's thread -----------------------------------------------------------------------------

    def snapshot(self) -> LiveSnapshot:
        with self._published:
            return self._snapshot

    def recent_poses(self) -> tuple[tuple[float, ...], tuple[Pose | None, ...]]:
        """The poses of the last `POSE_HISTORY_S` of the stream and their engine times, oldest first (None: no
        person in that frame). Kept across a new set: the engine's time only moves forward."""
        with self._published:
            history = tuple(self._history)
        return tuple(t for t, _ in history), tuple(p for _, p in history)

    def reset(self) -> None:
        """Start a new set: a fresh engine, no count, no grades, no events. The model stays loaded."""
        with self._work:
            # The set that ends leaves its jump_summary in the new set's log (jumps only; others end silently).
            ended = [e for e in self._tracker.finish() if e.get("type") == "jump_summary"]
            self._tracker.reset(self._options)
            self._events.clear()
            self._events.extend(ended)
            self._grades.clear()
            self._reported_errors.clear()
            with self._published:
                self._snapshot = LiveSnapshot(model=self._snapshot.model, options=self._options,
                                              mirror=self._overlay.mirror, events=tuple(ended),
                                              stream_time=self._snapshot.stream_time)  # the clock goes on

    def configure(self, options: Options | None = None, mirror: bool | None = None) -> None:
        """Apply the page's choices. New options (another exercise, difficulty, …) start a new set."""
        with self._work:
            if mirror is not None and mirror != self._overlay.mirror:
                self._overlay = Overlay(self._options, mirror=mirror, keypoint_threshold=self._overlay.threshold)
                with self._published:
                    self._snapshot = replace(self._snapshot, mirror=mirror)
        if options is not None and options != self._options:
            with self._work:
                self._options = options
                self._overlay = Overlay(options, mirror=self._overlay.mirror, keypoint_threshold=self._overlay.threshold)
            self.reset()

    @property
    def options(self) -> Options:
        return self._options

    def close(self) -> None:
        with self._work:
            self._tracker.close()


def _i420_of(frame) -> np.ndarray | None:
    """A camera frame's yuv420p planes as one writable array (a copy), or None when the fast path does not fit
    (another pixel format, an odd side, full-range colour): the caller then goes through swscale's RGB."""
    return frame.to_ndarray() if plain_i420(frame) else None


def _av_frame_of(image_rgb: np.ndarray):
    """The annotated frame for the WebRTC encoder, already in its yuv420p: otherwise aiortc converts it with a
    fresh swscale context per frame (~1.5 ms of CPU at 640x480, on the same two cores as the model)."""
    import av

    h, w = image_rgb.shape[:2]
    if h % 2 or w % 2:
        return av.VideoFrame.from_ndarray(image_rgb, format="rgb24")
    return i420_frame(I420.from_rgb(image_rgb))


ICE_SERVERS_ENV = "POSETRACKER_ICE_SERVERS"


def rtc_configuration(environ: Mapping[str, str] = os.environ, secrets: Mapping | None = None) -> dict:
    """The WebRTC configuration: ICE servers from `$POSETRACKER_ICE_SERVERS` (a JSON list) or from
    `ice_servers` under `[webrtc]` in `.streamlit/secrets.toml`; none by default, which works on localhost.

    An empty list (rather than None) also keeps streamlit-webrtc from reaching out to a public STUN server.
    """
    raw = environ.get(ICE_SERVERS_ENV, "").strip()
    if raw:
        try:
            servers = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise PoseTrackerError(
                "invalid_configuration",
                f"{ICE_SERVERS_ENV} is not valid JSON ({exc.msg}). Expected a list such as "
                '[{"urls": ["stun:stun.l.google.com:19302"]}].') from None
    else:
        servers = list((secrets or {}).get("ice_servers", []))
    if not isinstance(servers, list) or not all(isinstance(s, Mapping) and "urls" in s for s in servers):
        raise PoseTrackerError(
            "invalid_configuration",
            'ICE servers must be a list of objects with "urls" (and "username"/"credential" for TURN).')
    return {"iceServers": [dict(s) for s in servers]}
