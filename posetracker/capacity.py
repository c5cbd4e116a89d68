"""How many live sessions this server holds at their target rate, and whether a new visitor may start one.

    admission = LiveAdmission()                          # one per server process
    refusal = admission.admit(session_id, "movenet", processor)
    if refusal: show(refusal.message)                    # plain words and what to do; nothing else starts

A live session costs the server a video decoder, the model, the drawing and a video encoder for as long as it
streams, and every session on the machine slows down together when the cores run out (measured: four browser
sessions on two cores got 1-2 frames a second each). So a new session is admitted only while the sessions
already streaming leave room for one more at the target rate; otherwise the visitor is told to try again
shortly or to upload a video, and the running sessions keep their rate.

The room is counted in MoveNet sessions, each model weighing by its measured cost (`posetracker bench
--capacity` measures both on the machine at hand). `$POSETRACKER_LIVE_CAPACITY` sets it for a server whose
figure was measured (or for a test); the default scales the two-core figure by the cores this process may use.
A session holds its place while its stream says it is connected (on an overloaded server frames can stall
for seconds, and the session is still there), while its frames keep coming, or for a grace period after
admission while the camera connects; it frees it when none of these holds (STOP, a closed tab) or when it
is released.
"""
from __future__ import annotations

import logging
import math
import os
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Callable, Mapping

logger = logging.getLogger(__name__)

TARGET_FPS = 15.0         # delivered frames a second a live session must keep
TARGET_LATENCY_MS = 250.0  # frame sent -> annotated frame back
# Sessions a 2-core server without GPU holds at the targets (640x480 camera at 30 fps, VP8). `posetracker bench
# --capacity` on such a machine held one MoveNet session while shared with other work (load 16: 28.7 fps,
# 154 ms) and three at a quiet moment; its CPU time per processed frame projects 5 MoveNet sessions or one
# BlazePose session on an idle one. Two and one leave the cores room for the pages and uploads.
MEASURED_CORES = 2
MEASURED_SESSIONS = {"movenet": 2, "blazepose": 1}
CAPACITY_ENV = "POSETRACKER_LIVE_CAPACITY"
CONNECT_GRACE_S = 20.0  # an admitted session keeps its place this long before its first frame (ICE, camera)
IDLE_RELEASE_S = 5.0    # a session whose frames stopped this long ago has left
# With the default capacity, a session streaming for a while at under half the target rate means the server is
# already overloaded (an upload, another process): nobody else is let in until it recovers.
STARVED_FPS = TARGET_FPS / 2
STARVED_AFTER_S = 10.0

BUSY_MESSAGE = ("The server is busy: {running} live session{s} already {use} all it can process at full frame "
                "rate, and another would slow everyone down. Try again in a minute or two, or analyse a recorded "
                "video on the Upload page, which has no such limit.")

# Capacity 0 (or the server starved by other work with no session of its own): nothing to count.
NO_LIVE_MESSAGE = ("The server is busy and cannot take a live session right now. Try again in a minute or two, "
                   "or analyse a recorded video on the Upload page, which has no such limit.")


def model_weight(model: str) -> float:
    """A session of `model` in MoveNet sessions (BlazePose costs several times MoveNet's model time)."""
    sessions = MEASURED_SESSIONS.get(model)
    return MEASURED_SESSIONS["movenet"] / sessions if sessions else 1.0


