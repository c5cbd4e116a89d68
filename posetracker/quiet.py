"""Keeping the native libraries' log lines off a normal command-line run.

TFLite (ai-edge-litert) and MediaPipe write straight to file descriptor 2 from C++ ("INFO: Created TensorFlow
Lite XNNPACK delegate for CPU.", "W0000 00:00:... inference_feedback_manager.cc:114] ...") where Python's
logging cannot reach them. Measured: GLOG_minloglevel=2 silences MediaPipe's absl lines but not TFLite's
"INFO:" line, and TF_CPP_MIN_LOG_LEVEL silences neither. So `quiet_native_logs()` sets the first and also
routes descriptor 2 through a pipe whose reader drops lines in those libraries' formats and passes everything
else on (our own messages, a native crash report): nothing a user needs is lost.
"""
from __future__ import annotations

import os
import re
import sys
import threading

# absl/glog info and warnings ("W0000 00:00:1796020844.37 13522 file.cc:114] ..."), TFLite's minimal logging ("INFO: ..."), and
# absl's notice that it logs to stderr before it is initialised.
NATIVE_LOG_LINE = re.compile(rb"^([IW]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w./-]+:\d+\] |INFO: |"
                             rb"WARNING: All log messages before absl::InitializeLog\(\) is called)")


class _Filter:
    def __init__(self) -> None:
        self.saved = os.dup(2)
        read, write = os.pipe()
        sys.stderr.flush()
        os.dup2(write, 2)
        os.close(write)
        # Python's own stderr writes to the saved descriptor: it must not wait on the reader thread.
        self.stream = sys.stderr
        sys.stderr = os.fdopen(os.dup(self.saved), "w", buffering=1, encoding=self.stream.encoding,
                               errors="backslashreplace")
        self.reader = threading.Thread(target=self._pump, args=(read,), name="posetracker-stderr", daemon=True)
        self.reader.start()

    def _pump(self, read: int) -> None:
        with os.fdopen(read, "rb") as pipe:
            for line in pipe:
                if not NATIVE_LOG_LINE.match(line):
                    os.write(self.saved, line)

    def close(self) -> None:
        sys.stderr.flush()
        os.dup2(self.saved, 2)  # the pipe's last writer closes: the reader drains it and ends
        self.reader.join(timeout=2.0)
        replaced, sys.stderr = sys.stderr, self.stream
        replaced.close()
        os.close(self.saved)


_active: _Filter | None = None


def quiet_native_logs() -> None:
    """Hide the native libraries' log lines for the rest of this process (call before they load)."""
    global _active
    os.environ.setdefault("GLOG_minloglevel", "2")
    if _active is None and _writes_to_fd2(sys.stderr):
        try:
            _active = _Filter()
        except OSError:  # no descriptor 2 (a detached process): nothing would be shown anyway
            _active = None


def _writes_to_fd2(stream) -> bool:
    """Python's stderr is the process's descriptor 2 (not a test's capture, nor a redirect in an embedding app)."""
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):
        return False


def restore_stderr() -> None:
    """Undo `quiet_native_logs`, after passing on whatever is still in the pipe."""
    global _active
    if _active is not None:
        _active.close()
        _active = None
