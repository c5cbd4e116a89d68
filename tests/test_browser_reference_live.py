"""In a real browser (Business plan): record a reference on the Live page from a clip played as the camera (a tap
before a squat, a tap after it), name and save it, find it in the store, count the clip with it."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from browser_support import WAIT_MS, open_app, wait_until_idle, webrtc_frame
from posetracker.reference import ReferenceStore
from posetracker.reference.store import DB_NAME

pytestmark = pytest.mark.browser

CLIP = "vengaza_squats.mp4"  # side view, 3 squats in 13.9 s: about 0.2-3.5, 4.5-7.5 and 8.6-11.4 s
START_S, END_S = 3, 8        # the taps: around the second squat


def _clip_at(page, seconds: int, timeout_ms: int = 600_000) -> None:
    """Until the clip's caption shows it has played `seconds` (it holds, not skips, when the machine is slow)."""
    page.wait_for_function(
        "s => { const m = document.body.innerText.match(/ · (\\d+) s \\/ 14 s/); return m && +m[1] >= s; }",
        arg=seconds, timeout=timeout_ms)


def test_record_a_reference_on_the_live_page_with_two_taps(start_app, launch_browser, clip, tmp_path, labels,
                                                          artifacts_dir):
    data_dir = tmp_path / "data"
    server = start_app(env={"POSETRACKER_DATA_DIR": str(data_dir)})
    page = open_app(launch_browser(), server.page_url("live", plan="business", exercise="squat", countdown="0"),
                    viewport=(1400, 1800))
    main = page.get_by_test_id("stMain")
    main.get_by_text("Record a reference movement").wait_for(timeout=WAIT_MS)
    main.get_by_text("Use a video instead of the camera", exact=True).click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(clip(CLIP)))
    page.get_by_text(re.compile(rf"{re.escape(CLIP)} · 0 s / 14 s · press START")).wait_for(timeout=60_000)
    wait_until_idle(page)

    webrtc_frame(page).get_by_role("button", name="START").click()
    page.get_by_text(re.compile(r"· playing$")).wait_for(timeout=60_000)
    _clip_at(page, START_S)
    page.get_by_role("button", name=re.compile("Mark the start of a repetition")).click()
    end = page.get_by_role("button", name=re.compile("Mark its end"))
    end.wait_for(timeout=60_000)
    _clip_at(page, END_S)
    end.click()
    try:
        page.get_by_text("Recorded one repetition", exact=False).wait_for(timeout=60_000)
        page.get_by_label("Reference name").fill("Live squat")
        page.get_by_role("button", name=re.compile("Save the reference")).click()
        saved = page.get_by_text(re.compile("Reference “Live squat” saved"))
        saved.wait_for(timeout=60_000)
    finally:
        page.screenshot(path=str(artifacts_dir / "reference-live.png"), full_page=True)

    refs = ReferenceStore(data_dir / DB_NAME).list()
    assert [r.name for r in refs] == ["Live squat"]
    ref = refs[0]
    assert ref.id in saved.inner_text() and ref.source["live"] == "clip" and ref.source["clip"] == CLIP
    assert 1.0 <= ref.duration_s <= END_S - START_S + 2 and {"left_leg", "right_leg"} <= set(ref.signature.moving_parts)

    page.get_by_role("button", name=re.compile("Count with this reference")).click()
    page.get_by_test_id("stSelectbox").filter(has_text="Reference").first.wait_for(timeout=60_000)
    page.wait_for_function("id => location.search.includes('reference=' + id)", arg=ref.id, timeout=WAIT_MS)
    webrtc_frame(page).get_by_role("button", name="STOP").click()

    done = subprocess.run([sys.executable, "-m", "posetracker.cli", "analyze", str(clip(CLIP)), "--reference", ref.id,
                           "--plan", "business", "--json"], capture_output=True, text=True, timeout=600, check=True,
                          env={**os.environ, "POSETRACKER_DATA_DIR": str(data_dir)})
    counted = json.loads(done.stdout)["reps"]
    label = next(item for item in labels if item["file"] == CLIP)
    assert label["reps_min"] - 1 <= counted <= label["reps_max"] + 1, f"the live reference counted {counted}"
    page.context.close()
    server.stop()
    server.assert_log_clean()
