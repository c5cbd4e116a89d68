"""`posetracker bench --scaling`: the batch scaling figures are there, sane, of identical work; the cluster
projection is the arithmetic it claims. Not a timed test."""
from __future__ import annotations

import json

import pytest

from posetracker import cli
from posetracker.tools.scaling import format_scaling, measure_scaling, project_cluster, scaling_clips


def test_the_cluster_projection_is_nodes_times_the_measured_rate():
    run = {"workers": 2, "frames_per_s": 100.0}
    c = project_cluster(run, frames_per_clip=600, video_s_per_clip=20, nodes=10, clips=10_000)
    # 10,000 clips x 600 frames / (10 nodes x 100 frames/s) = 6,000 s
    assert (c["hours"], c["cluster_frames_per_s"], c["clips_per_min"]) == (round(6000 / 3600, 2), 1000.0, 100.0)


def test_labelled_clips_keep_their_exercise(videos_dir):
    clips = scaling_clips(videos_dir)
    assert len(clips) == 35 and {"squat", "plank", "wall_sit"} <= {c.exercise for c in clips}
    # jumps.json's clip is labelled with a catalogue exercise too (air_time_jump) and keeps it
    assert {c.exercise for c in clips if c.name == "dhruvrahuja_cmj_repeated.mp4"} == {"air_time_jump"}
    assert [c.name for c in scaling_clips(videos_dir, 3)] == [c.name for c in clips[:3]]


@pytest.fixture(scope="module")
def report(tmp_path_factory, clip, movenet_installed):
    folder = tmp_path_factory.mktemp("scaling") / "videos"
    folder.mkdir()
    for name in ("dollarpy_pushup5.mp4", "techbusa_glute_bridge.mp4"):
        (folder / name).symlink_to(clip(name))
    return measure_scaling(scaling_clips(folder), "movenet", (1, 2))


@pytest.mark.slow
def test_scaling_report_has_one_run_per_worker_count_with_the_same_results(report):
    assert [r["workers"] for r in report["runs"]] == [1, 2]
    for run in report["runs"]:
        assert run["same_results"] and run["failed"] == 0
        assert run["clips_per_min"] > 0 and run["frames_per_s"] > 0 and run["efficiency"] > 0
    assert report["runs"][0]["efficiency"] == 1.0
    assert report["frames"] > 300 and report["cluster"]["hours"] > 0
    json.dumps(report)
    table = format_scaling(report)
    assert "clips/min" in table and "efficiency" in table and "10 nodes" in table and "10,000" in table


@pytest.mark.slow
def test_bench_scaling_command_prints_json(videos_dir, capsys, movenet_installed):
    assert cli.main(["bench", "--scaling", "--scaling-clips", "1", "--scaling-workers", "1", "--json",
                     "--videos", str(videos_dir)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["clips"] == 1 and [r["workers"] for r in out["runs"]] == [1]
