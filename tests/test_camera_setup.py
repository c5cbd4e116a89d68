"""Camera placement advice, derived from each exercise's spec, and its diagram."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from posetracker.camera_setup import camera_advice, diagram_svg
from posetracker.exercises import CATALOGUE, View, get_spec


def test_a_squat_is_filmed_side_on_from_far_enough_for_the_whole_body():
    advice = camera_advice(get_spec("squat"))
    assert advice.view is View.PROFILE and advice.distance_m == (2.5, 3.0)
    assert "beside you" in advice.summary and "head to feet" in advice.summary


def test_an_upper_body_exercise_can_be_filmed_closer_from_the_front():
    advice = camera_advice(get_spec("shoulder_press"))
    assert advice.view is View.FACE and advice.distance_m[1] < 2.5
    assert "in front of you" in advice.summary


@pytest.mark.parametrize("exercise", list(CATALOGUE))
def test_every_exercise_gets_advice_and_a_diagram_that_parses(exercise):
    advice = camera_advice(CATALOGUE[exercise])
    low, high = advice.distance_m
    assert 1.0 <= low < high <= 3.5
    svg = ET.fromstring(diagram_svg(advice))
    texts = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert f"{low:g}–{high:g} m" in texts and "camera" in texts
    assert {View.FACE: "front view", View.PROFILE: "side view", View.ANY: "front or side"}[advice.view] in texts


def test_the_diagram_puts_the_camera_beside_for_a_side_view_and_in_front_for_a_front_view():
    def camera_xy(exercise):
        svg = ET.fromstring(diagram_svg(camera_advice(get_spec(exercise))))
        groups = [g for g in svg.iter("{http://www.w3.org/2000/svg}g")]
        person, camera = (tuple(map(float, g.get("transform").split("(")[1].split(")")[0].split())) for g in groups)
        return person, camera

    (px, py), (cx, cy) = camera_xy("squat")
    assert cx < px and cy == py  # beside
    (px, py), (cx, cy) = camera_xy("jumping_jack")
    assert cx == px and cy > py  # in front (the person faces down the page)
