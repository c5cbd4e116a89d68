"""The Live page's admission: a visitor who presses START when the server is full is told so, in plain words.

Streamlit side of `posetracker.capacity`. The page calls, in place of a bare `webrtc_streamer(...)`:

    ctx = refused_stream("live", model, processor) or webrtc_streamer(key="live", ...)

While this session is not asking to stream, or holds a place, it returns None and the camera component is
drawn as usual. When it asks (its offer has just arrived) and the server has no room, it shows why and what to
do instead of the component (so the offer is never answered and nothing starts) and returns a stand-in
context that is neither playing nor signalling. It also puts `posetracker.sendback`'s relay in place, through
which an admitted session's annotated frames reach the encoder (newest first, never a backlog).
"""
from __future__ import annotations

import weakref
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

    install_sendback_relay()  # before the component's worker is made: the returned video stays live when busy

    # The refusal stays until the visitor asks again: the component keeps sending what it has (ICE candidates)
    # and reruns follow, which must not bring back a camera that would only hang on "connecting".
    refusal = st.session_state.get(f"{key}.refused")
    if refusal is None:
        value = st.session_state.get(generate_frontend_component_key(key)) or {}
        if not (value.get("sdpOffer") or value.get("playing")):
            return None  # the START button costs the server nothing
        ctx = get_script_run_ctx()
        session = ctx.session_id if ctx is not None else "local"
        refusal = live_admission().admit(session, model, processor, _stream_of(key))
        if refusal is None:
            return None
        st.session_state[f"{key}.refused"] = refusal
    st.warning(refusal.message, icon=":material/group_off:")
    again, upload = st.columns(2)
    again.button("Try again", icon=":material/refresh:", key=f"{key}.try_again", width="stretch",
                 on_click=_ask_again, args=(key,))
    try:
        upload.page_link("pages/upload.py", label="Upload a video", icon=":material/upload_file:")
    except Exception:  # noqa: BLE001 - the page run alone (outside app.py's navigation) has no page to link
        pass
    return SimpleNamespace(state=SimpleNamespace(playing=False, signalling=False), refused=refusal)


def install_sendback_relay() -> bool:
    """Make `posetracker.sendback.SendbackRelay` the relay streamlit-webrtc gives the sessions this server
    process starts from now on (it keeps one per process on Streamlit's runtime, under a name of its own).
    False when there is no runtime (a page run bare)."""
    from streamlit.runtime.runtime import Runtime
    from streamlit_webrtc import relay

    from posetracker.sendback import SendbackRelay

    try:
        runtime = Runtime.instance()
    except RuntimeError:
        return False
    name = relay._SERVER_GLOBAL_RELAY_ATTR_NAME_
    if not isinstance(getattr(runtime, name, None), SendbackRelay):
        setattr(runtime, name, SendbackRelay())
    return True


def _stream_of(key: str):
    """Whether this session's camera connection is up: streamlit-webrtc's worker for `key` exists and its
    peer connection has not closed or failed (a closed tab ends it within seconds, long before Streamlit
    forgets the session). Held weakly: a session that has ended keeps nothing alive."""
    context = st.session_state.get(key)
    if context is None or not hasattr(context, "_get_worker"):
        return None
    ref = weakref.ref(context)

    def streaming() -> bool:
        current = ref()
        worker = current._get_worker() if current is not None else None
        pc = getattr(worker, "pc", None)
        return pc is not None and pc.connectionState not in ("closed", "failed")

    return streaming


def _ask_again(key: str) -> None:
    from streamlit_webrtc.component import generate_frontend_component_key

    st.session_state.pop(f"{key}.refused", None)
    st.session_state.pop(generate_frontend_component_key(key), None)  # the refused offer is not answered later
