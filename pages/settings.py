"""Settings: a plan (or a token), then what a session produces. Thin: the plan gate lives in the library."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from pages._jumps import jump_inputs
from pages._shared import (
    apply_token, exercise_ids, exercise_label, plan_caption, run_through_app, save_settings, session_settings,
    show_notices,
)
from posetracker.estimators import MODEL_TITLES, resolve_model
from posetracker.options import GRADES, Difficulty
from posetracker.features import FEATURES as FEATURE_TABLE
from posetracker.plans import FEATURES, PLANS, Plan, cheapest_plan_with
from posetracker.settings import MAX_COUNTDOWN_S, to_query_params

# Toggle widgets: setting name -> the plan feature it asks for (None: never gated), from the features table.
TOGGLES = {**{f.setting or f.id: f.id for f in FEATURE_TABLE if f.toggle}, "mirror": None}
LABELS = {**FEATURES, "mirror": "Mirror view (selfie camera)", "blazepose": "BlazePose model (instead of MoveNet)"}


def widget_values(settings) -> dict:
    values = {name: getattr(settings, name) for name in TOGGLES if name != "blazepose"}
    return {**values, "blazepose": settings.model == "blazepose", "plan": settings.plan,
            "exercise": settings.exercise, "difficulty": settings.difficulty.value,
            "min_grade": settings.min_grade or "none", "countdown_s": settings.countdown_s}


def locked_label(label: str, feature: str | None, plan: Plan) -> str:
    """The label, and for a feature this plan lacks, the plan that unlocks it: "Joint angles · Developer plan"."""
    if feature is None or plan.allows(feature):
        return label
    return f"{label} · {cheapest_plan_with(feature).name} plan"


def on_plan() -> None:
    save_settings(session_settings().with_plan(st.session_state["settings.plan"]))


def on_token() -> None:
    token, st.session_state["settings.token"] = st.session_state["settings.token"], ""  # never echoed back
    if token.strip():
        apply_token(token)


def on_change() -> None:
    w = {name: st.session_state[f"settings.{name}"] for name in widget_values(session_settings())}
    save_settings(replace(
        session_settings(), **{name: w[name] for name in TOGGLES if name != "blazepose"},
        model="blazepose" if w["blazepose"] else "movenet", exercise=w["exercise"],
        difficulty=Difficulty(w["difficulty"]), min_grade=None if w["min_grade"] == "none" else w["min_grade"],
        countdown_s=int(w["countdown_s"])))


run_through_app()
settings = session_settings()
# The saved settings drive the widgets (not the other way round), so a gate refusal or a URL shows at once.
for name, value in widget_values(settings).items():
    st.session_state[f"settings.{name}"] = value
plan = settings.plan_info

st.title(":material/tune: Settings")
show_notices()

left, right = st.columns(2)
left.radio("Plan", list(PLANS), format_func=lambda p: PLANS[p].name, horizontal=True, key="settings.plan",
           on_change=on_plan)
left.caption(f"{plan_caption(settings)}. {plan.describe_limits()}"
             + (f" Exports carry a small “{plan.watermark}” mark." if plan.watermark else ""))
right.text_input("Token", type="password", key="settings.token", on_change=on_token,
                 placeholder="Paste a PoseTracker token and press Enter",
                 help="A token selects the plan it was issued for. It is never shown back or saved in the URL.")

model, fallback = resolve_model(settings.model)
st.caption(f"Model: **{MODEL_TITLES[model]}**")
if fallback:
    st.info(fallback, icon="ℹ️")

st.subheader("Exercise")
ex1, ex2 = st.columns(2)
ex1.selectbox("Exercise", exercise_ids(), format_func=exercise_label, key="settings.exercise", on_change=on_change)
ex2.radio("Difficulty", [d.value for d in Difficulty], format_func=str.capitalize, horizontal=True,
          key="settings.difficulty", on_change=on_change, help="How deep a repetition must go to count.")
ex1.selectbox(locked_label("Minimum grade", "min_grade", plan), ["none", *GRADES], key="settings.min_grade",
              format_func=lambda g: "None" if g == "none" else g, disabled=not plan.allows("min_grade"),
              on_change=on_change, help="Repetitions graded below are not counted (needs the form score).")
ex2.slider("Countdown (seconds, live only)", 0, MAX_COUNTDOWN_S, key="settings.countdown_s", on_change=on_change)
settings = jump_inputs(settings, key="settings.jumps")

st.subheader("What the session produces")
columns = st.columns(2)
for i, (name, feature) in enumerate(TOGGLES.items()):
    locked = feature is not None and not plan.allows(feature)
    columns[i % 2].toggle(locked_label(LABELS[name], feature, plan), key=f"settings.{name}", disabled=locked,
                          on_change=on_change)

st.subheader("Share")
st.caption("The address bar always holds these settings; this link reproduces them (it never holds the token):")
page_url = (getattr(st.context, "url", None) or "").split("?")[0]
st.code(f"{page_url}?{urlencode(to_query_params(settings))}", language=None, wrap_lines=True)
