"""Records stay typed until an exporter writes them: the analysis, the upload result and the summary hold
`RepRecord`s; only the JSON, the CSV and the page's table turn them into rows."""
from __future__ import annotations

import csv
import json

import numpy as np

import synth
from posetracker.analysis import replay
from posetracker.engine import RepRecord
from posetracker.exports import write_reps_csv
from posetracker.options import Mode, Options
from posetracker.pipeline import UploadResult, summary_event
from posetracker.tools.posecache import PoseTrack


def _squats(reps: int = 3) -> PoseTrack:
    poses = synth.render("squat", synth.schedule(reps, 2.0), synth.Camera("side"), synth.CLEAN)
    return PoseTrack(np.array([t for _, t in poses]), [p for p, _ in poses], 640, 480, 30.0)


def test_an_analysis_keeps_its_reps_as_records_through_every_reader(tmp_path):
    result = replay(_squats(), Options(exercise="squat", mode=Mode.UPLOAD), "movenet")
    assert result.reps == 3 and len(result.reps_detail) >= 3
    assert all(type(r) is RepRecord for r in result.reps_detail), result.reps_detail
    upload = UploadResult(analysis=result, events=result.events, info=None, model="movenet")
    assert upload.reps_detail is result.reps_detail

    # The exporters write rows; the records they were given are still records afterwards.
    out = json.loads(json.dumps(upload.to_dict()))
    assert [r["start_s"] for r in out["reps_detail"]] == [r.start_s for r in result.reps_detail]
    summary = summary_event(result)
    assert summary["reps"] == 3
    with open(write_reps_csv(upload.reps_detail, tmp_path / "reps.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["end_s"]) for r in rows] == [r.end_s for r in result.reps_detail]
    assert all(type(r) is RepRecord for r in result.reps_detail)


def test_the_form_score_gate_keeps_the_records_typed():
    result = replay(_squats(2), Options(exercise="squat", mode=Mode.UPLOAD, form_score=False), "movenet")
    assert result.reps_detail and all(isinstance(r, RepRecord) and r.score is None for r in result.reps_detail)
