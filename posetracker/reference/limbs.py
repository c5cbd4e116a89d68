"""Whether a pair of limbs moves together or apart: the difference between a squat and a lunge whatever the view.

A squat swings both thighs forward alike; a lunge swings the front thigh up to horizontal while the rear one stays
pointing down (the rear knee drops toward the floor). The joints below bend alike in both (both knees bend, both
ankles rise toward the dropping hips), so the upper segment of each limb tells them apart: the angle it makes at
the trunk and the height its end reaches. Heights use gravity's axis, so they read the same from the front,
three-quarter on, side-on or from behind, where the stance at rest (a split stance's feet at different heights)
shows only with a camera looking down from the front.

A pair is judged for a reference whose movement both of its limbs carry (`Signature.moving_parts`): a one-arm curl
moves one, its other side is the still-part checks' business, and arms swinging a little during a squat or a
far arm the model guesses are no part of the movement. Each feature of the pair's upper segments that the
reference moves clearly gives one number, the split: the largest difference between the two sides' movements over the rep, in shares of the
larger movement (0: together, 1: one side moves and the other stays). A reference whose pair clearly moves apart
(`APART`) needs a candidate that moves it apart too (`SHARE` of the reference's split), and one whose pair clearly
moves together (`TOGETHER`) a candidate that does not move it apart (`APART`). Between the two, a reference is not
judged: its recording does not say. Nor is a reference lying down (a push-up): a camera looking down turns
movement along a lying body into heights, so they are not the view-free reading this needs.
"""
from __future__ import annotations

import numpy as np

from posetracker.reference import features as F
from posetracker.reference.view import lying

# The features of each pair's upper segments (the thigh, the upper arm).
UPPER = {"legs": ("hip_angle", "knee_height"), "arms": ("shoulder_angle", "elbow_height")}
_SIDES = {"legs": ("left_leg", "right_leg"), "arms": ("left_arm", "right_arm")}
# A feature moved less than this over the rep is not judged (angles in half-turns, heights in body units); the
# same floor keeps a candidate's barely moving pair from reading as split by its noise.
CLEAR = {"angle": 0.15, "height": 0.3}
APART = 0.5      # a reference's pair split this much moves apart ...
TOGETHER = 0.25  # ... and this little, together
SHARE = 0.5      # a candidate moves an apart pair apart when it splits it at least this share of the reference's


def features_of(pair: str) -> list[tuple[int, int]]:
    """(left, right) feature indices of a pair's upper segments."""
    return [(F.NAMES.index(f"left_{n}"), F.NAMES.index(f"right_{n}")) for n in UPPER[pair]]


def split_of(dev: np.ndarray, left: int, right: int) -> float:
    """The split of one feature's pair: `dev` is (frames, features) of movement from rest."""
    dl, dr = dev[:, left], dev[:, right]
    moved = max(float(np.abs(dl).max()), float(np.abs(dr).max()), CLEAR[F.KIND[left]])
    return float(np.abs(dl - dr).max()) / moved


def _judged(sig, dev: np.ndarray):
    """(pair, features) for each pair a standing reference's movement carries on both sides: the (left, right)
    features of its upper segments that the reference (`dev`, its movement from rest) moves clearly."""
    if lying(sig):
        return
    moving = set(sig.moving_parts)
    for pair, sides in _SIDES.items():
        if set(sides) <= moving:
            yield pair, [(a, b) for a, b in features_of(pair)
                         if np.isfinite(dev[:, [a, b]]).all() and np.abs(dev[:, [a, b]]).max() >= CLEAR[F.KIND[a]]]


def limb_pairs(sig, cand: np.ndarray) -> dict[str, bool]:
    """For each limb pair judged ("legs", "arms"): whether `cand` (the candidate's features per step, mirrored as
    compared) moves it as the reference does, together or apart."""
    ref_dev = sig.template - sig.rest
    cand_dev = cand - (cand[0] + cand[-1]) / 2
    out = {}
    for pair, feats in _judged(sig, ref_dev):
        feats = [(a, b) for a, b in feats if np.isfinite(cand_dev[:, [a, b]]).all()]
        if not feats:
            continue
        r = float(np.mean([split_of(ref_dev, a, b) for a, b in feats]))
        c = float(np.mean([split_of(cand_dev, a, b) for a, b in feats]))
        if r >= APART:
            out[pair] = c >= SHARE * r
        elif r <= TOGETHER:
            out[pair] = c < APART
    return out


def apart_pairs(sig) -> tuple[str, ...]:
    """The pairs ("legs", "arms") the reference clearly moves apart (`APART`): a step, one limb forward and one
    back, whose left-right spread is the depth axis in one view and the lateral axis in another. A pair moving
    together (a jumping jack's legs) spreads sideways whatever the view."""
    dev = sig.template - sig.rest
    return tuple(pair for pair, feats in _judged(sig, dev)
                 if feats and float(np.mean([split_of(dev, a, b) for a, b in feats])) >= APART)
