"""PoseTracker: the app's entry point. `streamlit run app.py` (or `make run`)."""
from __future__ import annotations

import streamlit as st

from pages._shared import plan_caption, session_settings
from posetracker.estimators import MODEL_TITLES, resolve_model

st.set_page_config(page_title="PoseTracker", page_icon=":material/sports_gymnastics:", layout="wide",
                   initial_sidebar_state="expanded")

# Pages in menu order; the first is the default.
PAGES = [
    st.Page("pages/live.py", title="Live", icon=":material/videocam:", url_path="home", default=True),
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
    st.Page("pages/settings.py", title="Settings", icon=":material/tune:", url_path="settings"),
    # The default page is served at "/" whatever its url_path, so a link to /live?... answered every visitor
    # but a fresh server's first with a "Page not found" dialog over the page. /live runs the Live page too.
    st.Page("pages/live.py", title="Live", icon=":material/videocam:", url_path="live", visibility="hidden"),
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
