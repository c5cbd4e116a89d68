"""A background job for a page: `analyze_video` (or any callable taking `progress` and `cancel`) on a worker
thread, polled by the page, which must not run st.* off its own thread."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from posetracker.pipeline import Progress


@dataclass
class AnalysisJob:
    """`analyze_video` on a worker thread, polled by a page (which must not run st.* off its own thread).

    The state the page reads (`progress`, `result`, `error`) is replaced whole under a lock, never mutated.
    """

    target: Callable[..., Any]
    kwargs: dict = field(default_factory=dict)
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="posetracker-analysis", daemon=True)

    def start(self) -> "AnalysisJob":
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            result = self.target(progress=self._on_progress, cancel=self.cancel_event, **self.kwargs)
            with self._lock:
                self._result = result
        except BaseException as exc:  # shown to the user by the page, as a message
            with self._lock:
                self._error = exc

    def _on_progress(self, progress: Progress) -> None:
        with self._lock:
            self._progress = progress

    def cancel(self) -> None:
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def progress(self) -> Progress | None:
        with self._lock:
            return self._progress

    @property
    def result(self) -> Any:
        with self._lock:
            return self._result

    @property
    def error(self) -> BaseException | None:
        with self._lock:
            return self._error
