"""The first screen: what the app does, what happens to the video, the three ways in, and where to put the camera."""
from __future__ import annotations

import base64

import streamlit as st

from pages._shared import exercise_ids, exercise_picker, run_through_app, session_settings, show_notices
from pages._video_source import USE_CLIP
from posetracker.camera_setup import camera_advice, diagram_svg
from posetracker.exercises import get_spec


def go_live(with_video: bool) -> None:
    st.session_state[USE_CLIP] = with_video


run_through_app()
settings = session_settings()
show_notices()

st.title(":material/sports_gymnastics: PoseTracker")
st.markdown("#### Counts your repetitions and coaches your form, from a camera or a video.")
st.markdown(
    f"PoseTracker finds your body's joints in each frame and follows {len(exercise_ids())} exercises: it counts "
    "squats, push-ups, curls and the rest, times planks and wall sits, grades each repetition and says what to "
    "fix: live, or on a recording.")
st.info("**Your video stays on this server and is not kept.** Camera frames are analysed as they arrive and "
        "never stored; an uploaded file and its results are deleted when you leave. Spoken coaching uses your "
        "browser's own voices.", icon=":material/lock:")

st.subheader("Start")
camera, video, upload = st.columns(3)
with camera:
    st.markdown("**:material/videocam: Live with a camera**  \nStand in front of your webcam and train; the "
                "counter and cues follow you.")
    if st.button("Live with a camera", type="primary", width="stretch", on_click=go_live, args=(False,)):
        st.switch_page("pages/live.py")
with video:
    st.markdown("**:material/movie: Live with a video**  \nPlay a recorded clip as if it were the camera: for a "
                "demo, or without a camera.")
    if st.button("Live with a video", width="stretch", on_click=go_live, args=(True,)):
        st.switch_page("pages/live.py")
with upload:
    st.markdown("**:material/upload_file: Upload**  \nAnalyse a whole video or a photo: final count, charts, an "
                "annotated video to download.")
    if st.button("Upload a video", width="stretch"):
        st.switch_page("pages/upload.py")

st.subheader("Where to put the camera")
left, right = st.columns([2, 3], vertical_alignment="center")
with left:
    settings = exercise_picker(key="home.exercise")
    advice = camera_advice(get_spec(settings.exercise))
    st.markdown(advice.summary)
    st.caption("Good light, one person in view, and a camera that does not move make the counts most reliable.")
with right:
    svg = diagram_svg(advice)
    # Markdown's own image syntax: no raw HTML on the pages (see tests/test_bad_inputs.py).
    st.markdown(f"![Camera placement diagram](data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()})")
