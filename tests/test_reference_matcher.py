"""The matcher's rejection rules on synthetic feature sequences (known answers): each rule rejects the movement it
names and lets the reference's own movement through."""
from __future__ import annotations

import numpy as np
import pytest

from posetracker.reference import features as F
from posetracker.reference.matcher import MIN_NCC, _ncc, compare
from posetracker.reference.signature import SAMPLES, Signature

N = 40
TIMES = np.linspace(0.0, 1.6, N)
BUMP = np.sin(np.linspace(0.0, np.pi, N))  # rest -> furthest point -> rest
I = {name: i for i, name in enumerate(F.NAMES)}


def rows(rest: dict[str, float], moves: dict[str, float], shape=BUMP) -> np.ndarray:
    """A rep: every feature in `rest` held at its value, plus `moves[name] * shape` for the moving ones.
    Features in neither are unseen (NaN)."""
    out = np.full((N, F.COUNT), np.nan)
    for name, value in rest.items():
        out[:, I[name]] = value
    for name, amount in moves.items():
        out[:, I[name]] = rest.get(name, 0.0) + amount * shape
    return out


def signature(rest: dict[str, float], moves: dict[str, float]) -> Signature:
    seq = rows(rest, moves)
    template = seq[np.linspace(0, N - 1, SAMPLES).astype(int)]
    active = np.array([n in moves for n in F.NAMES])
    direction = np.array([moves.get(n, 0.0) for n in F.NAMES])
    seen = np.isfinite(seq).all(axis=0)
    spread = np.zeros(F.COUNT)
    spread[seen] = seq[:, seen].max(axis=0) - seq[:, seen].min(axis=0)
    rest_a = np.array([rest.get(n, 0.0) if n in rest or n in moves else np.nan for n in F.NAMES])
    return Signature(template, active, rest_a, direction, spread, float(TIMES[-1]))


def wobble(amount: float) -> np.ndarray:
    return amount * np.sin(np.linspace(0.0, 4 * np.pi, N))


# A one-arm curl, standing: the left elbow bends and the wrist rises; the shoulder joint is held; the right arm is
# out of sight.
STANDING = {"left_shoulder_height": 1.0, "right_shoulder_height": 1.0, "nose_height": 1.3, "left_elbow_height": 0.4,
            "left_shoulder_angle": 0.1, "left_elbow_angle": 0.9, "left_wrist_height": -0.1}
CURL = {"left_elbow_angle": -0.6, "left_wrist_height": 0.9}


def test_the_reference_movement_matches_itself():
    match = compare(signature(STANDING, CURL), TIMES, rows(STANDING, CURL), False)
    assert match.matches and match.ncc > 0.95


def test_the_same_joint_movement_in_another_posture_is_another_movement():
    """A push-up's elbow bend is not a curl: the trunk lies level with the hips instead of standing above them."""
    lying = {**STANDING, "left_shoulder_height": 0.2, "right_shoulder_height": 0.2, "nose_height": 0.3}
    assert compare(signature(STANDING, CURL), TIMES, rows(lying, CURL), False).why == "other_posture"
    a_little_bent = {**STANDING, "left_shoulder_height": 0.8, "right_shoulder_height": 0.8}
    assert compare(signature(STANDING, CURL), TIMES, rows(a_little_bent, CURL), False).matches


@pytest.mark.parametrize("swing,matches", [(0.05, True), (0.12, True), (0.25, False), (0.5, False)])
def test_a_joint_the_reference_holds_still_must_stay_still(swing, matches):
    """Raising the arm sideways while bending the elbow (a lateral raise) is not a curl: the curl holds the
    shoulder joint still. A little sway is still a curl."""
    seq = rows(STANDING, CURL)
    seq[:, I["left_shoulder_angle"]] += swing * BUMP
    match = compare(signature(STANDING, CURL), TIMES, seq, False)
    assert match.matches is matches
    assert matches or match.why == "extra_movement"


def test_a_joint_still_on_one_side_while_its_mirror_moves_is_the_view_not_the_movement():
    """A push-up filmed three-quarter on: the near shoulder's angle moves, the far one's reads still because the
    view foreshortens it. Another view of the same push-up moves both."""
    rest = {"left_shoulder_height": 0.3, "right_shoulder_height": 0.3, "left_elbow_angle": 0.9,
            "right_elbow_angle": 0.9, "left_shoulder_angle": 0.3, "right_shoulder_angle": 0.3}
    moves = {"left_elbow_angle": -0.45, "right_elbow_angle": -0.45, "left_shoulder_angle": -0.3}
    seq = rows(rest, moves)
    seq[:, I["right_shoulder_angle"]] -= 0.6 * BUMP  # far more than the 5x-its-range a still joint may move
    assert compare(signature(rest, moves), TIMES, seq, False).matches


