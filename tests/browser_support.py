"""Real-browser tests: the app on a free port, Debian Chromium through Playwright, fake cameras from real clips.

Fixtures (registered in conftest.py):

    app_server                 the app, started once per test session (an `AppServer`); its log is checked per test
    start_app(env=None)        a fresh app for one test (stopped at teardown), e.g. with other tokens in `env`
    launch_browser(camera=None, **launch_kwargs) -> playwright Browser; `camera` a .y4m fake camera; closed at teardown
    fake_camera(clip, seconds=10, size=(640, 480), fps=15, start_s=0) -> Path of a .y4m made from a real clip
                               (a name in ../shared/testdata/videos or a Path; cached for the session)
    artifacts_dir              test-artifacts/ (gitignored): screenshots and server logs

Helpers: `AppServer.url`, `.page_url("live", **query)`, `.log_text()`, `.assert_log_clean()` (since `.mark_log()`),
`.wait_log_quiet()`, `.stop()`;
`open_app(browser, url)` -> Page (its own context, so its own Streamlit session) once Streamlit has rendered;
`webrtc_frame(page)` the streamlit-webrtc iframe (START/STOP, the video); `wait_until_idle(page)`;
`write_y4m(rgb_frames, path, fps)` a synthetic fake camera.

Chromium is `$POSETRACKER_CHROMIUM`, else /usr/bin/chromium, else `chromium` on PATH. When it is missing the
browser tests skip with the reason, except under CI=true, where they fail: CI must run them for real.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import pytest

PROJECT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT / "test-artifacts"
STARTUP_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0
# How long a page is given to show what a test waits for. Generous: on a loaded 2-core machine a Streamlit rerun,
# a component's iframe or a WebRTC connection can take tens of seconds, and a wait ends as soon as the condition holds.
WAIT_MS = 90_000

CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
)
# A fake camera: no permission prompt, frames from a file, and host ICE candidates as plain IPs (aiortc cannot
# resolve Chromium's mDNS .local names) including loopback, so WebRTC connects on a machine with no network.
FAKE_CAMERA_ARGS = (
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns", "--allow-loopback-in-peer-connection",
)


# --- Chromium --------------------------------------------------------------------------------------------------

def chromium_executable() -> str | None:
    for candidate in (os.environ.get("POSETRACKER_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def require_chromium() -> str:
    path = chromium_executable()
    if path is None:
        reason = ("Chromium not found (install Debian's `chromium`, or set POSETRACKER_CHROMIUM to a Chromium "
                  "binary); the real-browser tests need it")
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ". CI must run them: .ci/run installs it.")
        pytest.skip(reason)
    return path


# --- the app server -------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """`streamlit run app.py` as a subprocess on a free port, its output captured in a log file."""

    def __init__(self, log_path: Path, env: dict[str, str] | None = None, port: int | None = None,
                 project: Path = PROJECT) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.returncode: int | None = None
        self._log_from = 0  # assert_log_clean reads the log from here (see `mark_log`)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "wb")
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
                   f"--server.port={self.port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
                   "--browser.gatherUsageStats=false"]
        self._process = subprocess.Popen(
            command, cwd=project, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            # MALLOC_ARENA_MAX as `make run` sets it, so memory is measured as the app is run.
            env={**os.environ, "PYTHONUNBUFFERED": "1", "MALLOC_ARENA_MAX": "2", **(env or {})},
            start_new_session=True,
        )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the app exited with {self._process.returncode} at start:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the app did not answer within {STARTUP_TIMEOUT_S:.0f} s:\n{self.log_text()}")

    def page_url(self, path: str = "", **query: str) -> str:
        from urllib.parse import urlencode

        return f"{self.url}/{path.lstrip('/')}" + (f"?{urlencode(query)}" if query else "")

    def log_text(self, since_mark: bool = False) -> str:
        """The whole log, or what was written since `mark_log()`."""
        if not self._log.closed:
            self._log.flush()
        data = self.log_path.read_bytes()
        return (data[self._log_from:] if since_mark else data).decode(errors="replace")

    def mark_log(self) -> None:
        """From now on `assert_log_clean` reads only what comes after (one test's part of a shared server's log)."""
        if not self._log.closed:
            self._log.flush()
        self._log_from = self.log_path.stat().st_size

    def wait_log_quiet(self, quiet_s: float = 3.0, timeout_s: float = 15.0) -> None:
        """Until the log has not grown for `quiet_s`: what a closed browser's sessions write has been written."""
        deadline = time.monotonic() + timeout_s
        size, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            if not self._log.closed:
                self._log.flush()
            now_size = self.log_path.stat().st_size
            if now_size != size:
                size, since = now_size, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
            time.sleep(0.25)

    def assert_log_clean(self) -> None:
        log = self.log_text(since_mark=True)
        assert not app_tracebacks(log), f"the server log has a traceback ({self.log_path}):\n{log[-6000:]}"

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def stop(self) -> int:
        """Ask Streamlit to shut down (SIGTERM, as a service manager would); kill only if it hangs."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(5)
        self.returncode = self._process.returncode
        if not self._log.closed:
            self._log.close()
        return self.returncode

    def __enter__(self) -> "AppServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# Code of the project in a traceback (paths as Python prints them).
OUR_CODE = ("/posetracker/", "/pages/", "/app.py")
# Streamlit 1.60 on starlette 1.7: when a browser goes away while the server is sending to it (a tab closed while
# the results panel polls), the send marks the socket closed and Streamlit's receive loop then calls
# `receive_bytes`, which raises a WebSocketDisconnected it does not catch: a traceback in Streamlit's code alone.
_CLOSE_RACE = ("starlette.websockets.WebSocketDisconnected", "streamlit/web/server/starlette/starlette_websocket.py")


def app_tracebacks(log: str) -> list[str]:
    """The tracebacks in a server log (a chained one, "During handling of the above exception ...", counts as one
    with what it chains to), less Streamlit's own WebSocket close race. One through the project's code is never
    excused."""
    lines = log.splitlines()
    starts = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last):"):
            before = next((text for text in reversed(lines[:i]) if text.strip()), "")
            if not (starts and before.startswith(("During handling of the above", "The above exception"))):
                starts.append(i)
    found = ["\n".join(lines[a:b]) for a, b in zip(starts, starts[1:] + [len(lines)])]
    return [text for text in found
            if any(part in text for part in OUR_CODE) or not all(marker in text for marker in _CLOSE_RACE)]


# --- fake cameras ---------------------------------------------------------------------------------------------

def write_y4m(images: Iterable[np.ndarray], dst: Path, fps: int = 15) -> Path:
    """RGB uint8 frames (all one size) as a Y4M file, the format Chromium's fake camera plays (and loops)."""
    import av

    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(".partial")
    written = 0
    with av.open(str(tmp), mode="w", format="yuv4mpegpipe") as out:
        stream = None
        for image in images:
            if stream is None:
                stream = out.add_stream("rawvideo", rate=Fraction(fps))
                stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], "yuv420p"
            picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24").reformat(format="yuv420p")
            picture.pts = written
            for packet in stream.encode(picture):
                out.mux(packet)
            written += 1
        if stream is not None:
            for packet in stream.encode(None):
                out.mux(packet)
    if written == 0:
        tmp.unlink(missing_ok=True)
        raise ValueError("no frames to write")
    tmp.replace(dst)
    return dst