def default_capacity(environ: Mapping[str, str] = os.environ, cores: int | None = None) -> float:
    """MoveNet sessions this server holds: `$POSETRACKER_LIVE_CAPACITY`, else the measured figure per core."""
    raw = environ.get(CAPACITY_ENV, "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if value < 0 or not math.isfinite(value):
            from posetracker.errors import PoseTrackerError

            raise PoseTrackerError("invalid_configuration", f"{CAPACITY_ENV} must be a number of live sessions "
                                   f"(0 or more), not {raw!r}.")
        return value
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return MEASURED_SESSIONS["movenet"] * cores / MEASURED_CORES


@dataclass(frozen=True)
class Refusal:
    """Why a new live session was not started, in words for the visitor."""

    message: str
    running: int
    capacity: float
    code: str = "server_busy"

    def to_event(self) -> dict:
        return {"type": "error", "code": self.code, "message": self.message,
                "details": {"running": self.running, "capacity": self.capacity}}


@dataclass
class _Place:
    model: str
    weight: float
    admitted_at: float
    processor: Callable[[], object | None]  # a weak reference: a session that is gone holds nothing
    streaming: Callable[[], bool] | None = None


class LiveAdmission:
    """The server's live sessions and the room left. Thread-safe; one instance per server process."""

    def __init__(self, capacity: float | None = None, *, watch_rate: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = default_capacity() if capacity is None else float(capacity)
        # A capacity set for this server (measured on it, or a test's) alone decides; the default figure comes
        # from another machine, so a starved running session also closes the door.
        self.watch_rate = (capacity is None and not os.environ.get(CAPACITY_ENV, "").strip()
                           if watch_rate is None else watch_rate)
        self._clock = clock
        self._lock = threading.Lock()
        self._places: dict[str, _Place] = {}

    def admit(self, key: str, model: str, processor: object | None = None,
              streaming: Callable[[], bool] | None = None) -> Refusal | None:
        """Give session `key` a place for a `model` stream, or say why not. A session that holds a place keeps
        it (a rerun asks again). `processor` (anything with `snapshot()` -> `.updated_at`, `.fps`) tells when
        the session's frames stop, `streaming()` whether its connection is up (it must not keep the session
        alive: hold it weakly); with neither the place lasts the connect grace only."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            held = self._places.get(key)
            if held is not None and held.model == model:
                held.streaming = streaming or held.streaming
                return None
            others = {k: p for k, p in self._places.items() if k != key}
            load = sum(p.weight for p in others.values())
            weight = model_weight(model)
            starved = self.watch_rate and self._starved(others.values(), now)
            if load + weight > self.capacity + 1e-9 or starved:
                running = len(others)
                # One line for the operator: visitors are being turned away (no visitor data in it).
                logger.warning("Live session refused: %d running (load %.1f of %.1f MoveNet sessions).",
                               running, load, self.capacity)
                text = (BUSY_MESSAGE.format(running=running, s="" if running == 1 else "s",
                                            use="uses" if running == 1 else "use") if running else NO_LIVE_MESSAGE)
                return Refusal(text, running, self.capacity)
            ref = weakref.ref(processor) if processor is not None else (lambda: None)
            self._places[key] = _Place(model, weight, now, ref, streaming)
            return None

    def release(self, key: str) -> None:
        with self._lock:
            self._places.pop(key, None)

    def holds(self, key: str) -> bool:
        with self._lock:
            self._expire(self._clock())
            return key in self._places

    def running(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._places)

    def load(self) -> float:
        """The places taken, in MoveNet sessions."""
        with self._lock:
            self._expire(self._clock())
            return sum(p.weight for p in self._places.values())

    def _expire(self, now: float) -> None:
        for key, place in list(self._places.items()):
            if now - place.admitted_at < CONNECT_GRACE_S or _true(place.streaming):
                continue
            last = _last_frame(place.processor())
            if last is None or now - last > IDLE_RELEASE_S:
                del self._places[key]

    def _starved(self, places, now: float) -> bool:
        for place in places:
            if now - place.admitted_at < STARVED_AFTER_S:
                continue
            snap = _snapshot(place.processor())
            fps = getattr(snap, "fps", None)
            if fps is not None and fps < STARVED_FPS:
                return True
        return False


def _true(check: Callable[[], bool] | None) -> bool:
    try:
        return bool(check()) if check is not None else False
    except Exception:  # noqa: BLE001 - a stream we cannot ask about is one that has gone
        return False


def _snapshot(processor):
    if processor is None:
        return None
    try:
        return processor.snapshot()
    except Exception:  # noqa: BLE001 - a closed processor is a session that has left
        return None


def _last_frame(processor) -> float | None:
    return getattr(_snapshot(processor), "updated_at", None)
