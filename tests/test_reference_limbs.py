"""Legs moving together (a squat) or apart (a lunge) tell the two movements apart from any view (known answers).

Failure class: a lunge reference filmed three-quarter on counted squats, and a lunge filmed from behind did not
count with it. The only rule telling them apart was the stance at rest (a split stance's feet stand at different
heights in the picture), which shows only with a camera looking down from the front: three-quarter on, feet side by
side already stand at different heights, and from behind with a low camera a split stance reads level. A lunge's
thighs split (the front one swings up, the rear one stays down), a squat's swing together, in every view.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import synth
from posetracker.pose import KP, NUM_KEYPOINTS, Pose
from posetracker.reference import build_signature
from posetracker.reference import features as F
from posetracker.reference.limbs import TOGETHER, limb_pairs, split_of
from posetracker.reference.matcher import compare
from posetracker.reference.signature import Signature
from test_reference_matcher import CURL, STANDING, TIMES, rows, signature
from test_reference_view import count

# Standing legs (body units and half-turns), feet side by side.
LEVEL = {"left_shoulder_height": 1.0, "right_shoulder_height": 1.0, "left_hip_angle": 0.95, "right_hip_angle": 0.95,
         "left_knee_angle": 0.95, "right_knee_angle": 0.95, "left_knee_height": -0.8, "right_knee_height": -0.8,
         "left_ankle_height": -1.6, "right_ankle_height": -1.6}
# The same legs filmed three-quarter on by a camera looking down: the far foot stands higher in the picture.
THREE_QUARTER = {**LEVEL, "left_ankle_height": -1.45, "right_ankle_height": -2.0}
# A reverse lunge as the vengaza_lunges reference reads it: the front thigh swings up (its hip closes, its knee
# rises toward the hips), the rear one barely; both knees bend, both ankles rise toward the dropping hips.
LUNGE = {"left_hip_angle": -0.21, "right_hip_angle": -0.04, "left_knee_height": 0.49, "right_knee_height": 0.19,
         "left_knee_angle": -0.42, "right_knee_angle": -0.28, "left_ankle_height": 0.77, "right_ankle_height": 0.7}
SQUAT = {"left_hip_angle": -0.3, "right_hip_angle": -0.3, "left_knee_height": 0.5, "right_knee_height": 0.5,
         "left_knee_angle": -0.4, "right_knee_angle": -0.4, "left_ankle_height": 0.6, "right_ankle_height": 0.6}


@pytest.mark.parametrize("stance", [THREE_QUARTER, LEVEL, {**LEVEL, "left_ankle_height": -1.75}])
def test_a_squat_does_not_count_as_a_lunge_whatever_the_feet_read(stance):
    """Before, a squat whose feet read as unevenly as the lunge reference's counted (three-quarter on)."""
    sig = signature(THREE_QUARTER, LUNGE)
    assert compare(sig, TIMES, rows(THREE_QUARTER, LUNGE), False).matches
    assert compare(sig, TIMES, rows(stance, SQUAT), False).why == "limbs_differ"


def test_a_lunge_whose_split_stance_reads_level_counts():
    """Filmed from behind with a low camera the feet read level: before, every rep was other_posture."""
    sig = signature(THREE_QUARTER, LUNGE)
    assert compare(sig, TIMES, rows(LEVEL, LUNGE), False).matches
    right_leg_forward = {k.replace("left_", "@").replace("right_", "left_").replace("@", "right_"): v
                         for k, v in LUNGE.items()}
    assert compare(sig, TIMES, rows(LEVEL, right_leg_forward), True).matches


def test_a_squat_reference_does_not_count_a_lunge_with_feet_reading_level():
    sig = signature(LEVEL, SQUAT)
    assert compare(sig, TIMES, rows(LEVEL, SQUAT), False).matches
    assert compare(sig, TIMES, rows(LEVEL, LUNGE), False).why == "limbs_differ"


def test_a_reference_moving_one_limb_of_a_pair_is_not_judged_here():
    """A one-arm curl: the other arm is the still-part checks' business (a two-arm curl is extra_movement)."""
    assert limb_pairs(signature(STANDING, CURL), rows(STANDING, CURL)) == {}


def test_the_split_is_read_on_the_thighs_and_a_small_movement_is_noise():
    dev = np.zeros((10, F.COUNT))
    left, right = F.NAMES.index("left_knee_height"), F.NAMES.index("right_knee_height")
    dev[:, left] = np.linspace(0, 0.6, 10)
    dev[:, right] = np.linspace(0, 0.6, 10)
    assert split_of(dev, left, right) == pytest.approx(0.0)
    dev[:, right] = 0.0
    assert split_of(dev, left, right) == pytest.approx(1.0)
    dev[:, left] = np.linspace(0, 0.05, 10)  # 0.05 body units is jitter, not one leg moving alone
    assert split_of(dev, left, right) < TOGETHER
    # The knees bend alike in a squat and a lunge: only the thighs' features decide.
    sig = signature(LEVEL, SQUAT)
    bent_alike = rows(LEVEL, {**SQUAT, "left_knee_angle": -0.6, "right_knee_angle": -0.1})
    assert limb_pairs(sig, bent_alike[np.linspace(0, len(bent_alike) - 1, 32).astype(int)]) == {"legs": True}


