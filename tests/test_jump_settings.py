"""Jumps in the settings, the URL (userHeightCm, devicePitchDeg), the plans and the command line."""
from __future__ import annotations

import json

import numpy as np
import pytest

from posetracker.cli import main
from posetracker.errors import PoseTrackerError
from posetracker.exercises import exercise_ids
from posetracker.options import Mode
from posetracker.plans import PLANS
from posetracker.settings import Settings, enforce, from_query_params, to_query_params

EXERCISES = exercise_ids()


@pytest.mark.parametrize("plan", list(PLANS))
@pytest.mark.parametrize("exercise", ["air_time_jump", "jump_analysis"])
def test_both_jump_exercises_are_on_every_plan(plan, exercise):
    settings, errors = from_query_params({"plan": plan, "exercise": exercise, "userHeightCm": "180"}, EXERCISES)
    assert errors == [] and enforce(settings) == (settings, None)
    options = settings.to_options(Mode.UPLOAD)
    assert options.exercise == exercise and options.user_height_cm == 180.0
    assert not options.keypoints and not options.angles  # raw outputs stay opt-in and gated as before


def test_url_height_and_tilt_round_trip():
    settings, errors = from_query_params({"exercise": "jump_analysis", "userHeightCm": "176.5",
                                          "devicePitchDeg": "-12"}, EXERCISES)
    assert errors == [] and (settings.user_height_cm, settings.device_pitch_deg) == (176.5, -12.0)
    params = to_query_params(settings)
    assert params["userHeightCm"] == "176.5" and params["devicePitchDeg"] == "-12"
    assert from_query_params(params, EXERCISES)[0] == settings
    assert "userHeightCm" not in to_query_params(Settings())  # no height: none in the URL


@pytest.mark.parametrize("param,value", [("userHeightCm", "tall"), ("userHeightCm", "20"), ("userHeightCm", "nan"),
                                         ("devicePitchDeg", "95"), ("devicePitchDeg", "x")])
def test_bad_height_or_tilt_in_the_url_is_reported_and_ignored(param, value):
    settings, errors = from_query_params({param: value}, EXERCISES)
    assert [e["code"] for e in errors] == ["invalid_parameter"] and errors[0]["details"]["param"] == param
    assert settings.user_height_cm is None and settings.device_pitch_deg == 0.0


def test_settings_refuse_an_impossible_height():
    with pytest.raises(PoseTrackerError) as err:
        Settings(user_height_cm=400.0)
    assert err.value.code == "invalid_user_height"


def test_jump_analysis_on_the_command_line_needs_a_height(capsys, tmp_path):
    assert main(["analyze", str(tmp_path / "none.mp4"), "--exercise", "jump_analysis", "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["code"] == "jump_analysis_missing_height" and "--user-height-cm" in out["message"]


@pytest.mark.slow
def test_analyze_json_prints_the_jumps_and_their_summary_and_the_export_shows_them(capsys, clip, tmp_path):
    video = clip("dhruvrahuja_cmj_repeated.mp4")
    export = tmp_path / "jumps.mp4"
    for extra in ([], ["--exercise", "jump_analysis", "--user-height-cm", "176", "--export", str(export)]):
        assert main(["analyze", str(video), "--exercise", "air_time_jump", "--json", *extra]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["reps"] == len(out["jumps"]) == out["jump_summary"]["totalJumps"] == 6
        assert all(set(j) == {"jumpNumber", "airTimeMs", "jumpHeightCm"} for j in out["jumps"])
        assert out["jump_summary"]["maxJumpHeight"] == max(j["jumpHeightCm"] for j in out["jumps"])
    # The export: before any jump the top middle is the gym wall; just after the first landing it carries the
    # "Landed  NN.N cm" banner.
    source, drawn = _frames(video, (5, 88)), _frames(export, (5, 88))
    assert len(drawn) == 2
    band = (slice(90, 150), slice(490, 790))
    before = np.abs(drawn[5][band].astype(int) - source[5][band]).mean()
    after = np.abs(drawn[88][band].astype(int) - source[88][band]).mean()
    assert before < 8 < 30 < after, (before, after)


def _frames(path, wanted) -> dict:
    import av

    with av.open(str(path)) as container:
        return {i: f.to_ndarray(format="rgb24") for i, f in enumerate(container.decode(video=0)) if i in wanted}
