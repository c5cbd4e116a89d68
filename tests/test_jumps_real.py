"""The real jump clip (six countermovement jumps, timed frame by frame) through both models."""
from __future__ import annotations

import json
import os

import pytest

from conftest import TESTDATA, _require
from posetracker.analysis import replay
from posetracker.jump_detector import flight_height_cm
from posetracker.options import Mode, Options
from posetracker.tools.posecache import track_video


@pytest.fixture(scope="module")
def jump_labels() -> dict:
    return json.loads(_require(TESTDATA / "jumps.json", "jump labels").read_text())[0]


@pytest.fixture(scope="module")
def pose_cache(tmp_path_factory):
    return os.environ.get("POSETRACKER_POSE_CACHE") or tmp_path_factory.mktemp("posecache")


@pytest.mark.slow
@pytest.mark.parametrize("model", ["movenet", "blazepose"])
def test_six_jumps_with_their_air_times_and_nothing_while_walking_off(model, jump_labels, videos_dir, pose_cache):
    track = track_video(videos_dir / jump_labels["file"], model, pose_cache)
    frame_ms = 1000.0 / jump_labels["fps"]
    for exercise, height in (("air_time_jump", None), ("jump_analysis", 176.0)):
        result = replay(track, Options(exercise=exercise, mode=Mode.UPLOAD, user_height_cm=height), model)
        jumps = [e for e in result.events if e["type"] == "jump_result"]
        assert result.reps == len(jumps) == jump_labels["jumps"], [(e["timestampMs"], e) for e in jumps]
        assert [r.counted for r in result.reps_detail] == [True] * len(jumps)  # the reps CSV lists the jumps
        summary = next(e for e in result.events if e["type"] == "jump_summary")
        for jump, (lo, hi), takeoff in zip(summary["jumps"], jump_labels["air_times_ms"],
                                            jump_labels["takeoff_pts_s"]):
            assert lo - frame_ms <= jump["airTimeMs"] <= hi + frame_ms, (model, jump)
            assert abs(jump["takeoffMs"] / 1000 - takeoff) <= 2 * frame_ms / 1000  # the right jump, not a neighbour
            if exercise == "air_time_jump":
                assert jump["jumpHeightCm"] == pytest.approx(flight_height_cm(jump["airTimeMs"] / 1000), abs=0.15)
        # After the last landing he walks off: no take-off, let alone a jump.
        last_landing_ms = jump_labels["landing_pts_s"][-1] * 1000 + 2 * frame_ms
        assert not [e for e in result.events if e["type"] == "jump_started" and e["timestampMs"] > last_landing_ms]
