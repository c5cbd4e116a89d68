"""The Settings page through Streamlit's AppTest: plan toggles, tokens, the URL round trip and the gate."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from streamlit.testing.v1 import AppTest

from posetracker.exercises import human_name
from posetracker.plans import PLANS, cheapest_plan_with
from posetracker.settings import Settings, from_query_params, to_query_params

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # pages import `pages._shared`, as they do under `streamlit run app.py`
STATE_KEY = "posetracker.settings"
GATED = ("form_score", "progression", "recommendations", "keypoints", "angles", "blazepose")
DEV_TOKEN = "dev-0123456789abcdef"


def open_page(params: dict | None = None, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "pages" / "settings.py"), default_timeout=30)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    for name, value in (secrets or {}).items():
        at.secrets[name] = value
    return at.run()


def toggles(at: AppTest) -> dict[str, object]:
    return {t.key.removeprefix("settings."): t for t in at.toggle}


def saved(at: AppTest) -> Settings:
    return at.session_state[STATE_KEY]


def url(at: AppTest) -> dict[str, str]:
    return {k: v[-1] for k, v in at.query_params.items()}


def page_text(at: AppTest) -> str:
    parts = [e.value for kind in (at.markdown, at.caption, at.code, at.error, at.warning, at.info, at.text_input)
             for e in kind]
    return " ".join(map(str, parts)) + " " + " ".join(t.label for t in at.toggle) + str(at.query_params)


@pytest.fixture(autouse=True)
def no_env_tokens(monkeypatch):
    monkeypatch.delenv("POSETRACKER_TOKENS", raising=False)


@pytest.mark.parametrize("plan_id", list(PLANS))
def test_toggles_the_plan_lacks_are_visible_but_disabled_and_name_the_plan(plan_id):
    at = open_page({"plan": plan_id})
    assert not at.exception and saved(at).plan == plan_id
    shown = toggles(at)
    assert set(shown) >= {"skeleton", "placement", "mirror", "export", *GATED}
    for name, toggle in shown.items():
        locked = name in GATED and not PLANS[plan_id].allows(name)
        assert toggle.disabled is locked, name
        if locked:
            assert toggle.value is False and toggle.label.endswith(f"· {cheapest_plan_with(name).name} plan")
    grade = at.selectbox(key="settings.min_grade")
    assert grade.disabled is (plan_id == "free") and grade.label.endswith("Developer plan") is (plan_id == "free")
    assert PLANS[plan_id].describe_limits() in page_text(at)


def test_free_is_the_default_and_shows_the_watermark_and_limits():
    at = open_page()
    assert saved(at) == Settings()
    assert "Uploads up to 1 min and 100 MB" in page_text(at) and "PoseTracker sandbox" in page_text(at)
    assert all(toggles(at)[name].disabled for name in GATED)


def test_exercises_are_listed_by_human_name():
    at = open_page()
    picker = at.selectbox(key="settings.exercise")
    assert human_name("push_up") in picker.options and "push_up" not in picker.options


def test_an_invalid_token_shows_an_error_and_the_session_stays_on_free():
    at = open_page({"plan": "developer"}, secrets={"tokens": {DEV_TOKEN: "developer"}})
    at.text_input(key="settings.token").input("forged-token-value-999").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The token forg… is not valid, so the session stays on the Free plan. Check the token or ask for a new one."]
    assert saved(at).plan == "free" and at.radio(key="settings.plan").value == "free"
    assert at.text_input(key="settings.token").value == ""
    assert "forged-token-value-999" not in page_text(at)


def test_a_configured_token_unlocks_its_plan_and_is_never_shown_in_full(monkeypatch):
    monkeypatch.setenv("POSETRACKER_TOKENS", f"{DEV_TOKEN}=developer")
    at = open_page()
    at.text_input(key="settings.token").input(DEV_TOKEN).run()
    assert saved(at).plan == "developer" and not toggles(at)["keypoints"].disabled
    assert "Developer plan (token dev-…)" in page_text(at)
    assert DEV_TOKEN not in page_text(at) and DEV_TOKEN not in repr(saved(at))
    assert at.text_input(key="settings.token").value == ""


def test_a_token_in_the_url_is_read_from_secrets_then_dropped_from_the_url():
    at = open_page({"token": DEV_TOKEN, "angles": "true"}, secrets={"tokens": {DEV_TOKEN: "business"}})
    assert saved(at).plan == "business" and saved(at).angles and not at.warning and not at.error
    assert "token" not in url(at) and url(at)["plan"] == "business"
    assert DEV_TOKEN not in page_text(at)


def test_url_round_trip_params_in_widgets_saved_params_out():
    params = {"plan": "developer", "exercise": "push_up", "difficulty": "hard", "countdown": "5", "minGrade": "B",
              "keypoints": "true", "blazepose": "true", "recommendations": "false", "mirror": "false"}
    at = open_page(params)
    assert not at.warning and not at.error
    assert at.selectbox(key="settings.exercise").value == "push_up"
    assert at.radio(key="settings.difficulty").value == "hard"
    assert at.slider(key="settings.countdown_s").value == 5
    assert at.selectbox(key="settings.min_grade").value == "B"
    shown = toggles(at)
    assert shown["keypoints"].value and shown["blazepose"].value and not shown["recommendations"].value
    assert not shown["mirror"].value and shown["form_score"].value

    at.toggle(key="settings.angles").set_value(True).run()
    at.radio(key="settings.difficulty").set_value("easy").run()
    at.slider(key="settings.countdown_s").set_value(8).run()
    expected = Settings(plan="developer", exercise="push_up", difficulty="easy", countdown_s=8, min_grade="B",
                        keypoints=True, angles=True, model="blazepose", form_score=True, progression=True,
                        recommendations=False, mirror=False)
    assert saved(at) == expected
    assert url(at) == to_query_params(expected)
    # The link, opened anew, reproduces the same session.
    assert saved(open_page(url(at))) == expected
    assert from_query_params(url(at), ["push_up"])[0] == expected


def test_invalid_url_values_are_reported_and_replaced_by_defaults():
    at = open_page({"exercise": "moonwalk", "difficulty": "insane", "countdown": "99", "keypoints": "maybe",
                    "plan": "gold", "minGrade": "Z"})
    assert not at.exception
    assert len(at.warning) == 6
    assert any("moonwalk" in w.value for w in at.warning) and any("countdown" in w.value for w in at.warning)
    assert saved(at) == Settings()
    assert url(at) == to_query_params(Settings())  # the bad values are gone from the address bar too
    at.run()  # a rerun nobody asked for (the camera component's first one): still there to be read
    assert len(at.warning) == 6
    at.radio(key="settings.difficulty").set_value("easy").run()
    assert not at.warning  # the user has acted on the page: not repeated on every rerun after that


def test_gated_features_in_the_url_are_refused_on_free_with_the_gate_error():
    at = open_page({"keypoints": "true", "blazepose": "true"})
    assert [w.value for w in at.warning] == [
        "The Free plan does not include: BlazePose model, Raw keypoints. Switch them off, or move to the Developer "
        "plan (choose it, or use its token)."]
    assert not saved(at).keypoints and saved(at).model == "movenet"
    assert url(at)["keypoints"] == "false" and url(at)["blazepose"] == "false"


def test_a_forged_session_state_does_not_get_past_the_gate():
    at = open_page()
    at.session_state[STATE_KEY] = Settings(keypoints=True, angles=True, form_score=True, countdown_s=4)
    at.run()
    assert not at.exception
    assert any("does not include: Joint angles, Form score and grade, Raw keypoints" in w.value for w in at.warning)
    assert saved(at) == Settings(countdown_s=4)
    assert not toggles(at)["keypoints"].value and toggles(at)["keypoints"].disabled


def test_an_unknown_exercise_in_the_session_state_falls_back_to_the_default():
    at = open_page({"plan": "developer"})
    at.session_state[STATE_KEY] = Settings(plan="developer", exercise="moonwalk", countdown_s=6)
    at.run()
    assert not at.exception and saved(at) == Settings(plan="developer", countdown_s=6)
    assert any("moonwalk" in w.value for w in at.warning)


def test_garbage_in_the_session_state_resets_to_free_instead_of_crashing():
    at = open_page({"plan": "developer"})
    at.session_state[STATE_KEY] = {"plan": "business", "keypoints": True}
    at.run()
    assert not at.exception and saved(at) == Settings() and at.error


def test_switching_back_to_free_switches_gated_outputs_off_and_keeps_the_rest():
    at = open_page({"plan": "developer", "exercise": "plank", "keypoints": "true", "countdown": "7"})
    at.radio(key="settings.plan").set_value("free").run()
    assert saved(at) == Settings(exercise="plank", countdown_s=7)
    assert all(toggles(at)[name].disabled and not toggles(at)[name].value for name in GATED)


def test_missing_movenet_weights_say_the_session_runs_on_blazepose(tmp_path, monkeypatch):
    monkeypatch.setenv("POSETRACKER_MODELS_DIR", str(tmp_path))
    at = open_page()
    assert saved(at).model == "movenet" and saved(at).plan == "free"  # the gate is about choosing BlazePose
    info = " ".join(i.value for i in at.info)
    assert "runs on the bundled BlazePose" in info and "posetracker models fetch movenet" in info
    assert "BlazePose Full" in page_text(at)


def test_broken_token_configuration_is_reported_without_quoting_it(monkeypatch):
    monkeypatch.setenv("POSETRACKER_TOKENS", "secret-value-without-a-plan")
    at = open_page({"token": DEV_TOKEN}, secrets={"tokens": {DEV_TOKEN: "developer"}})
    assert not at.exception and saved(at).plan == "developer"  # the secrets.toml tokens still work
    assert any("POSETRACKER_TOKENS is not valid" in e.value for e in at.error)
    assert "secret-value-without-a-plan" not in page_text(at)

    monkeypatch.delenv("POSETRACKER_TOKENS")
    at = open_page({"token": DEV_TOKEN}, secrets={"tokens": "not-a-table"})
    assert not at.exception and saved(at).plan == "free"
    assert any("secrets.toml could not be read" in e.value for e in at.error)
