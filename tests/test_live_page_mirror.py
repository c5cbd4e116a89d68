"""The Live page's "Mirror view (selfie)" toggle (Streamlit AppTest on a full server, so no camera component is
drawn): offered for the camera and really applied to the session's processor; not offered for a clip, which plays
as recorded whatever the camera's choice, and that choice is still there when the camera is back."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit_webrtc.component import generate_frontend_component_key

from media_factory import two_tone, write_clip

PROJECT = Path(__file__).resolve().parent.parent
PAGE = str(PROJECT / "pages" / "live.py")
OFFER = {"playing": False, "sdpOffer": {"type": "offer", "sdp": "v=0"}, "iceCandidates": {}}
MIRROR = "Mirror view (selfie)"


@pytest.fixture
def full_server(monkeypatch):
    sys.path.insert(0, str(PROJECT))
    # The speech component registers itself with the runtime on import; each AppTest brings a runtime of its own.
    sys.modules.pop("pages._speech", None)
    from pages._capacity import live_admission

    monkeypatch.setenv("POSETRACKER_LIVE_CAPACITY", "0")  # every offer is refused: the page never starts WebRTC
    live_admission.clear()
    yield
    live_admission.clear()
    sys.modules.pop("pages._speech", None)  # nor is ours the next test's


def mirror_toggles(at: AppTest) -> list:
    return [t for t in at.toggle if t.label == MIRROR]


def processor_mirror(at: AppTest) -> bool:
    return at.session_state["live.processor"].snapshot().mirror


def a_clip(folder: Path):
    from pages._video_source import LiveClip
    from posetracker.clip_source import ClipControl, as_clip
    from posetracker.inputs import check_media
    from posetracker.plans import PLANS

    path = write_clip(folder / "clip.mp4", [two_tone(64, 48)] * 10, fps=10)
    upload = as_clip(check_media(path, PLANS["free"]))
    # Keyed as the Upload page's clip: the uploader of this bare run is empty and would drop a "file" clip.
    return LiveClip(("upload", path), upload, ClipControl(upload.duration_s))


def test_the_camera_offers_mirror_and_a_clip_plays_as_recorded_without_it(full_server, tmp_path):
    at = AppTest.from_file(PAGE, default_timeout=180)  # a loaded machine: the first run loads the model
    at.query_params["exercise"] = "squat"
    at.session_state[generate_frontend_component_key("live")] = OFFER
    at.run()
    assert not at.exception, at.exception
    assert len(mirror_toggles(at)) == 1 and mirror_toggles(at)[0].value is True
    assert processor_mirror(at) is True

    mirror_toggles(at)[0].set_value(False).run()  # the camera's choice reaches the processor
    assert not at.exception, at.exception
    assert processor_mirror(at) is False
    mirror_toggles(at)[0].set_value(True).run()
    assert processor_mirror(at) is True

    at.session_state["live.use_clip"] = True
    at.session_state["live.clip"] = a_clip(tmp_path)
    at.session_state[generate_frontend_component_key("live-clip")] = OFFER
    at.run()
    assert not at.exception, at.exception
    assert not mirror_toggles(at), "a clip is shown as recorded: a mirror toggle would change nothing"
    assert any("plays as recorded" in c.value for c in at.caption)
    assert processor_mirror(at) is False

    at.session_state["live.use_clip"] = False  # back to the camera: its mirror choice is as it was
    at.run()
    assert not at.exception, at.exception
    assert len(mirror_toggles(at)) == 1 and mirror_toggles(at)[0].value is True
    assert processor_mirror(at) is True
