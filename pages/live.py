"""Live tracking: the camera through the pose model and the tracking engine, with the coach's overlay.

The frame callback runs on streamlit-webrtc's worker thread and only talks to this session's `LiveProcessor`;
the side panel polls the processor's snapshot from a fragment. No `st.*` call ever happens in the callback.
"""
from __future__ import annotations

from dataclasses import replace

import streamlit as st
from streamlit_webrtc import webrtc_streamer

from pages._jumps import jump_inputs, show_live_jumps
from pages._speech import speak_updates, speech_toggle
from pages._capacity import refused_stream
from pages._reference import live_recorder, reference_or_exercise
from pages._shared import (
    run_through_app, save_settings, session_settings, settings_caption, show_notices, watch_session,
)
from pages._video_source import video_source
from posetracker.errors import ERRORS, PoseTrackerError
from posetracker.estimators import create_estimator, resolve_model
from posetracker.live import LiveProcessor, LiveSnapshot, rtc_configuration
from posetracker.options import Mode
from posetracker.people import crowd_message

POLL_S = 0.5       # while the camera streams (or is connecting)
IDLE_POLL_S = 2.0  # otherwise: cheap, and the panel never freezes on a rerun that saw a stale stream state
EVENT_LOG_ROWS = 40
_PROCESSOR = "live.processor"


@st.cache_resource(show_spinner="Loading the pose model…")
def load_model(name: str) -> str:
    """Load a model's weights once per process; each camera session then gets its own light estimator."""
    create_estimator(name).close()
    return name


def session_processor(model: str, settings) -> LiveProcessor:
    """This browser session's processor: made once, kept across reruns, replaced only when the model changes."""
    processor: LiveProcessor | None = st.session_state.get(_PROCESSOR)
    if processor is None or processor.snapshot().model != model:
        if processor is not None:
            processor.close()
        processor = LiveProcessor(load_model(model), settings.to_options(Mode.LIVE), mirror=settings.mirror)
        st.session_state[_PROCESSOR] = processor
    else:
        processor.configure(settings.to_options(Mode.LIVE), mirror=settings.mirror)
    return processor


def mirror_toggle(settings, source):
    """The selfie camera's mirror choice. A clip plays as recorded (`VideoSource.settings_for`): a toggle there
    would change nothing, so it is not offered; the camera's choice is kept in the settings for when it is back."""
    if not source.is_camera:
        st.caption("The video plays as recorded (not mirrored).")
        return settings
    st.session_state.setdefault("live.mirror", settings.mirror)
    mirror = st.toggle("Mirror view (selfie)", key="live.mirror")
    if mirror != settings.mirror:
        settings = save_settings(replace(settings, mirror=mirror))
    return settings


def ice_configuration() -> dict:
    try:
        secrets = st.secrets.get("webrtc", {})
    except Exception:  # no secrets.toml is the normal case on localhost
        secrets = {}
    try:
        return rtc_configuration(secrets=secrets)
    except PoseTrackerError as exc:
        st.error(exc.message, icon=":material/error:")
        return {"iceServers": []}


def show_results(snap: LiveSnapshot) -> None:
    state = snap.state
    if snap.error:
        st.error(f"{snap.error} (`{snap.error_code}`)" if snap.error_code else snap.error, icon=":material/error:")
    if snap.frames_processed == 0:
        st.info("Press **START** and allow the camera. Stand back so your whole body is in view.",
                icon=":material/videocam:")
    elif snap.people > 1:
        st.warning(crowd_message(snap.people), icon=":material/group:")
    elif snap.person_visible:
        st.success("Person in view", icon=":material/person:")
    else:
        st.warning("No person in view: step into the frame so your whole body is visible.",
                   icon=":material/person_off:")

    if state is not None and state.is_duration:
        st.metric("Seconds held", f"{int(state.hold_seconds)}")
    elif not show_live_jumps(state):  # jumps show their own: the last height and air time large, the best
        st.metric("Reps", snap.count)
    if state is not None:
        if state.countdown_left:
            st.markdown(f"**Get ready… {state.countdown_left}**")
        elif state.posture_message:
            st.markdown(f"**{state.posture_message}**")
    if snap.recent_grades and snap.options.form_score:
        st.markdown("Recent grades: " + " ".join(f"`{g}`" for g in snap.recent_grades))
        if state is not None and state.avg_score is not None:
            st.caption(f"Average form score {state.avg_score:.0f}")
    if state is not None and state.recommendations and snap.options.recommendations:
        st.markdown("\n".join(f"- {cue}" for cue in state.recommendations))
    if snap.frames_processed:
        fps = f"{snap.fps:.0f} fps" if snap.fps else "– fps"
        ms = f"{snap.ms_per_frame:.0f} ms per frame" if snap.ms_per_frame else ""
        st.caption(f"{snap.model_title} · {fps} · {ms} · {snap.frames_processed} frames processed")
    if st.toggle("Show raw event log", key="live.show_events"):
        st.json(list(snap.events[-EVENT_LOG_ROWS:]), expanded=False)


