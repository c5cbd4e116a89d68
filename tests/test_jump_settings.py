"""Jumps in the settings, the URL (userHeightCm, devicePitchDeg), the plans and the command line."""
from __future__ import annotations

import json

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
def test_analyze_json_prints_the_jumps_and_their_summary(capsys, clip):
    for extra in ([], ["--exercise", "jump_analysis", "--user-height-cm", "176"]):
        argv = ["analyze", str(clip("dhruvrahuja_cmj_repeated.mp4")), "--exercise", "air_time_jump", "--json", *extra]
        assert main(argv) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["reps"] == len(out["jumps"]) == out["jump_summary"]["totalJumps"] == 6
        assert all(set(j) == {"jumpNumber", "airTimeMs", "jumpHeightCm"} for j in out["jumps"])
        assert out["jump_summary"]["maxJumpHeight"] == max(j["jumpHeightCm"] for j in out["jumps"])
