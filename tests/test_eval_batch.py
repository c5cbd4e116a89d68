"""`posetracker eval` over several labels files or a folder, in parallel: the per-exercise breakdown, failed
clips recorded beside the table, and the single-file JSON keys kept."""
from __future__ import annotations

import json
import os

import pytest

from posetracker.analysis import AnalysisResult
from posetracker.cli import main
from posetracker.errors import PoseTrackerError
from posetracker.tools.evaluate import load_label_sets, score_clip, summarise

SINGLE_FILE_KEYS = {"model", "clips", "exact", "obo", "mae", "hold_within", "counted_clips", "hold_clips",
                    "crowd_clips"}


def scored(exercise: str, lo: int, hi: int, got: int, low: bool = False):
    label = {"file": f"{exercise}-{got}.mp4", "exercise": exercise, "reps_min": lo, "reps_max": hi,
             "low_confidence": low}
    return score_clip(label, AnalysisResult(exercise, "movenet", got, None, 10, 1.0, [], [], [], {}))


def test_the_breakdown_gives_each_exercise_its_own_totals():
    hold = score_clip({"file": "p.mp4", "exercise": "plank", "hold_seconds": [10, 12]},
                      AnalysisResult("plank", "movenet", None, 11.0, 10, 1.0, [], [], [], {}))
    clips = [scored("squat", 5, 5, 5), scored("squat", 4, 4, 6), scored("squat", 2, 3, 9, low=True),
             scored("push_up", 3, 3, 4), hold]
    failures = [{"file": "x.mp4", "exercise": "lunge", "code": "clip_failed", "message": "broken"}]
    report = summarise("movenet", clips, failures)
    per = report.by_exercise()
    assert list(per) == ["lunge", "plank", "push_up", "squat"]
    assert per["squat"] == {"clips": 3, "failed": 0, "counted_clips": 2, "hold_clips": 0, "exact": 0.5, "obo": 0.5,
                            "mae": round((0 + 2 / 4) / 2, 4), "hold_within": None}
    assert (per["push_up"]["exact"], per["push_up"]["obo"]) == (0.0, 1.0)
    assert (per["plank"]["hold_within"], per["plank"]["exact"]) == (1.0, None)
    assert (per["lunge"]["clips"], per["lunge"]["failed"], per["lunge"]["exact"]) == (0, 1, None)
    out = report.to_dict()
    assert SINGLE_FILE_KEYS <= set(out) and out["exercises"] == per and out["failed_clips"] == failures
    assert "x.mp4" in report.table() and "FAILED clip_failed" in report.table()
    table = report.exercise_table()
    assert table.splitlines()[0].startswith("per exercise") and "squat" in table and "50%" in table


def test_label_sets_of_several_files_or_a_folder(tmp_path):
    def rows(*pairs):
        return json.dumps([{"file": f, "exercise": e, "reps_min": 1, "reps_max": 1} for f, e in pairs])

    (tmp_path / "a.json").write_text(rows(("1.mp4", "squat"), ("2.mp4", "squat")))
    (tmp_path / "b.json").write_text(rows(("2.mp4", "squat"), ("2.mp4", "lunge")))
    (tmp_path / "jumps.json").write_text(json.dumps([{"file": "j.mp4", "exercise": "air_time_jump", "jumps": 6}]))
    (tmp_path / "notes.json").write_text(json.dumps({"file": "n.mp4"}))  # neither is a counting labels file
    files = [(r["file"], r["exercise"]) for r in load_label_sets([tmp_path / "a.json", tmp_path / "b.json"])]
    assert files == [("1.mp4", "squat"), ("2.mp4", "squat"), ("2.mp4", "lunge")]
    assert [(r["file"], r["exercise"]) for r in load_label_sets([tmp_path])] == files
    (tmp_path / "empty").mkdir()
    with pytest.raises(PoseTrackerError) as refused:
        load_label_sets([tmp_path / "empty"])
    assert refused.value.code == "labels_not_found"


@pytest.fixture(scope="module")
def label_files(tmp_path_factory, labels, videos_dir):
    """Two labels files of short real clips, and a videos/ folder beside them (with one damaged clip)."""
    root = tmp_path_factory.mktemp("eval-batch")
    (root / "videos").mkdir()
    short = {"dollarpy_pushup5.mp4", "thchen_situps.mp4", "suyog_curl.mp4"}
    rows = [r for r in labels if r["file"] in short]
    for r in rows:
        (root / "videos" / r["file"]).symlink_to(videos_dir / r["file"])
    (root / "videos" / "damaged.mp4").write_bytes((videos_dir / "suyog_curl.mp4").read_bytes()[:20000])
    (root / "one.json").write_text(json.dumps(rows[:2]))
    (root / "two.json").write_text(json.dumps(rows[2:] + [{**rows[0], "file": "damaged.mp4"}]))
    return root


@pytest.mark.slow
def test_eval_over_two_files_in_parallel_scores_every_clip_and_records_the_damaged_one(
        label_files, capsys, tmp_path, movenet_installed):
    cache = os.environ.get("POSETRACKER_POSE_CACHE") or str(tmp_path / "cache")
    args = ["eval", str(label_files / "one.json"), str(label_files / "two.json"), "--pose-cache", cache,
            "--workers", "2", "--json", "--out", str(tmp_path / "r.jsonl")]
    assert main(args) == 1  # a clip failed: the others are still scored
    out = json.loads(capsys.readouterr().out)
    assert SINGLE_FILE_KEYS <= set(out)
    assert [c["file"] for c in out["clips"]] == ["dollarpy_pushup5.mp4", "thchen_situps.mp4", "suyog_curl.mp4"]
    assert [f["file"] for f in out["failed_clips"]] == ["damaged.mp4"]
    assert set(out["exercises"]) == {"push_up", "crunch", "bicep_curl"}
    assert (out["exercises"]["push_up"]["clips"], out["exercises"]["push_up"]["failed"]) == (1, 1)
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 4
    # One worker, the folder form and the default --videos: the same report.
    assert main(["eval", str(label_files), "--pose-cache", cache, "--workers", "1", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == out
