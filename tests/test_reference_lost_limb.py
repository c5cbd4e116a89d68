"""A leg whose ankle the model loses on one side during a rep (known answers from the stick figure).

Failure class: a split squat filmed from behind (chauhan_lunges.mp4), whose rear knee reaches the floor at the bottom
of each rep: its shin lies along the floor toward the camera and both models lose that leg, putting the "ankle" on
the knee (or the "knee" up the thigh). The rear knee's angle then has no second arm (BlazePose: it reads straight
where the reference's bends, correlating -0.4 to -0.7, so shapes fell to 0.44-0.53, unlike_reference) and the
feet's left-right distance reads the knee instead of the foot (MoveNet: it moved 0.7-0.8 body units where the
reference's stays within 0.16, extra_movement): the lunge reference counted 2 of 6 reps with MoveNet, 0 with
BlazePose. A rep rejected while one shin collapsed under `LOST` of its length, the other shin did not, is judged
again without those two features (`matcher._rescued`); the rest must correlate strongly (`RESCUE_NCC`), so the
same collapse lets no other movement through. Now 5 of 6 with each model (the first rep's window holds the step
back from the rack: unlike_reference).

Ruled out before, measured on the whole table: making a frame's features unseen where a segment reads under half
its remembered length (folds are common where nothing is lost: forearms in curls, legs in push-ups; 13/21 MoveNet,
17/21 BlazePose); holding a hand's or foot's features after its keypoint leaps onto its middle joint (fast jacks'
hands and feet leap too: 16/21 and 15/21). Judging forearms as shins are judged here let the BlazePose
lateral-raise reference count 12 of mrpose_jacks' side-on jacks instead of 7 (the far arm is guessed).
"""
from __future__ import annotations

import numpy as np
import pytest

from posetracker.pose import KP, Pose
from posetracker.reference.limbs import ENDS, LONG, LOST, lost_ends, undefined_features
from posetracker.reference import features as F
from test_reference_limbs import filmed, reference
from test_reference_view import count


def lose_leg(seq, side: str = "RIGHT"):
    """`seq` with one leg lost near the bottom of each rep (the hips lowest), as both models lose a kneeling rear
    leg: its ankle put on its knee, a hair further along the thigh's line, so the knee reads straight."""
    hips = np.array([(p.xy[KP.LEFT_HIP, 1] + p.xy[KP.RIGHT_HIP, 1]) / 2 for p, _ in seq])
    drop = hips - hips.min()
    hip, knee, ankle = (getattr(KP, f"{side}_{j}") for j in ("HIP", "KNEE", "ANKLE"))
    out = []
    for (pose, t), d in zip(seq, drop):
        xy = pose.xy.copy()
        if d > 0.6 * drop.max():
            xy[ankle] = xy[knee] + 0.1 * (xy[knee] - xy[hip])
        out.append((Pose(xy, pose.scores, pose.timestamp, frame_size=pose.frame_size), t))
    return out


@pytest.fixture(scope="module")
def lunge_reference():
    """Three-quarter on, a camera looking down (as in test_reference_limbs)."""
    return reference("split_squat", 45, 25)


# From behind, a camera level or a little above (straight behind and level, the rear thigh barely turns in the
# picture and the rest of the rep correlates 0.7-0.8 with the three-quarter reference: under `RESCUE_NCC`).
BEHIND = [(180, 5), (170, 0), (160, 5), (200, 5)]


@pytest.mark.parametrize("yaw,pitch", BEHIND)
def test_a_split_squat_whose_rear_leg_is_lost_at_the_bottom_counts(lunge_reference, yaw, pitch):
    """Before, 0 of 5 counted (unlike_reference: the rear knee reads straight where the reference's bends)."""
    seq = filmed("split_squat", 5, yaw, pitch, seed=3)
    assert count(lunge_reference, seq)[0] == 5
    assert count(lunge_reference, lose_leg(seq)) == (5, [])


@pytest.mark.parametrize("side", ["LEFT", "RIGHT"])
@pytest.mark.parametrize("yaw,pitch", BEHIND[:2] + [(0, 25), (45, 25)])
def test_squats_losing_one_leg_do_not_count_as_split_squats(lunge_reference, side, yaw, pitch):
    assert count(lunge_reference, lose_leg(filmed("squat", 5, yaw, pitch, seed=3), side))[0] <= 1


@pytest.mark.parametrize("yaw,pitch", [(180, 0), (170, 0), (45, 25)])
def test_a_squat_reference_does_not_count_split_squats_losing_their_rear_leg(yaw, pitch):
    sig = reference("squat", 45, 25)
    assert count(sig, filmed("squat", 5, yaw, pitch, seed=3))[0] == 5
    assert count(sig, lose_leg(filmed("split_squat", 5, yaw, pitch, seed=3)))[0] <= 1


def _shins(**columns) -> np.ndarray:
    """Shin lengths over a 20-frame rep: both long (0.9) but the ones given."""
    out = np.full((20, len(ENDS)), 0.9)
    for name, values in columns.items():
        out[:, [side for side, *_ in ENDS].index(name)] = values
    return out


COLLAPSE = np.r_[np.full(8, 0.9), np.full(6, LOST - 0.15), np.full(6, 0.9)]


def test_an_ankle_is_lost_only_when_its_shin_collapses_on_one_side_after_reading_long():
    assert list(lost_ends(_shins(right=COLLAPSE))) == [False, True]
    assert list(lost_ends(_shins(left=COLLAPSE))) == [True, False]
    # Both shins folding at once is the movement's (kneeling on both knees).
    assert not lost_ends(_shins(left=COLLAPSE, right=COLLAPSE)).any()
    # A shin short all along is the view's (a rear shin pointing back toward the camera), not a lost ankle.
    assert not lost_ends(_shins(left=np.r_[np.full(8, LONG - 0.1), np.full(12, LOST - 0.1)])).any()
    # The other shin unseen: nothing says the collapse is one-sided.
    assert not lost_ends(_shins(right=COLLAPSE, left=np.nan)).any()
    assert not lost_ends(_shins(right=COLLAPSE)[:2]).any()  # too few frames to say


def test_a_lost_ankle_leaves_its_knee_angle_and_the_feet_spread_undefined():
    assert [F.NAMES[i] for i in np.flatnonzero(undefined_features(lost_ends(_shins(right=COLLAPSE))))] == [
        "right_knee_angle", "ankle_spread"]
    assert not undefined_features(lost_ends(_shins())).any()
