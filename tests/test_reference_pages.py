"""The Count choice on the Upload page (Streamlit AppTest): references are offered on Business only,
follow a `reference=` link, and a deleted reference falls back to an exercise with a warning."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import synth
from posetracker.reference import create_reference

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
STATE_KEY = "posetracker.settings"


@pytest.fixture
def ref(tmp_path, monkeypatch):
    monkeypatch.setenv("POSETRACKER_DATA_DIR", str(tmp_path))
    seq = synth.perform("squat", reps=1, view="side", seed=1)
    return create_reference([p for p, _ in seq], [t for _, t in seq], 1.4, 3.6, "My squat", plan="business",
                            owner="plan:business")


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "pages" / page), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


@pytest.mark.parametrize("page", ["upload.py"])  # the Live page's camera component needs a real server
def test_a_reference_link_chooses_the_reference(ref, page):
    at = open_page(page, plan="business", reference=ref.id)
    assert not at.exception, at.exception
    assert at.radio[0].value == "A reference movement"
    assert at.selectbox[0].label == "Reference" and at.selectbox[0].value == ref.id
    assert at.session_state[STATE_KEY].reference == ref.id
    assert at.query_params["reference"] == [ref.id] and "exercise" not in at.query_params
    at.radio[0].set_value("A catalogue exercise").run()
    assert at.session_state[STATE_KEY].reference is None and at.selectbox[0].label == "Exercise"
    at.radio[0].set_value("A reference movement").run()
    assert at.session_state[STATE_KEY].reference == ref.id


def test_other_plans_see_no_reference_choice(ref):
    at = open_page("upload.py", plan="developer", reference=ref.id)
    assert not at.radio and [s.label for s in at.selectbox] == ["Exercise"]
    assert at.session_state[STATE_KEY].reference is None
    assert any("Custom exercises" in w.value for w in at.warning)


def test_a_deleted_reference_falls_back_to_an_exercise(ref, tmp_path):
    from posetracker.reference import delete_reference

    at = open_page("upload.py", plan="business", reference=ref.id)
    delete_reference(ref.id, plan="business", owner="plan:business")
    at.run()
    assert not at.exception, at.exception
    assert at.session_state[STATE_KEY].reference is None
    assert any("No reference with id" in w.value for w in at.warning)
