"""Plans, tokens, the URL form of the settings and the plan gate (library level)."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from posetracker.errors import PoseTrackerError
from posetracker.events import validate_event
from posetracker.options import Difficulty, Mode
from posetracker.plans import PLANS, WATERMARK_TEXT, cheapest_plan_with, get_plan
from posetracker.settings import (
    URL_PARAMS, Settings, enforce, from_query_params, load_tokens, mask_token, plan_for_token, to_query_params,
)

EXERCISES = ["squat", "push_up", "plank"]
GATED_ON_FREE = {
    "keypoints": dict(keypoints=True), "angles": dict(angles=True), "form_score": dict(form_score=True),
    "progression": dict(progression=True), "recommendations": dict(recommendations=True),
    "blazepose": dict(model="blazepose"), "min_grade": dict(min_grade="C"),
}


def test_plans_grow_and_limits_grow():
    free, dev, business = (PLANS[p] for p in ("free", "developer", "business"))
    assert free.features < dev.features < business.features
    assert free.max_upload_seconds < dev.max_upload_seconds < business.max_upload_seconds
    assert not free.allows("blazepose") and dev.allows("blazepose")
    assert cheapest_plan_with("angles").id == "developer"
    assert cheapest_plan_with("custom_exercises").id == "business"


def test_unknown_plan_lists_the_valid_ones():
    with pytest.raises(Exception) as info:
        get_plan("gold")
    assert "free, developer, business" in str(info.value)


def test_defaults_of_a_plan_pass_its_own_gate():
    for plan_id in PLANS:
        settings, error = enforce(Settings.defaults_for(plan_id))
        assert error is None, plan_id


@pytest.mark.parametrize("feature", sorted(GATED_ON_FREE))
def test_each_gated_feature_is_refused_on_free(feature):
    asked = replace(Settings.defaults_for("free"), **GATED_ON_FREE[feature])
    allowed, error = enforce(asked)
    assert error["type"] == "error" and error["code"] == "developer_feature_not_allowed"
    assert error["details"]["blocked"] == [feature]
    assert feature not in allowed.requested_features()
    options = allowed.to_options(Mode.UPLOAD)
    if feature in ("keypoints", "angles", "form_score", "progression", "recommendations"):
        assert getattr(options, feature) is False


def test_developer_gets_what_free_is_refused():
    asked = replace(Settings.defaults_for("developer"), keypoints=True, angles=True, model="blazepose")
    allowed, error = enforce(asked)
    assert error is None and allowed == asked


def test_tokens_come_from_configuration_and_unknown_tokens_stay_on_free():
    tokens = load_tokens({"biz-123456789": "business"}, environ={"POSETRACKER_TOKENS": "dev-987654321=developer"})
    assert tokens == {"dev-987654321": "developer", "biz-123456789": "business"}
    assert plan_for_token("biz-123456789", tokens) == ("business", None)
    plan, error = plan_for_token("stolen-token-value", tokens)
    assert plan == "free" and error["code"] == "invalid_token"
    assert "stolen-token-value" not in error["message"]
    assert mask_token("stolen-token-value") == "stol…"


def test_url_round_trip_reproduces_the_settings():
    settings = Settings(plan="developer", exercise="push_up", difficulty=Difficulty.HARD, min_grade="B",
                        model="blazepose", keypoints=True, angles=False, form_score=True, progression=False,
                        recommendations=True, export=False, placement=False, countdown_s=5, mirror=False)
    params = to_query_params(settings)
    assert (from_query_params(params, EXERCISES)) == (settings, [])
    # A link read over any session's settings reproduces the same configuration.
    assert from_query_params(params, EXERCISES, base=Settings.defaults_for("business", min_grade="A"))[0] == settings


def test_url_uses_posetrackers_names():
    params = to_query_params(Settings.defaults_for("developer", min_grade="C", form_score=False))
    assert {"exercise", "difficulty", "skeleton", "keypoints", "angles", "progression", "recommendations",
            "blazepose", "export", "minGrade", "placement", "countdown"} <= set(params)
    assert params["minGrade"] == "C" and params["formScore"] == "false" and params["blazepose"] == "false"
    assert set(params) <= set(URL_PARAMS)


def test_the_token_is_never_written_back_to_the_url():
    tokens = {"dev-987654321": "developer"}
    settings, errors = from_query_params({"token": "dev-987654321", "keypoints": "true"}, EXERCISES, tokens)
    assert settings.plan == "developer" and settings.keypoints and errors == []
    assert "dev-987654321" not in str(to_query_params(settings)) and settings.token_hint == "dev-…"
    assert "dev-987654321" not in repr(settings)


def test_invalid_url_values_are_reported_and_replaced_by_defaults():
    params = {"exercise": "moonwalk", "difficulty": "insane", "minGrade": "Z", "countdown": "-4",
              "keypoints": "maybe", "token": "nope-nope-nope", "blazepose": "2", "plan": "gold", "utm": "x"}
    settings, errors = from_query_params(params, EXERCISES, {})
    assert settings == Settings(token_hint="nope…")
    codes = [e["code"] for e in errors]
    assert sorted(codes) == sorted(["invalid_token", "invalid_exercise"] + ["invalid_parameter"] * 5)
    assert {e["details"]["param"] for e in errors if e["code"] == "invalid_parameter"} == {
        "difficulty", "minGrade", "countdown", "keypoints", "blazepose"}
    assert all(e["type"] == "error" and e["message"] for e in errors)
    assert "nope-nope-nope" not in str(errors)


@pytest.mark.parametrize("countdown", ["11", "3.5", "", "ten", "-0", "²", "1e1", "99999999999999999999"])
def test_out_of_range_countdowns_never_crash(countdown):
    settings, errors = from_query_params({"countdown": countdown}, EXERCISES)
    assert settings.countdown_s == 3 and errors[0]["details"]["param"] == "countdown"


def test_gated_features_asked_for_in_the_url_are_refused_on_free():
    settings, errors = from_query_params({"keypoints": "true", "angles": "1", "blazepose": "true",
                                          "formScore": "yes", "exercise": "push_up"}, EXERCISES)
    assert [e["code"] for e in errors] == ["developer_feature_not_allowed"]
    assert errors[0]["details"]["blocked"] == ["angles", "blazepose", "form_score", "keypoints"]
    assert settings == Settings(exercise="push_up")


def test_an_unknown_token_in_the_url_keeps_free_even_when_the_url_names_a_plan():
    settings, errors = from_query_params({"token": "forged-token-123", "plan": "business", "angles": "true"},
                                         EXERCISES, {"real-token-12345": "business"})
    assert settings.plan == "free" and not settings.angles
    assert [e["code"] for e in errors] == ["invalid_token", "developer_feature_not_allowed"]


def test_switching_plan_keeps_the_users_choices_and_resets_gated_outputs():
    dev = Settings.defaults_for("developer", exercise="plank", countdown_s=7, keypoints=True, model="blazepose")
    free = dev.with_plan("free")
    assert (free.exercise, free.countdown_s, free.plan) == ("plank", 7, "free")
    assert enforce(free) == (free, None) and not free.form_score and free.model == "movenet"
    assert free.with_plan("developer").form_score


def test_settings_reject_invalid_values_with_the_valid_choices():
    with pytest.raises(PoseTrackerError, match="easy, medium, hard"):
        Settings(difficulty="insane")
    with pytest.raises(PoseTrackerError, match="movenet, blazepose"):
        Settings(model="yolo")
    with pytest.raises(PoseTrackerError, match="0 to 10"):
        Settings(countdown_s=30)
    assert Settings(difficulty="hard").difficulty is Difficulty.HARD


def test_to_options_never_bypasses_the_plan():
    forged = Settings(keypoints=True, angles=True, form_score=True, progression=True, recommendations=True)
    options = forged.to_options(Mode.LIVE)
    assert not any((options.keypoints, options.angles, options.form_score, options.progression,
                    options.recommendations))
    assert Settings.defaults_for("developer", keypoints=True).to_options(Mode.UPLOAD).keypoints
    assert Settings(countdown_s=5).to_options(Mode.UPLOAD).countdown_s == 0


def test_watermark_only_on_free_and_limits_described():
    assert Settings().watermark == WATERMARK_TEXT and Settings(plan="developer").watermark is None
    assert PLANS["free"].describe_limits() == "Uploads up to 1 min and 100 MB."
    assert PLANS["business"].describe_limits() == "Uploads up to 30 min and 2 GB."


def test_malformed_token_configuration_is_reported_without_quoting_it():
    with pytest.raises(PoseTrackerError) as info:
        load_tokens(environ={"POSETRACKER_TOKENS": "secret-abcdef-123"})
    assert info.value.code == "invalid_token_config" and "secret" not in str(info.value)
    assert load_tokens(environ={"POSETRACKER_TOKENS": '{"t-1234567890ab": "developer", "t-x": "gold"}'}) == {
        "t-1234567890ab": "developer"}


def test_short_tokens_are_masked_completely():
    assert mask_token("abc123") == "…" and mask_token("") == "…"



@given(st.dictionaries(st.sampled_from(URL_PARAMS + ("utm_source",)), st.text(max_size=12), max_size=8))
@hsettings(max_examples=200, deadline=None)
def test_no_url_crashes_the_settings_and_every_result_passes_its_own_gate(params):
    tokens = {"dev-0123456789ab": "developer"}
    settings, errors = from_query_params(params, EXERCISES, tokens)
    assert enforce(settings) == (settings, None)
    assert all(validate_event(e) == [] for e in errors)
    assert from_query_params(to_query_params(settings), EXERCISES)[0] == settings


def test_the_features_table_drives_the_plans_the_url_the_gate_and_the_cli():
    import argparse

    from posetracker.commands import analyze
    from posetracker.features import FEATURES, GATED_EVENTS, TIERS
    from posetracker.settings import BOOL_PARAMS

    for feature in FEATURES:
        cheapest = cheapest_plan_with(feature.id)
        assert cheapest.id == feature.tier and all(PLANS[t].allows(feature.id) for t in TIERS[TIERS.index(feature.tier):])
        if feature.url:
            assert BOOL_PARAMS[feature.url] == feature.setting
    parser = argparse.ArgumentParser()
    analyze.register(parser.add_subparsers())
    flags = {f.setting for f in FEATURES if f.cli}
    args = parser.parse_args(["analyze", "v.mp4", "--exercise", "squat", *(f"--{f.cli}" for f in FEATURES if f.cli)])
    assert flags == set(GATED_EVENTS.values()) and all(getattr(args, name) is True for name in flags)
    assert {name for name, value in vars(analyze.build_settings(args)).items() if value is True} >= flags


def test_spoken_coaching_is_off_by_default_and_carried_by_the_url_and_a_plan_change():
    assert Settings().speak is False and to_query_params(Settings())["speak"] == "false"
    settings, errors = from_query_params({"speak": "true"}, ["squat"])
    assert settings.speak is True and not errors and to_query_params(settings)["speak"] == "true"
    assert settings.with_plan("developer").speak is True  # the user's choice, not a plan feature
    assert settings.to_options(Mode.LIVE) == replace(settings, speak=False).to_options(Mode.LIVE)
    _, errors = from_query_params({"speak": "loud"}, ["squat"])
    assert [e["details"]["param"] for e in errors] == ["speak"]
