"""In a real browser (Business plan): make a reference from one rep of an uploaded clip, count a second clip with it,
and get the count the command line gets with the same reference."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from browser_support import WAIT_MS, open_app

pytestmark = pytest.mark.browser

FIRST = "vengaza_squats.mp4"     # 14 s, 3 squats: its first rep becomes the reference
SECOND = "posetest_squat2.mp4"   # 23 s, 5 squats by another person, another camera
TOKEN = "reference-test-token-0001"


def _cli(*argv, data_dir) -> dict:
    done = subprocess.run([sys.executable, "-m", "posetracker.cli", *map(str, argv), "--json"], capture_output=True,
                          text=True, timeout=300, check=True, env={**os.environ, "POSETRACKER_DATA_DIR": str(data_dir)})
    return json.loads(done.stdout)


def test_make_a_reference_on_the_upload_page_and_count_another_clip(start_app, launch_browser, clip, artifacts_dir,
                                                                     tmp_path, labels):
    data_dir = tmp_path / "data"
    server = start_app(env={"POSETRACKER_TOKENS": f"{TOKEN}=business", "POSETRACKER_DATA_DIR": str(data_dir)})
    page = open_app(launch_browser(), server.page_url("upload", token=TOKEN, exercise="squat"))

    page.locator('input[type="file"]').set_input_files(str(clip(FIRST)))
    page.get_by_text("Analysis completed", exact=False).first.wait_for(timeout=480_000)
    page.get_by_text("Make a reference movement").wait_for(timeout=WAIT_MS)
    page.get_by_label("Name").fill("My squat")
    page.get_by_role("button", name=re.compile("Create the reference")).click()
    page.get_by_text(re.compile("Reference “My squat” saved")).wait_for(timeout=120_000)
    page.get_by_role("button", name=re.compile("Count with this reference")).click()
    try:  # the reference is now chosen: the Count choice shows the Reference picker
        page.get_by_test_id("stSelectbox").filter(has_text="Reference").first.wait_for(timeout=60_000)
    finally:
        page.screenshot(path=str(artifacts_dir / "reference-chosen.png"), full_page=True)

    refs = _cli("reference", "list", "--plan", "business", data_dir=data_dir)["references"]
    assert [r["name"] for r in refs] == ["My squat"] and refs[0]["source"]["clip"] == FIRST
    assert {"left_leg", "right_leg"} <= set(refs[0]["moving_parts"])

    cli = _cli("analyze", clip(SECOND), "--reference", refs[0]["id"], "--plan", "business", data_dir=data_dir)
    page.locator('input[type="file"]').set_input_files(str(clip(SECOND)))
    # The second clip's own result (the first one's stays on screen, greyed, while the page reruns).
    page.get_by_text(f"Analysis completed · {cli['frames']} frames", exact=False).first.wait_for(timeout=480_000)
    counter = page.get_by_test_id("stMetric").filter(has_text="Final count")
    shown = int(counter.get_by_test_id("stMetricValue").inner_text().strip())
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.wait_for_timeout(1_000)
    page.screenshot(path=str(artifacts_dir / "reference-upload.png"), full_page=True)

    assert shown == cli["reps"], f"the page shows {shown}, the CLI counts {cli['reps']} with the same reference"
    label = next(l for l in labels if l["file"] == SECOND)
    assert label["reps_min"] - 1 <= shown <= label["reps_max"] + 1
    assert all(r["referenceScore"]["grade"] in "ABCD" for r in cli["reps_detail"] if r["counted"])

    page.context.close()
    server.stop()
    server.assert_log_clean()
