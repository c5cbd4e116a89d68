"""The Live page's refusal in Streamlit's AppTest: the camera's offer arrives while the server is full."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit_webrtc.component import generate_frontend_component_key

PROJECT = Path(__file__).resolve().parent.parent
PAGE = str(PROJECT / "pages" / "live.py")
OFFER = {"playing": False, "sdpOffer": {"type": "offer", "sdp": "v=0"}, "iceCandidates": {}}


@pytest.fixture
def full_server(monkeypatch):
    sys.path.insert(0, str(PROJECT))
    from pages._capacity import live_admission

    monkeypatch.setenv("POSETRACKER_LIVE_CAPACITY", "0")  # no room at all: every offer is refused
    live_admission.clear()
    yield
    live_admission.clear()


def test_an_offer_to_a_full_server_is_refused_in_plain_words_and_the_camera_is_not_drawn(full_server):
    # AppTest has no server for streamlit-webrtc: a run that drew the camera component would fail. So a clean
    # run also shows that the refused offer was never answered.
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["exercise"] = "squat"
    at.session_state[generate_frontend_component_key("live")] = OFFER
    at.run()
    assert not at.exception, at.exception
    busy = [w.value for w in at.warning if "The server is busy" in w.value]
    assert busy and "Try again" in busy[0] and "Upload page" in busy[0]
    assert at.session_state["live.refused"].code == "server_busy"
    assert at.button(key="live.try_again").label == "Try again"

    at.session_state[generate_frontend_component_key("live")] = {"playing": False, "iceCandidates": {"a": {}}}
    at.run()  # the camera keeps sending (ICE candidates): the refusal stays and the camera does not come back
    assert not at.exception, at.exception
    assert any("The server is busy" in w.value for w in at.warning)