run_through_app()
settings = session_settings()
model, _ = resolve_model(settings.model)

st.title(":material/videocam: Live tracking")
st.caption(settings_caption(settings))
show_notices()

left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
with left:
    settings = reference_or_exercise(key="live.exercise")  # the catalogue, or a reference movement (Business)
settings = jump_inputs(settings, key="live.jumps")
source_column, speech_column = st.columns([3, 2], vertical_alignment="top")
with speech_column:
    settings = speech_toggle(settings)
with source_column:
    source = video_source(settings)  # the camera, or a clip played as the camera
with middle:
    settings = mirror_toggle(settings, source)

processor = session_processor(model, source.settings_for(settings))
watch_session()  # when the tab closes, its camera connection is released promptly (see SessionRegistry)
right.button("Reset", icon=":material/restart_alt:", on_click=processor.reset, help="Start a new set",
             width="stretch")


def camera_help(code: str) -> str:
    return f"{code}: {ERRORS[code].meaning} {ERRORS[code].what_to_do}"


async def on_frames(frames):
    return processor.process_av_frames(frames)


def streaming(key: str) -> bool:
    """Whether the camera component is playing or connecting, from the value it sent for this run."""
    from streamlit_webrtc.component import generate_frontend_component_key

    value = st.session_state.get(generate_frontend_component_key(key)) or {}
    return bool(value.get("playing") or value.get("sdpOffer"))


def results_panel(poll_s: float) -> None:
    @st.fragment(run_every=poll_s)
    def figures() -> None:
        snap = processor.snapshot()
        show_results(snap)
        speak_updates(snap, settings.speak)

    figures()


video, panel = st.columns([3, 2], gap="large")
args = source.streamer_args(on_start=processor.reset)
# The panel's poll is registered before the camera component runs. The browser drops every fragment's timer when a
# full run starts and re-arms one only when a run reaches that fragment: a run that ended inside the component
# (a signalling timeout on a starved server, an exception, a run cut short) left the panel frozen at what it showed
# before, e.g. "Press START" with no frames, while the video went on counting.
with panel:
    results_panel(POLL_S if streaming(args["key"]) else IDLE_POLL_S)
with video:
    ctx = refused_stream(args["key"], model, processor) or webrtc_streamer(  # a full server says so instead
        **args,
        rtc_configuration=ice_configuration(),
        media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False},
        queued_video_frames_callback=on_frames,
        async_processing=True,
        video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
        translations={"device_access_denied": camera_help("camera_permission_denied"),
                      "device_not_available": camera_help("camera_not_found")},
    )
    source.controls(ctx.state.playing)
    # The browser reports a refused or missing camera inside the component only.
    if not ctx.state.playing and source.is_camera:
        with st.expander("Camera not starting?", icon=":material/no_photography:"):
            st.markdown(f"- **NotAllowedError** · {camera_help('camera_permission_denied')}\n"
                        f"- **NotFoundError** or **NotReadableError** · {camera_help('camera_not_found')}")
    live_recorder(processor, clip=None if source.is_camera else source.clip.upload.name)  # Business: two taps
