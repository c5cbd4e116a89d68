"""The plan gate on the Upload page's path (`analyze_upload`): a real clip analysed on Free with a forged request
for every gated output produces none of them, in the events, the result, or the files; Developer gets them."""
from __future__ import annotations

import csv
import json

import pytest

from posetracker.pipeline import analyze_upload
from posetracker.settings import Settings

pytestmark = pytest.mark.slow

CLIP = "dollarpy_pushup5.mp4"  # 7 s, two push-ups
EVERYTHING = dict(exercise="push_up", keypoints=True, angles=True, form_score=True, progression=True,
                  recommendations=True, min_grade="D", export=False)
GATED_TYPES = {"keypoints", "keypoints_batch", "angles", "form_score", "progression", "recommendations"}


def graded(event: dict) -> bool:
    """Whether an event reveals a form score or grade."""
    if event["type"] == "exercise_summary":
        return event["avg_score"] is not None or any(event["grades"].values())
    return "form_score" in event or (event["type"] == "rep_rejected" and event.get("grade") is not None)


def per_frame(events: list[dict]) -> list[dict]:
    return [e for e in events if e["type"] != "exercise_summary"]


@pytest.fixture(scope="module")
def free_run(clip, tmp_path_factory, movenet_installed):
    folder = tmp_path_factory.mktemp("free")
    return analyze_upload(clip(CLIP), Settings(**EVERYTHING), folder), folder


def test_free_upload_produces_no_gated_event(free_run):
    result, _ = free_run
    assert result.reps is not None and result.reps >= 1
    assert not {e["type"] for e in result.events} & GATED_TYPES
    assert not [e for e in per_frame(result.events) if graded(e)]


def test_free_upload_results_and_files_carry_no_gated_output(free_run):
    result, folder = free_run
    assert all(r["score"] is None and r["grade"] is None for r in result.to_dict()["reps_detail"])
    assert "keypoints" not in result.files and not (folder / "keypoints.csv").exists()
    logged = [json.loads(line) for line in result.files["events"].read_text().splitlines()]
    assert not {e["type"] for e in logged} & GATED_TYPES and not [e for e in per_frame(logged) if graded(e)]
    with open(result.files["reps"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(not row.get("score") and not row.get("grade") for row in rows)


def test_free_upload_summary_carries_no_score(free_run):
    result, _ = free_run
    summaries = [e for e in result.events if e["type"] == "exercise_summary"]
    assert len(summaries) == 1 and summaries[0]["reps"] == result.reps
    assert summaries[0]["avg_score"] is None and not any(summaries[0]["grades"].values())


def test_developer_upload_gets_them(clip, tmp_path, movenet_installed):
    result = analyze_upload(clip(CLIP), Settings.defaults_for("developer", **EVERYTHING), tmp_path)
    types = {e["type"] for e in result.events}
    assert {"keypoints_batch", "angles", "form_score", "progression"} <= types
    assert (tmp_path / "keypoints.csv").is_file() and "keypoints" in result.files
    assert any(graded(e) for e in result.events)
