"""A performer's style is not another movement (known answers on stick figures and synthetic features).

Failure class 2, elbow style in jumping jacks: a jacks reference holding the elbows straight rejected jacks with
bent elbows as extra_movement (references from theunknown_jj_4 and rjsong_jumpingjacks, both models). A joint
held still is judged only in a movement of the arms alone or the legs alone (`matcher._whole_body`): there it
tells a lateral raise from a shoulder press.
"""
from __future__ import annotations

import pytest

import synth
from posetracker.reference import reach
from posetracker.reference.signature import build_signature
from synth import Motion

from test_reference_engine import run

STYLES = {
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
