"""The jump parts of the pages: the person's height, the Upload page's table/chart/summary, the Live panel.
Each page calls one function; none of them does anything for the other exercises."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from pages._shared import save_settings
from posetracker import events as ev
from posetracker.jump_charts import jump_figure, jump_rows, result_summary
from posetracker.jumps import MAX_HEIGHT_CM, MAX_PITCH_DEG, MIN_HEIGHT_CM, is_jump

_PREVIOUS = "jumps.previous_set"


def jump_inputs(settings, key: str = "jumps"):
    """The person's height (jump_analysis needs it) and the phone's tilt; returns the saved settings."""
    if not is_jump(settings.exercise):
        return settings
    left, right = st.columns(2)
    height = left.number_input(
        "Your height (cm)", MIN_HEIGHT_CM, MAX_HEIGHT_CM, value=settings.user_height_cm, step=1.0,
        placeholder="e.g. 180", key=f"{key}.height",
        help="Jump analysis turns pixels into centimetres with it. Without it, heights come from the time in the "
             "air (as for the air-time jump).")
    pitch = right.number_input("Phone tilt (degrees)", -MAX_PITCH_DEG, MAX_PITCH_DEG,
                               value=float(settings.device_pitch_deg), step=1.0, key=f"{key}.pitch",
                               help="0 for an upright phone.")
    if settings.exercise == "jump_analysis" and height is None:
        st.info("Enter your height for centimetres measured from your hips; until then heights come from the "
                "time in the air.", icon=":material/height:")
    if (height, pitch) != (settings.user_height_cm, settings.device_pitch_deg):
        settings = save_settings(replace(settings, user_height_cm=height, device_pitch_deg=float(pitch)))
    return settings


def show_jump_result(result) -> bool:
    """Upload page: the summary, a table of jumps and a chart of height per jump. False for other exercises."""
    summary = result_summary(result)
    if summary is None:
        return False
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Jumps", summary["totalJumps"])
    c2.metric("Best", _cm(summary["maxJumpHeight"]))
    c3.metric("Average", _cm(summary["avgJumpHeight"]))
    c4.metric("Average air time", "–" if summary["avgAirTimeSeconds"] is None
              else f"{summary['avgAirTimeSeconds']:.2f} s")
    if not summary["jumps"]:
        st.info("No jump was found. Stand still for a moment at the start, keep your feet in view, and jump on "
                "the spot.", icon=":material/info:")
        return True
    st.plotly_chart(jump_figure(summary), key="jump_chart")
    st.dataframe(jump_rows(summary), hide_index=True)
    discarded = [e for e in result.events if e["type"] == "jump_discarded"]
    if discarded:
        st.caption("Not counted: " + "; ".join(f"{e['timestampMs'] / 1000:.1f} s {e['userMessage']}"
                                               for e in discarded))
    return True


def show_live_jumps(state) -> bool:
    """Live panel: the last jump's height and air time large, the best of the set, the set before a reset."""
    jumps = getattr(state, "jumps", None)
    if jumps is None:
        return False
    if jumps:
        st.session_state[_PREVIOUS] = [j.to_dict() for j in jumps]
    elif st.session_state.get(_PREVIOUS):  # the set was reset: keep its summary in view
        summary = ev.jump_summary(st.session_state[_PREVIOUS])
        st.caption(f"Previous set: {summary['totalJumps']} jumps, best {_cm(summary['maxJumpHeight'])}, "
                   f"average {_cm(summary['avgJumpHeight'])}")
    last, best = state.last_jump, state.best_jump
    st.markdown(f"## {_cm(last.height_cm) if last else '– cm'}")
    st.markdown(f"### air {last.air_time_s:.2f} s" if last else "### jump when ready")
    c1, c2 = st.columns(2)
    c1.metric("Jumps", len(jumps))
    c2.metric("Best of the set", _cm(best.height_cm) if best else "–")
    if state.jump_phase == "in_air":
        st.markdown("**In the air…**")
    return True


def _cm(value) -> str:
    return "–" if value is None else f"{value:.1f} cm"
