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

import warnings

import numpy as np

from posetracker.pose import KP
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


# -- a leg's end lost on one side ------------------------------------------------------------------------------
# A shin seen end-on, or lost by the model, puts the ankle on the knee: a split squat filmed from behind, whose rear
# shin lies along the floor toward the camera at the bottom of each rep (both models then put the "ankle" on the
# knee, or the "knee" up the thigh). The knee's angle then has no second arm, and the feet's spread reads the knee
# instead of the foot. Arms are left out: a forearm folding toward the camera on one side is common where nothing
# is lost (a one-arm curl, the far arm of side-on jumping jacks, which the model guesses): measured, judging arms
# so too let a BlazePose lateral-raise reference count 12 of a clip's side-on jumping jacks instead of 7.
# (side, middle joint, end, segment), the two sides next to each other.
ENDS = (("left", "knee", "ankle", "shin"), ("right", "knee", "ankle", "shin"))
LOST = 0.35  # a shin reading under this share of its remembered length has lost its ankle ...
LONG = 0.6   # ... when it read at least this share elsewhere in the rep, and the other shin never fell under `LOST`
# The features an ankle lying on its knee leaves without a meaning: the knee's angle (it has no second arm) and the
# feet's spread (it reads the knee instead of the foot). The ankle's height stays: a shin seen end-on is short, its
# ankle about level with the knee, which the height reads as the ankle rising (as a kneeling rear foot's does).
_UNDEFINED = tuple((F.NAMES.index(f"{side}_{mid}_angle"), F.NAMES.index(f"{end}_spread"))
                   for side, mid, end, _ in ENDS)


def end_lengths(pose, refs: dict) -> np.ndarray:
    """Each shin's length in this frame (`ENDS` order) as a share of its remembered length (`refs`, from
    `signals.BodyScale`); NaN when none is remembered. Keypoints the model only guesses count too: an ankle the
    model cannot find is lost all the same."""
    w, h = pose.frame_size or (1, 1)
    p = pose.xy.astype(np.float64) * np.array([w / h, 1.0])
    out = np.full(len(ENDS), np.nan)
    for i, (side, mid, end, segment) in enumerate(ENDS):
        ref = refs.get(segment)
        if ref and ref > 1e-6:
            a, b = KP[f"{side}_{mid}".upper()], KP[f"{side}_{end}".upper()]
            out[i] = float(np.hypot(*(p[a] - p[b]))) / ref
    return out


def lost_ends(lengths: np.ndarray) -> np.ndarray:
    """Which legs (`ENDS` order) lose their ankle during a rep (`lengths`: frames x legs, from `end_lengths`): the
    shin reads `LONG` somewhere in the rep and under `LOST` elsewhere, while the other shin never falls under
    `LOST` (one-sided: both shins folding at once is the movement's, a kneel's). "Long" is read anywhere in the rep
    (it begins and ends at rest): a shin short throughout is foreshortened by the view (a rear shin pointing back
    toward the camera), and reads alike all along."""
    lengths = np.asarray(lengths, float)
    lost = np.zeros(len(ENDS), bool)
    if lengths.ndim != 2 or lengths.shape[1] != len(ENDS) or len(lengths) < 3:
        return lost
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a shin never measured: NaN, not lost
        high, low = np.nanmax(lengths, axis=0), np.nanmin(lengths, axis=0)
    for i in range(len(ENDS)):
        twin = i ^ 1  # the other side
        lost[i] = bool(high[i] >= LONG and low[i] < LOST and np.isfinite(low[twin]) and low[twin] >= LOST)
    return lost


def undefined_features(lost: np.ndarray) -> np.ndarray:
    """The features (`F.NAMES` order) a rep's lost ankles leave without a meaning."""
    out = np.zeros(F.COUNT, bool)
    for gone, feats in zip(lost, _UNDEFINED):
        if gone:
            out[list(feats)] = True
    return out