def test_a_position_moved_clearly_must_not_go_clearly_the_other_way():
    """A lateral raise takes the hands apart; a jumping jack's arms rise as far but the hands meet overhead."""
    rest = {"left_shoulder_height": 1.0, "right_shoulder_height": 1.0, "left_wrist_height": 0.0,
            "right_wrist_height": 0.0, "left_shoulder_angle": 0.1, "right_shoulder_angle": 0.1, "wrist_spread": 0.8}
    moves = {"left_wrist_height": 1.0, "right_wrist_height": 1.0, "left_shoulder_angle": 0.4,
             "right_shoulder_angle": 0.4, "wrist_spread": 0.35}
    sig = signature(rest, moves)
    assert compare(sig, TIMES, rows(rest, moves), False).matches
    jack = rows(rest, {**moves, "wrist_spread": -0.7})
    assert compare(sig, TIMES, jack, False).why == "opposite_movement"


def test_a_feature_the_reference_barely_moves_does_not_decide_the_shape():
    """A head-on push-up: the elbows bend as in the side-on reference, but the foreshortened hip angle, which the
    reference barely moves, swings widely out of step. Each feature's correlation counts by its share of the
    reference's movement, so the match stands where one pooled correlation would fail it."""
    rest = {"left_shoulder_height": 0.3, "right_shoulder_height": 0.3, "left_elbow_angle": 0.9,
            "right_elbow_angle": 0.9, "left_hip_angle": 0.95}
    moves = {"left_elbow_angle": -0.45, "right_elbow_angle": -0.45, "left_hip_angle": -0.08}
    sig = signature(rest, moves)
    seq = rows(rest, moves)
    seq[:, I["left_hip_angle"]] = 0.7 + wobble(0.6)
    match = compare(sig, TIMES, seq, False)
    assert match.matches and match.ncc > MIN_NCC
    act = sig.active
    pooled = _ncc((sig.template[:, act] - sig.rest[act]) / F.UNIT[act],
                  (seq[np.linspace(0, N - 1, SAMPLES).astype(int)][:, act] - 0.0) / F.UNIT[act])
    assert pooled < MIN_NCC


def test_a_movement_unlike_the_reference_is_still_rejected():
    """The weighting keeps the shape test: the elbow going the wrong way round is no curl."""
    seq = rows(STANDING, {"left_elbow_angle": 0.0, "left_wrist_height": 0.9}, shape=BUMP)
    seq[:, I["left_elbow_angle"]] = 0.9 - 0.6 * np.cos(np.linspace(0.0, np.pi, N)) ** 2
    assert not compare(signature(STANDING, CURL), TIMES, seq, False).matches


def test_a_split_stance_is_another_movement_than_feet_side_by_side():
    """A reverse lunge filmed from the front bends knees and hips as a squat does, but one foot stands back, higher
    in the picture than the other; a squat's feet stand level."""
    legs = {"left_shoulder_height": 1.0, "right_shoulder_height": 1.0, "left_knee_height": -0.6,
            "right_knee_height": -0.6, "left_ankle_height": -1.2, "right_ankle_height": -1.2,
            "left_knee_angle": 0.95, "right_knee_angle": 0.95, "left_hip_angle": 0.95, "right_hip_angle": 0.95}
    squat = {"left_knee_angle": -0.45, "right_knee_angle": -0.45, "left_hip_angle": -0.35,
             "right_hip_angle": -0.35, "left_knee_height": 0.5, "right_knee_height": 0.5,
             "left_ankle_height": 0.5, "right_ankle_height": 0.5}
    sig = signature(legs, squat)
    assert compare(sig, TIMES, rows(legs, squat), False).matches
    level_enough = {**legs, "left_ankle_height": -1.1}  # a camera a little off the front
    assert compare(sig, TIMES, rows(level_enough, squat), False).matches
    split = {**legs, "left_ankle_height": -0.7}
    # The legs of a squat reference are judged by how the thighs move (see test_reference_limbs), which reads
    # the same from any view where the stance does not: a lunge's rear thigh stays down.
    lunge = {**squat, "right_hip_angle": -0.05, "right_knee_height": 0.1}
    assert compare(sig, TIMES, rows(split, lunge), False).why == "limbs_differ"
    # The stance still decides for a reference whose movement one leg carries.
    one_leg = {"left_knee_angle": -0.45, "left_hip_angle": -0.35, "left_knee_height": 0.5}
    assert compare(signature(legs, one_leg), TIMES, rows(legs, one_leg), False).matches
    assert compare(signature(legs, one_leg), TIMES, rows(split, one_leg), False).why == "other_posture"
