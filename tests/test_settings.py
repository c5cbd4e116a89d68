"""Plans, tokens, the URL form of the settings and the plan gate (library level)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from posetracker.options import Difficulty, Mode
from posetracker.plans import PLANS, cheapest_plan_with, get_plan
from posetracker.settings import (
    Settings, enforce, from_query_params, load_tokens, mask_token, plan_for_token, to_query_params,
)

EXERCISES = ["squat", "push_up", "plank"]
GATED_ON_FREE = {
    "keypoints": dict(keypoints=True), "angles": dict(angles=True), "form_score": dict(form_score=True),
    "progression": dict(progression=True), "recommendations": dict(recommendations=True),
    "blazepose": dict(model="blazepose"),
}


def test_plans_grow_and_limits_grow():
    free, dev, business = (PLANS[p] for p in ("free", "developer", "business"))
    assert free.features < dev.features < business.features
    assert free.max_upload_seconds < dev.max_upload_seconds < business.max_upload_seconds
    assert free.models == ("movenet",) and "blazepose" in dev.models
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
    back, problems, errors = from_query_params(params, Settings(), EXERCISES)
    assert (back, problems, errors) == (settings, [], [])


def test_the_token_is_never_written_back_to_the_url():
    tokens = {"dev-987654321": "developer"}
    settings, problems, errors = from_query_params({"token": "dev-987654321"}, Settings(), EXERCISES, tokens)
    assert settings.plan == "developer" and problems == [] and errors == []
    assert "dev-987654321" not in str(to_query_params(settings)) and settings.token_hint == "dev-…"


def test_invalid_url_values_are_reported_and_replaced_by_defaults():
    params = {"exercise": "moonwalk", "difficulty": "insane", "minGrade": "Z", "countdown": "-4",
              "keypoints": "maybe", "token": "nope-nope-nope"}
    settings, problems, errors = from_query_params(params, Settings(), EXERCISES, {})
    assert settings == Settings(token_hint="nope…")
    assert len(problems) == 6
    assert {e["code"] for e in errors} == {"invalid_exercise", "invalid_token"}
