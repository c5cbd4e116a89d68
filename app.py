"""PoseTracker: the app's entry point. `streamlit run app.py` (or `make run`)."""
from __future__ import annotations

import streamlit as st

from pages._shared import plan_caption, session_settings
from posetracker.estimators import MODEL_TITLES, resolve_model

st.set_page_config(page_title="PoseTracker", page_icon=":material/sports_gymnastics:", layout="wide",
                   initial_sidebar_state="expanded")

# Pages in menu order; the first is the default.
PAGES = [
    st.Page("pages/home.py", title="Start", icon=":material/home:", url_path="home", default=True),
    st.Page("pages/live.py", title="Live", icon=":material/videocam:", url_path="live"),
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
    st.Page("pages/settings.py", title="Settings", icon=":material/tune:", url_path="settings"),
]

page = st.navigation(PAGES)

settings = session_settings()
model, fallback_notice = resolve_model(settings.model)
with st.sidebar:
    st.markdown("### :material/sports_gymnastics: PoseTracker")
    st.caption(f"{plan_caption(settings)}  \nModel: **{MODEL_TITLES[model]}**")
    if fallback_notice:
        st.info(fallback_notice, icon=":material/info:")

page.run()
