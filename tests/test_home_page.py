"""The first screen through Streamlit's AppTest: what it says, the three ways in, and the camera advice."""
from __future__ import annotations

import base64
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def open_home(**params) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "pages" / "home.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def diagram(at: AppTest) -> str:
    img = next(m.value for m in at.markdown if "Camera placement diagram" in m.value)
    return base64.b64decode(img.split("base64,")[1].split(")")[0]).decode()


def test_the_first_screen_says_what_the_app_does_and_what_happens_to_the_video():
    at = open_home()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(i.value for i in at.info)
    assert "Counts your repetitions" in text and "stays on this server and is not kept" in text
    assert [b.label for b in at.button] == ["Live with a camera", "Live with a video", "Upload a video"]


def test_the_camera_advice_follows_the_exercise_in_the_link_and_the_picker():
    at = open_home(exercise="push_up")
    assert at.selectbox(key="home.exercise").value == "push_up"
    assert "side view" in diagram(at) and "beside you" in " ".join(m.value for m in at.markdown)
    at.selectbox(key="home.exercise").set_value("jumping_jack").run()
    assert "front view" in diagram(at) and "in front of you, facing you" in " ".join(m.value for m in at.markdown)
    assert at.query_params["exercise"] == ["jumping_jack"]  # the choice is the session's, as on the other pages


def test_live_with_a_video_opens_the_live_page_with_the_video_source_on():
    at = open_home()
    at.button[1].click().run()
    assert at.session_state["live.use_clip"] is True
