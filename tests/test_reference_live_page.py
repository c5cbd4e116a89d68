"""The Live page's "Record a reference movement" panel (Streamlit AppTest, a replayed stream instead of a camera):
two taps, a refusal shown with nothing lost, a name, the saved id and "Count with this reference"; other plans
see why it is unavailable."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import synth
from live_replay import live, play
from posetracker.reference import ReferenceStore
from posetracker.reference.store import DB_NAME

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
STATE_KEY = "posetracker.settings"


def panel_script():
    import streamlit as st

    from pages._reference import live_recorder

    live_recorder(st.session_state["test.processor"], clip=None)


def open_panel(plan: str, processor) -> AppTest:
    at = AppTest.from_function(panel_script, default_timeout=60)
    at.query_params["plan"] = plan
    at.session_state["test.processor"] = processor
    return at.run()


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("POSETRACKER_DATA_DIR", str(tmp_path))
    return tmp_path


def test_two_taps_a_refusal_a_name_and_the_saved_reference_to_count_with(data_dir):
    seq = synth.perform("squat", reps=2, view="side", seed=1)
    processor = live(seq)
    at = open_panel("business", processor)
    assert not at.exception, at.exception
    button(at, "Mark the start").click().run()
    assert "No video has come in yet" in at.error[0].value  # before START: said, and nothing is armed
    assert button(at, "Mark the start")

    rest = play(processor, seq, 1.5)
    button(at, "Mark the start").click().run()
    rest = play(processor, rest, 1.6)
    button(at, "Mark its end").click().run()
    assert "0.10 s apart" in at.error[0].value and button(at, "Mark the start")  # too short: record again

    button(at, "Mark the start").click().run()
    button(at, "Cancel").click().run()
    assert not at.error and button(at, "Mark the start")
    button(at, "Mark the start").click().run()
    rest = play(processor, rest, 3.7)
    button(at, "Mark its end").click().run()
    assert not at.error and "Recorded one repetition: 2.1 s" in at.info[0].value
    at.button(key="FormSubmitter:live.reference_form-Discard").click().run()
    assert not at.info and button(at, "Mark the start")
    button(at, "Mark the start").click().run()  # the second squat, then
    rest = play(processor, rest, 6.1)
    button(at, "Mark its end").click().run()
    assert "Recorded one repetition: 2.4 s" in at.info[0].value
    play(processor, rest)  # the stream goes on while the user types: the take is kept as it was

    at.button(key="FormSubmitter:live.reference_form-Save the reference").click().run()
    assert at.error[0].value == "Give the reference a name." and at.info  # refused, and the take is still there
    at.text_input(key="live.reference_name").input("Live squat")
    at.button(key="FormSubmitter:live.reference_form-Save the reference").click().run()
    refs = ReferenceStore(data_dir / DB_NAME).list()
    assert [r.name for r in refs] == ["Live squat"] and refs[0].source["live"] == "camera"
    assert (refs[0].source["start_s"], refs[0].source["end_s"]) == pytest.approx((3.7, 6.1), abs=0.05)
    assert refs[0].id in at.success[0].value and not at.error and not at.info
    button(at, "Count with this reference").click().run()
    assert not at.exception, at.exception
    assert at.session_state[STATE_KEY].reference == refs[0].id


@pytest.mark.parametrize("plan", ["free", "developer"])
def test_other_plans_see_why_recording_a_reference_is_unavailable(plan, data_dir):
    seq = synth.perform("squat", reps=1, view="side", seed=1)
    at = open_panel(plan, live(seq))
    assert not at.exception, at.exception
    assert not at.button
    text = " ".join(c.value for c in at.caption)
    assert "does not include" in text and "Business plan" in text
