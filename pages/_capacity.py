"""The Live page's admission: a visitor who presses START when the server is full is told so, in plain words.

Streamlit side of `posetracker.capacity`. The page calls, in place of a bare `webrtc_streamer(...)`:

    ctx = refused_stream("live", model, processor) or webrtc_streamer(key="live", ...)

While this session is not asking to stream, or holds a place, it returns None and the camera component is
drawn as usual. When it asks (its offer has just arrived) and the server has no room, it shows why and what to
do instead of the component (so the offer is never answered and nothing starts) and returns a stand-in
context that is neither playing nor signalling.
"""
from __future__ import annotations

from types import SimpleNamespace

import streamlit as st

from posetracker.capacity import LiveAdmission


@st.cache_resource
def live_admission() -> LiveAdmission:
    """One per server process: every session's place is counted in the same book."""
    return LiveAdmission()


def refused_stream(key: str, model: str, processor) -> SimpleNamespace | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit_webrtc.component import generate_frontend_component_key

    value = st.session_state.get(generate_frontend_component_key(key)) or {}
    if not (value.get("sdpOffer") or value.get("playing")):
        return None  # the START button costs the server nothing
    ctx = get_script_run_ctx()
    session = ctx.session_id if ctx is not None else "local"
    refusal = live_admission().admit(session, model, processor)
    if refusal is None:
        return None
    st.warning(refusal.message, icon=":material/group_off:")
    again, upload = st.columns(2)
    again.button("Try again", icon=":material/refresh:", key=f"{key}.try_again", width="stretch")
    upload.page_link("pages/upload.py", label="Upload a video", icon=":material/upload_file:")
    return SimpleNamespace(state=SimpleNamespace(playing=False, signalling=False), refused=refusal)
