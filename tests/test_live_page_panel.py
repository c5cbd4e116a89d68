"""The Live page's side panel (Streamlit AppTest): it is drawn, and its poll registered, before the camera
component runs. The browser drops every fragment's timer when a full run starts and re-arms one only when a run
reaches that fragment, so a run that ended inside the component (a signalling timeout on a starved server) used to
leave the panel frozen at "Press START" with no frames while the video went on counting."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parent.parent
PAGE = str(PROJECT / "pages" / "live.py")


class SignallingTimeout(Exception):
    pass


@pytest.fixture
def failing_camera(monkeypatch):
    """streamlit-webrtc's component fails in every run, as its offer timeout does on a starved server."""
    import streamlit_webrtc

    sys.path.insert(0, str(PROJECT))
    # The speech component registers itself with the runtime on import; each AppTest brings a runtime of its own.
    sys.modules.pop("pages._speech", None)
    monkeypatch.delenv("POSETRACKER_LIVE_CAPACITY", raising=False)

    def webrtc_streamer(**_kwargs):
        raise SignallingTimeout("Processing offer and initializing the worker has not finished in 10 seconds")

    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", webrtc_streamer)
    yield
    sys.modules.pop("pages._speech", None)  # nor is ours the next test's


def test_the_panel_shows_the_processors_figures_even_when_the_camera_component_fails(failing_camera):
    at = AppTest.from_file(PAGE, default_timeout=180)  # a loaded machine: the first run loads the model
    at.query_params["exercise"] = "squat"
    at.run()
    assert at.exception, "the component's failure reaches the page"
    assert any("allow the camera" in i.value for i in at.info), "the panel is drawn before the camera component"

    processor = at.session_state["live.processor"]
    for i in range(3):  # frames the camera thread processed meanwhile
        processor.process(np.full((240, 320, 3), 90, np.uint8), i / 30)
    at.run()
    assert any("3 frames processed" in c.value for c in at.caption), [c.value for c in at.caption]
    assert not any("allow the camera" in i.value for i in at.info)
