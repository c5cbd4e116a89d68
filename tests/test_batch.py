"""`posetracker batch` and parallel eval on this machine's cores: the same records as a sequential run, per-clip
errors recorded, a killed worker survived, a re-run resumes. (The Ray cluster runs are in test_batch_ray.py.)"""
from __future__ import annotations

import io
import json
import multiprocessing
import os
import signal

import pytest

from posetracker.cli import main
from posetracker.errors import PoseTrackerError
from posetracker.tools.batch import Clip, clips_from, format_batch, run_batch, summarise_batch
from posetracker.tools.progress import ProgressBar

# Short real clips (6-10 s): the model runs on each, so the batch is tested end to end, not just the replay.
SHORT = {"dollarpy_pushup5.mp4": "push_up", "kaiakol_push_up.mp4": "push_up",
         "techbusa_glute_bridge.mp4": "glute_bridge"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory, clip):
    """The short clips plus a damaged one (a video's first bytes only) and a file that is not a video."""
    d = tmp_path_factory.mktemp("batch-clips")
    for name in SHORT:
        (d / name).symlink_to(clip(name))
    (d / "damaged.mp4").write_bytes(clip("kaiakol_push_up.mp4").read_bytes()[:20000])
    (d / "notes.txt").write_text("not a clip")
    return d


@pytest.fixture(scope="module")
def manifest(folder):
    lines = [f"{name} {exercise}" for name, exercise in SHORT.items()] + ["damaged.mp4 push_up"]
    path = folder / "manifest.txt"
    path.write_text("# clips to count\n" + "\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def sequential(manifest, movenet_installed, tmp_path_factory):
    out = tmp_path_factory.mktemp("sequential") / "results.jsonl"
    records = run_batch(clips_from(manifest), "movenet", workers=1, results=out)
    return records, out


def test_a_folder_is_every_video_in_it_and_a_manifest_names_each_exercise(folder, manifest):
    assert [c.name for c in clips_from(folder, "squat")] == ["damaged.mp4", *sorted(SHORT)]
    assert {c.exercise for c in clips_from(folder, "squat")} == {"squat"}
    assert [(c.name, c.exercise) for c in clips_from(manifest)] == [*SHORT.items(), ("damaged.mp4", "push_up")]
    labels = folder / "labels.json"
    labels.write_text(json.dumps([{"file": "kaiakol_push_up.mp4", "exercise": "push_up"}, {"file": "x.mp4"}]))
    assert [(c.exercise, c.size > 0) for c in clips_from(labels, "squat")] == [("push_up", True), ("squat", False)]
    (folder / "empty.txt").write_text("# nothing yet\n")
    for source, exercise, code in ((labels, None, "exercise_missing"), (folder, "nope", "invalid_exercise"),
                                   (folder / "empty.txt", "squat", "manifest_invalid"),
                                   (folder / "missing", "squat", "no_clips")):
        with pytest.raises(PoseTrackerError) as refused:
            clips_from(source, exercise)
        assert refused.value.code == code


@pytest.mark.slow
def test_a_damaged_clip_is_recorded_and_the_batch_goes_on(sequential):
    records, out = sequential
    assert [r["file"] for r in records] == [*SHORT, "damaged.mp4"]
    good, damaged = records[:3], records[3]
    assert all(r["error"] is None and r["frames"] > 100 and r["reps"] >= 1 for r in good), good
    assert damaged["error"]["code"] in {"video_load_error", "media_decode_error", "clip_failed"}, damaged
    summary = summarise_batch(records)
    assert (summary["clips"], summary["failed"]) == (4, 1)
    assert summary["exercises"]["push_up"]["reps"] == good[0]["reps"] + good[1]["reps"]
    assert "ERROR" in format_batch(records)
    csv_rows = out.with_suffix(".csv").read_text().splitlines()
    assert len(csv_rows) == 5 and csv_rows[4].startswith("damaged.mp4,push_up,movenet,")


@pytest.mark.slow
def test_two_workers_write_exactly_what_one_writes(sequential, manifest, tmp_path):
    records, out = sequential
    parallel_out = tmp_path / "results.jsonl"
    assert run_batch(clips_from(manifest), "movenet", workers=2, results=parallel_out) == records
    assert parallel_out.read_bytes() == out.read_bytes()
    assert parallel_out.with_suffix(".csv").read_bytes() == out.with_suffix(".csv").read_bytes()


@pytest.mark.slow
def test_a_killed_worker_costs_no_clip(sequential, manifest, tmp_path):
    killed = []

    def kill_a_worker(record, clip) -> None:
        if not killed:
            worker = multiprocessing.active_children()[0]
            os.kill(worker.pid, signal.SIGKILL)
            killed.append(worker.pid)

    records = run_batch(clips_from(manifest), "movenet", workers=2, progress=kill_a_worker)
    assert killed and records == sequential[0]


@pytest.mark.slow
def test_a_rerun_skips_the_clips_already_written(sequential, manifest, tmp_path):
    records, out = sequential
    resumed = tmp_path / "results.jsonl"
    lines = out.read_text().splitlines()
    # A run killed after two clips: two whole lines and half of the third.
    resumed.write_text(lines[0] + "\n" + lines[1] + "\n" + lines[2][:25])
    ran = []
    again = run_batch(clips_from(manifest), "movenet", workers=1, results=resumed,
                      progress=lambda record, clip: ran.append(clip.name))
    assert ran == [list(SHORT)[2], "damaged.mp4"]  # failed clips are tried again
    assert again == records and resumed.read_bytes() == out.read_bytes()


@pytest.mark.slow
def test_batch_command_writes_results_and_exits_1_when_a_clip_failed(manifest, sequential, tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert main(["batch", str(manifest), "--out", str(out), "--workers", "2", "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["clips"], summary["failed"], summary["results"]) == (4, 1, str(out))
    assert out.read_bytes() == sequential[1].read_bytes()
    assert main(["batch", str(manifest), "--out", str(out), "--model", "nope"]) == 2


def test_progress_bar_shows_clips_frames_per_second_and_time_left():
    now = [0.0]
    clips = [Clip("a.mp4", "a.mp4", "squat", 100), Clip("b.mp4", "b.mp4", "squat", 300)]
    stream = io.StringIO()
    bar = ProgressBar(clips, stream=stream, width=10, clock=lambda: now[0])
    now[0] = 2.0
    bar({"frames": 50, "error": None}, clips[0])
    assert bar.line() == "[#####.....] 1/2 clips  25 frames/s  ~0:06 left"  # 300 bytes left at 50 bytes/s
    now[0] = 8.0
    bar({"frames": 0, "error": {"code": "clip_failed"}}, clips[1])
    assert bar.line() == "[##########] 2/2 clips  1 failed  6 frames/s  done in 0:08"
    bar.close()
    assert stream.getvalue().endswith("done in 0:08   \n")


@pytest.mark.slow
def test_a_shared_pose_cache_is_written_whole_and_replays_the_same_records(sequential, manifest, tmp_path):
    clips = clips_from(manifest)[:1]
    first = run_batch(clips, "movenet", workers=1, pose_cache=tmp_path)
    assert [p.name.endswith("-movenet-v3.npz") for p in tmp_path.iterdir()] == [True]  # no partial file left
    assert run_batch(clips, "movenet", workers=1, pose_cache=tmp_path) == first == sequential[0][:1]
