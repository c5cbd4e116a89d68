"""One browser session's uploads: checks, a background analysis, its result and its files (no streamlit here).

    session = UploadSession()                       # kept in st.session_state; owns a temporary folder
    session.submit(key, data, name, settings)      # a new upload (or the same one with new settings)
    session.poll()                                  # moves a finished job's result or error into place
    session.progress, session.result, session.error
    session.cancel()                                # stops the analysis; its files are deleted
    session.close()                                 # the session ended: everything is deleted

Each submission gets a fresh folder in the session's workspace and the previous one is deleted, so at most
one analysis's files exist per session. The user's file name is only a label, never part of a path.
"""
from __future__ import annotations

import ctypes
import gc
import logging
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Hashable

from posetracker.errors import PoseTrackerError
from posetracker.inputs import CheckedUpload, MediaKind, Workspace, store_upload
from posetracker.jobs import AnalysisJob
from posetracker.pipeline import AnalysisCancelled, Progress, analyze_upload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What the page shows for one submission."""

    key: Hashable
    settings: Any                      # the gated Settings the analysis ran with
    upload: CheckedUpload | None
    result: Any = None                 # UploadResult (video) or ImageResult (image)
    error: PoseTrackerError | None = None


def release_freed_memory() -> None:
    """Collect garbage, then hand memory freed by ended sessions back to the OS. glibc keeps freed heap (one
    arena per thread that ever allocated: decoders, encoders, WebRTC workers) until asked, so without this a
    server's memory stays at its busiest level long after the sessions are gone."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to ask
        pass


def as_user_error(exc: BaseException) -> PoseTrackerError:
    """A message fit for a user: ours as they are, anything unexpected logged and replaced by a plain sentence."""
    if isinstance(exc, PoseTrackerError):
        return exc
    log.error("analysis failed", exc_info=exc)
    return PoseTrackerError("analysis_failed", "Something went wrong while analysing this file. Try again, or try "
                            "another file; if it keeps happening, tell us which file it was.")


class UploadSession:
    def __init__(self, root=None) -> None:
        self.workspace = Workspace(root)
        self._lock = threading.Lock()
        self._job: AnalysisJob | None = None
        self._pending: Outcome | None = None  # the submission the running job belongs to
        self.outcome: Outcome | None = None
        # When the browser session ends and this object is collected, a running analysis stops too.
        self._cancels: list[threading.Event] = []
        weakref.finalize(self, _set_all, self._cancels)

    # -- submitting ---------------------------------------------------------------------------------------------
    def submit(self, key: Hashable, data: bytes, name: str | None, settings) -> None:
        """Check and store an upload, then analyse it: images at once, videos on a worker thread."""
        from posetracker.settings import enforce

        self._stop_job()
        settings, _ = enforce(settings)
        folder = self.workspace.new_analysis()
        try:
            upload = store_upload(data, name, settings.plan_info, folder)
        except BaseException as exc:
            self.outcome = Outcome(key, settings, None, error=as_user_error(exc))
            return
        if upload.kind is MediaKind.IMAGE:
            self.outcome = self._analyse_image(key, settings, upload, folder)
            return
        self.outcome = None
        self._pending = Outcome(key, settings, upload)
        self._job = AnalysisJob(analyze_upload, dict(video=upload.path, settings=settings, folder=folder))
        self._cancels[:] = [self._job.cancel_event]
        self._job.start()

    @staticmethod
    def _analyse_image(key, settings, upload: CheckedUpload, folder) -> Outcome:
        from posetracker.image_mode import analyze_image
        from posetracker.options import Mode

        try:
            result = analyze_image(upload.path, settings.to_options(Mode.UPLOAD), settings.model,
                                   overlay_path=folder / "overlay.png")
            return Outcome(key, settings, upload, result=result)
        except BaseException as exc:
            return Outcome(key, settings, upload, error=as_user_error(exc))

    # -- following ----------------------------------------------------------------------------------------------
    def poll(self) -> None:
        """When the running job has finished, its result (or error) becomes the outcome."""
        with self._lock:
            job, pending = self._job, self._pending
            if job is None or job.running:
                return
            self._job = self._pending = None
        if job.error is not None:
            error = as_user_error(job.error)
            if not isinstance(job.error, AnalysisCancelled):
                self.workspace.discard_current()
            self.outcome = Outcome(pending.key, pending.settings, pending.upload, error=error)
        else:
            self.outcome = Outcome(pending.key, pending.settings, pending.upload, result=job.result)

    @property
    def running(self) -> bool:
        job = self._job
        return job is not None and job.running

    @property
    def progress(self) -> Progress | None:
        job = self._job
        return None if job is None else job.progress

    @property
    def key(self) -> Hashable | None:
        """Which upload the session is showing or analysing."""
        pending = self._pending
        if pending is not None:
            return pending.key
        return None if self.outcome is None else self.outcome.key

    # -- stopping -----------------------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the running analysis; it leaves no file behind, and the outcome says it was cancelled."""
        pending = self._pending
        self._stop_job()
        if pending is not None:
            self.outcome = Outcome(pending.key, pending.settings, pending.upload, error=AnalysisCancelled())

    def _stop_job(self) -> None:
        with self._lock:
            job, self._job, self._pending = self._job, None, None
        if job is not None:
            job.cancel()
            job.wait()
        self.workspace.discard_current()

    def close(self) -> None:
        self._stop_job()
        self.workspace.close()


