"""End to end in a real browser: upload a real clip, wait for the analysis, compare with the CLI, download the export."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from browser_support import WAIT_MS, open_app, wait_until_idle

pytestmark = pytest.mark.browser

CLIP = "dollarpy_pushup5.mp4"  # 7 s, 1280x720, side view: short enough for a browser test
EXERCISE = "push_up"
TOKEN = "upload-test-token-0001"


def _cli_result(path) -> dict:
    done = subprocess.run([sys.executable, "-m", "posetracker.cli", "analyze", str(path), "--exercise", EXERCISE,
                           "--json"], capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def test_upload_page_analyses_a_clip_like_the_cli(start_app, launch_browser, clip, artifacts_dir, tmp_path):
    import av

    source = clip(CLIP)
    server = start_app(env={"POSETRACKER_TOKENS": f"{TOKEN}=developer"})
    browser = launch_browser()
    page = open_app(browser, server.page_url("upload", token=TOKEN, exercise=EXERCISE))
    expect(page.get_by_role("heading", name=re.compile("Upload a video"))).to_be_visible(timeout=60_000)

    page.locator('input[type="file"]').set_input_files(str(source))
    page.get_by_text("Analysis completed", exact=False).first.wait_for(timeout=240_000)

    counter = page.get_by_test_id("stMetric").filter(has_text="Final count")
    shown = int(counter.get_by_test_id("stMetricValue").inner_text().strip())
    cli = _cli_result(source)
    assert shown == cli["reps"], f"the page shows {shown}, the CLI counts {cli['reps']}"

    charts = page.get_by_test_id("stPlotlyChart")
    charts.first.wait_for(timeout=WAIT_MS)
    assert charts.count() >= 2, "the signal chart and the per-rep score chart should both be on the page"
    expect(page.locator("video"), "the annotated video should play in the page").to_have_count(1, timeout=WAIT_MS)

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=re.compile("Download the annotated video")).click()
    exported = tmp_path / "export.mp4"
    download.value.save_as(exported)
    # Streamlit scrolls inside its own container: a tall viewport shows the whole results page at once.
    page.set_viewport_size({"width": 1400, "height": 3400})
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTo(0, 0)")
    page.wait_for_timeout(1_500)
    page.screenshot(path=str(artifacts_dir / "upload-results.png"), full_page=True)

    with av.open(str(source)) as src, av.open(str(exported)) as out:
        s, o = src.streams.video[0], out.streams.video[0]
        src_frames = sum(1 for _ in src.decode(s))
        out_frames = sum(1 for _ in out.decode(o))
        frame_s = 1.0 / float(s.average_rate)
        src_duration = float(s.duration * s.time_base)
        out_duration = float(o.duration * o.time_base)
        assert (o.codec_context.width, o.codec_context.height) == (s.codec_context.width, s.codec_context.height)
        assert o.codec_context.name == "h264"
    assert abs(out_frames - src_frames) <= 1, (out_frames, src_frames)
    assert abs(out_duration - src_duration) <= frame_s + 1e-6, (out_duration, src_duration)

    page.context.close()
    server.stop()
    server.assert_log_clean()


def test_upload_page_errors_cancel_image_and_reruns_keep_results(start_app, launch_browser, clip, tmp_path,
                                                                 artifacts_dir):
    """Bad files and plan limits are plain messages, Cancel stops cleanly, a photo gets image mode, a widget
    change keeps the result, and when the app stops no temporary file is left."""
    from PIL import Image

    from posetracker.video import iter_frames

    private_tmp = tmp_path / "server-tmp"
    private_tmp.mkdir()
    server = start_app(env={"TMPDIR": str(private_tmp), "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1"})
    page = open_app(launch_browser(), server.page_url("upload", exercise="squat"))  # Free plan
    uploader = page.locator('input[type="file"]')
    alerts = page.get_by_test_id("stAlert")

    junk = tmp_path / "holiday.mp4"
    junk.write_bytes(bytes(range(256)) * 64)
    uploader.set_input_files(str(junk))
    alerts.filter(has_text="is not a video or image we can read").wait_for(timeout=60_000)

    uploader.set_input_files(str(clip("mrpose_plank_a.mp4")))  # 66 s, over Free's 60 s
    alerts.filter(has_text="the Free plan analyses up to 60 s").wait_for(timeout=60_000)

    huge = tmp_path / "huge.mp4"  # over Free's 100 MB: refused by the browser before any byte is sent
    with huge.open("wb") as f:
        f.truncate(101 * 1024 * 1024)
    uploader.set_input_files(str(huge))
    page.get_by_text(re.compile(r"File must be 100(\.0)? ?MB or smaller")).first.wait_for(timeout=60_000)
    assert not page.get_by_text("huge.mp4 could not", exact=False).count()

    uploader.set_input_files(str(clip("rjsong_squat2.mp4")))  # 43 s: long enough to cancel
    page.get_by_text(re.compile(r"\d+% · \d+ of \d+ frames · [\d.]+ frames/s · about \d+:\d\d left")).first.wait_for(
        timeout=60_000)
    page.screenshot(path=str(artifacts_dir / "upload-progress.png"))
    page.get_by_role("button", name=re.compile("Cancel")).click()
    alerts.filter(has_text="cancelled").wait_for(timeout=60_000)
    expect(page.get_by_role("button", name=re.compile("Analyse again")), "a cancelled run can restart").to_be_visible(
        timeout=WAIT_MS)

    photo = tmp_path / "photo.jpg"
    Image.fromarray(next(f.image for f in iter_frames(clip("mrpose_squat.mp4")) if f.index == 100)).save(photo)
    uploader.set_input_files(str(photo))
    page.get_by_text("Placement for Squat", exact=False).wait_for(timeout=60_000)
    page.get_by_test_id("stImage").first.wait_for(timeout=WAIT_MS)  # the page renders element by element
    assert page.get_by_test_id("stImage").count() == 1

    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="Push-up").click()
    alerts.filter(has_text="settings changed").wait_for(timeout=WAIT_MS)
    page.get_by_text("Placement for Squat", exact=False).wait_for(timeout=WAIT_MS)  # not lost by the rerun
    wait_until_idle(page)
    page.screenshot(path=str(artifacts_dir / "upload-image-mode.png"), full_page=True)
    assert page.get_by_test_id("stImage").count() == 1
    assert not page.get_by_text("Traceback").count()

    assert list(private_tmp.iterdir()), "the session's workspace exists while the session does"
    page.context.close()  # the browser session ends: its folder goes soon after, with the server still running
    for _ in range(60):
        if not list(private_tmp.iterdir()):
            break
        time.sleep(0.5)
    left = [p.name for p in private_tmp.iterdir()]
    assert left == [], f"temporary files left behind after the session ended: {left}"
    server.stop()
    server.assert_log_clean()
