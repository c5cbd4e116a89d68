"""Form scoring on its own: severities, points per rule, cues, and rules that cannot be measured."""
from __future__ import annotations

import pytest

from posetracker.exercises.spec import FormRule
from posetracker.form import CUE_THRESHOLD, reduce_metric, score_rep, severity

DEPTH = FormRule("depth", "Go lower", "depth", 0.8, span=0.5, weight=30)
BACK = FormRule("back", "Keep your back straight", "hip_angle", 60, span=30, weight=15)
FAST = FormRule("tempo", "Slow down", "duration", 3.0, bad="above", span=1.0, weight=10, reduce="max")


@pytest.mark.parametrize("value, expected", [(0.8, 0.0), (1.2, 0.0), (0.55, 0.5), (0.3, 1.0), (-5.0, 1.0)])
def test_severity_grows_past_the_limit_over_the_span_and_stops_at_one(value, expected):
    assert severity(DEPTH, value) == pytest.approx(expected)


def test_severity_of_a_rule_broken_above_its_limit():
    assert severity(FAST, 2.0) == 0.0 and severity(FAST, 3.5) == pytest.approx(0.5) and severity(FAST, 9) == 1.0


def test_a_rep_is_reduced_with_the_rules_own_extreme():
    assert reduce_metric(BACK, [80.0, 40.0, 70.0]) == 40.0
    assert reduce_metric(FAST, [1.0, 4.0]) == 4.0
    assert reduce_metric(BACK, []) is None


def test_a_clean_rep_scores_100_with_no_cue():
    result = score_rep((DEPTH, BACK), {"depth": 1.0}, {"hip_angle": [90.0, 75.0]})
    assert result.score == 100.0 and result.cues == ()


def test_each_broken_rule_costs_its_weight_times_its_severity_and_gives_its_cue_once():
    result = score_rep((DEPTH, BACK, BACK), {"depth": 0.55}, {"hip_angle": [50.0, 45.0]})
    assert result.score == pytest.approx(100 - 30 * 0.5 - 2 * 15 * 0.5)
    assert result.cues == ("Go lower", "Keep your back straight")


def test_a_slightly_broken_rule_costs_points_but_gives_no_cue():
    value = 0.8 - 0.5 * (CUE_THRESHOLD / 2)
    result = score_rep((DEPTH,), {"depth": value}, {})
    assert result.score < 100.0 and result.cues == ()


def test_a_rule_that_cannot_be_measured_costs_nothing():
    assert score_rep((BACK,), {}, {}).score == 100.0
    assert score_rep((BACK,), {}, {"hip_angle": []}).score == 100.0


def test_the_score_never_goes_below_zero():
    heavy = FormRule("x", "cue", "depth", 1.0, span=0.1, weight=250)
    assert score_rep((heavy,), {"depth": 0.0}, {}).score == 0.0