def _set_all(events: list[threading.Event]) -> None:
    for event in events:
        event.set()


class SessionRegistry:
    """What each browser session holds on the server (its `UploadSession`, if it uploaded), released once the
    session has been gone for `grace_s`.

    The app cannot count on garbage collection to notice a session has ended, so a sweeper thread asks
    `is_alive(session_id)` (the server's view) every `interval_s`. A short disconnection (a network blip, a
    reload within the grace) keeps the session and its result. Pages `watch()` a session that has nothing to
    close here (a live camera session), so its end is noticed too.

    For a session that is gone the registry closes its uploads, then calls `end_session(session_id)`: the app
    shuts the server's session down there. (Streamlit 1.60 drops a disconnected session after its TTL without
    shutting it down, and keeps the dropped session in memory until something writes to its session store;
    streamlit-webrtc closes a camera's peer connection, with its codecs and threads, only on that shutdown.
    Measured with three camera sessions and an upload: without this their memory stayed in use indefinitely.)
    Then it collects garbage and hands freed memory back to the OS, at once and again `release_delay_s` later,
    once the peer connections have closed.
    """

    def __init__(self, is_alive: Callable[[str], bool], grace_s: float = 110.0, interval_s: float = 5.0,
                 root=None, end_session: Callable[[str], None] | None = None, release_delay_s: float = 3.0) -> None:
        self._is_alive = is_alive
        self._end_session = end_session
        self.release_delay_s = release_delay_s
        self.grace_s = grace_s
        self.interval_s = interval_s
        self._root = root
        self._lock = threading.Lock()
        self._sessions: dict[str, UploadSession | None] = {}
        self._last_alive: dict[str, float] = {}
        self._sweeper: threading.Thread | None = None
        self._stop = threading.Event()
        self._release_at: float | None = None

    def get(self, session_id: str) -> UploadSession:
        """The session's uploads (made on first use); the session is watched from then on."""
        with self._lock:
            if self._sessions.get(session_id) is None:
                self._sessions[session_id] = UploadSession(self._root)
            self._seen(session_id)
            return self._sessions[session_id]

    def peek(self, session_id: str) -> UploadSession | None:
        """The session's uploads if it has any, without making them."""
        with self._lock:
            return self._sessions.get(session_id)

    def watch(self, session_id: str) -> None:
        """Notice this session's end even if it never uploads."""
        with self._lock:
            self._sessions.setdefault(session_id, None)
            self._seen(session_id)

    def _seen(self, session_id: str) -> None:  # called with the lock held
        self._last_alive[session_id] = time.monotonic()
        if self._sweeper is None:
            self._sweeper = threading.Thread(target=self._run, name="posetracker-session-sweeper", daemon=True)
            self._sweeper.start()

    def sweep(self, now: float | None = None) -> list[str]:
        """Release the sessions gone for longer than the grace; returns their ids."""
        now = time.monotonic() if now is None else now
        with self._lock:
            ids = list(self._sessions)
        gone = []
        for session_id in ids:
            try:
                alive = self._is_alive(session_id)
            except Exception:  # asking must never kill the sweeper; treat as alive and ask again later
                alive = True
            with self._lock:
                if alive:
                    self._last_alive[session_id] = now
                    continue
                if now - self._last_alive.get(session_id, now) < self.grace_s:
                    continue
                session = self._sessions.pop(session_id)
                self._last_alive.pop(session_id, None)
            if session is not None:
                session.close()
            if self._end_session is not None:
                try:
                    self._end_session(session_id)
                except Exception:
                    log.exception("ending session %s failed", session_id)
            gone.append(session_id)
        if gone:
            release_freed_memory()
            self._release_at = now + self.release_delay_s
        elif self._release_at is not None and now >= self._release_at:
            self._release_at = None
            release_freed_memory()
        return gone

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.sweep()
            except Exception:
                log.exception("session sweep failed")

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            if session is not None:
                session.close()
