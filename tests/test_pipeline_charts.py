"""The Upload page's Plotly figures, built from an analysis result (no browser needed)."""
from __future__ import annotations

from types import SimpleNamespace

from posetracker.analysis import TracePoint
from posetracker.charts import GRADE_HEX, score_figure, signal_figure
from posetracker.engine import RepRecord


def _result(**overrides):
    trace = [TracePoint(i / 10, 0.1 * (i % 20), (0.3, 0.8), True) for i in range(60)]
    reps = (RepRecord(0.2, 1.8, 92.0, "A", True, None), RepRecord(2.2, 2.5, None, None, False, "too_fast"),
            RepRecord(3.0, 4.6, 65.0, "D", False, "min_grade"))
    return SimpleNamespace(**{"trace": trace, "reps_detail": reps, "hold_seconds": None, "events": [], **overrides})


def test_signal_figure_has_the_signal_thresholds_and_numbered_rep_spans():
    fig = signal_figure(_result())
    names = [t.name for t in fig.data]
    assert names[:3] == ["signal", "enter threshold", "rep threshold"]
    assert len(fig.layout.shapes) == 3
    labels = [a.text for a in fig.layout.annotations]
    assert labels == ["1", "2✗", "3✗"]
    hover = next(t for t in fig.data if t.name == "reps").text
    assert hover[0].startswith("rep 1: 0.20–1.80 s, counted, score 92 (A)")
    assert "rejected (too fast)" in hover[1] and "below the minimum grade" in hover[2]
    assert fig.layout.xaxis.title.text == "time (s)"


def test_score_figure_colours_bars_by_grade_and_skips_unscored_reps():
    fig = score_figure(_result())
    bar = fig.data[0]
    assert list(bar.x) == ["rep 1", "rep 3"] and list(bar.y) == [92.0, 65.0]
    assert list(bar.marker.color) == [GRADE_HEX["A"], GRADE_HEX["D"]]
    assert score_figure(_result(reps_detail=[])) is None


def test_a_duration_exercise_charts_the_seconds_held():
    events = [{"type": "counter", "current_count": n, "timestampMs": 1000 * (n + 2)} for n in range(1, 6)]
    fig = signal_figure(_result(hold_seconds=5.0, events=events, reps_detail=[]))
    assert fig.data[0].name == "seconds held" and list(fig.data[0].y) == [0, 1, 2, 3, 4, 5]
