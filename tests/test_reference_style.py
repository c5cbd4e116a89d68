"""A performer's style is not another movement (known answers on stick figures and synthetic features).

Failure class 1, arm style in a leg movement: a squat reference whose arms swing forward for balance (not among
its moving parts, but displaced clearly) rejected squats performed with the hands held still as parts_missing
(MoveNet and BlazePose, references from vengaza_squats against mrpose_squat and posetest_squat2). A limb's
displacement is judged only when the trunk moves too and carries it (`reach._carried`).

Failure class 2, elbow style in jumping jacks: a jacks reference holding the elbows straight rejected jacks with
bent elbows as extra_movement (references from theunknown_jj_4 and rjsong_jumpingjacks, both models). A joint
held still is judged only in a movement of the arms alone or the legs alone (`matcher._whole_body`): there it
tells a lateral raise from a shoulder press.
"""
from __future__ import annotations

import pytest

import synth
from posetracker.reference import reach
from posetracker.reference.matcher import compare
from posetracker.reference.signature import build_signature
from synth import Motion

from test_reference_engine import run
from test_reference_matcher import TIMES, rows, signature

SQUAT = {"hip_flex": 100, "knee_flex": 115, "torso_pitch": 10}
STYLES = {
    # Class 1: the same squat, the arms swung forward for balance or hanging still.
    "squat_arms_swung": Motion({}, {**SQUAT, "sh_flex": 60}),
    "squat_hands_held": Motion({}, dict(SQUAT)),
    # Class 2: jumping jacks with the elbows bending on the way up; raises and presses for contrast.
    "jack_bent_elbows": Motion({"sh_abd": 10, "elbow_flex": 10}, {"sh_abd": 170, "hip_abd": 15, "elbow_flex": 60},
                               period_s=1.0),
    "arms_overhead": Motion({"sh_abd": 10}, {"sh_abd": 170}, period_s=1.0),  # a jack's arms, the feet still
    "raise_bent_elbows": Motion({"sh_abd": 8}, {"sh_abd": 88, "elbow_flex": 60}),
}


@pytest.fixture(autouse=True)
def styles(monkeypatch):
    for name, motion in STYLES.items():
        monkeypatch.setitem(synth.MOTIONS, name, motion)


def reference(move: str, view: str):
    seq = synth.perform(move, reps=1, view=view, seed=1)
    end = 1.4 + synth.MOTIONS[move].period_s + 0.2
    return build_signature([p for p, _ in seq], [t for _, t in seq], 1.4, end)


def count(sig, move: str, view: str, reps: int = 5) -> int:
    return run(sig, synth.perform(move, reps=reps, view=view, seed=7))[0].count


# Class 1: arm style in a leg movement.

@pytest.mark.parametrize("view", ["side", "three_quarter", "front"])
def test_arms_swung_for_balance_are_not_part_of_a_squat(view):
    """The swung arms are displaced clearly but the trunk stays upright: before, 0 of 5 squats with the hands
    held counted (parts_missing)."""
    sig = reference("squat_arms_swung", view)
    assert set(sig.moving_parts) == {"left_leg", "right_leg"}
    assert reach.displaced_parts(sig) == ()
    assert count(sig, "squat_hands_held", view) == 5
    assert count(sig, "squat_arms_swung", view) == 5


@pytest.mark.parametrize("view", ["side", "front"])
def test_a_squat_reference_with_swung_arms_still_refuses_other_movements(view):
    sig = reference("squat_arms_swung", view)
    for other, other_view in (("bicep_curl", "front"), ("lateral_raise", "front"), ("jumping_jack", "front")):
        assert count(sig, other, other_view) <= 1, other


# A squat leaning forward, filmed from behind: the trunk lowers and carries the hanging arms down with it.
LEAN = {"left_shoulder_height": 1.0, "right_shoulder_height": 1.0, "nose_height": 1.3,
        "left_elbow_height": 0.45, "right_elbow_height": 0.45, "left_wrist_height": 0.0, "right_wrist_height": 0.0,
        "left_knee_angle": 1.0, "right_knee_angle": 1.0, "left_hip_angle": 1.0, "right_hip_angle": 1.0}
LEANING_SQUAT = {"left_knee_angle": -0.6, "right_knee_angle": -0.6, "left_hip_angle": -0.5, "right_hip_angle": -0.5,
                 "left_shoulder_height": -0.33, "right_shoulder_height": -0.33, "nose_height": -0.38,
                 "left_elbow_height": -0.39, "right_elbow_height": -0.39, "left_wrist_height": -0.37,
                 "right_wrist_height": -0.35}


def test_arms_carried_by_a_leaning_trunk_stay_judged():
    """With the trunk displaced the arms it carries are judged with it, together (foreshortened arms pass on the
    trunk's way); a squat whose trunk and arms both stay is still parts_missing."""
    sig = signature(LEAN, LEANING_SQUAT)
    assert set(reach.displaced_parts(sig)) == {"trunk", "left_arm", "right_arm"}
    foreshortened = {**LEANING_SQUAT, **{k: 0.2 * LEANING_SQUAT[k] for k in (
        "left_elbow_height", "right_elbow_height", "left_wrist_height", "right_wrist_height")}}
    assert compare(sig, TIMES, rows(LEAN, foreshortened), False).matches
    upright = {k: v for k, v in LEANING_SQUAT.items() if "angle" in k}
    assert compare(sig, TIMES, rows(LEAN, upright), False).why == "parts_missing"


def test_a_limb_displaced_without_the_trunk_is_not_judged():
    """The same squat with the trunk upright and the left arm swinging down on its own."""
    legs = {k: v for k, v in LEANING_SQUAT.items() if "angle" in k}
    moves = {**legs, "left_elbow_height": -0.39, "left_wrist_height": -0.37}
    sig = signature(LEAN, moves)
    assert "trunk" not in sig.moving_parts and "left_arm" not in sig.moving_parts
    assert reach.displaced_parts(sig) == ()
    assert compare(sig, TIMES, rows(LEAN, legs), False).matches


# Class 2: elbow style in jumping jacks.

@pytest.mark.parametrize("view", ["front", "three_quarter"])
def test_jacks_with_bent_elbows_count_with_a_straight_armed_jacks_reference(view):
    """The reference holds the elbows straight while its arms and feet move: before, 0 of 5 counted
    (extra_movement, the held elbow)."""
    sig = reference("jumping_jack", view)
    assert "legs" in set(sig.moving_parts) | set(reach.displaced_parts(sig))
    assert count(sig, "jack_bent_elbows", view) == 5
    assert count(sig, "jumping_jack", view) == 5


@pytest.mark.parametrize("view", ["front", "three_quarter"])
def test_a_jacks_reference_still_needs_the_feet_and_refuses_raises_and_presses(view):
    sig = reference("jumping_jack", view)
    for other in ("arms_overhead", "lateral_raise", "raise_bent_elbows", "shoulder_press"):
        assert count(sig, other, view) <= 1, other


@pytest.mark.parametrize("view", ["front", "three_quarter"])
def test_a_held_elbow_still_tells_a_lateral_raise_from_a_bent_arm_raise_or_a_press(view):
    """Arms alone: the straight elbow is the movement's, not style."""
    sig = reference("lateral_raise", view)
    assert count(sig, "lateral_raise", view) == 5
    for other in ("raise_bent_elbows", "shoulder_press", "jack_bent_elbows"):
        assert count(sig, other, view) <= 1, other