def clip_to_y4m(src: Path, dst: Path, seconds: float = 10.0, size: tuple[int, int] = (640, 480),
                fps: int = 15, start_s: float = 0.0) -> Path:
    """A real clip as a fake camera: `seconds` from `start_s`, letterboxed to `size`, resampled to `fps`."""
    import cv2

    from posetracker.video import iter_frames

    width, height = size

    def frames() -> Iterator[np.ndarray]:
        next_t = start_s
        for frame in iter_frames(src):
            if frame.timestamp < next_t:
                continue
            if frame.timestamp >= start_s + seconds:
                return
            next_t += 1.0 / fps
            h, w = frame.image.shape[:2]
            f = min(width / w, height / h)
            nw, nh = max(2, round(w * f)), max(2, round(h * f))
            canvas = np.zeros((height, width, 3), np.uint8)
            x0, y0 = (width - nw) // 2, (height - nh) // 2
            canvas[y0:y0 + nh, x0:x0 + nw] = cv2.resize(frame.image, (nw, nh), interpolation=cv2.INTER_AREA)
            yield canvas

    try:
        return write_y4m(frames(), dst, fps)
    except ValueError:
        raise ValueError(f"{src.name} has no frames between {start_s} s and {start_s + seconds} s") from None


# --- pages ----------------------------------------------------------------------------------------------------

