"""The jump parts of the pages in Streamlit's AppTest: the height input, the Upload result, the Live panel."""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parent.parent
TESTS = str(PROJECT / "tests")
sys.path.insert(0, str(PROJECT))


def test_the_settings_page_takes_the_height_from_the_url_and_saves_a_new_one():
    at = AppTest.from_file(str(PROJECT / "pages" / "settings.py"), default_timeout=30)
    at.query_params["exercise"] = "jump_analysis"
    at.query_params["userHeightCm"] = "180"
    at.run()
    height = next(n for n in at.number_input if n.key == "settings.jumps.height")
    assert height.value == 180.0
    height.set_value(172.0).run()
    assert at.session_state["posetracker.settings"].user_height_cm == 172.0
    assert at.query_params["userHeightCm"][-1] == "172"


def _upload_result_app(tests_dir):
    import sys

    sys.path.insert(0, tests_dir)
    from jump_factory import JumpPlan, clip
    from pages._jumps import show_jump_result
    from posetracker.analysis import Analysis
    from posetracker.engine import create_engine
    from posetracker.options import Mode, Options

    options = Options(exercise="air_time_jump", mode=Mode.UPLOAD)
    engine, analysis = create_engine(options), Analysis(options, "movenet")
    for i, (pose, t) in enumerate(clip([JumpPlan(0.2), JumpPlan(0.45), JumpPlan(0.3)], 30)[0]):
        analysis.add(i, t, pose, engine.update(pose, t, i), engine.snapshot())
    show_jump_result(analysis.finish(engine.finish(), engine.snapshot()))


def test_the_upload_result_shows_the_summary_the_table_and_the_chart():
    at = AppTest.from_function(_upload_result_app, default_timeout=60, args=(TESTS,))
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Jumps"] == "3" and abs(float(metrics["Best"].split()[0]) - 45) < 4
    table = at.dataframe[0].value
    assert list(table["jump"]) == [1, 2, 3] and list(table["height (cm)"]).index(max(table["height (cm)"])) == 1
    assert len(at.get("plotly_chart")) == 1


def _live_panel_app(tests_dir):
    import sys

    sys.path.insert(0, tests_dir)
    from jump_factory import JumpPlan, clip
    from pages._jumps import show_live_jumps
    from posetracker.engine import create_engine
    from posetracker.options import Mode, Options

    engine = create_engine(Options(exercise="air_time_jump", mode=Mode.LIVE))
    for i, (pose, t) in enumerate(clip([JumpPlan(0.45), JumpPlan(0.2)], 30)[0]):
        engine.update(pose, t, i)
    show_live_jumps(engine.snapshot())


def test_the_live_panel_shows_the_last_jump_large_and_the_best_of_the_set():
    at = AppTest.from_function(_live_panel_app, default_timeout=60, args=(TESTS,))
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Jumps"] == "2"
    best, last = float(metrics["Best of the set"].split()[0]), float(at.markdown[0].value.split()[1])
    assert abs(best - 45) < 4 and abs(last - 20) < 4
    assert at.markdown[1].value.startswith("### air 0.")
