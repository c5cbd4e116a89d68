"""`posetracker bench` smoke test: every key is there with a sane type, on a few frames. Not a timed test."""
from __future__ import annotations

import json

import pytest

from posetracker import cli
from posetracker.tools.bench import BASELINE_KEYS, MODEL_KEYS, BenchConfig, format_report, pick_clips, run_bench


@pytest.fixture(scope="module")
def tiny_videos(tmp_path_factory, clip):
    folder = tmp_path_factory.mktemp("bench-videos")
    (folder / "clip.mp4").symlink_to(clip("posemvp_pushup.mp4"))
    (folder / "notes.txt").write_text("not a video")
    return folder


@pytest.fixture(scope="module")
def report(tiny_videos, movenet_installed):
    config = BenchConfig(videos=tiny_videos, live_frames=6, upload_seconds=1.0, memory_seconds=1.5,
                         long_minutes=0.05)
    return run_bench(config)


def test_report_has_every_key_with_sane_types(report):
    assert set(report) == {"machine", "models", "baseline"}
    assert set(report["models"]) == {"movenet", "blazepose"}
    for name, figures in report["models"].items():
        for key in MODEL_KEYS:
            value = figures[key]
            assert isinstance(value, float) and value > 0, (name, key, value)
        assert figures["model_ms_median"] <= figures["model_ms_p95"]
        assert figures["live_ms_median"] <= figures["live_ms_p95"]
        assert isinstance(figures["rss_grows_with_length"], bool)
    for key in BASELINE_KEYS:
        assert isinstance(report["baseline"][key], float) and report["baseline"][key] > 0, key
    machine = report["machine"]
    assert machine["cores"] >= 1 and machine["clips"]["upload"]["name"] == "clip.mp4"
    assert machine["clips"]["upload"]["seconds"] <= 1.6  # cut by stream copy, not the whole clip
    json.dumps(report)  # one serialisable object


def test_the_long_upload_is_a_1080p_clip_of_the_asked_length(report):
    for name, figures in report["models"].items():
        long = figures["long_upload"]
        assert (long["width"], long["height"], long["minutes"]) == (1920, 1080, 0.05), name
        assert abs(long["frames"] - 3.0 * report["machine"]["clips"]["upload"]["fps"]) <= 2, long
        assert long["peak_rss_mb"] >= long["peak_rss_mb_first_third"] > 0


def test_table_names_every_column(report):
    table = format_report(report)
    assert "3-minute" not in table and "0.05-minute 1920x1080 upload" in table
    assert "movenet" in table and "blazepose" in table and "baseline" in table
    assert "live / model-only" in table


def test_pick_clips_prefers_720p_and_keeps_the_longest_for_memory(videos_dir):
    upload, memory = pick_clips(videos_dir)
    from posetracker.video import VideoInfo

    info = VideoInfo.from_path(upload)
    assert info.height == 720 and info.fps >= 29
    assert VideoInfo.from_path(memory).duration_s >= info.duration_s


def test_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["bench", "--videos", str(tmp_path / "nope")]) == 2
    assert "Pass --videos DIR" in capsys.readouterr().err


def test_missing_movenet_weights_is_a_clear_error(tmp_path, monkeypatch, capsys, videos_dir):
    monkeypatch.setenv("POSETRACKER_MODELS_DIR", str(tmp_path))  # an empty models folder
    assert cli.main(["bench", "--quick", "--videos", str(videos_dir)]) == 2
    assert "posetracker models fetch movenet" in capsys.readouterr().err