def wait_until_idle(page, timeout_ms: float = 30_000) -> None:
    """Until Streamlit has rendered something in the main area and no script run is in progress."""
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stElementContainer"]', timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidgetRunningIcon\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)


def open_app(browser, url: str, viewport: tuple[int, int] = (1400, 1000), timeout_ms: float = 60_000):
    """A new page (own browser context: own Streamlit session) at `url`, once the app has rendered."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.set_default_timeout(WAIT_MS)  # clicks and waits that name no timeout of their own
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)
    return page


def webrtc_frame(page):
    """The streamlit-webrtc component's iframe (START/STOP buttons, the video element)."""
    return page.frame_locator('iframe[title*="webrtc_streamer"]').first


# --- fixtures -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def _session_app_server(artifacts_dir) -> Iterator[AppServer]:
    with AppServer(artifacts_dir / "server-session.log") as server:
        yield server


@pytest.fixture
def app_server(_session_app_server) -> Iterator[AppServer]:
    """The session's app, its log checked per test: `assert_log_clean` reads only this test's part. (One shared
    log let a traceback from one test's closed browser, written late on a loaded machine, fail the next test.)"""
    server = _session_app_server
    server.wait_log_quiet()  # what an earlier test's closed browser made the server write is not this test's
    server.mark_log()
    yield server
    if not server.running:
        return
    # This test's browsers have closed by now: what that made the server write is still this test's.
    server.wait_log_quiet()
    log = server.log_text(since_mark=True)
    assert not app_tracebacks(log), f"a traceback in the server log after the test ({server.log_path}):\n{log[-6000:]}"


@pytest.fixture
def start_app(artifacts_dir, request) -> Iterator[Callable[..., AppServer]]:
    started: list[AppServer] = []

    def start(env: dict[str, str] | None = None) -> AppServer:
        name = f"server-{request.node.name}-{len(started)}.log".replace("/", "_")
        server = AppServer(artifacts_dir / name, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def _playwright():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def launch_browser(_playwright) -> Iterator[Callable[..., object]]:
    executable = require_chromium()
    browsers = []

    def launch(camera: Path | None = None, **kwargs):
        args = list(CHROMIUM_ARGS) + list(FAKE_CAMERA_ARGS)
        if camera is not None:
            args.append(f"--use-file-for-fake-video-capture={camera}")
        browser = _playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=args + list(kwargs.pop("args", ())), **kwargs)
        browsers.append(browser)
        return browser

    yield launch
    for browser in browsers:
        browser.close()


@pytest.fixture(scope="session")
def fake_camera(tmp_path_factory, videos_dir) -> Callable[..., Path]:
    made: dict[tuple, Path] = {}

    def make(clip: str | Path, seconds: float = 10.0, size: tuple[int, int] = (640, 480), fps: int = 15,
             start_s: float = 0.0) -> Path:
        src = Path(clip) if Path(clip).is_absolute() else videos_dir / clip
        key = (src, seconds, size, fps, start_s)
        if key not in made:
            dst = tmp_path_factory.mktemp("camera") / f"{src.stem}-{size[0]}x{size[1]}-{fps}.y4m"
            made[key] = clip_to_y4m(src, dst, seconds, size, fps, start_s)
        return made[key]

    return make
