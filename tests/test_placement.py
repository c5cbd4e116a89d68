"""Placement guidance on its own: who is in the frame, what is missing, where to move, which way to face."""
from __future__ import annotations

import numpy as np
import pytest

import synth
from posetracker.exercises import get_spec
from posetracker.placement import check_placement
from posetracker.pose import NUM_KEYPOINTS, Pose

SQUAT = get_spec("squat")  # asks for a profile view


def standing(view: str = "side", height_frac: float = 0.75) -> Pose:
    return synth.render("squat", [("rest", 0.05)], synth.Camera(view, height_frac=height_frac), synth.CLEAN)[0][0]


def moved(pose: Pose, dx: float = 0.0, extent: float | None = None) -> Pose:
    """The same figure moved sideways by `dx`, or resized to span `extent` of the frame (centred, in frame)."""
    lo, hi = pose.xy.min(axis=0), pose.xy.max(axis=0)
    scale = 1.0 if extent is None else extent / float(max(hi - lo))
    xy = (pose.xy - (lo + hi) / 2) * scale + [0.5 + dx, 0.5]
    return Pose(xy, pose.scores.copy(), pose.timestamp, frame_size=pose.frame_size)


def test_nobody_or_a_title_card_is_step_into_the_frame():
    for pose in (None, Pose(np.full((NUM_KEYPOINTS, 2), 0.5), np.full(NUM_KEYPOINTS, 0.1), 0.0)):
        p = check_placement(pose, SQUAT)
        assert (p.person_visible, p.ready, p.direction, p.requirements) == (False, False, "in-frame",
                                                                            ("person_visible",))


def test_a_well_placed_side_view_is_ready():
    p = check_placement(standing(), SQUAT)
    assert p.person_visible and p.ready and p.direction is None and p.requirements == ()


def test_missing_keypoints_are_named_unless_they_were_seen_a_moment_ago():
    pose = standing()
    required = [int(k) for k in SQUAT.required]
    ankles = [k for k in required if k in (15, 16)]
    pose.scores[ankles] = 0.05
    p = check_placement(pose, SQUAT)
    assert not p.ready and p.requirements == ("keypoints_visible",) and "ankles" in p.message
    seen = np.zeros(NUM_KEYPOINTS, bool)
    seen[ankles] = True
    assert check_placement(pose, SQUAT, seen=seen).ready


@pytest.mark.parametrize("extent, direction", [(0.99, "step-back"), (0.25, "come-closer")])
def test_too_close_or_too_far(extent, direction):
    assert check_placement(moved(standing(), extent=0.8), SQUAT).ready
    p = check_placement(moved(standing(), extent=extent), SQUAT)
    assert not p.ready and p.direction == direction and p.requirements == ("distance",)


@pytest.mark.parametrize("dx, direction", [(-0.4, "move-right"), (0.4, "move-left")])
def test_off_centre_says_which_way_to_move(dx, direction):
    p = check_placement(moved(standing(), dx=dx), SQUAT)
    assert not p.ready and p.direction == direction and p.requirements == ("centered",)


def test_the_wrong_view_is_a_hint_that_never_holds_counting_back():
    p = check_placement(standing("front"), SQUAT)
    assert p.ready and p.direction == "profile-camera"
    facing = next(s for s in ("jumping_jack", "lateral_raise", "shoulder_press") if get_spec(s).view.value == "face")
    q = check_placement(standing("side"), get_spec(facing))
    assert q.person_visible and (not q.requirements or q.ready)