def test_a_stored_reference_reads_the_same_split():
    """Nothing new is stored: the split is read from the template an older reference already keeps."""
    sig = signature(THREE_QUARTER, LUNGE)
    again = Signature.from_json(sig.to_json())
    cand = rows(THREE_QUARTER, SQUAT)[np.linspace(0, len(TIMES) - 1, 32).astype(int)]
    assert limb_pairs(again, cand) == limb_pairs(sig, cand) == {"legs": False}


# -- the stick figure filmed from several views ------------------------------------------------------------------
SIZE = (640, 480)
# (rest, work) of the trunk and arms, the left leg and the right leg, in `synth.skeleton`'s joint angles (degrees).
MOVES = {
    "squat": ({}, {"torso_pitch": 35}, {}, {"hip_flex": 100, "knee_flex": 115},
              {}, {"hip_flex": 100, "knee_flex": 115}),
    # A split squat: the left foot forward, the right one back, at rest too; both knees bend to the floor.
    "split_squat": ({}, {"torso_pitch": 10}, {"hip_flex": 35}, {"hip_flex": 85, "knee_flex": 95},
                    {"hip_flex": -30}, {"hip_flex": -10, "knee_flex": 100}),
}


def filmed(move: str, reps: int, yaw: float, pitch: float, seed: int = 0) -> list[tuple[Pose, float]]:
    """`reps` repetitions seen from `yaw` degrees (0: the front, 180: behind) by a camera looking down `pitch`."""
    g0, g1, l0, l1, r0, r1 = MOVES[move]
    rng = np.random.default_rng(seed)
    y, p = math.radians(yaw), math.radians(pitch)
    scale = 0.75 * SIZE[1] / 1.75
    out, t = [], 0.0
    for seg in synth.schedule(reps, 2.0):
        n = int(round(seg[1] * 30))
        for i in range(n):
            k = 0.0 if seg[0] != "rep" else (1 - math.cos(2 * math.pi * i / n)) / 2
            blend = [synth._blend(a, b, k) for a, b in ((g0, g1), (l0, l1), (r0, r1))]
            pts = synth.skeleton(*blend)
            pts[:, 1] -= pts[[KP.LEFT_ANKLE, KP.RIGHT_ANKLE], 1].min()  # the lower foot on the floor
            x = pts[:, 0] * math.cos(y) + pts[:, 2] * math.sin(y)
            near = -pts[:, 0] * math.sin(y) + pts[:, 2] * math.cos(y)
            up = pts[:, 1] * math.cos(p) - near * math.sin(p)
            xy = np.stack([(SIZE[0] / 2 + x * scale) / SIZE[0], (SIZE[1] * 0.92 - up * scale) / SIZE[1]], axis=1)
            scores = np.full(NUM_KEYPOINTS, 0.9)
            out.append((Pose(xy + rng.normal(0, 0.004, xy.shape), scores, t, frame_size=SIZE), t))
            t += 1 / 30
    return out


def reference(move: str, yaw: float, pitch: float) -> Signature:
    seq = filmed(move, 1, yaw, pitch, seed=1)
    return build_signature([p for p, _ in seq], [t for _, t in seq], 1.4, 3.8)


@pytest.fixture(scope="module")
def lunge_reference():
    """Three-quarter on, a camera looking down: the split stance's feet stand at different heights."""
    return reference("split_squat", 45, 25)


@pytest.mark.parametrize("yaw,pitch", [(180, 0), (160, 5), (0, 25), (90, 10)])
def test_a_split_squat_counts_from_behind_and_other_views(lunge_reference, yaw, pitch):
    assert count(lunge_reference, filmed("split_squat", 5, yaw, pitch, seed=3))[0] == 5


@pytest.mark.parametrize("yaw,pitch", [(0, 25), (45, 25), (-45, 25), (90, 10), (180, 0)])
def test_squats_do_not_count_as_split_squats_from_any_view(lunge_reference, yaw, pitch):
    assert count(lunge_reference, filmed("squat", 5, yaw, pitch, seed=3))[0] <= 1


@pytest.mark.parametrize("yaw,pitch", [(0, 25), (45, 25), (180, 0)])
def test_a_squat_reference_counts_squats_and_not_split_squats(yaw, pitch):
    sig = reference("squat", 45, 25)
    assert count(sig, filmed("squat", 5, yaw, pitch, seed=3))[0] == 5
    assert count(sig, filmed("split_squat", 5, yaw, pitch, seed=3))[0] <= 1


def test_the_split_reads_the_same_from_every_view():
    """A squat's thighs swing together and a split squat's apart seen from the front, three-quarter on, side-on
    and behind, with the camera level or looking down, against references filmed from any of those views. (Filmed
    from the front, a split squat's front thigh swings toward the camera and its rear knee's bend carries nearly
    all of the movement the picture shows: the legs are not both moving parts there, and the split is not judged.)"""
    views = [(yaw, pitch) for yaw in (0, 45, 90, 180) for pitch in (0, 25)]
    refs = {(move, view): reference(move, *view) for move in ("squat", "split_squat") for view in views}
    unjudged = {key for key, sig in refs.items() if "legs" not in limb_pairs(sig, sig.template)}
    assert unjudged == {("split_squat", (0, 0)), ("split_squat", (0, 25)), ("split_squat", (180, 0))}
    for (ref_move, ref_view), sig in refs.items():
        if (ref_move, ref_view) in unjudged:
            continue
        for (move, view), cand in refs.items():
            assert limb_pairs(sig, cand.template)["legs"] is (move == ref_move), (ref_move, move, view)
