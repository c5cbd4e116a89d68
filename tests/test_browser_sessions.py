"""Many sessions at once, and a camera that will not start, in a real browser against one app server.

Three live sessions, each its own Chromium with its own fake camera (a squat clip counted as squats, jumping
jacks counted as jumping jacks, an empty room), and one upload session with a Developer token, all at the same
time: each count is its own, pages answer while the streams run, the token never reaches the log, and when the
sessions are gone the server's memory is back near where it started and no temporary folder is left.
"""
from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_support import (CHROMIUM_ARGS, WAIT_MS, open_app, require_chromium, wait_until_idle, webrtc_frame,
                             write_y4m)

pytestmark = pytest.mark.browser

TOKEN = "tok-sessions-secret-5f3a9c1e"
SESSION_TTL_S = 2  # Streamlit forgets a disconnected session after this (default 120 s)
METRIC_VALUE = "[data-testid=stMetricValue]"
START_TIMEOUT_MS = 180_000


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def threads_of(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def shown_count(page) -> int:
    text = page.get_by_test_id("stMetric").first.get_by_test_id("stMetricValue").inner_text().strip()
    return int(text)


def frames_processed(page) -> int:
    found = page.get_by_text(re.compile(r"\d+ frames processed"))
    if found.count() == 0:
        return 0
    return int(re.search(r"(\d+) frames processed", found.first.inner_text()).group(1))


def start_live(page, name: str = "live", artifacts: Path | None = None) -> None:
    webrtc_frame(page).get_by_role("button", name="START").click()
    # With three Chromiums and the server on two cores at load 20, the second session took 72 s from START to its
    # first frame on the page (the SDP answer alone 33 s), and over 90 s once: the wait is sized for that.
    try:
        page.get_by_text(re.compile(r"\d+ frames processed")).first.wait_for(timeout=START_TIMEOUT_MS)
    except Exception:
        if artifacts is not None:
            page.screenshot(path=str(artifacts / f"sessions-{name}-not-started.png"), full_page=True)
        component = webrtc_frame(page).locator("body").inner_text(timeout=5_000)
        shown = page.get_by_test_id("stMain").inner_text(timeout=5_000)[-1500:]
        raise AssertionError(f"{name}: no frame processed {START_TIMEOUT_MS // 1000} s after START; the component "
                             f"shows {component!r}; the page: {shown!r}")


def response_time_s(page) -> float:
    """How long the page takes to answer a click (the raw event log toggle) while everything runs."""
    started = time.monotonic()
    page.get_by_text("Show raw event log").click()
    page.get_by_test_id("stJson").first.wait_for(timeout=60_000)
    elapsed = time.monotonic() - started
    page.get_by_text("Show raw event log").click()
    return elapsed


@pytest.fixture
def empty_room_camera(tmp_path) -> Path:
    from corpus import synthetic_scene

    return write_y4m(synthetic_scene(20.0, size=(640, 480)), tmp_path / "empty-room.y4m", fps=15)


def test_three_live_sessions_and_an_upload_at_once_keep_their_own_counts_and_leave_nothing(
        start_app, launch_browser, fake_camera, empty_room_camera, clip, tmp_path, artifacts_dir):
    from posetracker.options import Mode
    from posetracker.pipeline import analyze_video
    from posetracker.settings import Settings

    server_tmp = tmp_path / "server-tmp"
    server_tmp.mkdir()
    # Three live sessions at once is more than two cores hold at full rate (posetracker/capacity.py would turn
    # the third visitor away); this test is about keeping them apart under that load, so it lets them in.
    server = start_app(env={"POSETRACKER_TOKENS": f"{TOKEN}=developer", "TMPDIR": str(server_tmp),
                            "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(SESSION_TTL_S),
                            "POSETRACKER_LIVE_CAPACITY": "3"})
    pid = server._process.pid

    # Baseline: the app has served one camera session and one upload (so the shared models, codecs and page
    # modules are loaded once), and both sessions have ended and been released.
    upload_clip = clip("dollarpy_pushup5.mp4")
    warm = open_app(launch_browser(camera=empty_room_camera), server.page_url("live", exercise="squat"))
    start_live(warm, "warm", artifacts_dir)
    warm_upload = open_app(launch_browser(), server.page_url("upload", token=TOKEN, exercise="push_up"))
    warm_upload.locator('input[type="file"]').set_input_files(str(upload_clip))
    warm_upload.get_by_text("Analysis completed", exact=False).first.wait_for(timeout=300_000)
    warm.context.close()
    warm_upload.context.close()
    time.sleep(SESSION_TTL_S + 12)
    baseline = rss_mb(pid)
    base_threads = threads_of(pid)

    expected_upload = analyze_video(upload_clip, Settings.defaults_for("developer", exercise="push_up")
                                    .to_options(Mode.UPLOAD), "movenet").reps

    lives = {  # name: (camera, exercise, what the count must be)
        "squat": (fake_camera("rjsong_squat2.mp4", seconds=40), "squat", "counts"),
        "jacks": (fake_camera("mrpose_jacks.mp4", seconds=30, start_s=1.0), "jumping_jack", "counts"),
        "nobody": (empty_room_camera, "squat", "zero"),
    }
    pages = {}
    for name, (camera, exercise, _) in lives.items():
        browser = launch_browser(camera=camera)
        pages[name] = open_app(browser, server.page_url("live", exercise=exercise, countdown="0"))
    uploader = open_app(launch_browser(), server.page_url("upload", token=TOKEN, exercise="push_up"))
    # The page drops the token from the address bar when its first run's settings reach the browser, which on a
    # loaded machine can come after the page looks rendered: wait for it rather than read the bar at once.
    try:
        uploader.wait_for_function("t => !location.href.includes(t)", arg=TOKEN, timeout=60_000)
    except Exception:
        pytest.fail(f"the token stays in the address bar once read: {uploader.url}")

    for name, page in pages.items():
        start_live(page, name, artifacts_dir)
    uploader.locator('input[type="file"]').set_input_files(str(upload_clip))

    peak = [baseline]
    sampling = threading.Event()

    def sample():
        while not sampling.is_set():
            peak.append(rss_mb(pid))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        uploader.get_by_text("Analysis completed", exact=False).first.wait_for(timeout=300_000)
        final = uploader.get_by_test_id("stMetric").filter(has_text="Final count")
        assert int(final.get_by_test_id("stMetricValue").inner_text().strip()) == expected_upload

        # The squat and jumping-jack sessions count; the empty room never does, whatever the others do.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if shown_count(pages["squat"]) >= 2 and shown_count(pages["jacks"]) >= 2:
                break
            assert shown_count(pages["nobody"]) == 0, "the empty room's count moved: cross-talk"
            time.sleep(1.0)
        counts = {name: shown_count(page) for name, page in pages.items()}
        assert counts["squat"] >= 2 and counts["jacks"] >= 2 and counts["nobody"] == 0, counts
        expect(pages["nobody"].get_by_text("No person in view", exact=False).first).to_be_visible(timeout=WAIT_MS)
        moving = {name: frames_processed(page) for name, page in pages.items()}
        assert all(n > 10 for n in moving.values()), moving

        answers = {name: response_time_s(page) for name, page in pages.items()}
        assert max(answers.values()) < 20, f"pages stopped answering under load: {answers}"
        for name, page in pages.items():
            page.screenshot(path=str(artifacts_dir / f"sessions-{name}.png"))

        # STOP (or a connection that already dropped under the load) keeps the count and the results on the page.
        squat = pages["squat"]
        stop = webrtc_frame(squat).get_by_role("button", name="STOP")
        if stop.count():
            stop.click()
        webrtc_frame(squat).get_by_role("button", name="START").wait_for(timeout=WAIT_MS)
        squat.wait_for_timeout(2_000)
        kept = shown_count(squat)
        squat.wait_for_timeout(2_000)
        assert shown_count(squat) == kept >= 2 and frames_processed(squat) > 0

        # START again continues the set (a new stream, the same count going on); Reset starts a new one.
        before = frames_processed(squat)
        webrtc_frame(squat).get_by_role("button", name="START").click()
        deadline = time.monotonic() + 60
        while frames_processed(squat) <= before + 5:
            assert time.monotonic() < deadline, "frames did not resume after START"
            time.sleep(0.5)
        assert shown_count(squat) >= kept
        squat.get_by_role("button", name="Reset").click()
        squat.wait_for_function(
            "() => document.querySelector('[data-testid=stMetricValue]')?.innerText.trim() === '0'", timeout=20_000)
        during = max(peak)
        during_threads = threads_of(pid)
    finally:
        sampling.set()
        sampler.join()

    for page in [*pages.values(), uploader]:
        page.context.close()
    # The sessions end; the upload's folder goes with its session (the registry waits out the session TTL
    # plus a grace, and sweeps every few seconds).
    deadline = time.monotonic() + SESSION_TTL_S + 45
    while time.monotonic() < deadline:
        leftovers = sorted(p.name for p in server_tmp.iterdir() if p.name.startswith("posetracker-"))
        if not leftovers:
            break
        time.sleep(1.0)
    # The registry's sweeps after the sessions end release their peer connections and hand the memory back.
    time.sleep(12.0)
    after = rss_mb(pid)
    after_threads = threads_of(pid)
    print(f"\nserver RSS: baseline {baseline:.0f} MB, peak {during:.0f} MB, after {after:.0f} MB; "
          f"threads: baseline {base_threads}, during {during_threads}, after {after_threads}")
    (artifacts_dir / "sessions-memory.txt").write_text(
        f"baseline_mb={baseline:.0f}\npeak_mb={during:.0f}\nafter_mb={after:.0f}\nsessions=4\n"
        f"threads_baseline={base_threads}\nthreads_during={during_threads}\nthreads_after={after_threads}\n"
        f"counts={counts}\nupload_reps={expected_upload}\nresponse_s={answers}\n")

    assert leftovers == [], f"temporary folders outlived their sessions: {leftovers}"
    # The baseline already holds what is loaded once per process, so what is left is what the sessions kept:
    # measured +12 MB after releasing; +80-170 MB when ended camera sessions kept their peer connections.
    assert after <= baseline + 60.0, (baseline, during, after)
    # Each camera session runs at least three threads of its own (decoder, processor, shutdown watch); once the
    # sessions are released only pool threads may have been added: asyncio's default executor (aiortc) and a few
    # of AnyIO's (the server's file responses). Measured: +7 released, +16 when ended sessions kept running.
    pools = min(32, (os.cpu_count() or 1) + 4) + 4
    assert after_threads <= base_threads + pools, (base_threads, during_threads, after_threads)
    log = server.log_text()
    assert TOKEN not in log and TOKEN[:12] not in log, "the token reached the server log"
    server.stop()
    assert server.returncode == 0
    server.assert_log_clean()


@pytest.mark.parametrize("camera, code, browser_error", [
    ("refused", "camera_permission_denied", "NotAllowedError"),
    ("absent", "camera_not_found", "NotFoundError"),
])
def test_a_refused_or_missing_camera_is_explained_on_the_live_page(camera, code, browser_error, app_server,
                                                                    _playwright):
    # "refused": a camera exists, the permission prompt is answered No; "absent": Yes, but there is no camera.
    extra = (["--use-fake-ui-for-media-stream"] if camera == "absent"
             else ["--use-fake-device-for-media-stream", "--deny-permission-prompts"])
    args = list(CHROMIUM_ARGS) + extra
    browser = _playwright.chromium.launch(executable_path=require_chromium(), headless=True, args=args)
    try:
        page = open_app(browser, app_server.page_url("live", exercise="squat"))
        webrtc_frame(page).get_by_role("button", name="START").click()
        webrtc_frame(page).get_by_text(browser_error, exact=False).first.wait_for(timeout=WAIT_MS)

        page.get_by_text("Camera not starting?").click()
        help_text = page.get_by_text(code, exact=False).first
        help_text.wait_for(timeout=WAIT_MS)
        assert ("HTTPS" in help_text.inner_text()) == (code == "camera_permission_denied")

        # The page still answers, and says how to begin.
        wait_until_idle(page)
        expect(page.get_by_text("Press START", exact=False).first).to_be_visible(timeout=WAIT_MS)
    finally:
        browser.close()
    app_server.assert_log_clean()
