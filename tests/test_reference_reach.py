"""Every part a reference clearly displaces must move (known answers on synthetic motion).

Failure class: a part of the movement left out. The body parts a reference must see move are picked by their
share of the movement's energy, where a joint turning a quarter-turn outweighs a position moving half a torso
length. A push-up's elbows carry most of it and the trunk lowering toward the floor fell under the share, so a
crunch on the back (one arm bending as far, the trunk staying down) counted as push-ups (MoveNet, 2 reps on
thchen_situps). A part the reference displaces clearly must now move too.
"""
from __future__ import annotations

import numpy as np

from posetracker.reference import reach
from posetracker.reference.matcher import compare

from test_reference_matcher import I, TIMES, rows, signature

# A push-up filmed three-quarter on: both elbows bend and the trunk lowers (half a torso length at the nose), but
# the elbows' turning carries most of the movement's energy.
LEVEL = {"left_shoulder_height": 0.3, "right_shoulder_height": 0.35, "nose_height": 0.35,
         "left_elbow_angle": 0.9, "right_elbow_angle": 0.75, "left_shoulder_angle": 0.3}
PUSH = {"left_elbow_angle": -0.46, "right_elbow_angle": -0.38, "left_shoulder_angle": -0.13,
        "left_shoulder_height": -0.22, "right_shoulder_height": -0.43, "nose_height": -0.49}


def test_a_clearly_displaced_part_under_the_share_is_still_part_of_the_movement():
    sig = signature(LEVEL, PUSH)
    assert "trunk" not in sig.moving_parts
    assert set(reach.displaced_parts(sig)) == {"trunk"}
    assert compare(sig, TIMES, rows(LEVEL, PUSH), False).matches


def test_the_arms_bending_while_the_trunk_stays_down_is_not_the_movement(monkeypatch):
    """The crunch: the elbows bend as the push-up's do; the head and shoulders rise and fall a few hundredths.
    Every other rule lets it through."""
    sig = signature(LEVEL, PUSH)
    crunch = rows(LEVEL, {**PUSH, "left_shoulder_height": -0.02, "right_shoulder_height": -0.04,
                          "nose_height": -0.05})
    assert compare(sig, TIMES, crunch, False).why == "parts_missing"
    monkeypatch.setattr(reach, "why", lambda *args: None)
    assert compare(sig, TIMES, crunch, False).matches


def test_a_shallow_rep_and_a_trunk_lowered_less_than_the_references_still_count():
    """Half a push-up (everything half way), and one whose trunk lowers a third as far (a head dropped less)."""
    sig = signature(LEVEL, PUSH)
    half = {k: 0.5 * v for k, v in PUSH.items()}
    assert compare(sig, TIMES, rows(LEVEL, half), False).matches
    third = {**PUSH, **{k: PUSH[k] / 3 for k in ("left_shoulder_height", "right_shoulder_height", "nose_height")}}
    assert compare(sig, TIMES, rows(LEVEL, third), False).matches


def test_a_displaced_part_out_of_sight_is_not_judged():
    sig = signature(LEVEL, PUSH)
    crunch = rows(LEVEL, {**PUSH, "left_shoulder_height": 0.0, "right_shoulder_height": 0.0, "nose_height": 0.0})
    for name in ("left_shoulder_height", "right_shoulder_height", "nose_height"):
        crunch[:, I[name]] = np.nan
    assert compare(sig, TIMES, crunch, False).matches

